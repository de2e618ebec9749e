"""The title job: decide, claim, ask the title model, save. The text work lives beside it (pure).

One conversation costs at most one upstream title request per attempt, however many greenlets
or worker processes ask: the job is claimed with a conditional UPDATE in the database, and
whoever loses the claim waits for the winner's result (a page request) or leaves it (the job
after an answer) instead of asking OpenRouter again.

The job reads → closes its session → calls out → writes: no database connection is held while
the title model thinks, and the whole job is three statements (read, claim, save).
"""
from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from typing import Any, cast

import gevent
from flask import Flask, current_app
from sqlalchemy import CursorResult, ScalarSelect, SQLColumnExpression, case, func, or_, select, update
from sqlalchemy.engine import Row

from .. import conversations
from ..constants import FREE_SLOT, MODEL_ID_MAX_CHARS, NO_ACCOUNT, MessageStatus, TitleSource
from ..costs import usage_columns
from ..db.guard import pause
from ..db.models import Conversation, Message, Preset, utcnow
from ..errors import ApiError
from ..extensions import db
from ..ownership import act_as
from ..upstream import openrouter
from .checks import judge
from .fallback import fallback_title
from .prompt import build_prompt

log = logging.getLogger(__name__)

MAX_TOKENS = 24
MAX_ATTEMPTS = 2  # the first try plus one retry after a fallback
POLL_SECONDS = 0.2


class Trigger(Enum):
    AFTER_ANSWER = "after an answer"  # resolved to FIRST_ANSWER or LATER_ANSWER by the answer count
    FIRST_ANSWER = "first answer"
    LATER_ANSWER = "later answer"
    PAGE_REQUEST = "page request"
    REGENERATE = "regenerate"


def should_generate(title_source: str, trigger: Trigger, attempts: int) -> bool:
    """Whether this trigger asks the title model, by title_source × trigger:

    | title_source | first answer | later answer             | page request | regenerate |
    |--------------|--------------|--------------------------|--------------|------------|
    | default      | generate     | generate                 | generate     | generate   |
    | fallback     | keep         | generate (attempts < 2)  | keep         | generate   |
    | auto         | keep         | keep                     | keep         | generate   |
    | user         | keep         | keep                     | keep         | keep       |

    "keep" returns the stored title. A fallback is retried once, by a later answer only: a
    first answer's job that starts after the page already fell back must not spend a second
    request on the same answer. A generation under way is not decided here: the claim is.
    """
    if title_source == TitleSource.USER:
        return False
    if trigger is Trigger.REGENERATE or title_source == TitleSource.DEFAULT:
        return True
    return title_source == TitleSource.FALLBACK and trigger is Trigger.LATER_ANSWER and attempts < MAX_ATTEMPTS


@dataclass
class TitleResult:
    title: str
    title_source: str

    def to_dict(self) -> dict[str, str]:
        return {"title": self.title, "title_source": self.title_source}


class NoAnswerYet(ApiError):
    def __init__(self) -> None:
        super().__init__(409, "This conversation has no answer yet; a title comes after the first answer.")


@dataclass(frozen=True)
class Snapshot:
    """Everything the job needs, read in one statement before any network call."""

    title: str
    title_source: str
    attempts: int
    claimed: bool
    answers: int
    user_text: str | None
    assistant_text: str | None
    stored_title_model: str | None

    def result(self) -> TitleResult:
        return TitleResult(self.title, self.title_source)


def _message_text(conversation_id: str, role: str, newest: bool = False) -> ScalarSelect[str]:
    order = (Message.created_at.desc(), Message.id.desc()) if newest else (Message.created_at, Message.id)
    return (select(Message.content).where(Message.conversation_id == conversation_id, Message.role == role,
                                          Message.status != MessageStatus.STREAMING)  # under way: no answer yet
            .order_by(*order).limit(1).scalar_subquery())


