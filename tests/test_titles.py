"""Titles: cleaning and prompt (unit), then the whole lifecycle against the fake OpenRouter."""
import threading

import pytest
import requests
import sqlalchemy as sa

from routerchat.titles import SEED, build_prompt, clean_title, cut_head, fallback_title
from tests import fake_openrouter as fo
from tests.conftest import Api, wait_for

# --- clean_title -----------------------------------------------------------------------------


@pytest.mark.parametrize("raw,expected", [
    ('"Sorting Lists in Python"', "Sorting Lists in Python"),
    ("'Sorting Lists in Python'", "Sorting Lists in Python"),
    ("“Sorting Lists in Python”", "Sorting Lists in Python"),
    ("‘Sorting Lists in Python’", "Sorting Lists in Python"),
    ("`Sorting Lists in Python`", "Sorting Lists in Python"),
    ("«Trier une liste»", "Trier une liste"),
    ("「リストの並べ替え」", "リストの並べ替え"),
    ("\"'Nested quotes'\"", "Nested quotes"),
    ("Title: Sorting Lists", "Sorting Lists"),
    ("title - Sorting Lists", "Sorting Lists"),
    ("**Title:** Sorting Lists", "Sorting Lists"),
    ("**Sorting Lists**", "Sorting Lists"),
    ("# Sorting Lists", "Sorting Lists"),
    ("## **Sorting Lists**", "Sorting Lists"),
    ("- Sorting Lists", "Sorting Lists"),
    ("<think>The user asks about lists. A title could be...</think>Sorting Lists", "Sorting Lists"),
    ("<think>\nreasoning\n</think>\n\n\"Sorting Lists\"", "Sorting Lists"),
    ("<thinking>hmm</thinking> Sorting Lists", "Sorting Lists"),
    ("reasoning without an opening tag</think>Sorting Lists", "Sorting Lists"),
    ("Sorting Lists\n\nThis title captures the user's question about sorting.", "Sorting Lists"),
    ("Here is a concise title:\nSorting Lists", "Sorting Lists"),
    ("**Title:**\nSorting Lists", "Sorting Lists"),
    ("Sorting Lists.", "Sorting Lists"),
    ("Sorting Lists!!!", "Sorting Lists"),
    ("Why Is the Sky Blue?", "Why Is the Sky Blue"),
    ("Sorting Lists…", "Sorting Lists"),
    ('"Sorting Lists."', "Sorting Lists"),
    ("  Sorting \t  Lists   in\u00a0 Python  ", "Sorting Lists in Python"),
    ("<script>alert(1)</script>", "<script>alert(1)</script>"),
    ("<b>Bold</b> Idea", "<b>Bold</b> Idea"),
    ("Café à Paris", "Café à Paris"),
    ("Trier une liste en Python", "Trier une liste en Python"),
    ("如何对列表排序", "如何对列表排序"),
    ("Сортировка списков", "Сортировка списков"),
    ("「如何排序」。", "如何排序"),
    ("It's Python's Sort", "It's Python's Sort"),
    ("Python __init__ Explained", "Python __init__ Explained"),
    ("**Bold** Start and **Bold** End", "Bold Start and Bold End"),
])
def test_clean_title(raw, expected):
    assert clean_title(raw) == expected


def test_long_titles_are_cut_on_a_word_boundary():
    raw = " ".join(["word"] * 40)  # 199 characters
    title = clean_title(raw)
    assert len(title) <= 100 and title.endswith("word") and not title.endswith(" ")
    assert raw.startswith(title)


def test_long_titles_without_spaces_are_cut_at_100():
    assert clean_title("字" * 150) == "字" * 100


@pytest.mark.parametrize("raw", [
    None, "", "   ", "\n\n", "\t \n",
    "<think>only reasoning, never an answer</think>",
    "<think>unterminated reasoning that eats the whole budget",
    '"" ', "...", "Title:", "**Title:**",
    "Generate a concise title (max 5 words) for this conversation start:",
    "User: Hi! How can I help you today?\nAssistant: I am fine.",
    "Assistant: Sure, here you go",
    "New Conversation",
])
def test_useless_output_is_a_failure(raw):
    assert clean_title(raw) is None


# --- prompt and fallback -----------------------------------------------------------------------


