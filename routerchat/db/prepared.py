"""Statements of the hot path, compiled once per dialect and sent straight to the DBAPI cursor of
the session's connection, in the session's transaction, or of the connection of a `transaction()`.

`Session.execute` with a Core statement built once still costs about twice what the database
itself spends on it: an execution context per call, the compiled-cache lookup, parameter
processing through generic machinery, a Result object, events. A message's start runs six such
statements (the login gate's question, the preset, the instructions, the three rows), and in a
burst of new chats every first token waits for all of them (see bench/RESULTS.md, issue 24).
Here the SQL text, the parameter order, the Python-side column defaults and the types' bind
processors are worked out once per statement, set of parameters and dialect; each call then does
only what the values need. Errors come out as SQLAlchemy's own (`DBAPIError.instance`), so callers
catch `SQLAlchemyError` as before; a lost connection is invalidated as SQLAlchemy would.

Only plain statements qualify: no expanding (IN) parameters, no SQL-expression defaults, and
result columns that need no processing on the dialect (checked when a statement is prepared).
Prepared statements are kept by the statement object's identity: pass statements built once (module
constants, or builders under `functools.cache`), never one built anew for each call.

`transaction()` runs a unit of such statements on a pooled connection of its own, committed at its
end, without the ORM session: a session's cycle (its transaction objects, the connection taken and
given back through it, its close and the pool's reset) costs about twice a connection's, and the
units of the hot path (an exchange's rows, an answer's end, the title job's steps) read and write
no ORM objects.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnDefault, Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BindParameter

from ..extensions import db

Processor = Callable[[Any], Any]


@dataclass(frozen=True)
class Prepared:
    """One statement for one dialect and one set of parameter names."""

    sql: str
    order: tuple[str, ...] | None  # positional paramstyles: the bind names in order; named ones: None
    fixed: dict[str, Any]  # values the statement carries itself (a LIMIT's)
    defaults: tuple[tuple[str, Any, bool], ...]  # (bind name, the column default's arg, whether to call it)
    processors: tuple[tuple[str, Processor], ...]  # the types' bind processors, by bind name
    escaped: dict[str, str]  # bind name → the name the driver sees, where they differ

    def parameters(self, given: Mapping[str, Any]) -> Any:
        """The driver's parameters for these values: defaults filled in, processed, in order."""
        values = {**self.fixed, **given}
        for name, arg, call in self.defaults:
            if name not in values:
                values[name] = arg(None) if call else arg
        for name, process in self.processors:
            values[name] = process(values[name])
        if self.order is not None:
            return tuple(values[name] for name in self.order)
        return {self.escaped.get(name, name): value for name, value in values.items()}


_prepared: dict[tuple[ClauseElement, Dialect, frozenset[str]], Prepared] = {}


def prepare(statement: ClauseElement, dialect: Dialect, names: frozenset[str]) -> Prepared:
    """`statement` compiled for `dialect` with parameters `names` (cached)."""
    key = (statement, dialect, names)
    found = _prepared.get(key)
    if found is None:
        found = _prepared[key] = _compile(statement, dialect, names)
    return found


