"""New rows and changes on the hot path (POST /chat, an answer's end, the title job) as one Core
statement each, built once and sent with new parameters every time.

The ORM's unit of work (session.add and flush: identity map, change tracking, events) and its
ORM-enabled UPDATE (which first works out which loaded objects the statement touches) cost
about as much CPU again as the statement they send; rows a request never reads back as objects
need none of it. A statement built anew for each call (`.values(...)` with the values inside)
costs ~0.25 ms more on top: SQLAlchemy derives its cache key from every value before it finds
the compiled SQL. They are sent as prepared statements (prepared.py), in the current transaction.
"""
from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Insert, Table, Update, bindparam, insert, update

from ..extensions import Base
from . import prepared

ROW_KEY = "row_key"  # the parameter naming the row an UPDATE changes (no column is called so)


def table_of(model: type[Base]) -> Table:
    """The model's table: statements over it (and its `.c` columns) skip the ORM."""
    table: Table = model.__table__  # type: ignore[assignment]  # every model here maps one Table
    return table


@cache
def _inserting(table: Table) -> Insert:
    [key] = table.primary_key.columns
    return insert(table).returning(key)


@cache
def _updating(table: Table) -> Update:
    [key] = table.primary_key.columns
    return update(table).where(key == bindparam(ROW_KEY))


def insert_row(mapped: type[Base], values: dict[str, Any]) -> Any:
    """Store a `mapped` row of these column values with one INSERT … RETURNING (the columns'
    defaults fill in the rest); its primary key. No ORM object is built: three of them (a new
    chat, its question, its answer) cost about a tenth of a chat's start (bench/RESULTS.md, issue
    24). The caller commits."""
    return prepared.first_value(_inserting(table_of(mapped)), values)


def update_row(mapped: type[Base], key: Any, /, **values: Any) -> None:
    """Set these columns of the `mapped` row whose primary key is `key` (one UPDATE; the caller commits)."""
    prepared.run(_updating(table_of(mapped)), {ROW_KEY: key, **values})
