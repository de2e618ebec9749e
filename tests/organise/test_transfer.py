"""Export and import keep how a chat is organised: pinned, archived, its folder (by name) and its
system prompt; a bad value refuses the whole import."""
from __future__ import annotations

import copy

import pytest

from tests.support.accounts import logged_in
from tests.support.factories import store_conversation


def organised_export(app, client, owner: str | None = None, folder: str = "Research") -> dict:
    stored = store_conversation(app, ("q", "a"), owner=owner, title="Organised", title_source="user")
    response = client.post("/folders", json={"name": folder})
    folder_id = response.get_json()["id"] if response.status_code == 201 else next(
        f["id"] for f in client.get("/folders").get_json()["folders"] if f["name"] == folder)
    client.patch(f"/conversation/{stored.id}", json={"pinned": True, "archived": True, "folder_id": folder_id,
                                                     "system_prompt": "Cite sources."})
    return client.get(f"/conversation/{stored.id}/export?format=json").get_json()


def test_an_export_names_the_folder_and_an_import_elsewhere_restores_everything(two_accounts_app):
    alice, bob = logged_in(two_accounts_app, "alice"), logged_in(two_accounts_app, "bob")
    exported = organised_export(two_accounts_app, alice, owner="alice")
    item = exported["conversations"][0] if "conversations" in exported else exported
    assert (item["pinned"], item["archived"], item["folder"]) == (True, True, "Research")
    assert bob.post("/import", json=exported).get_json()["imported"] == 1
    [folder] = bob.get("/folders").get_json()["folders"]
    assert folder["name"] == "Research" and folder["instructions"] == ""
    [listed] = bob.get("/conversations", query_string={"archived": 1}).get_json()["conversations"]
    assert (listed["pinned"], listed["archived"], listed["folder_id"]) == (True, True, folder["id"])
    assert bob.get(f"/conversation/{listed['id']}").get_json()["system_prompt"] == "Cite sources."
    assert bob.post("/import", json=exported).get_json()["imported"] == 1  # the same folder again, not a second
    assert len(bob.get("/folders").get_json()["folders"]) == 1


def test_the_whole_export_keeps_them_too(two_accounts_app):
    alice = logged_in(two_accounts_app, "alice")
    organised_export(two_accounts_app, alice, owner="alice")
    everything = alice.get("/export").get_json()
    assert any(c["folder"] == "Research" and c["pinned"] and c["archived"] for c in everything["conversations"])


@pytest.mark.parametrize("change,words", [
    ({"pinned": "yes"}, "pinned must be true or false"),
    ({"archived": 1}, "archived must be true or false"),
    ({"folder": 7}, "folder must be a folder's name"),
    ({"folder": "x" * 101}, "at most 100"),
    ({"folder": "bell\x07"}, "control"),
])
def test_bad_organising_values_refuse_the_whole_import(organised_app, web, change, words):
    exported = organised_export(organised_app, web)
    item = exported["conversations"][0] if "conversations" in exported else exported
    bad = copy.deepcopy(item)
    bad.update(change)
    archive = {**exported, "conversations": [item, bad]} if "conversations" in exported else bad
    before = (web.get("/conversations", query_string={"limit": 200, "archived": 1}).get_json(),
              web.get("/folders").get_json())
    response = web.post("/import", json=archive)
    assert response.status_code == 400 and words in response.get_json()["error"]
    assert before == (web.get("/conversations", query_string={"limit": 200, "archived": 1}).get_json(),
                      web.get("/folders").get_json())
