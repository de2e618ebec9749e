"""The floor of a Python relay: the least a gevent server can do between a client and the upstream.

No Flask, no database, no account, no title: POST /chat reads the JSON body, sends the message
to the upstream's /chat/completions over a pooled urllib3 connection, and re-sends each content
delta as routerchat's `chunk` event, then `done`. `bench/run.py --relay-only --floor` measures it
with the same client, levels and upstream as routerchat, so the table shows how much of
routerchat's delay any Python relay on this machine pays, and how much is routerchat's own work.

    PORT=8123 UPSTREAM=http://127.0.0.1:8124/api/v1 python bench/relay_floor.py
"""
from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import os  # noqa: E402
import uuid  # noqa: E402

import urllib3  # noqa: E402
from gevent.pywsgi import WSGIServer  # noqa: E402

UPSTREAM = os.environ["UPSTREAM"].rstrip("/") + "/chat/completions"
POOL = urllib3.PoolManager(maxsize=1000, block=False)
HEADERS = {"Authorization": f"Bearer {os.environ.get('UPSTREAM_KEY', 'floor')}", "Content-Type": "application/json"}


def event(payload: dict) -> bytes:
    return f"data: {json.dumps(payload)}\n\n".encode()


def relay(message: str):
    conversation_id = uuid.uuid4().hex
    body = json.dumps({"model": "bench/model", "stream": True, "messages": [{"role": "user", "content": message}]})
    response = POOL.request("POST", UPSTREAM, body=body, headers=HEADERS, preload_content=False)
    if response.status != 200:
        yield event({"type": "error", "status": response.status})
        return
    yield event({"type": "start", "conversation_id": conversation_id})
    pending = b""
    for received in response.read_chunked() if response.chunked else response.stream():
        *lines, pending = (pending + received).split(b"\n")  # a line may span two reads
        for line in lines:
            if not line.startswith(b"data: ") or line.startswith(b"data: [DONE]"):
                continue
            choices = json.loads(line[6:]).get("choices") or [{}]  # the usage chunk has none
            delta = choices[0].get("delta", {}).get("content")
            if delta:
                yield event({"type": "chunk", "text": delta})
    response.release_conn()
    yield event({"type": "done", "conversation_id": conversation_id})


def app(environ, start_response):
    if environ["PATH_INFO"] == "/healthz":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    message = json.loads(environ["wsgi.input"].read(length))["message"]
    start_response("200 OK", [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")])
    return relay(message)


if __name__ == "__main__":
    WSGIServer(("127.0.0.1", int(os.environ["PORT"])), app, log=None).serve_forever()
