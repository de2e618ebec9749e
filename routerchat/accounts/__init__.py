"""Accounts: names and the login (store.py, with its throttle), password hashes and the stamp that
ends old sessions (passwords.py), the bind rule (binding.py) and the `user` commands (cli.py).

Without any account the app is one person's, as before, and may only listen on loopback. Once an
account exists every request needs a session (see views/auth.py); a session names the account and
carries a stamp of its password hash, so changing the password or removing the account ends every
session made before.
"""
from . import sessions
from .binding import bind_refusal, is_loopback, refuse_unprotected_bind
from .passwords import check_password, hash_password, password_matches, session_stamp
from .store import (
    FAILED_LOGINS_PER_MINUTE,
    add,
    all_accounts,
    any_exist,
    authenticate,
    check_name,
    check_new_name,
    named,
    remove,
    set_password,
)

__all__ = [
    "FAILED_LOGINS_PER_MINUTE", "add", "all_accounts", "any_exist", "authenticate", "bind_refusal", "check_name",
    "check_new_name", "check_password", "hash_password", "is_loopback", "named", "password_matches",
    "refuse_unprotected_bind", "remove", "session_stamp", "sessions", "set_password",
]
