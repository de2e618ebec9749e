"""The title job: decide, claim, ask the title model, save. The text work lives beside it (pure).

One conversation costs at most one upstream title request per attempt, however many greenlets
or worker processes ask: the job is claimed with a conditional UPDATE in the database, and
whoever loses the claim waits for the winner's result (a page request) or leaves it (the job
after an answer) instead of asking OpenRouter again.

The job reads and claims in one transaction → calls out → saves in another: no database connection
is held while the title model thinks, and the whole job is four statements (read, claim, save, the
usage ledger's row), on connections of their own (db/prepared.py's `transaction()`, no ORM session).
"""
from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from functools import cache
from typing import Any

import gevent
from flask import Flask, current_app
from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    ScalarSelect,
    Select,
    String,
    Update,
    bindparam,
    case,
    func,
    null,
    or_,
    select,
    update,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.engine import Row
from sqlalchemy.types import TypeEngine

from .. import conversations
from ..constants import FREE_SLOT, MODEL_ID_MAX_CHARS, NO_ACCOUNT, MessageStatus, TitleSource
from ..costs import record_title, usage_columns
from ..db import prepared
from ..db.guard import pause
from ..db.models import AccountSettings, Conversation, Message, Preset, utcnow
from ..db.rows import table_of
from ..errors import ApiError
from ..extensions import db
from ..ownership import act_as
from ..upstream import openrouter
from . import lexicon
from .checks import judge
from .fallback import fallback_title
from .prompt import PromptTemplateError, build_prompt, check_prompt_template

log = logging.getLogger(__name__)

MAX_TOKENS = 24
MAX_ATTEMPTS = 2  # the first try plus one retry after a fallback
POLL_SECONDS = 0.2
CONVERSATIONS = table_of(Conversation)  # the job's statements are Core statements (db/rows.py)
ROW = CONVERSATIONS.c
CLAIM = (update(CONVERSATIONS)
         .where(ROW.id == bindparam("conversation_id"), ROW.title_source == bindparam("seen_source"),
                ROW.title_attempts == bindparam("seen_attempts"),
                or_(ROW.title_claim_token.is_(None), ROW.title_claimed_at < bindparam("stale_before")))
         .values(title_claim_token=bindparam("token"), title_claimed_at=bindparam("now"),
                 title_attempts=ROW.title_attempts + 1))


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
    stored_title_model: str | None  # preset 6's
    newest_user_text: str | None  # a regeneration only: the conversation may have moved on
    settings_model: str | None  # the account's title settings (GET/PUT /settings)
    settings_prompt: str | None

    def result(self) -> TitleResult:
        return TitleResult(self.title, self.title_source)

    def asked(self) -> str:
        """What the user asked, for the checks: the first message, and on a regeneration the newest too."""
        first = self.user_text or ""
        newest = self.newest_user_text
        return f"{first}\n{newest}" if newest and newest != first else first


def _message_text(role: str, newest: bool = False) -> ScalarSelect[str]:
    """The conversation's first (or newest) message of `role` that is not under way."""
    messages = table_of(Message)
    order = (messages.c.created_at.desc(), messages.c.id.desc()) if newest else (messages.c.created_at, messages.c.id)
    return (select(messages.c.content)
            .where(messages.c.conversation_id == ROW.id, messages.c.role == role,
                   messages.c.status != MessageStatus.STREAMING)  # under way: no answer yet
            .order_by(*order).limit(1).scalar_subquery())


@cache
def _snapshot_query(regenerate: bool) -> Select[Any]:
    """The job's one SELECT, built once per kind (db/rows.py says why): the title state and claim,
    the messages to name, the answer count, preset 6 and the account's title settings."""
    messages, presets, settings = table_of(Message), table_of(Preset), table_of(AccountSettings)
    answers = (select(func.count()).select_from(messages)
               .where(messages.c.conversation_id == ROW.id, messages.c.role == "assistant",
                      messages.c.status != MessageStatus.STREAMING).scalar_subquery())
    owner = func.coalesce(ROW.account_id, NO_ACCOUNT)
    stored_model = (select(presets.c.model).where(presets.c.slot == FREE_SLOT, presets.c.account_id == owner)
                    .scalar_subquery())

    def setting(column: Any) -> ScalarSelect[Any]:
        return select(column).where(settings.c.account_id == owner).scalar_subquery()
    newest_user = _message_text("user", newest=True) if regenerate else null()
    return (select(ROW.title, ROW.title_source, ROW.title_attempts, ROW.title_claim_token.is_not(None), answers,
                   _message_text("user"), _message_text("assistant", newest=regenerate), stored_model, newest_user,
                   setting(settings.c.title_model), setting(settings.c.title_prompt))
            .where(ROW.id == bindparam("conversation_id")))


