"""The checks every request passes before any route runs, and the headers every response gets.

routerchat usually runs on 127.0.0.1 while its owner browses the web, so the threats are other
web pages: a DNS-rebinding page (a foreign `Host`), a cross-site form or fetch (a foreign
`Origin` / `Sec-Fetch-Site`), framing, and model output that makes the browser load a URL.
SECURITY.md lists each protection with the test that proves it.
"""
from __future__ import annotations

import gc
import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, jsonify, request

from .errors import ApiError
from .text_safety import MAX_JSON_DEPTH, bad_character, json_problem

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
JSON_TYPES = frozenset({"application/json"})
# Content types a request body may have, by endpoint; every other route takes JSON only.
BODY_TYPES: dict[str, frozenset[str]] = {
    "transfer.import_conversations": JSON_TYPES | {"multipart/form-data"},
    "attachments.upload": frozenset({"multipart/form-data"}),
}
# Routes that check their JSON body themselves, off the event loop (an import may be 50 MB).
CHECKED_BY_ROUTE = frozenset({"transfer.import_conversations"})
# Routes whose bodies may be larger than MAX_CONTENT_LENGTH: endpoint → the setting with their limit.
BODY_LIMITS: dict[str, str] = {"transfer.import_conversations": "IMPORT_MAX_BYTES",
                               "attachments.upload": "ATTACHMENT_MAX_BODY_BYTES"}
MAX_URL_CHARS = 2048

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    # Inline style attributes only (math rendering needs them); scripts stay strict.
    "style-src 'self' 'unsafe-inline'",
    # Only our own files and the inline favicon: a remote image or video would carry data out.
    "img-src 'self' data:",
    "media-src 'none'",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "frame-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
# Responses that get a second, stricter policy besides the usual one (a browser enforces both): a
# served attachment may load nothing and run nothing, whatever it holds; the browser's own image and
# PDF viewers still show it.
STRICTER_POLICIES = {
    "attachments.download": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
}
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def host_name(host_header: str) -> str:
    """`example.com:5000` → `example.com`, `[::1]:5000` → `::1` (lower case, no port)."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else ""
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def allowed_hosts(config: Mapping[str, Any]) -> frozenset[str]:
    """Loopback names, the HOST the server binds (unless a wildcard), and ALLOWED_HOSTS."""
    configured = {host_name(config["HOST"]), *(host_name(h) for h in config["ALLOWED_HOSTS"])}
    return LOOPBACK_HOSTS | (configured - {"", "0.0.0.0", "::"})


def is_own_origin(origin: str, host_header: str) -> bool:
    """Same origin as the page this request addresses: same host and port, over http(s).

    The scheme is not compared: behind a TLS proxy the app sees http while the page is https.
    Another port on the same host is another origin (and a browser would call it same-site).
    """
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.netloc.lower() == host_header.strip().lower()


def check_host() -> None:
    if host_name(request.host) not in allowed_hosts(current_app.config):
        raise ApiError(400, "This server does not answer to that Host name. Add it to ALLOWED_HOSTS "
                            "if you reach routerchat under another name.")


def check_origin() -> None:
    """A browser says where a request comes from; only the app's own page may change anything."""
    if request.method not in STATE_CHANGING:
        return
    origin = request.headers.get("Origin")
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if origin is not None and not is_own_origin(origin, request.host):
        raise ApiError(403, "Requests from other web sites may not change anything here.")
    if fetch_site is not None and fetch_site != "same-origin":
        raise ApiError(403, "Requests from other web sites may not change anything here.")


def has_body() -> bool:
    return bool(request.content_length) or "chunked" in request.headers.get("Transfer-Encoding", "").lower()


def check_body() -> None:
    """A body must be one of the route's content types; a JSON body must hold only storable text."""
    if request.endpoint in BODY_LIMITS:
        request.max_content_length = current_app.config[BODY_LIMITS[request.endpoint]]
    if not has_body():
        return
    accepted = BODY_TYPES.get(request.endpoint or "", JSON_TYPES)
    if request.mimetype not in accepted:
        raise ApiError(415, _wrong_type_message(accepted))
    if request.mimetype in JSON_TYPES and request.endpoint not in CHECKED_BY_ROUTE:
        check_json(request.get_data(cache=True))


def _wrong_type_message(accepted: frozenset[str]) -> str:
    if JSON_TYPES.isdisjoint(accepted):
        return "Send the file as multipart/form-data."
    also = " or as a file (multipart/form-data)" if "multipart/form-data" in accepted else ""
    return f"Send the body as JSON with Content-Type: application/json{also}."


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No garbage collection inside. A body nested a thousand deep takes the parser to the
    recursion limit, and a collection there runs weakref finalizers (SQLAlchemy's, tempfile's)
    with no stack left: they fail, and their errors are reported from wherever they ran."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def check_json(raw: bytes) -> None:
    """Deep nesting, NUL and lone surrogates are refused before any route reads the body."""
    try:
        with _collector_paused():
            value = json.loads(raw)
    except RecursionError as exc:  # the parser's own guard against `[[[[…`
        raise ApiError(400, f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep.") from exc
    except ValueError:
        return  # the route says the body is not valid JSON
    problem = json_problem(value, MAX_JSON_DEPTH)
    if problem:
        raise ApiError(400, f"The JSON body {problem}.")


def check_strings(where: str, texts: Iterable[str]) -> None:
    for text in texts:
        problem = bad_character(text)
        if problem:
            raise ApiError(400, f"{where} {problem}.")


def check_url() -> None:
    """Ids and query values reach the database: they get the same checks as JSON strings."""
    if len(request.full_path) > MAX_URL_CHARS:
        raise ApiError(414, f"The URL is longer than {MAX_URL_CHARS} characters.")
    check_strings("The URL", (v for v in (request.view_args or {}).values() if isinstance(v, str)))
    check_strings("The URL", (text for pair in request.args.items(multi=True) for text in pair))


def options_response() -> Response:
    """OPTIONS names the methods of a path, in JSON like every other answer (no CORS grants)."""
    adapter = current_app.create_url_adapter(request)
    assert adapter is not None  # always one when a request is given
    methods = sorted(adapter.allowed_methods())
    response = jsonify({"methods": methods})
    response.headers["Allow"] = ", ".join(methods)
    return response


def guard_request() -> Response | None:
    """Everything decided from the request line and headers; the body waits for the login gate
    (see `register_body_check`)."""
    check_host()
    check_url()
    check_origin()
    if request.method == "OPTIONS" and request.routing_exception is None:
        return options_response()
    return None


def add_security_headers(response: Response) -> Response:
    """Each security header the response does not set itself (one pass over its headers:
    `setdefault` scanned them once per header, and raised and caught an exception per missing one)."""
    present = {name.lower() for name, _ in response.headers}
    response.headers.extend([(name, value) for name, value in SECURITY_HEADERS.items() if name.lower() not in present])
    if request.endpoint in STRICTER_POLICIES:
        response.headers.add("Content-Security-Policy", STRICTER_POLICIES[request.endpoint])
    return response


def register_security(app: Flask) -> None:
    app.before_request(guard_request)
    app.after_request(add_security_headers)


def register_body_check(app: Flask) -> None:
    """Check bodies after the login gate (register this after it): a caller without a session gets
    its 401 before one byte of its body is read or parsed, so nobody can make the server read and
    parse 50 MB without logging in."""
    app.before_request(check_body)
