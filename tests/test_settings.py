"""GET/PUT /settings: per account, any subset, strict checks, nothing changed on a refusal."""
import pytest

from tests.support.accounts import app_with_accounts, logged_in

DEFAULTS = {"instructions": "", "title_model": None, "title_prompt": None}


def test_defaults_before_anything_is_set(client, clean_settings):
    response = client.get("/settings")
    assert response.status_code == 200 and response.get_json() == DEFAULTS


def test_put_changes_only_the_keys_it_names(client, clean_settings):
    assert client.put("/settings", json={"instructions": "Answer briefly."}).get_json() == {
        **DEFAULTS, "instructions": "Answer briefly."}
    answer = client.put("/settings", json={"title_model": "local/qwen2.5:0.5b", "title_prompt": "Name it: {user}"})
    assert answer.status_code == 200
    expected = {"instructions": "Answer briefly.", "title_model": "local/qwen2.5:0.5b",
                "title_prompt": "Name it: {user}"}
    assert answer.get_json() == expected and client.get("/settings").get_json() == expected
    assert client.put("/settings", json={"title_model": None, "title_prompt": None}).get_json() == {
        **DEFAULTS, "instructions": "Answer briefly."}
    assert client.put("/settings", json={}).status_code == 200


@pytest.mark.parametrize("body,words", [
    ({"instructions": "x" * 8001}, "8,000"),
    ({"instructions": None}, "instructions must be a string"),
    ({"instructions": 3}, "instructions must be a string"),
    ({"title_model": 7}, "title_model"),
    ({"title_model": "no slash"}, "title_model"),
    ({"title_prompt": ["a"]}, "title_prompt must be a string"),
    ({"theme": "dark"}, "no setting 'theme'"),
    ({"instructions": "fine", "colour": "red"}, "no setting 'colour'"),
    ({"instructions": "fine", "title_model": False}, "title_model"),
])
def test_bad_settings_are_400_and_change_nothing(client, clean_settings, body, words):
    client.put("/settings", json={"instructions": "Keep me."})
    response = client.put("/settings", json=body)
    assert response.status_code == 400 and words in response.get_json()["error"]
    assert client.get("/settings").get_json() == {**DEFAULTS, "instructions": "Keep me."}


def test_a_body_that_is_not_a_json_object_is_refused(client, clean_settings):
    assert client.put("/settings", json=["instructions"]).status_code == 400
    assert client.put("/settings", data="instructions=x", content_type="text/plain").status_code == 415


def test_each_account_has_its_own_settings(database_url, fake, tmp_path_factory):
    apps = app_with_accounts(database_url, fake, tmp_path_factory, "alice", "bob")
    app = next(apps)
    clients = {name: logged_in(app, name) for name in ("alice", "bob")}
    assert app.test_client().get("/settings").status_code == 401
    clients["alice"].put("/settings", json={"instructions": "Alice's way."})
    assert clients["alice"].get("/settings").get_json()["instructions"] == "Alice's way."
    assert clients["bob"].get("/settings").get_json() == DEFAULTS
    next(apps, None)
