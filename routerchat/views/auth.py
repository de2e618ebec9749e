"""Logging in and out, and the gate every request passes once an account exists.

The gate also says whose data the request may touch (ownership.py), so ownership is decided once
per request, before any view runs.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, g, jsonify, redirect, render_template, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask.typing import ResponseReturnValue
from werkzeug.middleware.proxy_fix import ProxyFix

from .. import accounts
from ..db.models import Account
from ..errors import ApiError, json_object_body
from ..extensions import db
from ..ownership import act_as

bp = Blueprint("auth", __name__)

PUBLIC_ENDPOINTS = {"auth.login_page", "auth.login", "pages.healthz", "static", "assets.asset"}
PAGE_ENDPOINTS = {"pages.index"}


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, marked Secure exactly when the request came over HTTPS (behind a
    proxy only when TRUST_PROXY lets X-Forwarded-Proto say so)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return request.is_secure


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    if app.config["TRUST_PROXY"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)  # type: ignore[method-assign]


def safe_next(target: str | None) -> str:
    """Where to go after logging in: a path on this site only, never another site."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


def _session_account() -> Account | None:
    """The logged-in account, if the cookie names one whose password has not changed since."""
    auth = session.get("auth")
    if not isinstance(auth, dict) or not isinstance(auth.get("account"), int):
        return None
    account = db.session.get(Account, auth["account"])
    if account is None or auth.get("stamp") != accounts.session_stamp(account):
        return None
    return account


@bp.before_app_request
def require_login() -> ResponseReturnValue | None:
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
    return render_template("login.html", next_url=target)


@bp.post("/login")
def login() -> Response:
    body = json_object_body()
    account = accounts.authenticate(body.get("username"), body.get("password"), request.remote_addr or "unknown")
    session.clear()
    session["auth"] = {"account": account.id, "stamp": accounts.session_stamp(account)}
    session.permanent = True
    return jsonify({"name": account.name, "is_admin": account.is_admin})


@bp.post("/logout")
def logout() -> tuple[str, int]:
    session.clear()
    return "", 204
