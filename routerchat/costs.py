"""What answers and titles cost: OpenRouter's usage as columns, per conversation, the usage
ledger (one row per billed request, written when it ends, never deleted with chats) and the
usage report of GET /usage, read from the ledger.

OpenRouter reports `cost` (credits, 1 credit = 1 US dollar) with every answer and title request;
other OpenAI-compatible upstreams send none, so every cost here may be None ("unknown"), which is
not the same as 0 (a free model).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import DateTime, Float, Integer, String, bindparam, func, insert, literal, select

from .db import prepared
from .db.models import Account, Conversation, Message, UsageRecord, utcnow
from .db.rows import table_of
from .errors import ApiError
from .extensions import db
from .ownership import current_owner
from .values import MAX_TOKEN_COUNT, is_whole_number

MAX_DAYS = 3660


def usage_columns(usage: dict[str, Any] | None) -> dict[str, Any]:
    """OpenRouter's usage as Message columns: whole token counts and a plausible cost, else None."""
    usage = usage or {}
    details = usage.get("completion_tokens_details")
    return {"prompt_tokens": _int_or_none(usage.get("prompt_tokens")),
            "completion_tokens": _int_or_none(usage.get("completion_tokens")),
            "total_tokens": _int_or_none(usage.get("total_tokens")),
            "cost": cost_or_none(usage.get("cost")),
            "reasoning_tokens": _int_or_none(details.get("reasoning_tokens")) if isinstance(details, dict) else None}


def _int_or_none(value: object) -> int | None:
    """A token count a column can hold; anything else (a negative, beyond 2^31) is unknown."""
    return value if is_whole_number(value) and 0 <= value <= MAX_TOKEN_COUNT else None


def cost_or_none(value: object) -> float | None:
    """OpenRouter's `cost` (credits = US dollars); other upstreams send none, or nonsense."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if 0 <= value < 1e6 else None


def known_sum(values: list[float | None]) -> float | None:
    """The sum of the known costs; None when none is known."""
    known = [v for v in values if v is not None]
    return round(sum(known), 10) if known else None


def conversation_cost(conversation: Conversation) -> float | None:
    """Its answers plus its title requests (uses the messages already loaded)."""
    return known_sum([m.cost for m in conversation.messages] + [conversation.title_cost])


def parse_days(raw: str | None) -> int:
    if raw is None:
        return 30
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_DAYS:
        raise ApiError(400, f"days must be a whole number from 1 to {MAX_DAYS}.")
    return int(raw)


LEDGER_COLUMNS = ("account_id", "kind", "model", "requests", "prompt_tokens", "completion_tokens", "cost", "at")
_CONVERSATIONS, _MESSAGES = table_of(Conversation), table_of(Message)
# A ledger row but for its owner, which the INSERT reads from the conversation: parameters, so the
# two statements below are built once (db/rows.py says why).
_LEDGER_FIELDS = (bindparam("ledger_kind", type_=String()), bindparam("ledger_model", type_=String()),
                  literal(1, Integer()), bindparam("ledger_prompt_tokens", type_=Integer()),
                  bindparam("ledger_completion_tokens", type_=Integer()), bindparam("ledger_cost", type_=Float()),
                  bindparam("ledger_at", type_=DateTime()))
_RECORD_ANSWER = insert(table_of(UsageRecord)).from_select(
    LEDGER_COLUMNS, select(_CONVERSATIONS.c.account_id, *_LEDGER_FIELDS)
    .join(_MESSAGES, _MESSAGES.c.conversation_id == _CONVERSATIONS.c.id)
    .where(_MESSAGES.c.id == bindparam("ledger_message_id")))
_RECORD_TITLE = insert(table_of(UsageRecord)).from_select(
    LEDGER_COLUMNS, select(_CONVERSATIONS.c.account_id, *_LEDGER_FIELDS)
    .where(_CONVERSATIONS.c.id == bindparam("ledger_conversation_id")))


def _ledger_values(kind: str, model: str | None, usage: dict[str, Any] | None) -> dict[str, Any]:
    columns = usage_columns(usage)
    return {"ledger_kind": kind, "ledger_model": model, "ledger_prompt_tokens": columns["prompt_tokens"],
            "ledger_completion_tokens": columns["completion_tokens"], "ledger_cost": columns["cost"],
            "ledger_at": utcnow()}


def record_answer(message_id: int, model: str | None, usage: dict[str, Any] | None) -> None:
    """Record one answer request in the ledger, owned like its conversation (one Core statement;
    caller commits). Nothing is recorded when the answer's row is gone (its chat was deleted)."""
    prepared.run(_RECORD_ANSWER, {"ledger_message_id": message_id, **_ledger_values("answer", model, usage)})


def record_title(conversation_id: str, model: str | None, usage: dict[str, Any] | None) -> None:
    """Record one title request in the ledger (one Core statement; caller commits)."""
    prepared.run(_RECORD_TITLE, {"ledger_conversation_id": conversation_id, **_ledger_values("title", model, usage)})


def usage_report(days: int) -> dict[str, Any]:
    """The current account's answers by model and title requests apart, over the last `days`
    days, from the ledger (deleted chats still count; imported answers never do); the admin also
    sees every account's totals."""
    since = utcnow() - timedelta(days=days)
    mine = [UsageRecord.account_id == current_owner(), UsageRecord.at >= since]  # None compiles to IS NULL
    rows = db.session.execute(
        db.select(UsageRecord.model, func.sum(UsageRecord.requests), func.sum(UsageRecord.prompt_tokens),
                  func.sum(UsageRecord.completion_tokens), func.sum(UsageRecord.cost))
        .where(*mine, UsageRecord.kind == "answer").group_by(UsageRecord.model)
    ).all()
    by_model = [{"model": model, "requests": requests, "prompt_tokens": prompt or 0,
                 "completion_tokens": completion or 0, "cost": _rounded(cost)}
                for model, requests, prompt, completion, cost in rows]
    by_model.sort(key=lambda row: (-(row["cost"] or 0), -row["requests"], row["model"] or ""))
    title_requests, title_cost = db.session.execute(
        db.select(func.coalesce(func.sum(UsageRecord.requests), 0), func.sum(UsageRecord.cost))
        .where(*mine, UsageRecord.kind == "title")
    ).one()
    titles = {"requests": title_requests, "cost": _rounded(title_cost)}
    report = {"days": days, "total_cost": known_sum([row["cost"] for row in by_model] + [titles["cost"]]),
              "by_model": by_model, "titles": titles}
    if _is_admin(current_owner()):
        report["by_account"] = _totals_by_account(since)
    return report


def _is_admin(account_id: int | None) -> bool:
    return account_id is not None and bool(db.session.scalar(
        db.select(Account.is_admin).where(Account.id == account_id)))


def _totals_by_account(since: datetime) -> list[dict[str, Any]]:
    """What each account's answers and titles cost over the window (for the admin)."""
    totals = {account_id: (requests, cost) for account_id, requests, cost in db.session.execute(
        db.select(UsageRecord.account_id,
                  func.coalesce(func.sum(UsageRecord.requests).filter(UsageRecord.kind == "answer"), 0),
                  func.sum(UsageRecord.cost))
        .where(UsageRecord.at >= since).group_by(UsageRecord.account_id)
    ).all()}
    accounts = db.session.execute(db.select(Account.id, Account.name).order_by(Account.name)).all()
    return [{"account": name, "requests": totals.get(account_id, (0, None))[0],
             "cost": _rounded(totals.get(account_id, (0, None))[1])}
            for account_id, name in accounts]


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 10)
