"""The guard that no database connection is held while waiting on the network."""
from __future__ import annotations

import logging
import weakref
from typing import TYPE_CHECKING

import gevent
from greenlet import getcurrent  # type: ignore[import-untyped]  # ships no type hints
from sqlalchemy import event
from sqlalchemy.engine import Engine

if TYPE_CHECKING:
    from sqlalchemy.engine.interfaces import DBAPIConnection
    from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

log = logging.getLogger(__name__)

GUARD_MODES = ("off", "warn", "strict")


class HeldConnectionError(RuntimeError):
    """A greenlet was about to wait on the network while holding a pooled database connection."""


class ConnectionGuard:
    """Counts the pooled connections each greenlet has checked out, so code that is about to
    wait on the network (an upstream request, a poll's sleep) can check it holds none.

    A connection held across such a wait is taken from every other request for as long as the
    upstream takes: a few slow title requests used to exhaust the pool and stall the whole app.
    `warn` logs the offence; `strict` (the test servers) also raises, so the suite fails on it.
    """

    def __init__(self) -> None:
        # greenlet -> the guard mode of each connection it holds (the mode of the app, hence of
        # the engine, the connection came from: tests run apps of several modes in one process)
        self._held: weakref.WeakKeyDictionary[object, list[str]] = weakref.WeakKeyDictionary()

    def watch(self, engine: Engine, mode: str) -> None:
        def checked_out(_dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry,
                        _proxy: PoolProxiedConnection) -> None:
            owner = getcurrent()
            record.info["guard_owner"] = weakref.ref(owner)
            record.info["guard_mode"] = mode
            self._held.setdefault(owner, []).append(mode)
        event.listen(engine, "checkout", checked_out)
        event.listen(engine, "checkin", self._checked_in)

    def _checked_in(self, _dbapi_connection: DBAPIConnection | None, record: ConnectionPoolEntry | None) -> None:
        if record is None:
            return
        owner_ref = record.info.pop("guard_owner", None)
        owner = owner_ref() if owner_ref else None
        modes = self._held.get(owner) if owner is not None else None
        mode = record.info.pop("guard_mode", None)
        if modes and mode in modes:
            modes.remove(mode)

    def held(self) -> int:
        """Connections the current greenlet has checked out and not returned."""
        return len(self._held.get(getcurrent(), ()))

    def check(self, waiting_on: str) -> None:
        """Call before waiting on the network: logs (and in strict mode raises) when the current
        greenlet holds a connection. The fix is `db.session.close()` (or commit) before the wait."""
        modes = [mode for mode in self._held.get(getcurrent(), ()) if mode != "off"]
        if not modes:
            return
        message = f"held {len(modes)} database connection(s) while waiting on {waiting_on}"
        log.error("connection guard: %s", message, stack_info=True)
        if "strict" in modes:
            raise HeldConnectionError(message)


guard = ConnectionGuard()


def pause(seconds: float) -> None:
    """The one way to sleep in a poll loop: other requests keep the pool while we wait."""
    guard.check("a pause")
    gevent.sleep(seconds)


