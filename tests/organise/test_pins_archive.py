"""Pinned and archived chats: PATCH /conversation/<id>, the list's order and paging, the archived view
and search (on SQLite and PostgreSQL)."""
from __future__ import annotations

import pytest


def listed(web, **params) -> list[dict]:
    response = web.get("/conversations", query_string={"limit": 200, **params})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["conversations"]


def ids(items: list[dict]) -> list[str]:
    return [item["id"] for item in items]


def paged(web, limit: int, **params) -> list[str]:
    seen, cursor = [], None
    while True:
        page = web.get("/conversations", query_string={"limit": limit, **params,
                                                       **({"before": cursor} if cursor else {})}).get_json()
        seen += ids(page["conversations"])
        cursor = page["next"]
        if cursor is None:
            return seen


def in_folder(web, name: str, conversation_ids: list[str]) -> str:
    folder_id = web.post("/folders", json={"name": name}).get_json()["id"]
    for conversation_id in conversation_ids:
        assert web.patch(f"/conversation/{conversation_id}", json={"folder_id": folder_id}).status_code == 200
    return folder_id


def test_pinning_answers_the_conversation_and_lists_it_first(web, chats):
    old, new = chats(2)
    response = web.patch(f"/conversation/{old}", json={"pinned": True})
    assert response.status_code == 200 and response.get_json()["pinned"] is True
    items = listed(web)
    assert ids(items)[0] == old and items[0]["pinned"] is True
    assert {"pinned", "archived", "folder_id"} <= set(items[0])
    assert ids(items).index(old) < ids(items).index(new)
    web.patch(f"/conversation/{old}", json={"pinned": False})
    assert ids(listed(web)).index(new) < ids(listed(web)).index(old)


def test_pins_come_first_then_newest_first_and_pages_are_exact(web, chats):
    made = chats(7)
    folder_id = in_folder(web, "Paging", made)
    for conversation_id in (made[1], made[4], made[5]):
        web.patch(f"/conversation/{conversation_id}", json={"pinned": True})
    expected = [made[5], made[4], made[1], made[6], made[3], made[2], made[0]]
    assert ids(listed(web, folder=folder_id)) == expected
    for limit in (1, 2, 3, 4):
        assert paged(web, limit, folder=folder_id) == expected


def test_the_whole_list_keeps_pins_first_across_pages(web, chats):
    pinned = chats(3)
    for conversation_id in pinned[:2]:
        web.patch(f"/conversation/{conversation_id}", json={"pinned": True})
    everything = listed(web)
    flags = [item["pinned"] for item in everything]
    assert flags == sorted(flags, reverse=True)  # every pinned chat before every other
    assert paged(web, 2) == ids(everything)


def test_archived_chats_leave_the_list_and_are_listed_alone_with_archived_1(web, chats):
    kept, archived = chats(2)
    response = web.patch(f"/conversation/{archived}", json={"archived": True})
    assert response.status_code == 200 and response.get_json()["archived"] is True
    assert archived not in ids(listed(web)) and kept in ids(listed(web))
    archive = listed(web, archived=1)
    assert archived in ids(archive) and kept not in ids(archive)
    assert all(item["archived"] for item in archive)
    assert web.get(f"/conversation/{archived}").get_json()["archived"] is True
    web.patch(f"/conversation/{archived}", json={"archived": False})
    assert archived in ids(listed(web)) and archived not in ids(listed(web, archived=1))


def test_the_archive_pages_exactly_too(web, chats):
    made = chats(5)
    folder_id = in_folder(web, "Archive paging", made)
    for conversation_id in made:
        web.patch(f"/conversation/{conversation_id}", json={"archived": True})
    web.patch(f"/conversation/{made[2]}", json={"pinned": True})
    expected = [made[2], made[4], made[3], made[1], made[0]]
    assert paged(web, 2, folder=folder_id, archived=1) == expected
    assert listed(web, folder=folder_id) == []


def test_search_finds_archived_chats_and_marks_them(web, organised_app):
    from tests.support.factories import store_conversation
    archived = store_conversation(organised_app, ("about quokkas", "they smile"), title="Quokkas").id
    other = store_conversation(organised_app, ("more quokkas", "still smiling"), title="More").id
    web.patch(f"/conversation/{archived}", json={"archived": True})
    found = {item["id"]: item for item in listed(web, q="quokkas")}
    assert set(found) == {archived, other}
    assert found[archived]["archived"] is True and found[other]["archived"] is False


def test_pinning_does_not_move_a_chat_in_time(web, chats):
    [conversation_id] = chats(1)
    before = web.get(f"/conversation/{conversation_id}").get_json()["updated_at"]
    web.patch(f"/conversation/{conversation_id}", json={"pinned": True, "archived": True})
    assert web.get(f"/conversation/{conversation_id}").get_json()["updated_at"] == before


@pytest.mark.parametrize("body,words", [
    ({"pinned": "true"}, "pinned must be true or false"),
    ({"pinned": 1}, "pinned must be true or false"),
    ({"pinned": None}, "pinned must be true or false"),
    ({"archived": 0}, "archived must be true or false"),
    ({"archived": "yes"}, "archived must be true or false"),
    ({"pinned": True, "archived": "no"}, "archived must be true or false"),
    ({"title": "Renamed", "pinned": []}, "pinned must be true or false"),
    ({"starred": True}, "no field 'starred'"),
    ({}, "at least one of"),
])
def test_bad_changes_are_400_and_change_nothing(web, chats, body, words):
    [conversation_id] = chats(1)
    before = web.get(f"/conversation/{conversation_id}").get_json()
    response = web.patch(f"/conversation/{conversation_id}", json=body)
    assert response.status_code == 400 and words in response.get_json()["error"]
    assert web.get(f"/conversation/{conversation_id}").get_json() == before


@pytest.mark.parametrize("query,words", [
    ({"archived": "maybe"}, "archived must be 1 or 0"),
    ({"folder": "f" * 32}, "No folder"),
])
def test_bad_list_filters_are_4xx(web, query, words):
    response = web.get("/conversations", query_string=query)
    assert response.status_code in (400, 404) and words in response.get_json()["error"]
