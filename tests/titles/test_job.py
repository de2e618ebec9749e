"""Titles: cleaning and prompt (unit), then the whole lifecycle against the fake OpenRouter."""
import threading

import pytest
import requests
import sqlalchemy as sa

from routerchat.titles.cleaning import clean_title
from routerchat.titles.prompt import SEED, build_prompt, cut_head
from tests import fake_openrouter as fo
from tests.support.client import Api
from tests.support.factories import store_conversation
from tests.support.waiting import settle, stays, wait_for

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
    ('Flask Error: "NoneType"\n```', "Flask Error: NoneType"),  # the closing quote went with the end
    ('The Python error: "NoneType" in Flask', 'The Python error: "NoneType" in Flask'),
    ('The "Hello World" Program', 'The "Hello World" Program'),
    ("«Trier une liste» en Python»", "Trier une liste en Python"),
    ("ラーメンの作り方を教える－\nJapanese: 美", "ラーメンの作り方を教える"),
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

    settle(fake)
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
    first = api.chat("the first question")   # an echo of it grounds the fake's "Echo Reply"
    api.settled_title(first.conversation_id)
    api.chat("two", conversation_id=first.conversation_id)
    api.chat("three", conversation_id=first.conversation_id)
    settle(fake)  # the title jobs of "two" and "three" have run
    assert len(title_requests(fake)) == 1


def test_summarize_joins_the_automatic_run_with_one_upstream_request(api, fake):
    fake.completion_plans.append(fo.completion("Joined Race", delay=1.0))
    result = api.chat("join the race")
    responses = []

    def summarize():
        responses.append(api.post(f"/conversation/{result.conversation_id}/summarize"))
    threads = [threading.Thread(target=summarize) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.status_code for r in responses] == [200] * 4
    assert {(r.json()["title"], r.json()["title_source"]) for r in responses} == {("Joined Race", "auto")}
    settle(fake)
    assert len(title_requests(fake)) == 1
    assert api.get(f"/conversation/{result.conversation_id}").json()["title"] == "Joined Race"


