"""The upstream request of an answer leaves at once, ahead of work that was already waiting to run."""
import subprocess
import sys
import time

import gevent

from routerchat.answers.opening import run_now


def test_the_request_runs_at_once_and_the_caller_after_the_work_already_waiting():
    order: list[str] = []

    def request() -> str:
        order.append("request sent")
        gevent.sleep(0.01)  # waits for the response
        order.append("response")
        return "stream"

    def caller() -> None:
        greenlet = gevent.Greenlet(request)
        run_now(greenlet)
        order.append("rows written")
        assert greenlet.get(timeout=1) == "stream"

    def other_message() -> None:
        order.append("another message read")

    gevent.joinall([gevent.spawn(caller), gevent.spawn(other_message)], timeout=2, raise_error=True)
    assert order == ["request sent", "another message read", "rows written", "response"]


def test_a_request_that_ends_at_once_before_the_event_loop_ever_ran_gives_its_result():
    """In a process whose event loop never ran (a test calling the app in its main greenlet), a
    request greenlet that ended without waiting handed its result to the loop, which failed to start."""
    code = ("import gevent\n"
            "from routerchat.answers.opening import run_now\n"
            "greenlet = gevent.Greenlet(lambda: 'refused at once')\n"
            "run_now(greenlet)\n"
            "print(greenlet.get(timeout=1))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "refused at once", done.stderr[-2000:]



class SlowClient:
    """An upstream client whose response begins `seconds` after the request (cooperatively)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def stream_chat(self, messages, model, **options) -> str:
        gevent.sleep(self.seconds)
        return "stream"


def test_a_request_still_waiting_for_its_answer_can_be_cancelled(app, monkeypatch):
    """When the rows cannot be stored before OpenRouter answers, the request is killed where it
    waits (gevent counts the GreenletExit a success: it is not a stream to close)."""
    from routerchat.answers import hub
    from routerchat.answers.generation import AnswerRequest
    from routerchat.upstream import openrouter
    from routerchat.upstream.instance import Route

    monkeypatch.setattr(openrouter(app), "route", lambda model: Route(SlowClient(10.0), model))
    opening = hub(app).open(AnswerRequest("openai/gpt-5", [{"role": "user", "content": "hi"}]))
    started = time.monotonic()
    opening.cancel()
    assert time.monotonic() - started < 5
    assert opening._greenlet.dead
