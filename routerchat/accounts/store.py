"""Accounts in the database: names, adding, removing, changing passwords, and the login (with its
throttle: failures are counted in the database, so the limit holds across worker processes)."""
from __future__ import annotations

import logging
import unicodedata
from datetime import timedelta

from sqlalchemy import select

from ..constants import ACCOUNT_NAME_MAX_CHARS, NO_ACCOUNT
from ..db import prepared
from ..db.models import Account, Attachment, Conversation, Folder, LoginFailure, Preset, utcnow
from ..db.rows import table_of
from ..errors import ApiError
from ..extensions import db
from ..text_safety import has_control_characters
from . import sessions
from .passwords import check_password, dummy_hash, hash_password, password_matches

FAILED_LOGINS_PER_MINUTE = 10
THROTTLE_WINDOW = timedelta(minutes=1)
NAME_KEY_MAX_CHARS = 255

log = logging.getLogger(__name__)


def name_key(name: str) -> str:
    """What makes two names the same account: NFKC and case folding, so `alice`, `Alice`,
    `ａｌｉｃｅ` and the composed and decomposed `café` are one name (Unicode's NFKC_Casefold)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())


def check_name(name: object) -> str:
    """A name as typed at login: 1-64 characters, no control or invisible format characters."""
    if not isinstance(name, str) or not name.strip():
        raise ApiError(400, "The name must not be empty.")
    if name != name.strip():
        raise ApiError(400, "The name must not start or end with spaces.")
    if len(name) > ACCOUNT_NAME_MAX_CHARS:
        raise ApiError(400, f"The name must be at most {ACCOUNT_NAME_MAX_CHARS} characters.")
    if has_control_characters(name):
        raise ApiError(400, "The name must not contain control characters.")
    if len(name_key(name)) > NAME_KEY_MAX_CHARS:
        raise ApiError(400, "The name is too long once its characters are spelled out (NFKC).")
    return name


ANY_ACCOUNT = select(table_of(Account).c.id).limit(1)  # Core, built once: every request asks (the login gate)


def any_exist() -> bool:
    return prepared.first_value(ANY_ACCOUNT, {}) is not None


def find(name: str) -> Account | None:
    """The account of this name, spelled exactly or any way that folds to the same name."""
    exact: Account | None = db.session.scalar(db.select(Account).where(Account.name == name))
    if exact is not None:
        return exact
    folded: Account | None = db.session.scalar(db.select(Account).where(Account.name_key == name_key(name)))
    return folded


def named(name: str) -> Account:
    account = find(name)
    if account is None:
        raise ApiError(404, f"There is no account named “{name}”.")
    return account


def all_accounts() -> list[Account]:
    return list(db.session.scalars(db.select(Account).order_by(Account.id)))


def check_new_name(name: object) -> str:
    name = check_name(name)
    existing = find(name)
    if existing is not None:
        raise ApiError(409, f"An account named “{existing.name}” already exists (names differing only "
                            "in case or width are the same name).")
    return name


def add(name: object, password: object) -> Account:
    """Create an account; the first one becomes the admin and takes over the data made without accounts."""
    name, password = check_new_name(name), check_password(password)
    first = not any_exist()
    account = Account(name=name, name_key=name_key(name), password_hash=hash_password(password),
                      is_admin=first, created_at=utcnow())
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
    db.session.execute(db.update(Attachment).where(Attachment.account_id.is_(None)).values(account_id=account_id))
    db.session.execute(db.update(Folder).where(Folder.account_id == NO_ACCOUNT).values(account_id=account_id))


def set_password(name: str, password: object) -> None:
    """A new password ends every session of the account."""
    account = named(name)
    account.password_hash = hash_password(check_password(password))
    sessions.end_all(account.id)
    db.session.commit()


def remove(name: str, keep_conversations: bool) -> int:
    """Remove an account, its presets and its folders; its conversations are deleted, or kept (out
    of any folder) by the admin (or, when it was the last account, by the app without accounts).
    Returns how many moved or went."""
    account = named(name)
    owned = Conversation.account_id == account.id
    count = db.session.scalar(db.select(db.func.count()).select_from(Conversation).where(owned)) or 0
    successor = db.session.scalar(db.select(Account).where(Account.id != account.id).order_by(Account.id).limit(1))
    heir = successor.id if successor else None
    if keep_conversations:
        db.session.execute(db.update(Conversation).where(owned).values(account_id=heir))
        db.session.execute(db.update(Attachment).where(Attachment.account_id == account.id).values(account_id=heir))
    else:
        db.session.execute(db.delete(Conversation).where(owned))  # messages go with them (ON DELETE CASCADE)
        db.session.execute(db.delete(Attachment).where(Attachment.account_id == account.id))
    db.session.execute(db.delete(Preset).where(Preset.account_id == account.id))
    folders = db.select(Folder.id).where(Folder.account_id == account.id)
    db.session.execute(db.update(Conversation).where(Conversation.folder_id.in_(folders)).values(folder_id=None))
    db.session.execute(db.delete(Folder).where(Folder.account_id == account.id))
    if account.is_admin and successor is not None:
        successor.is_admin = True
    sessions.end_all(account.id)
    db.session.delete(account)
    db.session.commit()
    return count


def authenticate(name: object, password: object, address: str) -> Account:
    """The account for this name and password, or an ApiError (401 wrong, 429 too many failures).

    The attempt counts as a failure before the password is checked, and is forgiven only when
    it succeeds: concurrent guesses each see the ones before them (the k-th to be written counts at
    least k), so no more than the limit are ever checked, however many arrive at once.
    """
    if not isinstance(name, str) or not isinstance(password, str) or not name or not password:
        raise ApiError(400, "Send {\"username\": ..., \"password\": ...} as non-empty strings.")
    attempt = _record_failure(address)
    if recent_failures(address) > FAILED_LOGINS_PER_MINUTE:  # a refused attempt stays counted
        raise ApiError(429, "Too many failed logins from your address. Wait a minute and try again.")
    account = find(name)
    if not password_matches(account.password_hash if account else dummy_hash(), password) or account is None:
        log.warning("failed login for %r from %s", name[:ACCOUNT_NAME_MAX_CHARS], address)
        raise ApiError(401, "Wrong name or password.")
    _forget_failure(attempt)
    return account


def recent_failures(address: str) -> int:
    since = utcnow() - THROTTLE_WINDOW
    return db.session.scalar(db.select(db.func.count()).select_from(LoginFailure)
                             .where(LoginFailure.address == address[:64], LoginFailure.at > since)) or 0


def _record_failure(address: str) -> int:
    """Count a failure (in the database: every worker sees it, committed before anyone counts)
    and forget ones past the window; returns its id."""
    now = utcnow()
    db.session.execute(db.delete(LoginFailure).where(LoginFailure.at <= now - THROTTLE_WINDOW))
    failure = LoginFailure(address=address[:64], at=now)
    db.session.add(failure)
    db.session.commit()
    return failure.id


def _forget_failure(failure_id: int) -> None:
    db.session.execute(db.delete(LoginFailure).where(LoginFailure.id == failure_id))
    db.session.commit()
