"""`python main.py user ...`: add, list, remove accounts and change passwords from the server's shell."""
from __future__ import annotations

import argparse
import getpass
import sys

from flask import Flask

from ..errors import ApiError
from . import store as accounts


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python main.py user", description="Manage routerchat accounts.")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="add an account (the first one is the admin and gets the existing chats)")
    add.add_argument("name")
    add.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    commands.add_parser("list", help="list the accounts")
    remove = commands.add_parser("remove", help="remove an account")
    remove.add_argument("name")
    fate = remove.add_mutually_exclusive_group(required=True)
    fate.add_argument("--delete-conversations", action="store_true", help="delete the account's conversations")
    fate.add_argument("--keep-conversations", action="store_true",
                      help="give the account's conversations to the admin (or to no account, if it was the last)")
    passwd = commands.add_parser("passwd", help="set a new password (ends that account's sessions)")
    passwd.add_argument("name")
    passwd.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    return parser


def read_password(from_stdin: bool) -> str:
    """The first line of stdin, or typed twice at the terminal without echo."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != password:
        raise ApiError(400, "The two passwords differ.")
    return password


def _run(args: argparse.Namespace) -> str:
    if args.command == "add":
        accounts.check_new_name(args.name)  # say so before asking for a password in vain
        account = accounts.add(args.name, read_password(args.password_stdin))
        role = " (admin: existing conversations and presets are now theirs)" if account.is_admin else ""
        return f"Added account “{account.name}”{role}."
    if args.command == "list":
        rows = [f"{a.name}{'  (admin)' if a.is_admin else ''}  created {a.created_at:%Y-%m-%d}"
                for a in accounts.all_accounts()]
        return "\n".join(rows) or "No accounts: routerchat is open to whoever reaches it (loopback only)."
    if args.command == "passwd":
        accounts.named(args.name)  # likewise
        accounts.set_password(args.name, read_password(args.password_stdin))
        return f"Changed the password of “{args.name}”; their sessions have ended."
    count = accounts.remove(args.name, keep_conversations=args.keep_conversations)
    fate = "kept" if args.keep_conversations else "deleted"
    return f"Removed account “{args.name}”; {count} conversation(s) {fate}."


def main(argv: list[str], app: Flask) -> int:
    args = _parser().parse_args(argv)
    with app.app_context():
        try:
            print(_run(args))
        except ApiError as exc:
            print(f"error: {exc.message}", file=sys.stderr)
            return 1
    return 0