def test_two_server_processes_share_one_title_request(api, launch, fake):
    other = Api(launch().url)
    fake.completion_plans.append(fo.completion("Shared Workers", delay=1.0))
    result = api.chat("two workers")
    answers = []

    def ask(client):
        answers.append(client.post(f"/conversation/{result.conversation_id}/summarize").json())
    threads = [threading.Thread(target=ask, args=(client,)) for client in (other, other, api)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(answer == {"title": "Shared Workers", "title_source": "auto"} for answer in answers)
    settle(fake)
    assert len(title_requests(fake)) == 1


def test_summarize_returns_a_finished_title_at_once(api, fake):
    result = api.chat("a finished chat")   # an echo of it grounds the fake's "Echo Reply"
    settled = api.settled_title(result.conversation_id)
    answer = api.post(f"/conversation/{result.conversation_id}/summarize").json()
    assert answer == {"title": settled["title"], "title_source": "auto"}
    settle(fake)
    assert len(title_requests(fake)) == 1


def test_summarize_before_any_answer_is_409(api, app_server, fake):
    fake.stream_plans.append(fo.stream_then_wait(["slow"], seconds=1.5))
    response = requests.post(app_server.url + "/chat", json={"message": "wait"}, stream=True, timeout=10)
    first_line = next(line for line in response.iter_lines(decode_unicode=True) if line.startswith("data: "))
    conversation_id = first_line.split('"conversation_id": "')[1].split('"')[0]
    answer = api.post(f"/conversation/{conversation_id}/summarize")
    assert answer.status_code == 409 and "no answer yet" in answer.json()["error"]
    response.close()  # the answer goes on; its title job must end before the next test
    assert api.settled_title(conversation_id)["title_source"] != "default"


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
    assert (settled["title"], settled["title_source"]) == ("Quantum entanglement simply", "fallback")
    assert [m["status"] for m in settled["messages"]] == ["complete", "complete"]
    follow_up = api.chat("More?", conversation_id=result.conversation_id)
    assert follow_up.last["type"] == "done"
    # the later answer retries once; let it finish so it cannot take the next test's plan
    assert wait_for(lambda: len(title_requests(fake)) == 2 and all(r.finished for r in title_requests(fake)))
    assert wait_for(lambda: api.get(f"/conversation/{result.conversation_id}").json()["title"] == "Echo Reply")


def test_a_fallback_is_retried_once_by_the_next_answer(api, fake):
    fake.completion_plans.extend([fo.http_error(503, "down"), fo.completion("Retried Title")])
    result = api.chat("retry my title")
    assert api.settled_title(result.conversation_id)["title_source"] == "fallback"
    api.chat("second", conversation_id=result.conversation_id)
    assert wait_for(lambda: api.get(f"/conversation/{result.conversation_id}").json()["title"] == "Retried Title")
    api.chat("third", conversation_id=result.conversation_id)
    settle(fake)  # the third answer's job has run (and asked nothing)
    assert len(title_requests(fake)) == 2


def test_only_one_retry_after_a_fallback(api, fake):
    fake.completion_plans.extend([fo.http_error(503, "down"), fo.http_error(503, "down again")])
    result = api.chat("unlucky title")
    api.settled_title(result.conversation_id)
    api.chat("second", conversation_id=result.conversation_id)
    wait_for(lambda: len(title_requests(fake)) == 2 and all(r.finished for r in title_requests(fake)))
    api.chat("third", conversation_id=result.conversation_id)
    api.chat("fourth", conversation_id=result.conversation_id)
    settle(fake)
    assert len(title_requests(fake)) == 2
    assert api.get(f"/conversation/{result.conversation_id}").json()["title_source"] == "fallback"


def test_summarize_returns_a_fallback_as_it_is(api, fake):
    fake.completion_plans.append(fo.http_error(429, "Rate limit exceeded: free-models-per-min."))
    result = api.chat("fallback please")
    api.settled_title(result.conversation_id)
    answer = api.post(f"/conversation/{result.conversation_id}/summarize").json()
    assert answer == {"title": "Fallback", "title_source": "fallback"}
    settle(fake)
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
    fake.completion_plans.append(fo.completion("Late Race", delay=1.5))
    result = api.chat("rename race")
    wait_for(lambda: title_requests(fake))  # renamed while the title request is under way
    assert api.patch(f"/conversation/{result.conversation_id}", json={"title": "Mine"}).status_code == 200
    wait_for(lambda: title_requests(fake)[-1].finished)

    def still_mine() -> bool:
        data = api.get(f"/conversation/{result.conversation_id}").json()
        return (data["title"], data["title_source"]) == ("Mine", "user")
    assert stays(still_mine, 0.5), "the late title overwrote the user's"
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
    settle(fake)
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
    result = client.chat("claim taken over")
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
    from routerchat.startup import prepare_database

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'titles.db'}",
                      "OPENROUTER_BASE_URL": fake.url, "OPENROUTER_API_KEY": fake.api_key})
    prepare_database(app)
    return app


def seed_conversation(app, answers: int, **fields) -> str:
    return store_conversation(app, *[(f"question {i}", f"answer {i}") for i in range(answers)], **fields).id


def test_a_late_background_job_of_the_first_answer_does_not_retry_a_fallback(local_app, fake):
    """The page's request generated first and fell back; the first answer's job starts afterwards."""
    from routerchat.titles import Trigger, generate_summary

    conversation_id = seed_conversation(local_app, 1, title="question 0", title_source="fallback", title_attempts=1)
    with local_app.app_context():
        result = generate_summary(conversation_id, Trigger.AFTER_ANSWER)
    assert (result.title, result.title_source) == ("question 0", "fallback")
    settle(fake)
    assert title_requests(fake) == []


def test_the_background_job_of_a_later_answer_retries_a_fallback_once(local_app, fake):
    from routerchat.titles import Trigger, generate_summary

    fake.completion_plans.append(fo.completion("Second Question"))
    conversation_id = seed_conversation(local_app, 3, title="question 0", title_source="fallback", title_attempts=1)
    with local_app.app_context():
        assert generate_summary(conversation_id, Trigger.AFTER_ANSWER).title == "Second Question"
    assert len(title_requests(fake)) == 1