def test_prompt_has_the_seed_wording_both_messages_and_the_rules():
    prompt = build_prompt("How do I sort a list?", "Use sorted(items).")
    assert prompt.startswith(SEED + "\n\nUser: How do I sort a list?\nAssistant: Use sorted(items).")
    assert prompt.rstrip().endswith("Title:")
    assert "same language" in prompt and "No quotes" in prompt and "punctuation" in prompt


def test_prompt_keeps_only_the_head_of_long_messages():
    user = "question " * 1000
    answer = "answer " * 1000
    prompt = build_prompt(user, answer)
    assert len(prompt) < 2200
    assert "User: question question" in prompt and "Assistant: answer answer" in prompt
    assert prompt.count("…") == 2


def test_cut_head_leaves_short_text_alone_and_cuts_on_words():
    assert cut_head("short text", 50) == "short text"
    assert cut_head("alpha beta gamma delta", 12) == "alpha beta …"


@pytest.mark.parametrize("message,expected", [
    ("How do I sort a list of dictionaries by a key in Python?", "How do I sort a list"),
    ("Hi!", "Hi"),
    ("**Explain** `asyncio` please", "Explain asyncio please"),
    ("  spaced\n\nout   words ", "spaced out words"),
    ("如何在Python中对字典列表按键排序并保持稳定性以及处理缺失的键和其他边缘情况的最佳方法是什么呢朋友们", None),
])
def test_fallback_title_is_the_first_words_cut_cleanly(message, expected):
    title = fallback_title(message)
    assert 0 < len(title) <= 50
    if expected:
        assert title == expected


# --- the lifecycle over real HTTP ------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _default_presets_for_lifecycle_tests(request):
    """Preset 6 starts unset (the default free model) in every test that talks to a server."""
    if "api" in request.fixturenames or "launch" in request.fixturenames:
        request.getfixturevalue("default_presets")


def title_requests(fake):
    return fake.chat_requests(stream=False)


def test_first_answer_gets_a_generated_title_from_the_default_free_model(api, fake):
    fake.completion_plans.append(fo.completion('Title: "Sorting Lists in Python."'))
    result = api.chat("How do I sort a list in Python?")
    assert result.last["type"] == "done"
    settled = api.settled_title(result.conversation_id)
    assert (settled["title"], settled["title_source"]) == ("Sorting Lists in Python", "auto")

    [request] = title_requests(fake)
    body = request.body
    assert body["model"] == fo.FREE_MODEL and body["stream"] is False
    assert 15 <= body["max_tokens"] <= 30
    prompt = body["messages"][-1]["content"]
    assert "User: How do I sort a list in Python?" in prompt
    assert "Assistant: Echo: How do I sort a list in Python?" in prompt
    assert request.headers["Authorization"] == f"Bearer {fake.api_key}"
    listed = next(c for c in api.get("/conversations").json()["conversations"] if c["id"] == result.conversation_id)
    assert listed["title"] == "Sorting Lists in Python"


def test_title_uses_preset_6_when_it_is_set(api, fake):
    assert api.put("/presets/6", json={"model": "google/gemma-3-27b-it:free"}).status_code == 200
    result = api.chat("hi there")
    api.settled_title(result.conversation_id)
    assert title_requests(fake)[-1].body["model"] == "google/gemma-3-27b-it:free"


def test_title_default_model_and_fallback_models_are_configurable(launch, fake):
    server = launch(TITLE_MODEL_DEFAULT="google/gemma-3-27b-it:free",
                    TITLE_FALLBACK_MODELS="qwen/qwen3-4b,openrouter/free")
    client = Api(server.url)
    client.settled_title(client.chat("configure me").conversation_id)
    body = title_requests(fake)[-1].body
    assert body["model"] == "google/gemma-3-27b-it:free"
    assert body["models"] == ["google/gemma-3-27b-it:free", "qwen/qwen3-4b", "openrouter/free"]


def test_a_second_exchange_makes_no_second_title_request(api, fake):
    first = api.chat("one")
    api.settled_title(first.conversation_id)
    api.chat("two", conversation_id=first.conversation_id)
    api.chat("three", conversation_id=first.conversation_id)
    assert len(title_requests(fake)) == 1


