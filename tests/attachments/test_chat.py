"""POST /chat with attachments against the fake OpenRouter, which logs the exact parts sent."""
from __future__ import annotations

import base64

import pytest

from tests.attachments import files
from tests.support.client import Api
from tests.support.servers import gunicorn_server
from tests.test_chat import counts

IMAGE_MODEL = "openai/gpt-5"
TEXT_MODEL = "deepseek/deepseek-chat-v3.1"


def upload(api, data: bytes, name: str) -> dict:
    response = api.post("/attachments", files={"file": (name, data)})
    assert response.status_code == 201, response.text
    return response.json()


def data_url(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def last_sent(fake) -> list[dict]:
    return fake.chat_requests(stream=True)[-1].body["messages"]


def test_the_question_goes_upstream_as_text_then_one_part_per_file(api, fake):
    image, pdf, text = files.png(), files.pdf(), b"a,b\n1,2\n"
    ids = [upload(api, image, "chart.png")["id"], upload(api, pdf, "paper.pdf")["id"],
           upload(api, text, "table.csv")["id"]]
    result = api.chat("What do these show?", model=IMAGE_MODEL, attachments=ids)
    assert result.last["type"] == "done", result.events
    assert last_sent(fake) == [{"role": "user", "content": [
        {"type": "text", "text": "What do these show?"},
        {"type": "image_url", "image_url": {"url": data_url("image/png", image)}},
        {"type": "file", "file": {"filename": "paper.pdf", "file_data": data_url("application/pdf", pdf)}},
        {"type": "text", "text": "Attached file “table.csv”:\n\na,b\n1,2\n\n\n(end of “table.csv”)"},
    ]}]
    messages = api.get(f"/conversation/{result.conversation_id}").json()["messages"]
    assert [a["name"] for a in messages[0]["attachments"]] == ["chart.png", "paper.pdf", "table.csv"]
    assert messages[0]["attachments"][0] == {"id": ids[0], "name": "chart.png", "type": "image/png",
                                             "size": len(image)}
    assert messages[1]["attachments"] == []


def test_later_answers_regenerate_and_edits_send_the_files_again(api, fake):
    image_id = upload(api, files.png(), "a.png")["id"]
    first = api.chat("Look", model=IMAGE_MODEL, attachments=[image_id])
    conversation_id = first.conversation_id
    api.chat("And now?", model=IMAGE_MODEL, conversation_id=conversation_id)
    history = last_sent(fake)
    assert history[0]["content"][1]["type"] == "image_url" and history[2] == {"role": "user", "content": "And now?"}
    api.chat(None, model=IMAGE_MODEL, conversation_id=conversation_id, regenerate=True)
    assert last_sent(fake)[0]["content"][1]["type"] == "image_url"
    edited = api.chat("Look again", model=IMAGE_MODEL, conversation_id=conversation_id,
                      edit=first.events[0]["user_message_id"])
    assert edited.last["type"] == "done"
    assert last_sent(fake)[0]["content"][0] == {"type": "text", "text": "Look again"}
    assert last_sent(fake)[0]["content"][1]["type"] == "image_url"  # an edit keeps the question's files
    dropped = api.chat("Without it", model=IMAGE_MODEL, conversation_id=conversation_id,
                       edit=first.events[0]["user_message_id"], attachments=[])
    assert dropped.last["type"] == "done" and last_sent(fake)[0]["content"] == "Without it"


def test_an_image_for_a_text_only_model_is_400_naming_it_and_the_presets_that_can(api, fake, db_engine,
                                                                                 default_presets):
    image_id = upload(api, files.png(), "a.png")["id"]
    before = counts(db_engine)
    refused = api.chat("Look", model=TEXT_MODEL, attachments=[image_id])
    assert refused.status == 400
    assert "DeepSeek V3.1 (deepseek/deepseek-chat-v3.1) cannot read images" in refused.error_body["error"]
    assert "1 (Claude Sonnet 4.5)" in refused.error_body["error"] and "5 (" not in refused.error_body["error"]
    assert counts(db_engine) == before and fake.chat_requests(stream=True) == []
    pdf_id = upload(api, files.pdf(), "p.pdf")["id"]
    assert api.chat("Read", model=TEXT_MODEL, attachments=[pdf_id]).last["type"] == "done"  # PDFs go to every model


def test_switching_a_chat_with_images_to_a_text_only_model_is_400_too(api, fake, db_engine):
    image_id = upload(api, files.png(), "a.png")["id"]
    first = api.chat("Look", model=IMAGE_MODEL, attachments=[image_id])
    before = counts(db_engine)
    refused = api.chat("More", model=TEXT_MODEL, conversation_id=first.conversation_id)
    assert refused.status == 400 and "cannot read images" in refused.error_body["error"]
    assert counts(db_engine) == before


@pytest.mark.parametrize(("attachments", "status", "words"), [
    (["0" * 32], 404, "No attachment"),
    ([7], 404, "No attachment"),
    ("abc", 400, "list"),
    (["x"] * 11, 400, "at most 10"),
])
def test_bad_attachment_lists_are_refused_before_streaming(api, fake, db_engine, attachments, status, words):
    before = counts(db_engine)
    refused = api.chat("Hi", model=IMAGE_MODEL, attachments=attachments)
    assert refused.status == status and words in refused.error_body["error"]
    assert counts(db_engine) == before


def test_eleven_real_attachments_are_400(api, fake, db_engine):
    ids = [upload(api, b"note %d" % n, f"n{n}.txt")["id"] for n in range(11)]
    before = counts(db_engine)
    refused = api.chat("Hi", attachments=ids)
    assert refused.status == 400 and "at most 10" in refused.error_body["error"]
    assert counts(db_engine) == before
    assert api.chat("Hi", attachments=ids[:10]).last["type"] == "done"


def test_regenerate_takes_no_attachments(api, fake):
    first = api.chat("Hi")
    file_id = upload(api, b"x", "x.txt")["id"]
    refused = api.chat(None, conversation_id=first.conversation_id, regenerate=True, attachments=[file_id])
    assert refused.status == 400


def test_the_title_model_gets_text_only(api, fake):
    image_id = upload(api, files.png(), "a.png")["id"]
    result = api.chat("Describe this picture", model=IMAGE_MODEL, attachments=[image_id])
    api.settled_title(result.conversation_id)
    title_request = fake.chat_requests(stream=False)[-1].body
    assert all(isinstance(m["content"], str) for m in title_request["messages"])
    assert "base64" not in str(title_request) and "Describe this picture" in str(title_request)


def test_deleting_the_chat_deletes_its_files(api, fake):
    kept = upload(api, b"unsent", "u.txt")["id"]
    sent = upload(api, files.png(), "a.png")["id"]
    result = api.chat("Look", model=IMAGE_MODEL, attachments=[sent])
    other = api.chat("Again", model=IMAGE_MODEL, attachments=[upload(api, b"t", "t.txt")["id"]])
    assert api.delete(f"/conversation/{result.conversation_id}").status_code == 204
    assert api.get(f"/attachment/{sent}").status_code == 404
    assert api.get(f"/attachment/{kept}").status_code == 200
    assert api.get(f"/conversation/{other.conversation_id}").json()["messages"][0]["attachments"]


def test_upload_through_one_process_send_and_download_through_another(launch, fake):
    """Files live in the database: two app processes on one database (as two gunicorn workers or
    two servers) need no shared disk."""
    first, second = Api(launch().url), Api(launch().url)
    image = files.png((50, 40))
    image_id = upload(first, image, "shared.png")["id"]
    result = second.chat("Look", model=IMAGE_MODEL, attachments=[image_id])
    assert result.last["type"] == "done"
    assert last_sent(fake)[0]["content"][1]["image_url"]["url"] == data_url("image/png", image)
    assert second.get(f"/attachment/{image_id}").content == image
    question = first.get(f"/conversation/{result.conversation_id}").json()["messages"][0]
    assert question["attachments"][0]["id"] == image_id


def test_with_two_gunicorn_workers_any_worker_serves_and_sends_the_files(database_url, fake, tmp_path):
    """Each request on a new connection lands on either worker."""
    if not database_url.startswith("postgresql"):
        pytest.skip("several workers need PostgreSQL")
    with gunicorn_server(database_url, fake, tmp_path) as url:
        images = [files.png((10 + n, 10)) for n in range(6)]
        ids = [upload(Api(url), image, f"{n}.png")["id"] for n, image in enumerate(images)]
        for image_id, image in zip(ids, images, strict=True):
            assert Api(url).get(f"/attachment/{image_id}").content == image
        result = Api(url).chat("All of them", model=IMAGE_MODEL, attachments=ids)
        assert result.last["type"] == "done"
        assert [p["image_url"]["url"] for p in last_sent(fake)[0]["content"][1:]] == [
            data_url("image/png", image) for image in images]


def test_a_running_answer_keeps_no_copy_of_the_files_it_sent(app, client, fake, monkeypatch):
    """Once the request is sent, the answer's greenlet drops its messages (megabytes of base64)."""
    from routerchat.answers.hub import AnswerHub
    from tests.answers.test_hub import chat_in_process

    generations = []
    original = AnswerHub._run
    monkeypatch.setattr(AnswerHub, "_run", lambda hub, generation: (generations.append(generation),
                                                                     original(hub, generation)))
    events = chat_in_process(client, message="big", model=IMAGE_MODEL)
    assert events[-1]["type"] == "done"
    assert fake.chat_requests(stream=True)[-1].body["messages"] == [{"role": "user", "content": "big"}]
    assert generations[0].request.messages == []