def test_the_page_request_after_a_late_background_job_changes_nothing(local_app, fake):
    from routerchat.titles import Trigger, generate_summary

    conversation_id = seed_conversation(local_app, 1, title="Done Already", title_source="auto", title_attempts=1)
    with local_app.app_context():
        assert generate_summary(conversation_id).to_dict() == {"title": "Done Already", "title_source": "auto"}
        assert generate_summary(conversation_id, Trigger.AFTER_ANSWER).title == "Done Already"
    settle(fake)
    assert title_requests(fake) == []


# --- what is not a title becomes the fallback ----------------------------------------------------------

BREAD = "Can you give me a recipe for banana bread without eggs?"
NOT_TITLES = {
    "refusal": "I'm sorry, but I can't create a title for this conversation.",
    "option_list": "Sure! Here are a few title options:\n1. Eggless Banana Bread\n2. Vegan Banana Loaf",
    "task_talk": "Describe the context of this conversation",
    "too_long": "Can you give me a recipe for banana bread without eggs and with some nuts in it",
    "other_script": "経営の可能性",
    "other_language": "Pan de plátano sin huevos",
    "ungrounded": "Pregnancyuser",
}


@pytest.mark.parametrize("rule", list(NOT_TITLES))
def test_what_is_not_a_title_becomes_the_fallback(api, app_server, fake, rule):
    fake.completion_plans.append(fo.completion(NOT_TITLES[rule]))
    result = api.chat(BREAD)
    assert result.last["type"] == "done" and result.text == f"Echo: {BREAD}"
    settled = api.settled_title(result.conversation_id)
    assert (settled["title"], settled["title_source"]) == ("Recipe for banana bread without eggs", "fallback")
    assert [m["status"] for m in settled["messages"]] == ["complete", "complete"]
    settle(fake)
    assert len(title_requests(fake)) == 1
    assert wait_for(lambda: f"conversation={result.conversation_id} source=fallback rule={rule} "
                    in app_server.log_text())


def test_title_usage_is_summed_over_attempts(api, fake, db_engine):
    usage = {"prompt_tokens": 120, "completion_tokens": 6, "total_tokens": 126, "cost": 0.00025}
    fake.completion_plans.extend([fo.completion("Pregnancyuser", usage=usage, model="meta-llama/llama-3.2-3b"),
                                  fo.completion("Usage Summed", usage=usage, model="meta-llama/llama-3.2-3b")])
    result = api.chat("are usage numbers summed?")
    assert api.settled_title(result.conversation_id)["title_source"] == "fallback"
    api.chat("again", conversation_id=result.conversation_id)
    assert wait_for(lambda: api.get(f"/conversation/{result.conversation_id}").json()["title"] == "Usage Summed")
    with db_engine.connect() as conn:
        row = conn.execute(sa.text("SELECT title_model, title_requests, title_prompt_tokens, title_completion_tokens, "
                                   "title_cost FROM conversation WHERE id = :id"), {"id": result.conversation_id}).one()
    assert tuple(row[:4]) == ("meta-llama/llama-3.2-3b", 2, 240, 12) and row[4] == pytest.approx(0.0005)


def test_a_failed_title_request_counts_without_usage(api, fake, db_engine):
    fake.completion_plans.append(fo.http_error(503, "down"))
    result = api.chat("count failures")
    api.settled_title(result.conversation_id)
    with db_engine.connect() as conn:
        row = conn.execute(sa.text("SELECT title_model, title_requests, title_prompt_tokens, title_cost "
                                   "FROM conversation WHERE id = :id"), {"id": result.conversation_id}).one()
    assert tuple(row) == (fo.FREE_MODEL, 1, None, None)


