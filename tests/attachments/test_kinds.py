"""What a file is, from its bytes (routerchat/attachments/kinds.py)."""
from __future__ import annotations

import codecs

import pytest

from routerchat.attachments.kinds import NAME_MAX_CHARS, Refused, check_pdf_tail, check_text_piece, clean_name, sniff
from tests.attachments import files


@pytest.mark.parametrize(("data", "mime"), [
    (files.png(), "image/png"),
    (files.image("JPEG"), "image/jpeg"),
    (files.image("WEBP"), "image/webp"),
    (files.image("GIF"), "image/gif"),
    (files.pdf(), "application/pdf"),
    ("print('héllo')\n".encode(), "text/plain"),
])
def test_the_kind_comes_from_the_bytes_not_the_name(data, mime):
    assert sniff(data, "misleading.exe").mime == mime


@pytest.mark.parametrize(("name", "mime"), [
    ("notes.md", "text/markdown"), ("table.CSV", "text/csv"), ("data.json", "application/json"),
    ("main.py", "text/plain"), ("README", "text/plain"),
])
def test_text_takes_its_flavour_from_the_name(name, mime):
    assert sniff(b"a,b\n1,2\n", name).mime == mime


@pytest.mark.parametrize("data", [files.ELF, files.WINDOWS_EXE, b"\x00\x01binary", "é".encode("latin-1") * 10])
def test_binaries_and_other_encodings_are_415(data):
    with pytest.raises(Refused) as refused:
        sniff(data, "harmless.txt")
    assert refused.value.status == 415


@pytest.mark.parametrize("data", [files.HTML, files.SVG, b"  <html>hi</html>", b"<svg onload=alert(1)>",
                                  codecs.BOM_UTF8 + b"<script>x</script>", b"notes\n<svg viewBox='0 0 1 1'>"])
def test_html_and_svg_are_415_even_as_text(data):
    with pytest.raises(Refused) as refused:
        sniff(data, "notes.txt")
    assert refused.value.status == 415
    assert "HTML and SVG" in refused.value.message


def test_text_mentioning_tags_later_is_still_text():
    assert sniff(b"How do I escape <div> in Markdown?\n", "q.md").mime == "text/markdown"


def test_a_character_cut_at_the_end_of_the_sniffed_head_is_still_text():
    assert sniff("ab€".encode()[:-1], "a.txt").is_text


def test_later_pieces_of_a_text_file_are_checked_too():
    decoder = codecs.getincrementaldecoder("utf-8")()
    check_text_piece("ok €".encode()[:-1], decoder, final=False)
    check_text_piece("€".encode()[-1:], decoder, final=True)
    with pytest.raises(Refused):
        check_text_piece(b"\x00", codecs.getincrementaldecoder("utf-8")(), final=False)
    with pytest.raises(Refused):
        check_text_piece(b"\xe2\x82", codecs.getincrementaldecoder("utf-8")(), final=True)


def test_a_pdf_must_end_like_one():
    check_pdf_tail(files.pdf())
    with pytest.raises(Refused) as refused:
        check_pdf_tail(files.pdf()[:-8])
    assert refused.value.status == 400


@pytest.mark.parametrize(("raw", "clean"), [
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\me\\photo.jpg", "photo.jpg"),
    ("a\x00b\x1b[31mc\u202e.txt", "a b [31mc .txt"),
    ("  spaced\t\nname .png ", "spaced name .png"),
    ("..", "file"),
    (None, "file"),
    ("", "file"),
])
def test_names_lose_paths_and_control_characters(raw, clean):
    assert clean_name(raw) == clean


def test_long_names_are_cut_keeping_the_extension():
    name = clean_name("x" * 10_000 + ".pdf")
    assert len(name) == NAME_MAX_CHARS and name.endswith("x.pdf")
    assert len(clean_name("y" * 10_000)) == NAME_MAX_CHARS