def _read(conversation_id: str, trigger: Trigger) -> Snapshot:
    """One SELECT (`_snapshot_query`), in the caller's `prepared.transaction()`."""
    row: Row[*tuple[Any, ...]] | None = prepared.current_connection().execute(
        _snapshot_query(trigger is Trigger.REGENERATE), {"conversation_id": conversation_id}).first()
    if row is None:
        raise ApiError(404, conversations.NOT_FOUND)
    return Snapshot(*row)


def _claim(conversation_id: str, seen: Snapshot, token: str) -> bool:
    """Take the job with one conditional UPDATE: the row must be as we read it and unclaimed
    (a claim older than the stale timeout belongs to a worker that died and may be taken over)."""
    now = utcnow()
    stale = now - timedelta(seconds=current_app.config["TITLE_CLAIM_STALE_SECONDS"])
    return prepared.run(CLAIM, {
        "conversation_id": conversation_id, "seen_source": seen.title_source, "seen_attempts": seen.attempts,
        "stale_before": stale, "token": token, "now": now}) == 1


@dataclass
class TitleReply:
    """What the title request gave: a title or None, the rule that fired (or the one a salvaged
    half escaped), the model and usage."""

    title: str | None
    rule: str | None
    raw: str | None
    model: str
    usage: dict[str, Any] | None


@dataclass(frozen=True)
class TitleSettings:
    """Which model writes the title and with which prompt template (None: the server's default)."""

    model: str
    prompt: str | None

    @classmethod
    def of(cls, snapshot: Snapshot) -> TitleSettings:
        """The account's title settings, else preset 6's model, else TITLE_MODEL_DEFAULT; the
        account's prompt, else TITLE_PROMPT, else the built-in prompt."""
        config = current_app.config
        model = snapshot.settings_model or snapshot.stored_title_model or config["TITLE_MODEL_DEFAULT"]
        return cls(model, _usable_prompt(snapshot.settings_prompt) or config["TITLE_PROMPT"])


def _usable_prompt(template: str | None) -> str | None:
    """A stored prompt is checked when it is saved; one stored before that check is ignored, not fatal."""
    if template is None:
        return None
    try:
        return check_prompt_template(template)
    except PromptTemplateError:
        log.warning("ignoring an unusable stored title prompt")
        return None


def _ask_model(snapshot: Snapshot, chosen: TitleSettings) -> TitleReply:
    config = current_app.config
    user_text, assistant_text = snapshot.user_text or "", snapshot.assistant_text or "(no answer)"
    try:
        route = openrouter().route(chosen.model)  # a local title model goes to the local server, as itself
        completion = route.client.complete(
            [{"role": "user", "content": build_prompt(user_text, assistant_text, chosen.prompt)}],
            route.model_id, models=None if route.local else config["TITLE_FALLBACK_MODELS"],
            timeout=config["TITLE_TIMEOUT"], max_tokens=MAX_TOKENS, temperature=0.3,
            reasoning={"effort": "none", "exclude": True},
        )
        if route.local:
            completion.model, completion.usage = chosen.model, route.usage(completion.usage)
    except Exception as exc:  # noqa: BLE001 - any failure means the fallback title, never a broken chat
        return TitleReply(None, "upstream_error", getattr(exc, "detail", None) or repr(exc), chosen.model, None)
    _await_word_list(snapshot.asked())
    verdict = judge(completion.content, snapshot.asked(), assistant_text)
    rule = verdict.rule or (f"salvaged_from_{verdict.salvaged}" if verdict.salvaged else None)
    return TitleReply(verdict.title, rule, completion.content, completion.model or chosen.model, completion.usage)


# Language code → the thread pool's result of building its word list (one build per process).
_WORD_LIST_BUILDS: dict[str, Any] = {}


