"""Reasoning and web search through the API: relayed, stored apart, replayed, never resent,
exported; citations stored, filtered and sent in `done`."""
import json

import pytest

import tests.fake_openrouter as fo
from tests.answers.test_hub import Events, open_chat, read_events, stored_answer
from tests.support.waiting import wait_for

CITATIONS = [fo.url_citation("https://en.wikipedia.org/wiki/Banana", "Banana - Wikipedia"),
             fo.url_citation("javascript:alert(document.cookie)", "Click me"),
             fo.url_citation("data:text/html,<script>alert(1)</script>", "Data"),
             fo.url_citation("https://en.wikipedia.org/wiki/Banana", "Banana again"),
             fo.url_citation("http://example.org/bread", "Bread <b>recipes</b>")]
KEPT = [{"url": "https://en.wikipedia.org/wiki/Banana", "title": "Banana - Wikipedia"},
        {"url": "http://example.org/bread", "title": "Bread <b>recipes</b>"}]


def test_reasoning_is_relayed_before_the_answer_and_stored_apart(api, fake):
    fake.stream_plans.append(fo.stream_reasoning(["Let me ", "think."], ["The ", "answer."], between=[" Hmm."]))
    result = api.chat("Why?")
    assert result.types[:2] == ["conversation", "reasoning"] and result.types[-1] == "done"
    reasoning = "".join(e["content"] for e in result.events if e["type"] == "reasoning")
    assert reasoning == "Let me think. Hmm." and result.text == "The answer."
    assert result.types.index("reasoning") < result.types.index("chunk")
    stored = stored_answer(api, result.conversation_id)
    assert stored["content"] == "The answer." and stored["reasoning"] == "Let me think. Hmm."
    assert isinstance(stored["reasoning_seconds"], float) and stored["reasoning_seconds"] >= 0
    assert stored["usage"]["completion_tokens_details"] == {"reasoning_tokens": 42}
    assert result.last["usage"]["completion_tokens_details"]["reasoning_tokens"] == 42


def test_an_answer_without_reasoning_has_none(api, fake):
    result = api.chat("Plain")
    stored = stored_answer(api, result.conversation_id)
    assert "reasoning" not in result.types
    assert stored["reasoning"] is None and stored["reasoning_seconds"] is None and stored["citations"] == []
    assert "completion_tokens_details" not in stored["usage"]


def test_reasoning_is_never_sent_upstream_again_nor_to_the_title_model(api, fake):
    fake.stream_plans.append(fo.stream_reasoning(["SECRET-THOUGHT about bananas"], ["Bananas are yellow."]))
    first = api.chat("Tell me about bananas")
    api.settled_title(first.conversation_id)
    api.chat("And apples?", conversation_id=first.conversation_id)
    later = fake.chat_requests(stream=True)[-1].body
    assert later["messages"][1] == {"role": "assistant", "content": "Bananas are yellow."}
    assert "SECRET-THOUGHT" not in json.dumps(later)
    assert all("SECRET-THOUGHT" not in json.dumps(r.body) for r in fake.chat_requests(stream=False))


def test_re_attach_replays_the_reasoning_and_the_text(api, fake):
    fake.stream_plans.append(fo.stream_reasoning(["Thinking ", "hard."], ["Done", " now", " then"], delay=0.4))
    response, first = open_chat(api)
    read_events(response, stop_after_chunks=1)
    response.close()
    conversation_id = first["conversation_id"]
    follower = Events(api.get(f"/conversation/{conversation_id}/stream", stream=True))
    events = read_events(follower)
    assert events[0] == {"type": "reasoning", "content": "Thinking hard."}
    assert "".join(e["content"] for e in events if e["type"] == "chunk") == "Done now then"
    assert events[-1]["type"] == "done"


def test_while_it_runs_get_shows_the_reasoning_so_far(api, fake):
    fake.stream_plans.append(fo.stream_reasoning(["Pondering ", "slowly"], ["Yes"], delay=0.5))
    response, first = open_chat(api)
    conversation_id = first["conversation_id"]
    shown = wait_for(lambda: (m := stored_answer(api, conversation_id))["reasoning"] and m, timeout=10)
    assert shown["status"] == "streaming" and shown["reasoning"].startswith("Pondering")
    read_events(response)


def test_web_search_adds_the_web_plugin_and_stores_only_safe_citations(api, fake):
    fake.stream_plans.append(fo.stream_reasoning([], ["Bananas", " are berries."], annotations=CITATIONS))
    result = api.chat("Are bananas berries?", web_search=True)
    assert fake.chat_requests(stream=True)[-1].body["plugins"] == [{"id": "web"}]
    assert result.last["type"] == "done" and result.last["citations"] == KEPT
    assert stored_answer(api, result.conversation_id)["citations"] == KEPT
    api.chat("More?", conversation_id=result.conversation_id)
    assert "plugins" not in fake.chat_requests(stream=True)[-1].body  # only where asked


def test_citations_of_a_non_streamed_message_object_are_read_too(api, fake):
    def plan(h, body):
        h.start_stream()
        chunk = h.chunk("Hi", finish="stop")
        chunk["choices"][0]["message"] = {"annotations": CITATIONS[:1]}
        h.write_data(chunk)
        h.write_data("[DONE]")
        h.end_stream()
    fake.stream_plans.append(plan)
    assert api.chat("Hi", web_search=True).last["citations"] == KEPT[:1]


@pytest.mark.parametrize("value", ["yes", 1, None, {"on": True}])
def test_web_search_must_be_a_boolean_and_nothing_is_stored_otherwise(client, value):
    before = client.get("/conversations").get_json()["conversations"]
    response = client.post("/chat", json={"message": "hi", "web_search": value})
    assert response.status_code == 400 and "web_search" in response.get_json()["error"]
    assert client.get("/conversations").get_json()["conversations"] == before


def test_export_and_import_keep_reasoning_and_citations(api, fake):
    fake.stream_plans.append(fo.stream_reasoning(["Because."], ["Answer"], annotations=CITATIONS))
    result = api.chat("Export me", web_search=True)
    exported = api.get(f"/conversation/{result.conversation_id}/export?format=json").json()
    markdown = api.get(f"/conversation/{result.conversation_id}/export?format=md").text
    assert "1. Banana - Wikipedia <https://en.wikipedia.org/wiki/Banana>" in markdown
    exported["conversations"][0]["messages"][1]["citations"].append({"url": "javascript:alert(1)", "title": "x"})
    assert api.post("/import", json=exported).json()["imported"] == 1
    newest = api.get("/conversations").json()["conversations"][0]["id"]
    answer = api.get(f"/conversation/{newest}").json()["messages"][1]
    assert answer["reasoning"] == "Because." and answer["citations"] == KEPT
    assert answer["reasoning_seconds"] == exported["conversations"][0]["messages"][1]["reasoning_seconds"]