def test_title_prompt_from_the_environment(launch, fake):
    client = Api(launch(TITLE_PROMPT="Name it in {language}: {user} => {assistant}").url)
    client.settled_title(client.chat("Привет, как дела?").conversation_id)
    prompt = title_requests(fake)[-1].body["messages"][-1]["content"]
    assert prompt == "Name it in Russian: Привет, как дела? => Echo: Привет, как дела?"


def test_an_invalid_title_prompt_stops_the_start_with_a_clear_error(launch):
    with pytest.raises(RuntimeError, match=r"TITLE_PROMPT uses unknown fields \['question'\]"):
        launch(TITLE_PROMPT="Title for {question}")


def test_slow_titles_beyond_the_pool_delay_nothing_else(launch, fake):
    """More slow title requests than database connections: the jobs hold none while waiting."""
    server = launch(DB_POOL_SIZE="1", DB_MAX_OVERFLOW="0", TITLE_TIMEOUT="20")
    client = Api(server.url)
    fake.completion_plans.extend([fo.completion(f"Slow {n}", delay=6.0) for n in range(3)])
    for n in range(3):
        assert client.chat(f"slow {n}").last["type"] == "done"
    slow = wait_for(lambda: len(title_requests(fake)) == 3 and title_requests(fake))
    assert slow and not any(request.finished for request in slow)
    conversation_id = client.get("/conversations").json()["conversations"][0]["id"]
    waiting = threading.Thread(target=client.post, args=(f"/conversation/{conversation_id}/summarize",))
    waiting.start()  # a page request polling the claim holds no connection while it sleeps either
    assert client.get("/healthz").json()["ok"] is True
    assert len(client.get("/conversations").json()["conversations"]) >= 3
    assert client.chat("meanwhile").last["type"] == "done"
    assert not any(request.finished for request in slow), "a request waited for a title job's connection"
    waiting.join()


# --- the job in-process: statements, a failed save ----------------------------------------------------


def count_statements(app):
    from sqlalchemy import event

    from routerchat.extensions import db

    statements: list[str] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    return statements


def test_the_title_job_is_four_statements(local_app, fake):
    """Read, claim, save with the request's usage, and the request written to the usage ledger."""
    from routerchat.titles import Trigger, generate_summary

    conversation_id = seed_conversation(local_app, 1)
    fake.completion_plans.append(fo.completion("Question Answered"))
    statements = count_statements(local_app)
    with local_app.app_context():
        assert generate_summary(conversation_id, Trigger.AFTER_ANSWER).title == "Question Answered"
    assert [s.split()[0] for s in statements] == ["SELECT", "UPDATE", "UPDATE", "INSERT"]


def test_the_title_job_takes_two_connections_and_no_session(local_app, fake):
    """The read and the claim share one transaction and the save is the other (db/prepared.py's
    `transaction()`): two connections from the pool, where three session cycles were."""
    from routerchat.extensions import db
    from routerchat.titles import Trigger, generate_summary

    conversation_id = seed_conversation(local_app, 1)
    fake.completion_plans.append(fo.completion("Question Answered"))
    checkouts: list[object] = []

    def checked_out(*_args):
        checkouts.append(None)
    with local_app.app_context():
        sa.event.listen(db.engine, "checkout", checked_out)
        try:
            assert generate_summary(conversation_id, Trigger.AFTER_ANSWER).title == "Question Answered"
        finally:
            sa.event.remove(db.engine, "checkout", checked_out)
    assert len(checkouts) == 2


def test_a_failed_save_releases_the_claim_at_once(local_app, fake, monkeypatch):
    from routerchat import titles
    from routerchat.titles import job

    conversation_id = seed_conversation(local_app, 1)
    fake.completion_plans.extend([fo.completion("Never Saved"), fo.completion("Saved Question")])
    monkeypatch.setattr(job, "_usage_parameters", lambda reply: 1 / 0)
    with local_app.app_context():
        result = titles.generate_summary(conversation_id, titles.Trigger.REGENERATE)
        assert (result.title, result.title_source) == ("New Conversation", "default")
        monkeypatch.undo()
        result = titles.generate_summary(conversation_id, titles.Trigger.REGENERATE)
    assert (result.title, result.title_source) == ("Saved Question", "auto")
    assert len(title_requests(fake)) == 2