def test_summarize_joins_the_automatic_run_with_one_upstream_request(api, fake):
    fake.completion_plans.append(fo.completion("Joined Title", delay=1.0))
    result = api.chat("race me")
    responses = []

    def summarize():
        responses.append(api.post(f"/conversation/{result.conversation_id}/summarize"))
    threads = [threading.Thread(target=summarize) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.status_code for r in responses] == [200] * 4
    assert {(r.json()["title"], r.json()["title_source"]) for r in responses} == {("Joined Title", "auto")}
    assert len(title_requests(fake)) == 1
    assert api.get(f"/conversation/{result.conversation_id}").json()["title"] == "Joined Title"


def test_two_server_processes_share_one_title_request(api, launch, fake):
    other = Api(launch().url)
    fake.completion_plans.append(fo.completion("Shared Title", delay=1.0))
    result = api.chat("two workers")
    answers = []

    def ask(client):
        answers.append(client.post(f"/conversation/{result.conversation_id}/summarize").json())
    threads = [threading.Thread(target=ask, args=(client,)) for client in (other, other, api)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(answer == {"title": "Shared Title", "title_source": "auto"} for answer in answers)
    assert len(title_requests(fake)) == 1


def test_summarize_returns_a_finished_title_at_once(api, fake):
    result = api.chat("finished")
    settled = api.settled_title(result.conversation_id)
    answer = api.post(f"/conversation/{result.conversation_id}/summarize").json()
    assert answer == {"title": settled["title"], "title_source": "auto"}
    assert len(title_requests(fake)) == 1


def test_summarize_before_any_answer_is_409(api, app_server, fake):
    fake.stream_plans.append(fo.stream_then_wait(["slow"], seconds=1.5))
    response = requests.post(app_server.url + "/chat", json={"message": "wait"}, stream=True, timeout=10)
    first_line = next(line for line in response.iter_lines(decode_unicode=True) if line.startswith("data: "))
    conversation_id = first_line.split('"conversation_id": "')[1].split('"')[0]
    answer = api.post(f"/conversation/{conversation_id}/summarize")
    assert answer.status_code == 409 and "no answer yet" in answer.json()["error"]
    response.close()  # the answer goes on; its title job must end before the next test
    assert api.settled_title(conversation_id)["title_source"] == "auto"


FAILURES = {
    "429": fo.http_error(429, "Rate limit exceeded: free-models-per-day."),
    "404": fo.http_error(404, "No endpoints found for meta-llama/llama-3.2-3b-instruct:free."),
    "503": fo.http_error(503, "No available model provider that meets your routing requirements"),
    "timeout": fo.completion("Too Late", delay=3.0),
    "empty": fo.completion(""),
    "null": fo.completion(None, finish="length", reasoning="spent all tokens thinking"),
    "think-only": fo.completion("<think>The user greets me. A title might be...</think>"),
    "echo": fo.completion("Generate a concise title (max 5 words) for this conversation start:"),
    "transcript": fo.completion("User: Hi! How can I help you today?\nAssistant: Fine."),
    "error-in-200": fo.completion_error_in_200(),
}


@pytest.mark.parametrize("name", list(FAILURES))
def test_title_failures_give_the_fallback_and_leave_the_chat_alone(api, fake, name):
    fake.completion_plans.append(FAILURES[name])
    result = api.chat("Explain quantum entanglement simply, please")
    assert result.last["type"] == "done"
    settled = api.settled_title(result.conversation_id)
    assert (settled["title"], settled["title_source"]) == ("Explain quantum entanglement simply, please", "fallback")
    assert [m["status"] for m in settled["messages"]] == ["complete", "complete"]
    follow_up = api.chat("More?", conversation_id=result.conversation_id)
    assert follow_up.last["type"] == "done"
    # the later answer retries once; let it finish so it cannot take the next test's plan
    assert wait_for(lambda: len(title_requests(fake)) == 2 and all(r.finished for r in title_requests(fake)))
    assert wait_for(lambda: api.get(f"/conversation/{result.conversation_id}").json()["title"] == "Echo Title")


def test_a_fallback_is_retried_once_by_the_next_answer(api, fake):
    fake.completion_plans.extend([fo.http_error(503, "down"), fo.completion("Retried Title")])
    result = api.chat("retry my title")
    assert api.settled_title(result.conversation_id)["title_source"] == "fallback"
    api.chat("second", conversation_id=result.conversation_id)
    assert wait_for(lambda: api.get(f"/conversation/{result.conversation_id}").json()["title"] == "Retried Title")
    api.chat("third", conversation_id=result.conversation_id)
    assert len(title_requests(fake)) == 2


def test_only_one_retry_after_a_fallback(api, fake):
    fake.completion_plans.extend([fo.http_error(503, "down"), fo.http_error(503, "down again")])
    result = api.chat("unlucky title")
    api.settled_title(result.conversation_id)
    api.chat("second", conversation_id=result.conversation_id)
    wait_for(lambda: len(title_requests(fake)) == 2 and all(r.finished for r in title_requests(fake)))
    api.chat("third", conversation_id=result.conversation_id)
    api.chat("fourth", conversation_id=result.conversation_id)
    assert len(title_requests(fake)) == 2
    assert api.get(f"/conversation/{result.conversation_id}").json()["title_source"] == "fallback"


def test_summarize_returns_a_fallback_as_it_is(api, fake):
    fake.completion_plans.append(fo.http_error(429, "Rate limit exceeded: free-models-per-min."))
    result = api.chat("fallback please")
    api.settled_title(result.conversation_id)
    answer = api.post(f"/conversation/{result.conversation_id}/summarize").json()
    assert answer == {"title": "fallback please", "title_source": "fallback"}
    assert len(title_requests(fake)) == 1


def test_a_slow_title_model_delays_neither_done_nor_other_chats(launch, fake):
    client = Api(launch(TITLE_TIMEOUT="15").url)
    fake.completion_plans.append(fo.completion("Slow Title", delay=4.0))
    first = client.chat("slow title please")
    assert first.last["type"] == "done"
    title_request = wait_for(lambda: title_requests(fake)[-1] if title_requests(fake) else None)
    assert not title_request.finished, "done arrived only after the title request finished"
    other = client.chat("meanwhile, another chat")
    assert other.last["type"] == "done"
    assert not title_request.finished, "another chat waited for the title request"
    assert client.settled_title(first.conversation_id)["title"] == "Slow Title"


def test_rename_beats_a_late_generated_title(api, fake):
    fake.completion_plans.append(fo.completion("Late Title", delay=1.5))
    result = api.chat("rename race")
    assert api.patch(f"/conversation/{result.conversation_id}", json={"title": "Mine"}).status_code == 200
    wait_for(lambda: title_requests(fake) and title_requests(fake)[-1].finished)
    wait_for(lambda: False, timeout=0.5)  # give the late result time to (not) land
    data = api.get(f"/conversation/{result.conversation_id}").json()
    assert (data["title"], data["title_source"]) == ("Mine", "user")
    answer = api.post(f"/conversation/{result.conversation_id}/summarize").json()
    assert answer == {"title": "Mine", "title_source": "user"}


def test_force_regenerates_from_the_conversation_so_far(api, fake):
    result = api.chat("first topic")
    api.settled_title(result.conversation_id)
    api.chat("now something else entirely", conversation_id=result.conversation_id)
    fake.completion_plans.append(fo.completion("Something Else Entirely"))
    answer = api.post(f"/conversation/{result.conversation_id}/summarize?force=1").json()
    assert answer == {"title": "Something Else Entirely", "title_source": "auto"}
    prompt = title_requests(fake)[-1].body["messages"][-1]["content"]
    assert "User: first topic" in prompt and "Echo: now something else entirely" in prompt


def test_force_never_replaces_a_users_title(api, fake):
    result = api.chat("mine stays")
    api.settled_title(result.conversation_id)
    api.patch(f"/conversation/{result.conversation_id}", json={"title": "My Title"})
    before = len(title_requests(fake))
    answer = api.post(f"/conversation/{result.conversation_id}/summarize?force=1").json()
    assert answer == {"title": "My Title", "title_source": "user"}
    assert len(title_requests(fake)) == before


def test_a_failed_regeneration_keeps_the_earlier_title(api, fake):
    fake.completion_plans.extend([fo.completion("Good Title"), fo.http_error(503, "down")])
    result = api.chat("keep good title")
    assert api.settled_title(result.conversation_id)["title"] == "Good Title"
    answer = api.post(f"/conversation/{result.conversation_id}/summarize?force=1").json()
    assert answer == {"title": "Good Title", "title_source": "auto"}


@pytest.mark.parametrize("plan", [fo.http_error(502, "Provider returned error"),
                                  fo.stream_midstream_error(["Partial"])], ids=["http-error", "midstream"])
def test_a_failed_first_answer_still_gets_a_title(api, fake, plan):
    fake.stream_plans.append(plan)
    fake.completion_plans.append(fo.completion("Failed But Named"))
    result = api.chat("this answer fails")
    assert result.last["type"] == "error"
    assert api.settled_title(result.conversation_id)["title"] == "Failed But Named"


def test_a_stopped_first_answer_still_gets_a_title(api, app_server, fake):
    fake.stream_plans.append(fo.stream_tokens([f" w{i}" for i in range(100)], delay=0.05))
    fake.completion_plans.append(fo.completion("Stopped But Named"))
    response = requests.post(app_server.url + "/chat", json={"message": "stop me"}, stream=True, timeout=10)
    lines = response.iter_lines(decode_unicode=True)
    first = next(line for line in lines if line.startswith("data: "))
    next(line for line in lines if '"chunk"' in line)
    conversation_id = first.split('"conversation_id": "')[1].split('"')[0]
    assert api.post(f"/conversation/{conversation_id}/stop").json() == {"stopped": True}
    response.close()
    settled = api.settled_title(conversation_id)
    assert settled["title"] == "Stopped But Named"
    assert settled["messages"][1]["status"] == "stopped"
    assert "Assistant: w0" in title_requests(fake)[-1].body["messages"][-1]["content"]


def test_a_stale_claim_is_taken_over(api, fake, db_engine, launch):
    client = Api(launch(TITLE_CLAIM_STALE_SECONDS="1", TITLE_WAIT_SECONDS="0.5").url)
    fake.completion_plans.append(fo.http_error(503, "down"))
    result = client.chat("abandoned claim")
    client.settled_title(result.conversation_id)
    with db_engine.begin() as conn:  # a worker that claimed the job and died long ago
        conn.execute(sa.text("UPDATE conversation SET title = 'New Conversation', title_source = 'default', "
                             "title_attempts = 1, title_claim_token = 'dead', title_claimed_at = '2000-01-01 00:00:00' "
                             "WHERE id = :id"), {"id": result.conversation_id})
    fake.completion_plans.append(fo.completion("Taken Over"))
    answer = client.post(f"/conversation/{result.conversation_id}/summarize").json()
    assert answer == {"title": "Taken Over", "title_source": "auto"}


# --- generate_summary in-process: orderings that HTTP tests cannot force ---------------------------


@pytest.fixture
def local_app(tmp_path, fake):
    from routerchat import create_app
    from routerchat.database import upgrade_database

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'titles.db'}",
                      "OPENROUTER_BASE_URL": fake.url, "OPENROUTER_API_KEY": fake.api_key})
    upgrade_database(app)
    return app


