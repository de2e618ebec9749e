"""Presets and the model list: in-process against the fake OpenRouter (the model list checks a
new preset); the model cache and simultaneous first changes over real HTTP."""
import pytest

from tests import fake_openrouter as fo

pytestmark = pytest.mark.usefixtures("default_presets")


def presets(client) -> dict:
    return {p["slot"]: p for p in client.get("/presets").get_json()["presets"]}


def test_six_defaults_with_the_free_model_in_slot_6(client):
    current = presets(client)
    assert sorted(current) == [1, 2, 3, 4, 5, 6]
    assert current[6]["model"] == fo.FREE_MODEL and current[6]["label"] == "Free"
    assert all(p["model"] and p["label"] for p in current.values())
    assert len({p["model"] for p in current.values()}) == 6


def test_changing_a_preset_is_stored_and_used_for_chat(client, fake):
    response = client.put("/presets/2", json={"model": "mistralai/mistral-small-3.2-24b-instruct"})
    assert response.status_code == 200
    assert response.get_json() == {"slot": 2, "model": "mistralai/mistral-small-3.2-24b-instruct",
                                   "label": "Mistral Small 3.2 24B"}
    assert presets(client)[2]["model"] == "mistralai/mistral-small-3.2-24b-instruct"
    assert '"type": "done"' in client.post("/chat", json={"message": "hi", "preset": 2}).get_data(as_text=True)
    assert fake.chat_requests(stream=True)[-1].body["model"] == "mistralai/mistral-small-3.2-24b-instruct"


def test_a_label_can_be_given(client):
    response = client.put("/presets/1", json={"model": "openai/gpt-5", "label": "Work"})
    assert response.get_json()["label"] == "Work"


def test_slot_6_accepts_free_models(client):
    for model in ("google/gemma-3-27b-it:free", "qwen/qwen3-4b", "openrouter/free"):
        response = client.put("/presets/6", json={"model": model})
        assert response.status_code == 200, response.get_data(as_text=True)
        assert presets(client)[6]["model"] == model


@pytest.mark.parametrize("slot,body,status,words", [
    ("6", {"model": "openai/gpt-5"}, 400, "not a free model"),
    ("0", {"model": "openai/gpt-5"}, 404, "1 to 6"),
    ("7", {"model": "openai/gpt-5"}, 404, "1 to 6"),
    ("one", {"model": "openai/gpt-5"}, 404, "1 to 6"),
    ("-1", {"model": "openai/gpt-5"}, 404, "1 to 6"),
    ("²", {"model": "openai/gpt-5"}, 404, "1 to 6"),
    ("٣", {"model": "openai/gpt-5"}, 404, "1 to 6"),
    ("01", {"model": "openai/gpt-5"}, 404, "1 to 6"),
    ("1", {}, 400, "model must be"),
    ("1", {"model": ""}, 400, "model must be"),
    ("1", {"model": 5}, 400, "model must be"),
    ("1", {"model": "not a model id"}, 400, "does not look like"),
    ("1", {"model": "nobody/no-such-model"}, 400, "does not list"),
    ("1", {"model": "openai/gpt-5", "label": ""}, 400, "label"),
])
def test_bad_preset_changes_are_4xx_and_change_nothing(client, slot, body, status, words):
    before = presets(client)
    response = client.put(f"/presets/{slot}", json=body)
    assert response.status_code == status and words in response.get_json()["error"]
    assert presets(client) == before


def test_preset_body_must_be_a_json_object(client):
    assert client.put("/presets/1", data="model=x").status_code == 415
    assert client.put("/presets/1", json=["openai/gpt-5"]).status_code == 400


def test_when_the_model_list_is_down_only_free_ids_go_into_slot_6(client, fake):
    fake.models_plan = fo.http_error(503, "No available model provider")
    assert client.put("/presets/6", json={"model": "openai/gpt-5"}).status_code == 400
    response = client.put("/presets/6", json={"model": "some/new-model:free"})
    assert response.status_code == 200 and response.get_json()["label"] == "new-model"
    assert client.put("/presets/1", json={"model": "some/brand-new-model"}).status_code == 200


def test_models_lists_openrouter_models_with_free_flags(client):
    models = client.get("/models").get_json()["models"]
    by_id = {m["id"]: m for m in models}
    assert by_id[fo.FREE_MODEL]["free"] is True and by_id["openai/gpt-5"]["free"] is False
    assert set(by_id["openai/gpt-5"]) == {"id", "name", "free", "context_length", "pricing",
                                                    "supported_parameters", "input_modalities"}
    assert by_id["openai/gpt-5"]["input_modalities"] == ["text", "image", "file"]
    assert by_id[fo.FREE_MODEL]["input_modalities"] == ["text"]
    assert by_id["openai/gpt-5"]["supported_parameters"] == ["include_reasoning", "max_tokens", "reasoning", "tools"]
    assert by_id[fo.FREE_MODEL]["supported_parameters"] == ["max_tokens", "temperature", "top_p"]
    free = client.get("/models?free=1").get_json()["models"]
    assert free and all(m["free"] for m in free)
    assert {m["id"] for m in free} == {m["id"] for m in models if m["free"]}


def test_models_is_cached(launch, fake):
    server = launch(MODELS_CACHE_SECONDS="600")
    import requests
    requests.get(server.url + "/models", timeout=10)
    requests.get(server.url + "/models", timeout=10)
    assert sum(r.path == "/models" for r in fake.requests) == 1


@pytest.mark.parametrize("status,words", [
    (503, "No provider can serve this model right now."),
    (401, "OpenRouter did not accept the API key"),  # the server's key: a 401 would send the page to login
    (429, "OpenRouter's rate limit is reached"),
])
def test_models_unavailable_is_a_json_502_in_plain_words(client, fake, status, words):
    fake.models_plan = fo.http_error(status, "down")
    response = client.get("/models")
    assert response.status_code == 502 and list(response.get_json()) == ["error"]
    assert response.get_json()["error"].startswith(words)


def test_simultaneous_first_changes_of_one_slot_both_succeed(client, app_server):
    from concurrent.futures import ThreadPoolExecutor

    from tests.support.client import Api

    models = ["openai/gpt-5", "google/gemini-2.5-flash"] * 4
    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(lambda m: Api(app_server.url).put("/presets/3", json={"model": m}).status_code,
                              models))
    assert codes == [200] * 8
    assert presets(client)[3]["model"] in set(models)
