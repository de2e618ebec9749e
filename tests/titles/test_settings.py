"""The account's title settings (GET/PUT /settings title_model, title_prompt) in the title job, and
the title preview ("try on this chat"), against the fake OpenRouter on both databases."""
import pytest

from tests import fake_openrouter as fo
from tests.support.waiting import settle

OWN_PROMPT = "Name this chat in {language}, two words.\nQ: {user}\nA: {assistant}"


@pytest.fixture(autouse=True)
def _defaults(default_presets, api):
    """Preset 6 starts unset (the default free model) and the account has no title settings."""
    yield
    api.put("/settings", json={"instructions": "", "title_model": None, "title_prompt": None})


def title_requests(fake):
    return fake.chat_requests(stream=False)


def test_the_title_job_uses_the_accounts_title_model_and_prompt(api, fake):
    assert api.put("/presets/6", json={"model": "google/gemma-3-27b-it:free"}).status_code == 200
    changed = api.put("/settings", json={"title_model": "qwen/qwen3-4b:free", "title_prompt": OWN_PROMPT})
    assert changed.status_code == 200 and changed.json()["title_prompt"] == OWN_PROMPT
    fake.completion_plans.append(fo.completion("Sorting Lists"))
    result = api.chat("How do I sort a list in Python?")
    assert api.settled_title(result.conversation_id)["title"] == "Sorting Lists"
    settle(fake)
    body = title_requests(fake)[-1].body
    assert body["model"] == "qwen/qwen3-4b:free"  # the setting beats preset 6
    assert body["messages"][-1]["content"] == (
        "Name this chat in English, two words.\nQ: How do I sort a list in Python?\n"
        "A: Echo: How do I sort a list in Python?")


def test_without_title_settings_preset_6_and_the_built_in_prompt_are_used(api, fake):
    assert api.put("/presets/6", json={"model": "google/gemma-3-27b-it:free"}).status_code == 200
    assert api.put("/settings", json={"title_model": "qwen/qwen3-4b:free"}).status_code == 200
    assert api.put("/settings", json={"title_model": None, "title_prompt": ""}).status_code == 200
    api.settled_title(api.chat("How do I sort a list in Python?").conversation_id)
    settle(fake)
    body = title_requests(fake)[-1].body
    assert body["model"] == "google/gemma-3-27b-it:free"
    assert "Reply with the title only." in body["messages"][-1]["content"]


@pytest.mark.parametrize("template,why", [
    ("Title for {usr}", "title_prompt uses unknown fields ['usr']"),
    ("Title for {user", "title_prompt is not a valid template"),
    ("Title for {assistant} only", "title_prompt must contain {user}"),
])
def test_a_bad_title_prompt_is_a_400_that_says_what_is_wrong_and_changes_nothing(api, template, why):
    assert api.put("/settings", json={"title_prompt": OWN_PROMPT, "instructions": "Be brief."}).status_code == 200
    refused = api.put("/settings", json={"title_prompt": template, "instructions": "Be long."})
    assert refused.status_code == 400 and why in refused.json()["error"]
    assert api.get("/settings").json() == {"instructions": "Be brief.", "title_model": None, "title_prompt": OWN_PROMPT}


def test_the_preview_shows_the_would_be_title_without_saving_it(api, fake):
    fake.completion_plans.append(fo.completion("Sorting Lists"))
    result = api.chat("How do I sort a list in Python?")
    assert api.settled_title(result.conversation_id)["title"] == "Sorting Lists"
    fake.completion_plans.append(fo.completion("Title: Python List Sorting"))
    requests_before = api.get("/usage?days=30").json()["titles"]["requests"]
    preview = api.post(f"/conversation/{result.conversation_id}/title-preview",
                       json={"title_model": "qwen/qwen3-4b:free", "title_prompt": OWN_PROMPT})
    assert preview.status_code == 200
    assert preview.json() == {"title": "Python List Sorting", "title_source": "auto", "rule": None,
                              "model": "qwen/qwen3-4b:free", "raw": "Title: Python List Sorting"}
    settle(fake)
    body = title_requests(fake)[-1].body
    assert body["model"] == "qwen/qwen3-4b:free" and body["messages"][-1]["content"].startswith("Name this chat")
    conversation = api.get(f"/conversation/{result.conversation_id}").json()
    assert (conversation["title"], conversation["title_source"]) == ("Sorting Lists", "auto")  # not saved
    assert api.get("/settings").json()["title_model"] is None  # nor the settings tried
    assert api.get("/usage?days=30").json()["titles"]["requests"] == requests_before + 1  # billed: counted


def test_the_preview_without_a_body_uses_the_saved_settings_and_shows_a_fallback_with_its_rule(api, fake):
    fake.completion_plans.append(fo.completion("Sorting Lists"))
    result = api.chat("How do I sort a list in Python?")
    api.settled_title(result.conversation_id)
    assert api.put("/settings", json={"title_model": "qwen/qwen3-4b:free"}).status_code == 200
    fake.completion_plans.append(fo.completion("Hello! How can I assist you today?"))
    preview = api.post(f"/conversation/{result.conversation_id}/title-preview").json()
    assert preview["title_source"] == "fallback" and preview["rule"] == "assistant_talk"
    assert preview["title"] == "Sort a list in Python" and preview["model"] == "qwen/qwen3-4b:free"
    assert api.get(f"/conversation/{result.conversation_id}").json()["title"] == "Sorting Lists"


@pytest.mark.parametrize("body,why", [
    ({"title_prompt": "{usr}"}, "unknown fields"),
    ({"title_model": 5}, "title_model"),
    ({"instructions": "x"}, "only title_model and title_prompt"),
])
def test_a_bad_preview_is_a_400_and_asks_nothing(api, fake, body, why):
    result = api.chat("How do I sort a list in Python?")
    api.settled_title(result.conversation_id)
    settle(fake)
    asked = len(title_requests(fake))
    refused = api.post(f"/conversation/{result.conversation_id}/title-preview", json=body)
    assert refused.status_code == 400 and why in refused.json()["error"]
    assert len(title_requests(fake)) == asked


def test_the_preview_of_an_unknown_chat_is_a_404(api):
    assert api.post("/conversation/nope/title-preview").status_code == 404
