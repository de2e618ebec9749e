"""An HTTP client bound to one app server, reading the chat's server-sent events with the app's
own SSE parser (routerchat.sse)."""
from __future__ import annotations

import json
from dataclasses import dataclass

import requests

from routerchat.sse import event_data
from tests.support.waiting import wait_for


class Api:
    """A requests session bound to one app server, with helpers for the SSE chat route."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.session = requests.Session()

    def __getattr__(self, method: str):
        def call(path: str, **kwargs):
            kwargs.setdefault("timeout", 30)
            return self.session.request(method.upper(), self.base_url + path, **kwargs)
        return call

    def settled_title(self, conversation_id: str) -> dict:
        """The conversation once its background title generation has finished."""
        def current():
            data = self.get(f"/conversation/{conversation_id}").json()
            return data if data["title_source"] != "default" else None
        return wait_for(current, timeout=15, message="the title was never written")

    def chat(self, message: str | None = "Hello there", **body) -> ChatResult:
        """POST /chat and read the whole stream; message None leaves it out (regenerate)."""
        if message is not None:
            body = {"message": message, **body}
        response = self.session.post(self.base_url + "/chat", json=body, stream=True, timeout=30)
        return ChatResult.read(response)


@dataclass
class ChatResult:
    status: int
    headers: dict
    events: list[dict]
    comments: list[str]
    error_body: dict | None = None

    @classmethod
    def read(cls, response: requests.Response) -> ChatResult:
        if response.status_code != 200:
            return cls(response.status_code, dict(response.headers), [], [], response.json())
        body = response.content
        comments = [line.rstrip("\r") for line in body.decode(errors="replace").split("\n") if line.startswith(":")]
        events = [json.loads(data) for data in event_data([body])]
        return cls(200, dict(response.headers), events, comments)

    @property
    def types(self) -> list[str]:
        return [e["type"] for e in self.events]

    @property
    def text(self) -> str:
        return "".join(e["content"] for e in self.events if e["type"] == "chunk")

    @property
    def conversation_id(self) -> str:
        return self.events[0]["conversation_id"]

    @property
    def last(self) -> dict:
        return self.events[-1]