def _await_word_list(text: str) -> None:
    """The word list of the text's language, built once in gevent's thread pool before its first
    title is checked (the event loop serves others meanwhile). Twenty first titles in a language
    wait for that one build: each building its own copy held the GIL for seconds."""
    code = lexicon.code_for(text)
    if code is None or lexicon.is_built(code):
        return
    build = _WORD_LIST_BUILDS.get(code)
    if build is None:
        build = _WORD_LIST_BUILDS[code] = gevent.get_hub().threadpool.spawn(lexicon.build, code)
    try:
        build.get()
    except Exception:
        _WORD_LIST_BUILDS.pop(code, None)  # the next title tries again
        raise


def _outcome(snapshot: Snapshot, reply: TitleReply) -> TitleResult:
    """The model's title, or the fallback made from the user's first message."""
    if reply.title:
        return TitleResult(reply.title, TitleSource.AUTO)
    return TitleResult(fallback_title(snapshot.user_text or ""), TitleSource.FALLBACK)


def _summed(column: ColumnElement[Any], parameter: str, kind: TypeEngine[Any]) -> ColumnElement[Any]:
    """The column plus the request's figure; an unknown figure (None) leaves it as it is. The
    CAST names the parameter's type for PostgreSQL, which cannot tell it from `IS NULL`."""
    figure = sql_cast(bindparam(parameter, type_=kind), kind)
    return case((figure.is_(None), column), else_=func.coalesce(column, 0) + figure)


# The request's usage (checked as an answer's is), summed over attempts: `_usage_parameters` fills it in.
USAGE_SUMS: dict[str, Any] = {
    "title_requests": ROW.title_requests + 1,
    "title_prompt_tokens": _summed(ROW.title_prompt_tokens, "usage_prompt_tokens", Integer()),
    "title_completion_tokens": _summed(ROW.title_completion_tokens, "usage_completion_tokens", Integer()),
    "title_cost": _summed(ROW.title_cost, "usage_cost", Float())}
ADD_USAGE = update(CONVERSATIONS).where(ROW.id == bindparam("conversation_id")).values(**USAGE_SUMS)


def _usage_parameters(reply: TitleReply) -> dict[str, Any]:
    usage = usage_columns(reply.usage)
    return {"usage_prompt_tokens": usage["prompt_tokens"], "usage_completion_tokens": usage["completion_tokens"],
            "usage_cost": usage["cost"]}


@cache
def _saving(fallback: bool) -> Update:
    """The save's UPDATE, built once per kind of outcome (db/rows.py says why). A user's title is
    never touched, and a fallback keeps an earlier generated title too."""
    keep = ROW.title_source == TitleSource.USER
    if fallback:
        keep = or_(keep, ROW.title_source == TitleSource.AUTO)
    return (update(CONVERSATIONS)
            .where(ROW.id == bindparam("conversation_id"), ROW.title_claim_token == bindparam("token"))
            .values(title=case((keep, ROW.title), else_=bindparam("new_title", type_=String())),
                    title_source=case((keep, ROW.title_source), else_=bindparam("new_source", type_=String())),
                    title_claim_token=None, title_claimed_at=None,
                    title_model=bindparam("usage_model", type_=String()), **USAGE_SUMS)
            .returning(ROW.title, ROW.title_source))


def _save(conversation_id: str, token: str, outcome: TitleResult, reply: TitleReply) -> TitleResult | None:
    """One UPDATE while we hold the claim: store the outcome and the usage, release the claim.

    A user's title is never touched, and a failed regeneration keeps an earlier generated
    title. Returns the title the row has now, or None when the claim was taken over.
    """
    with prepared.transaction():
        row = prepared.first_row(_saving(outcome.title_source == TitleSource.FALLBACK), {
            "conversation_id": conversation_id, "token": token, "new_title": outcome.title,
            "new_source": outcome.title_source, "usage_model": reply.model[:MODEL_ID_MAX_CHARS],
            **_usage_parameters(reply)})
        # billed even if the claim was lost
        record_title(conversation_id, reply.model[:MODEL_ID_MAX_CHARS], reply.usage)
    return TitleResult(*row) if row else None


def _release(conversation_id: str, token: str) -> None:
    """After a failed save: give the job back at once instead of after the stale timeout."""
    with prepared.transaction() as connection:
        connection.execute(update(CONVERSATIONS).where(ROW.id == conversation_id, ROW.title_claim_token == token)
                           .values(title_claim_token=None, title_claimed_at=None))


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
    reply = _ask_model(snapshot, TitleSettings.of(snapshot))
    outcome = _outcome(snapshot, reply)
    log.info("title conversation=%s source=%s rule=%s raw=%r", conversation_id, outcome.title_source,
             reply.rule or "-", (reply.raw or "")[:300])
    try:
        saved = _save(conversation_id, token, outcome, reply)
    except Exception:
        log.exception("could not save the title of conversation %s", conversation_id)
        _release(conversation_id, token)
        saved = None
    return saved or _stored(conversation_id)[0]


