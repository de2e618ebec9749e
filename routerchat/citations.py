"""URL citations from OpenRouter's web plugin (pure: no Flask, no database, no network).

They arrive as `message.annotations` / `delta.annotations` items of type `url_citation`. Only
http and https links are kept (never `javascript:` or `data:`), each URL once, in order.
"""
from __future__ import annotations

from urllib.parse import urlsplit

URL_MAX_CHARS = 2000
CITATION_TITLE_MAX_CHARS = 300


def _web_url(value: object) -> str | None:
    if not isinstance(value, str) or len(value) > URL_MAX_CHARS:
        return None
    url = value.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
        return None
    return url


def _citation_of(item: object) -> dict[str, str] | None:
    """One stored citation from an annotation (or from a stored citation: both shapes are read)."""
    if not isinstance(item, dict):
        return None
    found = item.get("url_citation") if item.get("type") == "url_citation" else item
    if not isinstance(found, dict):
        return None
    url = _web_url(found.get("url"))
    if url is None:
        return None
    title = found.get("title")
    title = " ".join(title.split())[:CITATION_TITLE_MAX_CHARS] if isinstance(title, str) else ""
    return {"url": url, "title": title}


def merge_citations(known: list[dict[str, str]], items: object) -> list[dict[str, str]]:
    """`known` followed by the usable citations among `items` whose URL is not there yet."""
    merged = list(known)
    seen = {c["url"] for c in merged}
    for item in items if isinstance(items, list) else []:
        citation = _citation_of(item)
        if citation is not None and citation["url"] not in seen:
            seen.add(citation["url"])
            merged.append(citation)
    return merged
