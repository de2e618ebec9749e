"""Folders: create, list, rename, instructions, delete (chats move out), a chat's folder, one folder's
list, names unique per account, and another account's folder as unknown as a missing one."""
from __future__ import annotations

import uuid

import pytest

from tests.support.accounts import logged_in


def unique(prefix: str = "Folder") -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def folders_of(web) -> list[dict]:
    return web.get("/folders").get_json()["folders"]


def test_create_list_rename_and_instructions(web):
    name = unique("Work")
    response = web.post("/folders", json={"name": f"  {name} "})
    assert response.status_code == 201
    folder = response.get_json()
    assert set(folder) == {"id", "name", "instructions"}
    assert folder["name"] == name and folder["instructions"] == ""
    assert folder in folders_of(web)
    renamed = web.patch(f"/folders/{folder['id']}", json={"name": name + " renamed",
                                                          "instructions": "Answer in French.\nBe brief."})
    assert renamed.status_code == 200
    assert renamed.get_json() == {"id": folder["id"], "name": name + " renamed",
                                  "instructions": "Answer in French.\nBe brief."}
    assert renamed.get_json() in folders_of(web)
    cleared = web.patch(f"/folders/{folder['id']}", json={"instructions": None}).get_json()
    assert cleared["instructions"] == "" and cleared["name"] == name + " renamed"


def test_a_name_of_100_characters_and_any_script_is_fine(web):
    for name in ("x" * 100, "Проекты 项目 🚀", "a"):
        response = web.post("/folders", json={"name": name})
        assert response.status_code in (201, 409) and response.status_code != 400


BAD_NAMES = [
    ("", 400, "non-empty"), ("   ", 400, "non-empty"), (None, 400, "non-empty"), (7, 400, "non-empty"),
    ("x" * 101, 400, "at most 100"), ("bell\x07", 400, "control"), ("two\nlines", 400, "control"),
    ("nul\x00", 400, "NUL"), ("bidi\u202eoverride", 400, "control"),
]


@pytest.mark.parametrize("name,status,words", BAD_NAMES)
def test_bad_names_are_refused_on_create_and_rename(web, name, status, words):
    before = folders_of(web)
    response = web.post("/folders", json={"name": name})
    assert response.status_code == status and words in response.get_json()["error"]
    assert folders_of(web) == before
    folder = web.post("/folders", json={"name": unique()}).get_json()
    response = web.patch(f"/folders/{folder['id']}", json={"name": name})
    assert response.status_code == status and words in response.get_json()["error"]
    assert folder in folders_of(web)


@pytest.mark.parametrize("body,words", [
    ({}, "non-empty"), ({"name": "ok", "colour": "red"}, "Unknown field: colour"),
    ({"name": "ok", "instructions": 5}, "instructions must be a string"),
    ({"name": "ok", "instructions": "x" * 8001}, "the limit is 8,000"),
    ({"name": "ok", "instructions": "nul \x00"}, "NUL"),
])
def test_bad_folder_bodies_are_400(web, body, words):
    before = folders_of(web)
    response = web.post("/folders", json=body)
    assert response.status_code == 400 and words in response.get_json()["error"]
    assert folders_of(web) == before


def test_names_are_unique_per_account_409(web):
    name = unique()
    first = web.post("/folders", json={"name": name}).get_json()
    duplicate = web.post("/folders", json={"name": name})
    assert duplicate.status_code == 409 and "already" in duplicate.get_json()["error"]
    other = web.post("/folders", json={"name": unique()}).get_json()
    taken = web.patch(f"/folders/{other['id']}", json={"name": name})
    assert taken.status_code == 409
    assert other in folders_of(web) and first in folders_of(web)
    assert web.patch(f"/folders/{first['id']}", json={"name": name}).status_code == 200  # its own name