def _read(conversation_id: str, trigger: Trigger) -> Snapshot:
    """One SELECT: the title state and claim, the messages to name, the answer count and preset 6."""
    answers = (select(func.count()).select_from(Message)
               .where(Message.conversation_id == conversation_id, Message.role == "assistant",
                      Message.status != MessageStatus.STREAMING).scalar_subquery())
    owners_preset = Preset.account_id == func.coalesce(Conversation.account_id, NO_ACCOUNT)
    stored_model = select(Preset.model).where(Preset.slot == FREE_SLOT, owners_preset).scalar_subquery()
    row: Row[*tuple[Any, ...]] | None = db.session.execute(
        select(Conversation.title, Conversation.title_source, Conversation.title_attempts,
               Conversation.title_claim_token.is_not(None), answers,
               _message_text(conversation_id, "user"),
               _message_text(conversation_id, "assistant", newest=trigger is Trigger.REGENERATE), stored_model)
        .where(Conversation.id == conversation_id)
    ).first()
    db.session.close()  # nothing stays open while the title model works
    if row is None:
        raise ApiError(404, conversations.NOT_FOUND)
    return Snapshot(*row)


def _claim(conversation_id: str, seen: Snapshot, token: str) -> bool:
    """Take the job with one conditional UPDATE: the row must be as we read it and unclaimed
    (a claim older than the stale timeout belongs to a worker that died and may be taken over)."""
    now = utcnow()
    stale = now - timedelta(seconds=current_app.config["TITLE_CLAIM_STALE_SECONDS"])
    claimed = cast(CursorResult[Any], db.session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id, Conversation.title_source == seen.title_source,
               Conversation.title_attempts == seen.attempts,
               or_(Conversation.title_claim_token.is_(None), Conversation.title_claimed_at < stale))
        .values(title_claim_token=token, title_claimed_at=now, title_attempts=Conversation.title_attempts + 1)
        .execution_options(synchronize_session=False)
    )).rowcount == 1
    db.session.commit()
    return claimed


@dataclass
class TitleReply:
    """What the title request gave: a title or None, the rule that fired, the model and usage."""

    title: str | None
    rule: str | None
    raw: str | None
    model: str
    usage: dict[str, Any] | None


def _ask_model(snapshot: Snapshot) -> TitleReply:
    config = current_app.config
    model = snapshot.stored_title_model or config["TITLE_MODEL_DEFAULT"]
    user_text, assistant_text = snapshot.user_text or "", snapshot.assistant_text or "(no answer)"
    try:
        completion = openrouter().client.complete(
            [{"role": "user", "content": build_prompt(user_text, assistant_text, config["TITLE_PROMPT"])}],
            model, models=config["TITLE_FALLBACK_MODELS"], timeout=config["TITLE_TIMEOUT"],
            max_tokens=MAX_TOKENS, temperature=0.3, reasoning={"effort": "none", "exclude": True},
        )
    except Exception as exc:  # noqa: BLE001 - any failure means the fallback title, never a broken chat
        return TitleReply(None, "upstream_error", getattr(exc, "detail", None) or repr(exc), model, None)
    verdict = judge(completion.content, user_text, assistant_text)
    return TitleReply(verdict.title, verdict.rule, completion.content, completion.model or model, completion.usage)


def _usage_values(reply: TitleReply) -> dict[str, Any]:
    """The request's model and usage (checked as an answer's is), summed over attempts."""
    usage = usage_columns(reply.usage)

    def add(column: SQLColumnExpression[Any], key: str) -> SQLColumnExpression[Any]:
        return column if usage[key] is None else func.coalesce(column, 0) + usage[key]
    return {"title_model": reply.model[:MODEL_ID_MAX_CHARS], "title_requests": Conversation.title_requests + 1,
            "title_prompt_tokens": add(Conversation.title_prompt_tokens, "prompt_tokens"),
            "title_completion_tokens": add(Conversation.title_completion_tokens, "completion_tokens"),
            "title_cost": add(Conversation.title_cost, "cost")}


def _save(conversation_id: str, token: str, outcome: TitleResult, reply: TitleReply) -> TitleResult | None:
    """One UPDATE while we hold the claim: store the outcome and the usage, release the claim.

    A user's title is never touched, and a failed regeneration keeps an earlier generated
    title. Returns the title the row has now, or None when the claim was taken over.
    """
    keep = Conversation.title_source == TitleSource.USER
    if outcome.title_source == TitleSource.FALLBACK:
        keep = or_(keep, Conversation.title_source == TitleSource.AUTO)
    row = db.session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id, Conversation.title_claim_token == token)
        .values(title=case((keep, Conversation.title), else_=outcome.title),
                title_source=case((keep, Conversation.title_source), else_=outcome.title_source),
                title_claim_token=None, title_claimed_at=None, **_usage_values(reply))
        .returning(Conversation.title, Conversation.title_source)
        .execution_options(synchronize_session=False)
    ).first()
    db.session.commit()
    return TitleResult(*row) if row else None


