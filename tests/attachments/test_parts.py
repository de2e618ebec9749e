"""Content parts for OpenRouter (routerchat/attachments/parts.py)."""
from __future__ import annotations

from routerchat.attachments.parts import FileData, content, has_image, takes_images


def test_a_message_without_files_stays_a_string():
    assert content("hi", []) == "hi"


def test_text_first_then_one_part_per_file_in_order():
    parts = content("see", [FileData("a.gif", "image/gif", b"GIF89a"), FileData("n.md", "text/markdown", "é".encode()),
                            FileData("p.pdf", "application/pdf", b"%PDF-")])
    assert parts == [
        {"type": "text", "text": "see"},
        {"type": "image_url", "image_url": {"url": "data:image/gif;base64,R0lGODlh"}},
        {"type": "text", "text": "Attached file “n.md”:\n\né\n\n(end of “n.md”)"},
        {"type": "file", "file": {"filename": "p.pdf", "file_data": "data:application/pdf;base64,JVBERi0="}},
    ]


def test_has_image_looks_at_every_message():
    assert not has_image([{"role": "system", "content": "x"}, {"role": "user", "content": [{"type": "text"}]}])
    assert has_image([{"role": "user", "content": [{"type": "text"}, {"type": "image_url"}]},
                      {"role": "user", "content": "later"}])


def test_only_a_listed_model_without_image_input_is_refused():
    assert takes_images({"input_modalities": ["text", "image"]})
    assert not takes_images({"input_modalities": ["text"]})
    assert takes_images({"input_modalities": None}) and takes_images(None)