def seed_conversation(app, answers: int, **fields) -> str:
    from routerchat import conversations
    from routerchat.extensions import db
    from routerchat.models import Conversation, new_id

    with app.app_context():
        conversation = Conversation(id=new_id(), **fields)
        db.session.add(conversation)
        for i in range(answers):
            conversations.add_message(conversation.id, "user", f"question {i}")
            conversations.add_message(conversation.id, "assistant", f"answer {i}")
        db.session.commit()
        return conversation.id


def test_a_late_background_job_of_the_first_answer_does_not_retry_a_fallback(local_app, fake):
    """The page's request generated first and fell back; the first answer's job starts afterwards."""
    from routerchat.titles import generate_summary

    conversation_id = seed_conversation(local_app, 1, title="question 0", title_source="fallback", title_attempts=1)
    with local_app.app_context():
        result = generate_summary(conversation_id, background=True)
    assert (result.title, result.title_source) == ("question 0", "fallback")
    assert title_requests(fake) == []


def test_the_background_job_of_a_later_answer_retries_a_fallback_once(local_app, fake):
    from routerchat.titles import generate_summary

    fake.completion_plans.append(fo.completion("Second Try"))
    conversation_id = seed_conversation(local_app, 3, title="question 0", title_source="fallback", title_attempts=1)
    with local_app.app_context():
        assert generate_summary(conversation_id, background=True).title == "Second Try"
    assert len(title_requests(fake)) == 1


def test_the_page_request_after_a_late_background_job_changes_nothing(local_app, fake):
    from routerchat.titles import generate_summary

    conversation_id = seed_conversation(local_app, 1, title="Done Already", title_source="auto", title_attempts=1)
    with local_app.app_context():
        assert generate_summary(conversation_id).to_dict() == {"title": "Done Already", "title_source": "auto"}
        assert generate_summary(conversation_id, background=True).title == "Done Already"
    assert title_requests(fake) == []
