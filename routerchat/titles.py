"""Automatic conversation titles: prompt, cleaning, and single-flight generation.

One conversation costs at most one upstream title request per attempt, however many greenlets
or worker processes ask: the job is claimed with a conditional UPDATE in the database, and
whoever loses the claim waits for the winner's result instead of asking OpenRouter again.
"""
from __future__ import annotations

import logging
import re
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

import gevent
from flask import Flask, current_app
from sqlalchemy import and_, or_, update

from . import conversations, presets
from .errors import ApiError
from .extensions import db
from .models import DEFAULT_TITLE, TITLE_MAX_CHARS, Conversation, Message, utcnow
from .upstream import client_for

log = logging.getLogger(__name__)

SEED = "Generate a concise title (max 5 words) for this conversation start:"
RULES = ("Write the title in the same language as the user. No quotes, no punctuation at the "
         "end. Reply with the title only.")
HEAD_CHARS = 800
MAX_TOKENS = 24
MAX_ATTEMPTS = 2  # the first try plus one retry after a fallback
POLL_SECONDS = 0.2
FALLBACK_WORDS = 6
FALLBACK_CHARS = 50

THINK_BLOCK = re.compile(r"<(think|thinking|reasoning|reflection|thought)\b[^>]*>.*?(?:</\1\s*>|$)",
                         re.IGNORECASE | re.DOTALL)
THINK_CLOSE = re.compile(r"</(?:think|thinking|reasoning|reflection|thought)\s*>", re.IGNORECASE)
LABEL = re.compile(r"^(?:(?:suggested|conversation|chat|short|concise|possible)\s+)?title\s*[:：\-–—]\s*",
                   re.IGNORECASE)
TRANSCRIPT_LINE = re.compile(r"^(?:user|assistant|human|ai|system)\s*:", re.IGNORECASE)
LIST_MARKER = re.compile(r"^(?:#{1,6}\s*|[-*+•]\s+|\d+[.)]\s+|>\s*)")
EMPHASIS = re.compile(r"\*\*(.+?)\*\*")  # not __: titles like "Python __init__ Explained"
QUOTES = "\"'`“”‘’„‟«»‹›「」『』＂＇"
END_PUNCTUATION = ".,;:!?…。！？、，；：·-–—"
USELESS_TITLES = {"title", "new conversation", "untitled", "conversation", "none", "n/a"}


@dataclass
class TitleResult:
    title: str
    title_source: str

    def to_dict(self) -> dict:
        return {"title": self.title, "title_source": self.title_source}


class NoAnswerYet(ApiError):
    def __init__(self):
        super().__init__(409, "This conversation has no answer yet; a title comes after the first answer.")


