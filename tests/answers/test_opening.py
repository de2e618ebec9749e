"""The upstream request of an answer leaves at once, ahead of work that was already waiting to run."""
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

