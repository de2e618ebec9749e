"""Image checks and JPEG cleaning (routerchat/attachments/images.py)."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from routerchat.attachments import images
from routerchat.attachments.kinds import Refused
from tests.attachments import files


def cleaned(data: bytes) -> bytes:
    return b"".join(images.strip_jpeg(io.BytesIO(data)))


@pytest.mark.parametrize(("fmt", "mime"), [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp"),
                                           ("GIF", "image/gif")])
def test_whole_images_pass(fmt, mime):
    data = files.image(fmt, (64, 48))
    images.check_image(io.BytesIO(data), mime, len(data))


@pytest.mark.parametrize(("fmt", "mime"), [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp"),
                                           ("GIF", "image/gif")])
def test_truncated_images_are_400(fmt, mime):
    data = files.image(fmt, (64, 48))
    cut = data[:len(data) * 2 // 3]
    with pytest.raises(Refused) as refused:
        images.check_image(io.BytesIO(cut), mime, len(cut))
    assert refused.value.status == 400


def test_a_decompression_bomb_is_refused_before_decoding(monkeypatch):
    decoded = []
    monkeypatch.setattr(Image.Image, "load", lambda self: decoded.append(self))
    data = files.png_bomb()
    with pytest.raises(Refused) as refused:
        images.check_image(io.BytesIO(data), "image/png", len(data))
    assert refused.value.status == 400 and "pixels" in refused.value.message
    assert decoded == []


def test_an_image_just_over_the_pixel_limit_is_refused_too():
    data = files.png_bomb(8000, 5001)
    with pytest.raises(Refused, match="megapixels"):
        images.check_image(io.BytesIO(data), "image/png", len(data))


def test_jpeg_metadata_is_removed_without_touching_the_image_data():
    original = files.jpeg_with_gps()
    stripped = cleaned(original)
    assert b"SecretCam" in original and b"shot at home" in original
    assert b"SecretCam" not in stripped and b"shot at home" not in stripped and b"Exif" not in stripped
    scan_start = original.index(b"\xff\xda")
    assert stripped.endswith(original[scan_start:])  # the compressed pixels are copied as they are
    with Image.open(io.BytesIO(stripped)) as image:
        assert image.size == (40, 20) and not image.getexif()


def test_a_rotated_photo_comes_out_upright_without_its_metadata():
    stripped = cleaned(files.jpeg_with_gps(orientation=6))
    assert b"SecretCam" not in stripped
    with Image.open(io.BytesIO(stripped)) as image:
        assert image.size == (20, 40) and not image.getexif().get(images.EXIF_ORIENTATION)


def test_a_jpeg_cut_inside_its_headers_is_400():
    with pytest.raises(Refused):
        cleaned(files.jpeg_with_gps()[:30])
