"""JSON errors for every route: `{"error": "<human readable>"}`, never HTML or a traceback;
`ApiError` (and `UpstreamError`, OpenRouter's failures) carry the status and the words."""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

FRIENDLY_HTTP_MESSAGES = {
    404: "Not found.",
    405: "This method is not allowed here.",
}


def _too_large_message() -> str:
    """Name the limit that applied to this request (1 MB for most routes, more for an import)."""
    limit = request.max_content_length or 0
    return f"The request body is larger than the {limit / (1024 * 1024):g} MB limit."


class ApiError(Exception):
    """A failure the person can be told about: a route that raises it answers `status` with
    `{"error": message}`."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class UpstreamError(ApiError):
    """OpenRouter (or the way to it) failed. A route that lets it through answers 502 Bad Gateway:
    the fault is upstream's, not the request's (OpenRouter's 401 is about the server's key, not a
    missing login). `upstream_status` is OpenRouter's own status, or 502/504 for a broken or
    timed-out connection; a chat's SSE `error` event carries it. `message` is written for the
    person using the app, `detail` keeps OpenRouter's own words for the log."""

    def __init__(self, upstream_status: int, message: str, detail: str = ""):
        super().__init__(502, message)
        self.upstream_status = upstream_status
        self.detail = detail or message


def error_response(status: int, message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response


def json_object_body() -> dict[str, Any]:
    """The request's JSON object, or an ApiError that says what is wrong with the body."""
    if not request.is_json:
        raise ApiError(415, "Send the body as JSON with Content-Type: application/json.")
    body = request.get_json(silent=True)
    if body is None:
        raise ApiError(400, "The body is not valid JSON.")
    if not isinstance(body, dict):
        raise ApiError(400, "The body must be a JSON object.")
    return body


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> Response:
        return error_response(exc.status, exc.message)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        message = (_too_large_message() if status == 413
                   else FRIENDLY_HTTP_MESSAGES.get(status, exc.description or exc.name))
        response = error_response(status, message)
        for name, value in exc.get_headers():  # keeps `Allow` on 405 (and `Retry-After` where set)
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "Something went wrong on the server; the error was logged.")
