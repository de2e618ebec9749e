"""The bind rule: without accounts routerchat is one person's app and listens on loopback only."""
from __future__ import annotations

import ipaddress

from flask import Flask

from .store import any_exist

LOOPBACK_NAMES = {"localhost"}


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


def refuse_unprotected_bind(app: Flask, hosts: list[str]) -> None:
    """Stop start-up (main.py and gunicorn's master) rather than serve everyone's data openly."""
    with app.app_context():
        refusal = bind_refusal(hosts, any_exist(), app.config["ALLOW_NO_AUTH"])
    if refusal:
        raise SystemExit(refusal)