def cut_head(text: str, limit: int = HEAD_CHARS) -> str:
    """Keep the head of a long message, cut on a word boundary, marked with an ellipsis."""
    text = text.strip()
    if len(text) <= limit:
        return text
    head = text[:limit]
    space = head.rfind(" ")
    return (head[:space] if space > limit // 2 else head).rstrip() + " …"


def build_prompt(user_text: str, assistant_text: str) -> str:
    return (f"{SEED}\n\nUser: {cut_head(user_text)}\nAssistant: {cut_head(assistant_text)}"
            f"\n\n{RULES}\n\nTitle:")


def _strip_edges(text: str) -> str:
    """Peel quotes, markdown emphasis and final punctuation until nothing more comes off."""
    previous = None
    while text != previous:
        previous = text
        text = text.strip().strip(QUOTES + "*_").strip()
        text = text.rstrip(END_PUNCTUATION + QUOTES + "*_ ")
    return text


def cap_on_word(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    head = text[:limit + 1]
    space = head.rfind(" ")
    return (head[:space] if space > 0 else text[:limit]).rstrip(END_PUNCTUATION + " ")


def _first_title_line(text: str) -> str:
    """The first non-empty line, skipping a preamble such as "Here is a title:" or "**Title:**"."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > 1 and lines[0].replace("*", "").replace("#", "").strip().endswith((":", "：")):
        return lines[1]
    return lines[0] if lines else ""


def _unmark(line: str) -> str:
    """Drop Markdown that frames text (heading or list marker, bold pairs, backticks)."""
    return EMPHASIS.sub(r"\1", LIST_MARKER.sub("", line)).replace("`", "")


def clean_title(raw: str | None) -> str | None:
    """A usable title from a model's answer, or None when the answer is not a title."""
    if not raw:
        return None
    text = THINK_BLOCK.sub("", raw)
    closings = list(THINK_CLOSE.finditer(text))
    if closings:  # the model left out the opening tag: everything before the close is reasoning
        text = text[closings[-1].end():]
    line = _first_title_line(text)
    if not line or TRANSCRIPT_LINE.match(line) or line.lower().startswith(SEED[:24].lower()):
        return None
    line = LABEL.sub("", _strip_edges(_unmark(line)))
    title = _strip_edges(" ".join(line.split()))
    if TRANSCRIPT_LINE.match(title) or "conversation start" in title.lower():
        return None
    if not re.search(r"\w", title) or title.lower() in USELESS_TITLES:
        return None
    return cap_on_word(title, TITLE_MAX_CHARS)


def fallback_title(user_text: str) -> str:
    """The first words of the user's message, cut cleanly."""
    words = _unmark(" ".join(user_text.split())).split()
    title = _strip_edges(cap_on_word(" ".join(words[:FALLBACK_WORDS]), FALLBACK_CHARS))
    return title or cap_on_word(" ".join(user_text.split()), FALLBACK_CHARS) or DEFAULT_TITLE


def title_model() -> str:
    return presets.stored_free_model() or current_app.config["TITLE_MODEL_DEFAULT"]


def _messages_for_title(conversation_id: str, force: bool) -> tuple[str, str]:
    """First user and first assistant message; with force, the latest answer stands in for the first."""
    def first(role: str, newest: bool = False) -> Message | None:
        order = (Message.created_at.desc(), Message.id.desc()) if newest else (Message.created_at, Message.id)
        return db.session.scalar(db.select(Message).where(Message.conversation_id == conversation_id,
                                                          Message.role == role, Message.status != "streaming")
                                 .order_by(*order).limit(1))
    user = first("user")
    assistant = first("assistant", newest=force)
    if user is None or assistant is None:
        raise NoAnswerYet()
    return user.content, assistant.content or "(no answer)"


def _attempts_allowed(conversation_id: str) -> int:
    """One attempt for the first answer, one retry from a later one: never two for one answer,
    however late the first answer's background job starts."""
    return min(MAX_ATTEMPTS, conversations.assistant_count(conversation_id))


def _claim(conversation_id: str, token: str, force: bool) -> bool:
    """Take the title job with one conditional UPDATE; a claim older than the stale timeout
    belongs to a worker that died and may be taken over."""
    now = utcnow()
    stale = now - timedelta(seconds=current_app.config["TITLE_CLAIM_STALE_SECONDS"])
    unclaimed = Conversation.title_claim_token.is_(None)
    abandoned = Conversation.title_claimed_at < stale
    conditions = [Conversation.id == conversation_id, Conversation.title_source != "user"]
    if force:
        conditions.append(or_(unclaimed, abandoned))
    else:
        attempts_left = Conversation.title_attempts < _attempts_allowed(conversation_id)
        conditions += [Conversation.title_source.in_(("default", "fallback")),
                       or_(and_(unclaimed, attempts_left), abandoned)]
    result = db.session.execute(
        update(Conversation).where(*conditions)
        .values(title_claim_token=token, title_claimed_at=now, title_attempts=Conversation.title_attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def _finish(conversation_id: str, token: str, title: str | None, fallback: str) -> TitleResult | None:
    """Save the outcome only while we still hold the claim; a user's title is never touched.

    Returns what was saved, or None when nothing was (renamed meanwhile, or a failed
    regeneration that keeps the earlier generated title); the claim is released either way.
    """
    mine = [Conversation.id == conversation_id, Conversation.title_claim_token == token,
            Conversation.title_source != "user"]
    release = {"title_claim_token": None, "title_claimed_at": None}
    outcome = TitleResult(title, "auto") if title else TitleResult(fallback, "fallback")
    if not title:
        mine.append(Conversation.title_source.in_(("default", "fallback")))
    saved = db.session.execute(
        update(Conversation).where(*mine)
        .values(title=outcome.title, title_source=outcome.title_source, **release)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    if not saved:
        db.session.execute(update(Conversation).where(Conversation.id == conversation_id,
                                                      Conversation.title_claim_token == token)
                           .values(**release).execution_options(synchronize_session=False))
    db.session.commit()
    return outcome if saved else None


def _ask_model(user_text: str, assistant_text: str) -> str | None:
    config = current_app.config
    completion = client_for().complete(
        [{"role": "user", "content": build_prompt(user_text, assistant_text)}],
        title_model(), models=config["TITLE_FALLBACK_MODELS"], timeout=config["TITLE_TIMEOUT"],
        max_tokens=MAX_TOKENS, temperature=0.3, reasoning={"effort": "none", "exclude": True},
    )
    return clean_title(completion.content)


def _current(conversation_id: str) -> Conversation:
    db.session.rollback()  # ends any snapshot and expires loaded rows: read what others committed
    return conversations.get_or_404(conversation_id)


def _wait_for_claim(conversation_id: str) -> Conversation:
    """Another request or process is generating: poll until it finishes or the wait runs out."""
    deadline = time.monotonic() + current_app.config["TITLE_WAIT_SECONDS"]
    conversation = _current(conversation_id)
    while conversation.title_claim_token is not None and time.monotonic() < deadline:
        gevent.sleep(POLL_SECONDS)
        conversation = _current(conversation_id)
    return conversation


def _is_settled(conversation: Conversation, force: bool, background: bool) -> bool:
    """Nothing to generate: a user's title, a generated one, or a fallback the caller may not retry."""
    if conversation.title_source == "user":
        return True
    if force:
        return False
    if conversation.title_source == "fallback":
        return not background or conversation.title_attempts >= _attempts_allowed(conversation.id)
    return conversation.title_source == "auto"


def generate_summary(conversation_id: str, *, force: bool = False, background: bool = False) -> TitleResult:
    """Give the conversation a title (or return the one it has); see the module docstring.

    A request (background=False) waits for a generation under way and returns a fallback title
    as it is; the background run after an answer never waits and may retry a fallback once.
    """
    conversation = _current(conversation_id)
    if _is_settled(conversation, force, background):
        return TitleResult(conversation.title, conversation.title_source)
    user_text, assistant_text = _messages_for_title(conversation_id, force)
    token = uuid.uuid4().hex
    if not _claim(conversation_id, token, force):
        conversation = _current(conversation_id) if background else _wait_for_claim(conversation_id)
        return TitleResult(conversation.title, conversation.title_source)
    title = None
    try:
        title = _ask_model(user_text, assistant_text)
        if title is None:
            log.info("title model gave no usable title for conversation %s", conversation_id)
    except Exception as exc:  # noqa: BLE001 - any failure means the fallback title, never a broken chat
        log.warning("title generation failed for conversation %s: %s", conversation_id,
                    getattr(exc, "detail", None) or repr(exc))
    try:
        saved = _finish(conversation_id, token, title, fallback_title(user_text))
        if saved:
            return saved
    except Exception:
        db.session.rollback()
        log.exception("could not save the title of conversation %s", conversation_id)
    conversation = _current(conversation_id)
    return TitleResult(conversation.title, conversation.title_source)


def wants_title(conversation_id: str) -> bool:
    """After an answer is saved: the first answer always, later ones while only a fallback exists."""
    conversation = db.session.get(Conversation, conversation_id)
    return conversation is not None and not _is_settled(conversation, force=False, background=True)


def start_in_background(app: Flask, conversation_id: str) -> gevent.Greenlet:
    """Generate without delaying the chat stream; errors end in the log, never in the chat."""
    def run() -> None:
        with app.app_context():
            try:
                generate_summary(conversation_id, background=True)
            except ApiError:
                pass  # deleted meanwhile, or nothing to title yet
            except Exception:
                log.exception("background title generation failed for %s", conversation_id)
    return gevent.spawn(run)
