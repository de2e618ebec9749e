"""Plain words for OpenRouter's failures (pure)."""
import pytest

from routerchat.upstream.wording import describe_error


def test_retry_after_header_is_used_when_no_reset_metadata():
    assert "30 seconds" in describe_error(429, "Rate limit exceeded", retry_after="30")


@pytest.mark.parametrize("said,retry_after,expected", [
    ("Rate limit exceeded: free-models-per-min.", "1",
     "OpenRouter's rate limit is reached (free-models-per-min). Try again in about 1 second, or use a paid model."),
    ("Rate limit exceeded: free-models-per-day", "7200",
     "OpenRouter's rate limit is reached (free-models-per-day). Try again in about 120 minutes, or use a paid model."),
    ("Rate limit exceeded", "60",
     "OpenRouter's rate limit is reached. Try again in about 60 seconds, or use a paid model."),
    ("", None, "OpenRouter's rate limit is reached. Wait a little and try again, or use a paid model."),
])
def test_rate_limit_wording_says_it_once_with_the_right_units(said, retry_after, expected):
    assert describe_error(429, said, retry_after=retry_after) == expected


@pytest.mark.parametrize("status,said", [(400, "Bad input."), (418, "I'm a teapot.")])
def test_upstream_words_never_end_in_two_periods(status, said):
    message = describe_error(status, said)
    assert ".." not in message and said.rstrip(".") in message
