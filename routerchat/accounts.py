"""Accounts: names, password hashes, sessions' stamps, the login throttle and the bind rule.

Without any account the app is one person's, as before, and may only listen on loopback. Once an
account exists every request needs a session (see views/auth.py); a session names the account and
carries a stamp of its password hash, so changing the password or removing the account ends every
session made before.
"""
from __future__ import annotations

import hashlib
import ipaddress
import unicodedata
from datetime import timedelta
from functools import cache

import gevent
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask

from .errors import ApiError
from .extensions import db
from .models import ACCOUNT_NAME_MAX_CHARS, NO_ACCOUNT, Account, Conversation, LoginFailure, Preset, utcnow

PASSWORD_MIN_CHARS = 8
PASSWORD_MAX_CHARS = 1024
FAILED_LOGINS_PER_MINUTE = 10
THROTTLE_WINDOW = timedelta(minutes=1)
LOOPBACK_NAMES = {"localhost"}

_hasher = PasswordHasher()


def check_name(name: object) -> str:
    """A name as typed at login: 1-64 characters, no control or invisible format characters."""
    if not isinstance(name, str) or not name.strip():
        raise ApiError(400, "The name must not be empty.")
    if name != name.strip():
        raise ApiError(400, "The name must not start or end with spaces.")
    if len(name) > ACCOUNT_NAME_MAX_CHARS:
        raise ApiError(400, f"The name must be at most {ACCOUNT_NAME_MAX_CHARS} characters.")
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise ApiError(400, "The name must not contain control characters.")
    return name


def check_password(password: object) -> str:
    if not isinstance(password, str) or len(password) < PASSWORD_MIN_CHARS:
        raise ApiError(400, f"The password must be at least {PASSWORD_MIN_CHARS} characters.")
    if len(password) > PASSWORD_MAX_CHARS:
        raise ApiError(400, f"The password must be at most {PASSWORD_MAX_CHARS} characters.")
    return password


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@cache
def _dummy_hash() -> str:
    """Checked when the name is unknown, so a wrong name costs as long as a wrong password."""
    return hash_password("routerchat: no such account")


def password_matches(password_hash: str, password: str) -> bool:
    """Verify in gevent's thread pool: argon2 takes ~0.1 s of CPU (without the GIL), during which
    the worker's other greenlets (everyone's streaming answers) keep running."""
    try:
        matches: bool = gevent.get_hub().threadpool.apply(_hasher.verify, (password_hash, password))
        return matches
    except (VerificationError, InvalidHashError):
        return False


def session_stamp(account: Account) -> str:
    """Changes whenever the password does: a session made with an older password stops working."""
    return hashlib.sha256(account.password_hash.encode()).hexdigest()[:16]


def is_loopback(host: str) -> bool:
    host = host.strip().removeprefix("[").removesuffix("]")
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind_refusal(hosts: list[str], has_accounts: bool, allow_no_auth: bool) -> str | None:
    """Why the server must not start (listening beyond this machine with nobody to log in), or None."""
    public = [host for host in hosts if not is_loopback(host)]
    if not public or has_accounts or allow_no_auth:
        return None
    return (f"routerchat will not listen on {', '.join(public)} without accounts: anyone who reaches the port "
            "could read every conversation and spend your OpenRouter credit. Add an account first with "
            "`python main.py user add NAME`, or set ALLOW_NO_AUTH=1 if everyone on this network is trusted.")


# --- database helpers ---------------------------------------------------------------------------

def refuse_unprotected_bind(app: Flask, hosts: list[str]) -> None:
    """Stop start-up (main.py and gunicorn's master) rather than serve everyone's data openly."""
    with app.app_context():
        refusal = bind_refusal(hosts, any_exist(), app.config["ALLOW_NO_AUTH"])
    if refusal:
        raise SystemExit(refusal)


def any_exist() -> bool:
    return db.session.scalar(db.select(Account.id).limit(1)) is not None


def find(name: str) -> Account | None:
    account: Account | None = db.session.scalar(db.select(Account).where(Account.name == name))
    return account


def named(name: str) -> Account:
    account = find(name)
    if account is None:
        raise ApiError(404, f"There is no account named “{name}”.")
    return account


def all_accounts() -> list[Account]:
    return list(db.session.scalars(db.select(Account).order_by(Account.id)))


def check_new_name(name: object) -> str:
    name = check_name(name)
    if find(name) is not None:
        raise ApiError(409, f"An account named “{name}” already exists.")
    return name


def add(name: object, password: object) -> Account:
    """Create an account; the first one becomes the admin and takes over the data made without accounts."""
    name, password = check_new_name(name), check_password(password)
    first = not any_exist()
    account = Account(name=name, password_hash=hash_password(password), is_admin=first, created_at=utcnow())
    db.session.add(account)
    db.session.flush()
    if first:
        _adopt_unowned_data(account.id)
    db.session.commit()
    return account


def _adopt_unowned_data(account_id: int) -> None:
    db.session.execute(db.update(Conversation).where(Conversation.account_id.is_(None))
                       .values(account_id=account_id))
    db.session.execute(db.update(Preset).where(Preset.account_id == NO_ACCOUNT).values(account_id=account_id))


def set_password(name: str, password: object) -> None:
    named(name).password_hash = hash_password(check_password(password))
    db.session.commit()


def remove(name: str, keep_conversations: bool) -> int:
    """Remove an account and its presets; its conversations are deleted, or kept by the admin
    (or, when it was the last account, by the app without accounts). Returns how many moved or went."""
    account = named(name)
    owned = Conversation.account_id == account.id
    count = db.session.scalar(db.select(db.func.count()).select_from(Conversation).where(owned)) or 0
    successor = db.session.scalar(db.select(Account).where(Account.id != account.id).order_by(Account.id).limit(1))
    if keep_conversations:
        db.session.execute(db.update(Conversation).where(owned)
                           .values(account_id=successor.id if successor else None))
    else:
        db.session.execute(db.delete(Conversation).where(owned))  # messages go with them (ON DELETE CASCADE)
    db.session.execute(db.delete(Preset).where(Preset.account_id == account.id))
    if account.is_admin and successor is not None:
        successor.is_admin = True
    db.session.delete(account)
    db.session.commit()
    return count


def authenticate(name: object, password: object, address: str) -> Account:
    """The account for this name and password, or an ApiError (401 wrong, 429 too many failures)."""
    if not isinstance(name, str) or not isinstance(password, str) or not name or not password:
        raise ApiError(400, "Send {\"username\": ..., \"password\": ...} as non-empty strings.")
    if recent_failures(address) >= FAILED_LOGINS_PER_MINUTE:
        raise ApiError(429, "Too many failed logins from your address. Wait a minute and try again.")
    account = find(name)
    if not password_matches(account.password_hash if account else _dummy_hash(), password) or account is None:
        _record_failure(address)
        raise ApiError(401, "Wrong name or password.")
    return account


def recent_failures(address: str) -> int:
    since = utcnow() - THROTTLE_WINDOW
    return db.session.scalar(db.select(db.func.count()).select_from(LoginFailure)
                             .where(LoginFailure.address == address, LoginFailure.at > since)) or 0


def _record_failure(address: str) -> None:
    """Count the failure (in the database: every worker sees it) and forget ones past the window."""
    now = utcnow()
    db.session.execute(db.delete(LoginFailure).where(LoginFailure.at <= now - THROTTLE_WINDOW))
    db.session.add(LoginFailure(address=address[:64], at=now))
    db.session.commit()
