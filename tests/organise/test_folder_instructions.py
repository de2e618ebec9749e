"""A folder's instructions go upstream with each answer of its chats: the middle part of the one
system message (the account's instructions first, the chat's system prompt last)."""
from __future__ import annotations

from tests.support.factories import store_conversation


def system_sent(fake) -> dict:
    return fake.chat_requests(stream=True)[-1].body["messages"][0]


def chat(web, message: str, conversation_id: str) -> None:
    response = web.post("/chat", json={"message": message, "conversation_id": conversation_id})
    assert response.status_code == 200 and '"type": "done"' in response.get_data(as_text=True).replace('":"', '": "')


def test_the_folder_part_sits_between_the_accounts_and_the_chats(organised_app, web, fake):
    assert web.put("/settings", json={"instructions": "Be kind."}).status_code == 200
    folder = web.post("/folders", json={"name": "Travel", "instructions": "Use metric units."}).get_json()
    conversation_id = store_conversation(organised_app, ("How far is Paris?", "Far."), title="Paris",
                                         title_source="user").id
    web.patch(f"/conversation/{conversation_id}", json={"folder_id": folder["id"], "system_prompt": "Answer briefly."})
    chat(web, "And Rome?", conversation_id)
    assert system_sent(fake) == {"role": "system", "content": "Be kind.\n\nUse metric units.\n\nAnswer briefly."}

    web.patch(f"/folders/{folder['id']}", json={"instructions": "Use miles."})
    web.put("/settings", json={"instructions": ""})
    chat(web, "And Oslo?", conversation_id)
    assert system_sent(fake) == {"role": "system", "content": "Use miles.\n\nAnswer briefly."}

    web.patch(f"/conversation/{conversation_id}", json={"folder_id": None, "system_prompt": None})
    chat(web, "And Bern?", conversation_id)
    assert system_sent(fake)["role"] == "user"  # no part left: no system message