def test_a_chat_moves_into_a_folder_and_out(web, chats):
    folder_id = web.post("/folders", json={"name": unique()}).get_json()["id"]
    inside, outside = chats(2)
    response = web.patch(f"/conversation/{inside}", json={"folder_id": folder_id})
    assert response.status_code == 200 and response.get_json()["folder_id"] == folder_id
    listing = web.get("/conversations", query_string={"folder": folder_id}).get_json()
    assert [c["id"] for c in listing["conversations"]] == [inside] and listing["next"] is None
    assert web.get(f"/conversation/{inside}").get_json()["folder_id"] == folder_id
    assert web.get(f"/conversation/{outside}").get_json()["folder_id"] is None
    assert web.patch(f"/conversation/{inside}", json={"folder_id": None}).get_json()["folder_id"] is None
    assert web.get("/conversations", query_string={"folder": folder_id}).get_json()["conversations"] == []


@pytest.mark.parametrize("folder_id", ["f" * 32, "", "x" * 65, 7])
def test_an_unknown_folder_is_404_and_changes_nothing(web, chats, folder_id):
    [conversation_id] = chats(1)
    before = web.get(f"/conversation/{conversation_id}").get_json()
    response = web.patch(f"/conversation/{conversation_id}", json={"folder_id": folder_id, "pinned": True})
    assert response.status_code == 404 and "No folder" in response.get_json()["error"]
    assert web.get(f"/conversation/{conversation_id}").get_json() == before


def test_deleting_a_folder_moves_its_chats_out_and_deletes_none(web, chats):
    folder_id = web.post("/folders", json={"name": unique()}).get_json()["id"]
    made = chats(2)
    for conversation_id in made:
        web.patch(f"/conversation/{conversation_id}", json={"folder_id": folder_id})
    assert web.delete(f"/folders/{folder_id}").status_code == 204
    assert folder_id not in [f["id"] for f in folders_of(web)]
    for conversation_id in made:
        data = web.get(f"/conversation/{conversation_id}").get_json()
        assert data["folder_id"] is None and len(data["messages"]) == 2
    assert web.delete(f"/folders/{folder_id}").status_code == 404
    assert web.patch(f"/folders/{folder_id}", json={"name": "again"}).status_code == 404
    assert web.get("/conversations", query_string={"folder": folder_id}).status_code == 404


def test_another_accounts_folder_is_unknown(two_accounts_app):
    from tests.support.factories import store_conversation
    alice, bob = logged_in(two_accounts_app, "alice"), logged_in(two_accounts_app, "bob")
    alices = alice.post("/folders", json={"name": "Shared name"}).get_json()
    assert bob.post("/folders", json={"name": "Shared name"}).status_code == 201  # unique per account only
    assert alices["id"] not in [f["id"] for f in bob.get("/folders").get_json()["folders"]]
    bobs_chat = store_conversation(two_accounts_app, ("hi", "hello"), owner="bob", title="Bob's").id
    refused = bob.patch(f"/conversation/{bobs_chat}", json={"folder_id": alices["id"]})
    unknown = bob.patch(f"/conversation/{bobs_chat}", json={"folder_id": "f" * 32})
    assert refused.status_code == 404 and refused.get_json() == unknown.get_json()
    assert bob.get(f"/conversation/{bobs_chat}").get_json()["folder_id"] is None
    for call in (bob.patch(f"/folders/{alices['id']}", json={"name": "Mine now"}),
                 bob.delete(f"/folders/{alices['id']}"),
                 bob.get("/conversations", query_string={"folder": alices["id"]})):
        assert call.status_code == 404
    assert alices in alice.get("/folders").get_json()["folders"]
    assert two_accounts_app.test_client().get("/folders").status_code == 401


def test_the_first_account_takes_the_folders_made_without_accounts(database_url, fake, tmp_path_factory):
    from routerchat import accounts
    from tests.support.accounts import PASSWORD, app_with_accounts
    apps = app_with_accounts(database_url, fake, tmp_path_factory)
    app = next(apps)
    folder = app.test_client().post("/folders", json={"name": "Before accounts"}).get_json()
    with app.app_context():
        accounts.add("carol", PASSWORD)
        accounts.add("dave", PASSWORD)
    assert logged_in(app, "carol").get("/folders").get_json()["folders"] == [folder]
    assert logged_in(app, "dave").get("/folders").get_json()["folders"] == []
    with app.app_context():
        accounts.remove("carol", keep_conversations=True)
    assert logged_in(app, "dave").get("/folders").get_json()["folders"] == []
    next(apps, None)