def _release(conversation_id: str, token: str) -> None:
    """After a failed save: give the job back at once instead of after the stale timeout."""
    db.session.rollback()
    db.session.execute(update(Conversation)
                       .where(Conversation.id == conversation_id, Conversation.title_claim_token == token)
                       .values(title_claim_token=None, title_claimed_at=None)
                       .execution_options(synchronize_session=False))
    db.session.commit()


def _stored(conversation_id: str) -> tuple[TitleResult, bool]:
    """The stored title, and whether a generation holds the claim right now."""
    db.session.rollback()  # ends any snapshot: read what others committed
    conversation = conversations.get_or_404(conversation_id)
    stored = TitleResult(conversation.title, conversation.title_source), conversation.title_claim_token is not None
    db.session.close()
    return stored


def _wait_for_claim(conversation_id: str) -> TitleResult:
    """Another request or process is generating: poll, holding no session while sleeping."""
    deadline = time.monotonic() + current_app.config["TITLE_WAIT_SECONDS"]
    result, claimed = _stored(conversation_id)
    while claimed and time.monotonic() < deadline:
        pause(POLL_SECONDS)
        result, claimed = _stored(conversation_id)
    return result


def _generate(conversation_id: str, snapshot: Snapshot, token: str) -> TitleResult:
    reply = _ask_model(snapshot)
    outcome = (TitleResult(reply.title, TitleSource.AUTO) if reply.title
               else TitleResult(fallback_title(snapshot.user_text or ""), TitleSource.FALLBACK))
    log.info("title conversation=%s source=%s rule=%s raw=%r", conversation_id, outcome.title_source,
             reply.rule or "-", (reply.raw or "")[:300])
    try:
        saved = _save(conversation_id, token, outcome, reply)
    except Exception:
        log.exception("could not save the title of conversation %s", conversation_id)
        _release(conversation_id, token)
        saved = None
    return saved or _stored(conversation_id)[0]


def generate_summary(conversation_id: str, trigger: Trigger = Trigger.PAGE_REQUEST) -> TitleResult:
    """Give the conversation a title (or return the one it has), as `should_generate` decides.

    `Trigger.AFTER_ANSWER` is the job after an answer: the first or a later answer, by the answer count.
    """
    snapshot = _read(conversation_id, trigger)
    if trigger is Trigger.AFTER_ANSWER:
        trigger = Trigger.FIRST_ANSWER if snapshot.answers <= 1 else Trigger.LATER_ANSWER
    if not should_generate(snapshot.title_source, trigger, snapshot.attempts):
        # a page request still waits for a generation under way (a later answer's retry)
        waits = snapshot.claimed and trigger is Trigger.PAGE_REQUEST
        return _wait_for_claim(conversation_id) if waits else snapshot.result()
    if snapshot.answers == 0 or snapshot.user_text is None:
        raise NoAnswerYet()
    token = uuid.uuid4().hex
    if not _claim(conversation_id, snapshot, token):
        if trigger in (Trigger.PAGE_REQUEST, Trigger.REGENERATE):
            return _wait_for_claim(conversation_id)
        return snapshot.result()
    return _generate(conversation_id, snapshot, token)


def start_in_background(app: Flask, conversation_id: str, owner: int | None) -> gevent.Greenlet:
    """After an answer is saved: title without delaying the chat, acting as the conversation's
    owner; errors end in the log only."""
    def run() -> None:
        with app.app_context():
            act_as(owner)
            try:
                generate_summary(conversation_id, Trigger.AFTER_ANSWER)
            except ApiError:
                pass  # deleted meanwhile
            except Exception:
                log.exception("background title generation failed for %s", conversation_id)
    return gevent.spawn(run)
