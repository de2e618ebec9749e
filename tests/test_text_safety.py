"""Pure text checks and repairs (routerchat/text_safety.py) and the log redaction that uses them."""
import io
import logging

import pytest

from routerchat.logging_setup import SecretRedactionFilter
from routerchat.security import host_name, is_own_origin
from routerchat.text_safety import (
    SurrogateJoiner,
    bad_character,
    join_surrogates,
    json_problem,
    redact_secrets,
    strip_title_controls,
)
from routerchat.titles.cleaning import clean_title

KEY = "sk-or-v1-abcdef0123456789"


@pytest.mark.parametrize("text,bad", [
    ("plain", False), ("emoji 😀 中文", False), ("a\x00b", True), ("\ud800", True), ("x\udfff", True),
    ("\ud83d\ude00", True),  # a pair written as two code points is still two halves in Python
])
def test_bad_character(text, bad):
    assert (bad_character(text) is not None) == bad


def nested(depth: int) -> list:
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


@pytest.mark.parametrize("value,problem", [
    ({"message": "hi", "list": [1, {"a": "b"}]}, None),
    ("just a string", None),
    (nested(32), None),
    (nested(33), "nested more than 32"),
    ({"a": {"b": nested(31)}}, "nested more than 32"),
    ({"deep": [[[["\x00"]]]]}, "NUL"),
    ({"key\ud800": 1}, "surrogate"),
    ([1, 2.5, True, None, "\udfff"], "surrogate"),
    (nested(900), "nested more than 32"),  # as deep as the parser allows: walked without recursion
])
def test_json_problem(value, problem):
    found = json_problem(value, 32)
    assert (found is None) if problem is None else (problem in found)


@pytest.mark.parametrize("raw,clean", [
    ("\x1b[31mRed\x1b[0m Title", "Red Title"),
    ("Evil\u202egnp.exe", "Evilgnp.exe"),
    ("\u2066Isolated\u2069 \u200fmark\u200e", "Isolated mark"),
    ("Bell\x07 and\x00 nul\x7f and\x85 c1", "Bell and nul and c1"),
    ("first line\nsecond\tline", "first line\nsecond\tline"),
    ("Emoji 😀 ZWJ 👩\u200d💻", "Emoji 😀 ZWJ 👩\u200d💻"),
    ("half \ud83d", "half "),
])
def test_strip_title_controls(raw, clean):
    assert strip_title_controls(raw) == clean


def test_clean_title_removes_controls_and_bidi_overrides():
    assert clean_title("Title: \x1b[1m**Banana\u202e Bread**\x1b[0m\u2069") == "Banana Bread"


@pytest.mark.parametrize("text", [
    f"Bearer {KEY}", f"authorization: bearer {KEY}", f"{{'Authorization': 'Bearer {KEY}'}}",
    f"key {KEY} refused", "Bearer some-other-token-xyz",
])
def test_redact_secrets_removes_keys_and_bearer_tokens(text):
    redacted = redact_secrets(text, [KEY])
    assert KEY not in redacted and "token-xyz" not in redacted and "[redacted]" in redacted


def test_redact_secrets_removes_an_arbitrary_key_given_to_it():
    assert redact_secrets("your key hunter2 is wrong", ["hunter2"]) == "your key [redacted] is wrong"


def test_join_surrogates_joins_pairs_and_replaces_halves():
    assert join_surrogates("a\ud83d\ude00b") == "a😀b"
    assert join_surrogates("\ude00\ud83d") == "\ufffd\ufffd"
    assert join_surrogates("plain") == "plain"


def test_surrogate_joiner_joins_a_pair_split_across_deltas():
    joiner = SurrogateJoiner()
    out = [joiner.feed("Smile \ud83d"), joiner.feed("\ude00!"), joiner.feed("\ud83d"), joiner.feed("x")]
    assert out == ["Smile ", "😀!", "", "\ufffdx"]
    assert joiner.feed("end \ud83d") == "end " and joiner.flush() == "\ufffd" and joiner.flush() == ""


@pytest.mark.parametrize("host,name", [("Example.com:5000", "example.com"), ("[::1]:5000", "::1"),
                                       ("[::1]", "::1"), ("127.0.0.1", "127.0.0.1"), ("[bad", "")])
def test_host_name(host, name):
    assert host_name(host) == name


@pytest.mark.parametrize("origin,own", [
    ("http://localhost:5000", True), ("https://localhost:5000", True), ("http://localhost:5001", False),
    ("http://localhost", False), ("null", False), ("file://localhost:5000", False),
    ("http://localhost:5000.evil.example", False),
])
def test_is_own_origin(origin, own):
    assert is_own_origin(origin, "localhost:5000") == own


def test_log_redaction_covers_messages_tracebacks_and_bearer_tokens():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(SecretRedactionFilter(KEY))
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("sending Bearer %s", "another-token-abc")
        try:
            raise RuntimeError(f"upstream said: key {KEY} invalid")
        except RuntimeError:
            logger.exception("call failed")
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert "RuntimeError" in output and "call failed" in output
    assert KEY not in output and "another-token-abc" not in output
