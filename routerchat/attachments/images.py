"""Checks and cleaning of uploaded images with Pillow, reading as little as possible into memory
(no Flask, no database, no network).

An image is opened (which reads only its header) and its pixel count checked before anything is
decoded, so a decompression bomb (a small file that decodes to gigapixels) is refused without
decoding it. Integrity is then checked without a full decode where the format allows: PNG by its
chunk checksums, JPEG by decoding at an eighth of its size, WebP by its container length; GIF
decodes its first frame (one byte per pixel). JPEG metadata (EXIF with GPS, XMP, IPTC, comments)
is removed by copying the file without those segments; only a photo whose EXIF says it is rotated
is decoded and re-encoded upright, since without the tag it would show sideways.
"""
from __future__ import annotations

import io
import struct
import warnings
from collections.abc import Iterator
from typing import IO

from PIL import Image, ImageOps, UnidentifiedImageError

from .kinds import Refused

MAX_PIXELS = 40_000_000  # 40 megapixels: far above any phone photo, far below a bomb
COPY_BYTES = 1024 * 1024
PILLOW_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WEBP", "image/gif": "GIF"}
EXIF_ORIENTATION = 0x0112
# JPEG segments kept: APP0 (JFIF), APP2 holding an ICC colour profile, APP14 (Adobe: says how to
# read CMYK). Other APPn segments (EXIF, XMP, IPTC, maker notes) and comments are dropped.
APP0, APP2, APP14, APP15, APP1, COM, SOS = 0xE0, 0xE2, 0xEE, 0xEF, 0xE1, 0xFE, 0xDA
KEPT_APP_PREFIXES = {APP0: b"", APP2: b"ICC_PROFILE\x00", APP14: b"Adobe"}
STANDALONE_MARKERS = frozenset({0x01, *range(0xD0, 0xD8)})  # TEM, RST0-7: no length follows
BROKEN = "The image is damaged or cut off (it could not be read to its end)."


def check_image(file: IO[bytes], mime: str, size: int) -> None:
    """Raise Refused (400) unless `file` is a whole, readable image of at most MAX_PIXELS."""
    file.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(file, formats=[PILLOW_FORMATS[mime]])
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise Refused(400, f"The image is {width}×{height} pixels; at most {MAX_PIXELS // 1_000_000} "
                                   "megapixels are accepted.")
            _check_whole(image, file, mime, size)
    except Refused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise Refused(400, f"The image has too many pixels (at most {MAX_PIXELS // 1_000_000} megapixels).") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, struct.error) as exc:
        raise Refused(400, BROKEN) from exc


def _check_whole(image: Image.Image, file: IO[bytes], mime: str, size: int) -> None:
    if mime == "image/png":
        image.verify()  # every chunk's CRC and the final IEND, without inflating the pixels
    elif mime == "image/jpeg":
        width, height = image.size
        image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
        image.load()
    elif mime == "image/webp":
        file.seek(4)
        declared = struct.unpack("<I", file.read(4))[0] + 8
        if size < declared:
            raise OSError("WebP file shorter than its RIFF header says")
    else:
        image.load()


def strip_jpeg(file: IO[bytes]) -> Iterator[bytes]:
    """The JPEG without its metadata, in pieces; rotated photos come out upright."""
    file.seek(0)
    if _orientation(file) not in (None, 1):
        yield _upright(file)
        return
    file.seek(0)
    yield from _without_metadata(file)


def _orientation(file: IO[bytes]) -> int | None:
    try:
        with Image.open(file, formats=["JPEG"]) as image:
            value = image.getexif().get(EXIF_ORIENTATION)
    except (OSError, SyntaxError, ValueError, struct.error):
        return None
    return value if isinstance(value, int) else None


def _upright(file: IO[bytes]) -> bytes:
    file.seek(0)
    with Image.open(file, formats=["JPEG"]) as image:
        turned = ImageOps.exif_transpose(image)
        out = io.BytesIO()
        icc = image.info.get("icc_profile")
        turned.save(out, "JPEG", quality=95, **({"icc_profile": icc} if icc else {}))
    return out.getvalue()


def _without_metadata(file: IO[bytes]) -> Iterator[bytes]:
    """Copy segment by segment up to the image data (SOS), leaving out metadata segments, then
    copy the rest as it is. Only segment headers are parsed; nothing is decoded."""
    yield file.read(2)  # SOI, checked by the caller's sniffing
    while True:
        marker = _next_marker(file)
        if marker in STANDALONE_MARKERS:
            yield bytes((0xFF, marker))
            continue
        length_bytes = file.read(2)
        if len(length_bytes) < 2:
            raise Refused(400, BROKEN)
        body = file.read(struct.unpack(">H", length_bytes)[0] - 2)
        if _kept(marker, body):
            yield bytes((0xFF, marker)) + length_bytes + body
        if marker == SOS:
            break
    while piece := file.read(COPY_BYTES):
        yield piece


def _next_marker(file: IO[bytes]) -> int:
    byte = file.read(1)
    if byte != b"\xff":
        raise Refused(400, BROKEN)
    while byte == b"\xff":  # fill bytes may precede a marker
        byte = file.read(1)
    if not byte:
        raise Refused(400, BROKEN)
    return byte[0]


def _kept(marker: int, body: bytes) -> bool:
    if marker == COM:
        return False
    if APP0 <= marker <= APP15:
        prefix = KEPT_APP_PREFIXES.get(marker)
        return prefix is not None and body.startswith(prefix)
    return True
