"""What answers and titles cost: OpenRouter's usage as columns, per conversation, and the usage
report of GET /usage.

OpenRouter reports `cost` (credits, 1 credit = 1 US dollar) with every answer and title request;
other OpenAI-compatible upstreams send none, so every cost here may be None ("unknown"), which is
not the same as 0 (a free model).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func

from .db.models import Account, Conversation, Message, utcnow
from .errors import ApiError
from .extensions import db
from .ownership import current_owner, owned_by_current
from .values import is_whole_number

MAX_DAYS = 3660


def usage_columns(usage: dict[str, Any] | None) -> dict[str, Any]:
    """OpenRouter's usage as Message columns: whole token counts and a plausible cost, else None."""
    usage = usage or {}
    return {"prompt_tokens": _int_or_none(usage.get("prompt_tokens")),
            "completion_tokens": _int_or_none(usage.get("completion_tokens")),
            "total_tokens": _int_or_none(usage.get("total_tokens")),
            "cost": cost_or_none(usage.get("cost"))}


def _int_or_none(value: object) -> int | None:
    return value if is_whole_number(value) else None


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


def usage_report(days: int) -> dict[str, Any]:
    """The current account's answers by model and title requests apart, over the last `days`
    days; the admin also sees every account's totals."""
    since = utcnow() - timedelta(days=days)
    rows = db.session.execute(
        db.select(Message.model, func.count(), func.sum(Message.prompt_tokens),
                  func.sum(Message.completion_tokens), func.sum(Message.cost))
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(owned_by_current(), Message.role == "assistant", Message.created_at >= since)
        .group_by(Message.model)
    ).all()
    by_model = [{"model": model, "requests": requests, "prompt_tokens": prompt or 0,
                 "completion_tokens": completion or 0, "cost": _rounded(cost)}
                for model, requests, prompt, completion, cost in rows]
    by_model.sort(key=lambda row: (-(row["cost"] or 0), -row["requests"], row["model"] or ""))
    title_requests, title_cost = db.session.execute(
        db.select(func.coalesce(func.sum(Conversation.title_requests), 0), func.sum(Conversation.title_cost))
        .where(owned_by_current(), Conversation.created_at >= since)
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
    answers = dict(db.session.execute(
        db.select(Conversation.account_id, func.sum(Message.cost))
        .join(Message, Message.conversation_id == Conversation.id)
        .where(Message.role == "assistant", Message.created_at >= since).group_by(Conversation.account_id)
    ).all())
    titles = dict(db.session.execute(
        db.select(Conversation.account_id, func.sum(Conversation.title_cost))
        .where(Conversation.created_at >= since).group_by(Conversation.account_id)
    ).all())
    counts = dict(db.session.execute(
        db.select(Conversation.account_id, func.count(Message.id))
        .join(Message, Message.conversation_id == Conversation.id)
        .where(Message.role == "assistant", Message.created_at >= since).group_by(Conversation.account_id)
    ).all())
    accounts = db.session.execute(db.select(Account.id, Account.name).order_by(Account.name)).all()
    return [{"account": name, "requests": counts.get(account_id, 0),
             "cost": known_sum([answers.get(account_id), titles.get(account_id)])}
            for account_id, name in accounts]


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 10)