@pytest.mark.parametrize("source,trigger,attempts,generates", [
    ("default", "FIRST_ANSWER", 0, True), ("default", "LATER_ANSWER", 1, True),
    ("default", "PAGE_REQUEST", 0, True), ("default", "REGENERATE", 0, True),
    ("fallback", "FIRST_ANSWER", 1, False), ("fallback", "LATER_ANSWER", 1, True),
    ("fallback", "LATER_ANSWER", 2, False), ("fallback", "PAGE_REQUEST", 1, False),
    ("fallback", "REGENERATE", 2, True),
    ("auto", "FIRST_ANSWER", 1, False), ("auto", "LATER_ANSWER", 1, False),
    ("auto", "PAGE_REQUEST", 1, False), ("auto", "REGENERATE", 1, True),
    ("user", "FIRST_ANSWER", 0, False), ("user", "LATER_ANSWER", 1, False),
    ("user", "PAGE_REQUEST", 0, False), ("user", "REGENERATE", 1, False),
])
def test_should_generate_table(source, trigger, attempts, generates):
    from routerchat.titles.job import Trigger, should_generate

    assert should_generate(source, Trigger[trigger], attempts) is generates


def test_the_word_list_of_the_users_language_is_built_off_the_event_loop(app, client, fake, monkeypatch):
    """Building a language's list takes a moment of CPU (titles/lexicon.py): the job does it in
    gevent's thread pool, before the checks, so other greenlets keep running meanwhile."""
    from gevent.monkey import get_original

    from routerchat.titles import job, lexicon

    get_ident = get_original("_thread", "get_ident")
    built_in: list[tuple[str, int]] = []
    monkeypatch.setattr(job, "_WORD_LIST_BUILDS", {})
    monkeypatch.setattr(lexicon, "is_built", lambda code: False)
    monkeypatch.setattr(lexicon, "build", lambda code: built_in.append((code, get_ident())))
    fake.completion_plans.append(fo.completion("Pâte à crêpes sans grumeaux"))
    stored = store_conversation(app, ("Comment faire une pâte à crêpes sans grumeaux ?", "Fouettez la farine."))
    preview = client.post(f"/conversation/{stored.id}/title-preview")
    assert preview.status_code == 200 and preview.get_json()["title"] == "Pâte à crêpes sans grumeaux"
    assert [code for code, _ in built_in] == ["fr"]
    assert built_in[0][1] != get_ident()


def test_first_titles_in_a_language_wait_for_one_build_of_its_word_list(monkeypatch):
    """Twenty titles in a new language at once (twenty answers ending together) start one build;
    the others wait for it instead of each holding the GIL for its own copy. Once built, no
    hand-off at all; a failed build is tried again by the next title."""
    import gevent
    from gevent.monkey import get_original

    from routerchat.titles import job, lexicon

    thread_sleep = get_original("time", "sleep")
    builds: list[str] = []
    built: set[str] = set()

    def slow_build(code: str) -> None:
        builds.append(code)
        thread_sleep(0.2)
        built.add(code)
    monkeypatch.setattr(job, "_WORD_LIST_BUILDS", {})
    monkeypatch.setattr(lexicon, "is_built", lambda code: code in built)
    monkeypatch.setattr(lexicon, "build", slow_build)
    waiting = [gevent.spawn(job._await_word_list, "Come si prepara una vera carbonara?") for _ in range(20)]
    gevent.joinall(waiting, raise_error=True)
    assert builds == ["it"] and built == {"it"}
    job._await_word_list("Qual è la differenza tra ci e ne?")
    assert builds == ["it"]

    def failing_build(code: str) -> None:
        builds.append(code)
        raise OSError("the list cannot be read")
    monkeypatch.setattr(lexicon, "build", failing_build)
    for _ in range(2):
        with pytest.raises(OSError):
            job._await_word_list("Quelle est la différence entre un virus et une bactérie ?")
    assert builds == ["it", "fr", "fr"]
