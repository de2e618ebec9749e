"""What a follower of an answer is sent: the first delta at once, later ones batched, pings while
it is silent."""
import time

import gevent

from routerchat.answers import feed as feed_module
from routerchat.answers.feed import FOLLOW_BATCH_SECONDS, Feed
from routerchat.sse import PING, format_event


def test_the_first_delta_goes_out_at_once_and_later_ones_wait_to_be_batched(monkeypatch):
    sleeps: list[float] = []
    real_sleep = feed_module.gevent.sleep

    def recorded_sleep(seconds: float = 0) -> None:
        sleeps.append(seconds)
        real_sleep(seconds)
    monkeypatch.setattr(feed_module.gevent, "sleep", recorded_sleep)
    feed = Feed()
    events = feed.follow(ping_seconds=5)
    feed.publish("Hel")
    assert next(events) == format_event({"type": "chunk", "content": "Hel"})
    assert sleeps == []  # not held back
    feed.publish("lo")
    feed.publish(" there")
    assert next(events) == format_event({"type": "chunk", "content": "lo there"})
    assert len(sleeps) == 1 and 0 < sleeps[0] <= FOLLOW_BATCH_SECONDS
    feed.end({"type": "done"})
    assert list(events) == [format_event({"type": "done"})]


def test_what_is_ready_at_once_goes_out_as_one_write():
    """Reasoning, text and the final event that are all there when the reader comes are one
    string (one write to the socket), in that order."""
    feed = Feed()
    feed.publish_reasoning("Thinking")
    feed.publish("Hello")
    feed.end({"type": "done"})
    assert list(feed.follow(ping_seconds=5)) == [
        format_event({"type": "reasoning", "content": "Thinking"}) + format_event({"type": "chunk", "content": "Hello"})
        + format_event({"type": "done"})]


def test_a_silent_answer_pings_its_followers_from_one_timer_that_ends_with_it():
    feed = Feed()
    first, second = feed.follow(ping_seconds=0.05), feed.follow(ping_seconds=0.05)
    reader = gevent.spawn(lambda: [next(second) for _ in range(3)])
    started = time.monotonic()
    assert [next(first) for _ in range(3)] == [PING] * 3  # nothing said: a ping per tick
    assert reader.get(timeout=1) == [PING] * 3
    assert 0.1 <= time.monotonic() - started < 1
    ticker = feed._ticker
    assert ticker is not None  # both followers share the answer's one timer
    feed.publish("Hi")
    assert next(first) == format_event({"type": "chunk", "content": "Hi"})
    feed.end({"type": "done"})
    assert list(first) == [format_event({"type": "done"})]
    gevent.sleep(0)
    assert ticker.dead


def test_the_timer_stops_when_the_last_follower_leaves():
    feed = Feed()
    events = feed.follow(ping_seconds=0.05)
    assert next(events) == PING
    ticker = feed._ticker
    events.close()  # the page went away; the answer runs on
    ticker.join(timeout=1)
    assert ticker.dead and feed._ticker is None
    assert next(feed.follow(ping_seconds=0.05)) == PING  # a new follower starts it again
