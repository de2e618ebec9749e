"""A user message with files as OpenRouter's content parts (pure: no Flask, no database, no network).

The text comes first; then each image as an `image_url` part with a data URL, each PDF as a
`file` part (OpenRouter parses it for models that cannot read PDFs), and each text file as a text
part that names the file.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from .kinds import IMAGE_TYPES, PDF_TYPE


@dataclass(frozen=True)
class FileData:
    name: str
    mime: str
    data: bytes


def data_url(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def file_part(file: FileData) -> dict[str, Any]:
    if file.mime in IMAGE_TYPES:
        return {"type": "image_url", "image_url": {"url": data_url(file.mime, file.data)}}
    if file.mime == PDF_TYPE:
        return {"type": "file", "file": {"filename": file.name, "file_data": data_url(PDF_TYPE, file.data)}}
    text = file.data.decode("utf-8")
    return {"type": "text", "text": f"Attached file “{file.name}”:\n\n{text}\n\n(end of “{file.name}”)"}


def content(text: str, files: list[FileData]) -> str | list[dict[str, Any]]:
    """A message's `content`: the text alone, or the text part followed by one part per file."""
    if not files:
        return text
    return [{"type": "text", "text": text}, *(file_part(file) for file in files)]


def has_image(messages: list[dict[str, Any]]) -> bool:
    """Whether any message of an upstream request carries an image part."""
    return any(isinstance(m.get("content"), list) and any(p.get("type") == "image_url" for p in m["content"])
               for m in messages)


def takes_images(model: dict[str, Any] | None) -> bool:
    """Whether a model of the list (GET /models) accepts images; a model the list does not know, or
    that does not say, is given the benefit of the doubt (its server will answer)."""
    if model is None or model.get("input_modalities") is None:
        return True
    return "image" in model["input_modalities"]