@dataclass(frozen=True)
class Decision:
    """What the job's first transaction found: the snapshot, the trigger it resolved to, whether a
    generation is due, and the claim's token when this job took it."""

    snapshot: Snapshot
    trigger: Trigger
    due: bool
    token: str | None = None


def _release_session() -> None:
    """The caller's session (a view's ownership check) gives its connection back before the job
    takes one: nothing it holds stays open while the title model works, and a greenlet waiting for
    a second connection from a small pool could wait for itself. The job after an answer runs in an
    app context of its own, with no session to close (closing one costs as much as a statement)."""
    if db.session.registry.has():
        db.session.close()


def _decide(conversation_id: str, trigger: Trigger) -> Decision:
    """Read the snapshot and, when a generation is due, claim it: one transaction, committed before
    any network call."""
    _release_session()
    with prepared.transaction():
        snapshot = _read(conversation_id, trigger)
        if trigger is Trigger.AFTER_ANSWER:
            trigger = Trigger.FIRST_ANSWER if snapshot.answers <= 1 else Trigger.LATER_ANSWER
        if not should_generate(snapshot.title_source, trigger, snapshot.attempts):
            return Decision(snapshot, trigger, due=False)
        if snapshot.answers == 0 or snapshot.user_text is None:
            raise NoAnswerYet()
        token = uuid.uuid4().hex
        return Decision(snapshot, trigger, due=True, token=token if _claim(conversation_id, snapshot, token) else None)


def generate_summary(conversation_id: str, trigger: Trigger = Trigger.PAGE_REQUEST) -> TitleResult:
    """Give the conversation a title (or return the one it has), as `should_generate` decides.

    `Trigger.AFTER_ANSWER` is the job after an answer: the first or a later answer, by the answer count.
    """
    decision = _decide(conversation_id, trigger)
    snapshot, trigger = decision.snapshot, decision.trigger
    if not decision.due:
        # a page request still waits for a generation under way (a later answer's retry)
        waits = snapshot.claimed and trigger is Trigger.PAGE_REQUEST
        return _wait_for_claim(conversation_id) if waits else snapshot.result()
    if decision.token is None:  # another request or process claimed it first
        if trigger in (Trigger.PAGE_REQUEST, Trigger.REGENERATE):
            return _wait_for_claim(conversation_id)
        return snapshot.result()
    return _generate(conversation_id, snapshot, decision.token)


def preview(conversation_id: str, model: str | None, prompt: str | None) -> dict[str, Any]:
    """What ↻ would title the conversation with these settings (the account's where None), without
    saving the title. The request is billed, so it is in the usage ledger and the conversation's title usage."""
    _release_session()
    with prepared.transaction():
        snapshot = _read(conversation_id, Trigger.REGENERATE)
    if snapshot.answers == 0 or snapshot.user_text is None:
        raise NoAnswerYet()
    chosen = TitleSettings.of(snapshot)
    chosen = TitleSettings(model or chosen.model, prompt or chosen.prompt)
    reply = _ask_model(snapshot, chosen)
    outcome = _outcome(snapshot, reply)
    with prepared.transaction():
        prepared.run(ADD_USAGE, {"conversation_id": conversation_id, **_usage_parameters(reply)})
        record_title(conversation_id, reply.model[:MODEL_ID_MAX_CHARS], reply.usage)
    return {**outcome.to_dict(), "rule": reply.rule, "model": reply.model, "raw": (reply.raw or "")[:300]}


def start_in_background(app: Flask, conversation_id: str, owner: int | None,
                        when: Callable[[], object] = lambda: None) -> gevent.Greenlet:
    """After an answer is saved: title without delaying the chat, acting as the conversation's
    owner, once `when()` returns; errors end in the log only."""
    def run() -> None:
        when()
        with app.app_context():
            act_as(owner)
            try:
                generate_summary(conversation_id, Trigger.AFTER_ANSWER)
            except ApiError:
                pass  # deleted meanwhile
            except Exception:
                log.exception("background title generation failed for %s", conversation_id)
    return gevent.spawn(run)
