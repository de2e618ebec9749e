"""Logging in and out, and the gate every request passes once an account exists.

The gate also says whose data the request may touch (ownership.py), so ownership is decided once
per request, before any view runs.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from flask.typing import ResponseReturnValue
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response as BaseResponse

from .. import accounts
from ..db.models import Account
from ..errors import ApiError, json_object_body
from ..extensions import db
from ..ownership import act_as
from ..text_safety import has_control_characters

bp = Blueprint("auth", __name__)

PUBLIC_ENDPOINTS = {"auth.login_page", "auth.login", "pages.healthz", "static", "assets.asset",
                    "shares.shared_page"}  # a share link is for anyone who has it
PAGE_ENDPOINTS = {"pages.index"}


HOST_ONLY_PREFIX = "__Host-"
TWO_COOKIES = ("Your browser sent more than one routerchat session cookie: a page on another port of this "
               "host, or a sibling site, may have planted one. They have been cleared; log in again.")
TWO_COOKIES_REASON = "session_cookies"


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie (holding a server-side session's token, see accounts/sessions.py),
    marked Secure and named `__Host-…` exactly when the request came over HTTPS (behind a proxy
    only when TRUST_PROXY lets X-Forwarded-Proto say so): a `__Host-` cookie can only be set by a
    secure page of this very host, for the whole site, so no other port or subdomain can toss one."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return request.is_secure

    def get_cookie_name(self, app: Flask) -> str:
        name: str = app.config["SESSION_COOKIE_NAME"]
        return HOST_ONLY_PREFIX + name if request.is_secure else name


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    if app.config["TRUST_PROXY"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)  # type: ignore[method-assign]


def safe_next(target: str | None) -> str:
    """Where to go after logging in: a path on this site only, never another site.

    The value is already percent-decoded. Browsers drop tabs and line breaks from a URL and read
    a backslash as a slash, so `/%09/evil.example` (a tab) would become `//evil.example`: any control or
    invisible format character, any backslash, and anything with a scheme or a host is refused.
    """
    if not target or not target.startswith("/") or "\\" in target or has_control_characters(target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return "/"
    return target


def _session_account() -> Account | None:
    """The logged-in account, if the cookie names a live session of it (not logged out, not past
    its end) and its password has not changed since."""
    auth = session.get("auth")
    if not isinstance(auth, dict) or not isinstance(auth.get("account"), int):
        return None
    if not accounts.sessions.is_live(auth.get("token"), auth["account"]):
        return None
    account = db.session.get(Account, auth["account"])
    if account is None or auth.get("stamp") != accounts.session_stamp(account):
        return None
    return account


def _carries_two_session_cookies() -> bool:
    """A cookie another origin planted with a narrower path (`path=/chat`) arrives beside ours:
    whichever the server read, the person would act in an account they did not choose."""
    name = current_app.session_interface.get_cookie_name(current_app)
    return len(request.cookies.getlist(name)) > 1


def _refuse_two_session_cookies() -> BaseResponse:
    """No session for this request, and every copy of the cookie the browser could have sent for
    this path is expired (its path is not sent back, so each prefix of this one is cleared)."""
    act_as(None)
    g.account_name = None
    response: BaseResponse
    if request.endpoint == "auth.login_page":
        response = make_response(render_template("login.html", next_url="/", notice=TWO_COOKIES))
    elif request.endpoint in PAGE_ENDPOINTS:
        response = redirect(url_for("auth.login_page", notice="cookies"))
    else:
        response = jsonify({"error": TWO_COOKIES, "reason": TWO_COOKIES_REASON})
        response.status_code = 401
    name = current_app.session_interface.get_cookie_name(current_app)
    for path in _path_prefixes(request.path):
        response.delete_cookie(name, path=path, secure=request.is_secure, httponly=True)
    return response


def _path_prefixes(path: str) -> list[str]:
    """`/conversation/abc` → `/`, `/conversation`, `/conversation/`, `/conversation/abc`, `/conversation/abc/`."""
    parts = [part for part in path.split("/") if part]
    prefixes = ["/"]
    for n in range(1, len(parts) + 1):
        prefix = "/" + "/".join(parts[:n])
        prefixes += [prefix, prefix + "/"]
    return prefixes


@bp.before_app_request
def require_login() -> ResponseReturnValue | None:
    if _carries_two_session_cookies() and accounts.any_exist():
        return _refuse_two_session_cookies()
    account = _session_account()
    act_as(account.id if account else None)
    g.account_name = account.name if account else None
    if account or request.endpoint in PUBLIC_ENDPOINTS or not accounts.any_exist():
        return None
    if request.endpoint in PAGE_ENDPOINTS:
        return redirect(url_for("auth.login_page", next=request.full_path.rstrip("?")))
    raise ApiError(401, "Log in first: this routerchat has accounts.")


@bp.app_context_processor
def account_name() -> dict[str, Any]:
    return {"account_name": g.get("account_name")}


@bp.get("/login")
def login_page() -> ResponseReturnValue:
    target = safe_next(request.args.get("next"))
    if g.account_name or not accounts.any_exist():
        return redirect(target)
    notice = TWO_COOKIES if request.args.get("notice") == "cookies" else None  # fixed words: no text from the URL
    return render_template("login.html", next_url=target, notice=notice)


@bp.post("/login")
def login() -> Response:
    body = json_object_body()
    account = accounts.authenticate(body.get("username"), body.get("password"), request.remote_addr or "unknown")
    token = accounts.sessions.start(account, current_app.permanent_session_lifetime)
    session.clear()
    session["auth"] = {"account": account.id, "stamp": accounts.session_stamp(account), "token": token}
    session.permanent = True
    return jsonify({"name": account.name, "is_admin": account.is_admin})


@bp.post("/logout")
def logout() -> tuple[str, int]:
    """Ends the session on the server too: a copy of the cookie no longer works."""
    auth = session.get("auth")
    if isinstance(auth, dict):
        accounts.sessions.end(auth.get("token"))
    session.clear()
    return "", 204
