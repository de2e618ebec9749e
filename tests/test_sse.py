import json

from routerchat.sse import PING, event_data, format_event


def test_format_event_is_one_data_line_with_unicode_kept():
    text = format_event({"type": "chunk", "content": "é 中\nline"})
    assert text.startswith("data: ") and text.endswith("\n\n")
    assert text.count("\n") == 2
    assert json.loads(text[6:]) == {"type": "chunk", "content": "é 中\nline"}


def test_ping_is_a_comment():
    assert PING.startswith(":") and PING.endswith("\n\n")


def data_of(chunks: list[bytes]) -> list[bytes]:
    return list(event_data(chunks))


def test_lines_end_with_lf_or_crlf_and_may_span_pieces():
    chunks = [b"data: a\r", b"\n\r\ndata", b": b\n", b"\n"]
    assert data_of(chunks) == [b"a", b"b"]


def test_a_multibyte_character_split_across_pieces_stays_whole():
    raw = "data: héllo 中文\n\n".encode()
    assert data_of([raw[i:i + 1] for i in range(len(raw))]) == ["héllo 中文".encode()]


def test_data_left_without_a_final_blank_line_is_delivered():
    assert data_of([b"data: x"]) == [b"x"]
    assert data_of([b"data: [DONE]\r"]) == [b"[DONE]"]


def test_comments_and_other_fields_are_skipped():
    stream = b": OPENROUTER PROCESSING\n\nevent: message\nid: 3\ndata: {\"a\":1}\n\n: ping\n\n"
    assert data_of([stream]) == [b'{"a":1}']
    assert data_of([b"database: no\ndata\n\n"]) == [b""]  # only the field named exactly "data"


def test_multiline_data_is_joined_and_one_leading_space_dropped():
    assert data_of([b"data: first\ndata:second\ndata:  third\n\n"]) == [b"first\nsecond\n third"]


def test_blank_lines_alone_make_no_events():
    assert data_of([b"\n\n:x\n\r\n"]) == []
