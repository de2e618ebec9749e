import json

from routerchat.sse import PING, format_event, iter_event_data, split_lines


def test_format_event_is_one_data_line_with_unicode_kept():
    text = format_event({"type": "chunk", "content": "é 中\nline"})
    assert text.startswith("data: ") and text.endswith("\n\n")
    assert text.count("\n") == 2
    assert json.loads(text[6:]) == {"type": "chunk", "content": "é 中\nline"}


def test_ping_is_a_comment():
    assert PING.startswith(":") and PING.endswith("\n\n")


def test_split_lines_handles_crlf_and_pieces_that_split_lines():
    chunks = [b"data: a\r", b"\n\r\ndata", b": b\n", b"\n"]
    assert list(split_lines(chunks)) == ["data: a", "", "data: b", ""]


def test_split_lines_keeps_multibyte_characters_split_across_chunks():
    raw = "data: héllo 中文\n\n".encode()
    chunks = [raw[i:i + 1] for i in range(len(raw))]
    assert list(split_lines(chunks)) == ["data: héllo 中文", ""]


def test_split_lines_yields_unterminated_last_line():
    assert list(split_lines([b"data: x"])) == ["data: x"]


def test_event_data_skips_comments_and_other_fields():
    lines = [": OPENROUTER PROCESSING", "", "event: message", "id: 3", "data: {\"a\":1}", "", ": ping", ""]
    assert list(iter_event_data(lines)) == ['{"a":1}']


def test_event_data_joins_multiline_data_and_drops_one_leading_space():
    lines = ["data: first", "data:second", "data:  third", ""]
    assert list(iter_event_data(lines)) == ["first\nsecond\n third"]


def test_event_data_delivers_event_without_final_blank_line():
    assert list(iter_event_data(["data: [DONE]"])) == ["[DONE]"]


def test_blank_lines_alone_make_no_events():
    assert list(iter_event_data(["", "", ":x", ""])) == []
