"""A chat's model, system prompt and parameters: PATCH, what GET shows, what is sent upstream
(and what the title request never carries), export and import."""
import json

import pytest


def test_patch_sets_and_removes_the_system_prompt_and_params(client, stored_conversation):
    path = f"/conversation/{stored_conversation}"
    answer = client.patch(path, json={"system_prompt": "You are a pirate.", "params": {"temperature": 0.3}})
    assert answer.status_code == 200
    assert answer.get_json()["system_prompt"] == "You are a pirate."
    assert answer.get_json()["params"] == {"temperature": 0.3}
    client.patch(path, json={"params": {"max_tokens": 100, "reasoning_effort": "high"}})
    shown = client.get(path).get_json()
    assert shown["system_prompt"] == "You are a pirate."
    assert shown["params"] == {"temperature": 0.3, "max_tokens": 100, "reasoning_effort": "high"}
    client.patch(path, json={"system_prompt": None, "params": {"temperature": None, "max_tokens": None,
                                                                "reasoning_effort": None}})
    shown = client.get(path).get_json()
    assert shown["system_prompt"] is None and shown["params"] == {}
    assert shown["title"] == "Keep me"  # fields not named stay as they were
    client.patch(path, json={"system_prompt": "", "params": {"temperature": 1.2, "top_p": 0.5}})
    assert client.patch(path, json={"params": None}).get_json()["params"] == {}
    assert client.get(path).get_json()["system_prompt"] == ""  # kept as written (blank: nothing is sent)


def test_a_title_and_options_change_together(client, stored_conversation):
    answer = client.patch(f"/conversation/{stored_conversation}", json={"title": "Both", "system_prompt": "Short."})
    assert answer.get_json()["title"] == "Both" and answer.get_json()["title_source"] == "user"
    assert answer.get_json()["system_prompt"] == "Short."


@pytest.mark.parametrize("body,words", [
    ({"system_prompt": "x" * 8001}, "8,000"),
    ({"system_prompt": 5}, "system_prompt must be a string or null"),
    ({"params": {"temperature": 3}}, "temperature"),
    ({"params": {"top_p": -1}}, "top_p"),
    ({"params": {"max_tokens": 0}}, "max_tokens"),
    ({"params": {"reasoning_effort": "max"}}, "reasoning_effort"),
    ({"params": {"frequency_penalty": 1}}, "frequency_penalty"),
    ({"params": "hot"}, "params must be an object"),
    ({"params": {"temperature": 1}, "system_prompt": 1}, "system_prompt"),
    ({"title": "ok", "params": {"temperature": "warm"}}, "temperature"),
    ({"colour": "red"}, "no field 'colour'"),
    ({}, "at least one"),
])
def test_bad_changes_are_400_and_change_nothing(client, stored_conversation, body, words):
    path = f"/conversation/{stored_conversation}"
    client.patch(path, json={"system_prompt": "Kept.", "params": {"temperature": 1}})
    before = client.get(path).get_json()
    response = client.patch(path, json=body)
    assert response.status_code == 400 and words in response.get_json()["error"]
    assert client.get(path).get_json() == before


def test_a_chat_remembers_the_model_of_its_last_answer(api):
    result = api.chat("first", preset=2)
    conversation_id = result.conversation_id
    assert api.get(f"/conversation/{conversation_id}").json()["model"] == "openai/gpt-5"
    api.chat("second", conversation_id=conversation_id, model="mistralai/mistral-small-3.2-24b-instruct")
    item = next(c for c in api.get("/conversations").json()["conversations"] if c["id"] == conversation_id)
    assert item["model"] == "mistralai/mistral-small-3.2-24b-instruct"
    assert api.get(f"/conversation/{conversation_id}").json()["model"] == item["model"]


def test_the_one_system_message_and_the_params_go_upstream_but_not_to_the_title_model(api, fake, clean_settings):
    api.put("/settings", json={"instructions": "Be kind."})
    first = api.chat("Hello")
    conversation_id = first.conversation_id
    api.settled_title(conversation_id)
    sent = fake.chat_requests(stream=True)[-1].body
    assert sent["messages"][0] == {"role": "system", "content": "Be kind."}
    assert not {"temperature", "top_p", "max_tokens", "reasoning"} & set(sent)
    title_request = fake.chat_requests(stream=False)[-1].body
    assert all(m["role"] != "system" or "Be kind." not in m["content"] for m in title_request["messages"])
    assert "Be kind." not in json.dumps(title_request)

    api.patch(f"/conversation/{conversation_id}", json={
        "system_prompt": "Answer as a haiku.",
        "params": {"temperature": 0.4, "top_p": 0.9, "max_tokens": 300, "reasoning_effort": "minimal"}})
    api.chat("Again", conversation_id=conversation_id)
    sent = fake.chat_requests(stream=True)[-1].body
    assert sent["messages"] == [
        {"role": "system", "content": "Be kind.\n\nAnswer as a haiku."},
        {"role": "user", "content": "Hello"}, {"role": "assistant", "content": "Echo: Hello"},
        {"role": "user", "content": "Again"}]
    assert (sent["temperature"], sent["top_p"], sent["max_tokens"]) == (0.4, 0.9, 300)
    assert sent["reasoning"] == {"effort": "minimal"} and "reasoning_effort" not in sent

    api.post(f"/conversation/{conversation_id}/summarize?force=1")
    title_request = fake.chat_requests(stream=False)[-1].body
    assert "haiku" not in json.dumps(title_request) and "Be kind." not in json.dumps(title_request)
    assert title_request.get("temperature") != 0.4 and "top_p" not in title_request
    assert title_request.get("reasoning") != {"effort": "minimal"} and title_request["max_tokens"] != 300


def test_no_system_message_when_every_part_is_blank(api, fake, clean_settings):
    api.put("/settings", json={"instructions": "   "})
    result = api.chat("Hi")
    api.patch(f"/conversation/{result.conversation_id}", json={"system_prompt": "\n"})
    api.chat("Hi again", conversation_id=result.conversation_id)
    assert [m["role"] for m in fake.chat_requests(stream=True)[-1].body["messages"]] == ["user", "assistant", "user"]


def test_export_and_import_keep_the_system_prompt_and_params(client, stored_conversation):
    client.patch(f"/conversation/{stored_conversation}", json={"system_prompt": "Talk like Yoda.",
                                                              "params": {"temperature": 1.5}})
    exported = client.get(f"/conversation/{stored_conversation}/export?format=json").get_json()
    imported = client.post("/import", json=exported)
    assert imported.status_code == 200 and imported.get_json()["imported"] == 1
    newest = client.get("/conversations").get_json()["conversations"][0]
    assert newest["id"] != stored_conversation and newest["model"] == "x/y"
    shown = client.get(f"/conversation/{newest['id']}").get_json()
    assert shown["system_prompt"] == "Talk like Yoda." and shown["params"] == {"temperature": 1.5}


@pytest.mark.parametrize("change,words", [
    ({"system_prompt": 12}, "system_prompt"), ({"params": {"temperature": 9}}, "temperature")])
def test_an_import_with_bad_options_is_refused_whole(client, stored_conversation, change, words):
    exported = client.get(f"/conversation/{stored_conversation}/export?format=json").get_json()
    exported["conversations"][0].update(change)
    before = client.get("/conversations?limit=200").get_json()["conversations"]
    response = client.post("/import", json=exported)
    assert response.status_code == 400 and words in response.get_json()["error"]
    assert client.get("/conversations?limit=200").get_json()["conversations"] == before