def _compile(statement: ClauseElement, dialect: Dialect, names: frozenset[str]) -> Prepared:
    compiled = statement.compile(dialect=dialect, column_keys=sorted(names))
    assert isinstance(compiled, SQLCompiler)
    binds = {name: bind for bind, name in compiled.bind_names.items()}
    _check_sendable(statement, binds, dialect)
    defaults = _python_defaults(compiled)
    defaulted = {name for name, _, _ in defaults}
    processors = [(name, process) for name, bind in binds.items()
                  if (process := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None]
    fixed = {name: bind.effective_value for name, bind in binds.items()
             if name not in names and name not in defaulted and not bind.required}
    return Prepared(sql=compiled.string, order=tuple(compiled.positiontup) if compiled.positiontup else None,
                    fixed=fixed, defaults=defaults, processors=tuple(processors),
                    escaped=dict(compiled.escaped_bind_names))


def _check_sendable(statement: ClauseElement, binds: dict[str, BindParameter[Any]], dialect: Dialect) -> None:
    """Refuse what only SQLAlchemy's full execution does right: IN lists, processed results."""
    if any(bind.expanding for bind in binds.values()):
        raise ValueError("a prepared statement cannot take expanding (IN) parameters")
    for column in getattr(statement, "exported_columns", ()):  # what it returns
        if column.type.dialect_impl(dialect).result_processor(dialect, None) is not None:
            raise ValueError(f"{column} needs result processing on {dialect.name}: not a prepared statement")


def _python_defaults(compiled: SQLCompiler) -> tuple[tuple[str, Any, bool], ...]:
    """The defaults SQLAlchemy computes in Python for columns a statement does not set."""
    found = []
    for column in [*compiled.insert_prefetch, *compiled.update_prefetch]:
        default = column.default if column in compiled.insert_prefetch else column.onupdate
        if not isinstance(default, ColumnDefault) or not (default.is_scalar or default.is_callable):
            raise ValueError(f"{column}'s default is not a Python value: not a prepared statement")
        found.append((column.key, default.arg, default.is_callable))
    return tuple(found)


# The connection of the `transaction()` the current greenlet is in (greenlets have contexts of their own).
_unit: ContextVar[Connection | None] = ContextVar("prepared_unit", default=None)


@contextmanager
def transaction() -> Iterator[Connection]:
    """A connection from the pool, in a transaction, for the statements run inside (these functions
    use it instead of the session's): committed when the block ends, rolled back when it raises, and
    given back to the pool either way. Hold it across no network wait, as a session."""
    with db.engine.begin() as connection:
        token = _unit.set(connection)
        try:
            yield connection
        finally:
            _unit.reset(token)


def current_connection() -> Connection:
    """Where statements run now: the `transaction()`'s connection, else the session's."""
    return _unit.get() or db.session.connection()


def execute(statement: ClauseElement, parameters: Mapping[str, Any]) -> Any:
    """Run `statement` with `parameters` in the current transaction (`current_connection()`); the
    DBAPI cursor (the caller fetches from it and closes it)."""
    connection = current_connection()
    prepared = prepare(statement, connection.dialect, frozenset(parameters))
    values = prepared.parameters(parameters)
    cursor = connection.connection.cursor()
    dispatch = connection.dispatch
    if dispatch.before_cursor_execute:  # listeners see these statements too (context: None)
        dispatch.before_cursor_execute(connection, cursor, prepared.sql, values, None, False)
    if connection.engine.echo:
        connection.engine.logger.info("%s [prepared] %r", prepared.sql, values)
    try:
        cursor.execute(prepared.sql, values)
    except connection.dialect.loaded_dbapi.Error as exc:
        cursor.close()
        raise _wrapped(connection, prepared.sql, values, exc) from exc
    if dispatch.after_cursor_execute:
        dispatch.after_cursor_execute(connection, cursor, prepared.sql, values, None, False)
    return cursor


def first_row(statement: ClauseElement, parameters: Mapping[str, Any]) -> tuple[Any, ...] | None:
    """The first row `statement` returns (a tuple); None when there is none."""
    cursor = execute(statement, parameters)
    try:
        row = cursor.fetchone()
    finally:
        cursor.close()
    return None if row is None else tuple(row)


def first_value(statement: ClauseElement, parameters: Mapping[str, Any]) -> Any:
    """The first column of the first row `statement` returns; None when there is none."""
    row = first_row(statement, parameters)
    return None if row is None else row[0]


def run(statement: ClauseElement, parameters: Mapping[str, Any]) -> int:
    """Run `statement` (a change) with `parameters`; how many rows it changed."""
    cursor = execute(statement, parameters)
    try:
        count: int = cursor.rowcount
    finally:
        cursor.close()
    return count


def _wrapped(connection: Connection, sql: str, values: Any, exc: Any) -> StatementError:
    """The driver's error as SQLAlchemy raises it; a connection the error lost is invalidated."""
    dialect = connection.dialect
    lost = dialect.is_disconnect(exc, connection.connection.dbapi_connection, None)
    if lost:
        connection.invalidate(exc)
    error: StatementError = DBAPIError.instance(sql, values, exc, dialect.loaded_dbapi.Error,
                                                connection_invalidated=lost, dialect=dialect)
    return error
