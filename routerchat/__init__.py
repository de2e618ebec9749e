"""routerchat: a self-hosted chat app for OpenRouter models.

Importing the package loads nothing else: gunicorn's master imports it (for routerchat.gunicorn_conf)
before its gevent workers fork and patch the standard library, and ssl, requests or psycopg
imported that early would stay unpatched in every worker (TLS reads to OpenRouter, and database
waits, would block a whole worker). The app and its dependencies load when create_app is called.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(test_config: dict[str, Any] | None = None, instance_path: str | None = None) -> Flask:
    from .factory import create_app as build

    return build(test_config, instance_path)
