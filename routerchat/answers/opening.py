"""The upstream request of an answer, sent before its rows are written.

POST /chat opens the request to OpenRouter (in a greenlet of its own) as soon as the message is
validated, then writes the question and the answer's row while the model starts: the first token
waits for neither. The answer's greenlet later takes the open stream (or the failure) from here.
Whoever gives up on it (the rows could not be stored, the answer was stopped first) cancels it,
which closes the connection, so OpenRouter stops generating and billing.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import gevent

if TYPE_CHECKING:
    from ..upstream import Route
    from ..upstream.client import ChatStream


class Opening:
    """One upstream request in flight: `stream()` waits for its response, `cancel()` closes it."""

    def __init__(self, route: Route, messages: list[dict[str, Any]], options: dict[str, Any]) -> None:
        self.route = route  # where the request went (OpenRouter or the local server)
        self._greenlet = gevent.Greenlet(route.client.stream_chat, messages, route.model_id, **options)
        run_now(self._greenlet)

    def stream(self) -> ChatStream:
        """The open stream once OpenRouter answered; raises what opening it raised (UpstreamError)."""
        stream: ChatStream = self._greenlet.get()
        return stream

    def cancel(self) -> None:
        """Abandon the request: killed while it is being sent (urllib3 then drops the connection),
        or its response closed. Harmless after the stream was read to its end."""
        self._greenlet.kill(block=True)
        stream = self._greenlet.value  # a GreenletExit when it was killed waiting: gevent counts that a success
        if self._greenlet.successful() and not isinstance(stream, gevent.GreenletExit):
            stream.close()


def run_now(greenlet: gevent.Greenlet) -> None:
    """Run `greenlet` at once, until it first waits (the request is on the wire), and carry on after
    every greenlet already waiting to run.

    `gevent.spawn` and `sleep(0)` queued the request behind everything already waiting to run:
    twenty messages arriving together each read their rows first, and the last one's request left
    some 40 ms after its message was read. Switching straight to the new greenlet (after queueing
    our own return, as a waiting greenlet does) sends it now; the rows are written after the
    others' turns, while the model starts."""
    hub = gevent.get_hub()
    if not hub:  # not running yet (a test's main greenlet): a greenlet ending at once would start it with its result
        gevent.sleep(0)
    hub.loop.run_callback(gevent.getcurrent().switch)
    greenlet.switch()
