"""Pure text hygiene for untrusted model output shown in the page."""
from __future__ import annotations

import unicodedata


def strip_title_controls(text: str) -> str:
    """Drop control and format characters (bidi overrides, zero-width marks, escapes) that
    could reorder or hide what a title shows; whitespace controls become plain spaces."""
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if char.isspace():
            kept.append(" ")
        elif category not in ("Cc", "Cf") or char == "\u200d":  # ZWJ joins emoji sequences
            kept.append(char)
    return "".join(kept)
