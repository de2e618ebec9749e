"""Conversations written straight to the database (no chat, no title job to wait for)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass
class Stored:
    """A conversation written by `store_conversation`: its id and its messages' ids, in order."""
    id: str
    questions: list[int]
    answers: list[int]


def store_conversation(app, *exchanges: tuple[str, str], owner: str | None = None, at: datetime | None = None,
                       answer: dict | None = None, **conversation) -> Stored:
    """A conversation of (question, answer) exchanges on one branch. `owner` names its account, `at`
    dates the conversation and every message, `answer` goes to every answer (model, usage, status…)
    and the other keywords to the conversation (title, title_source, title_cost…). Answers with a
    `usage` and title requests are also written to the usage ledger, as if they had been billed."""
    from routerchat import accounts, conversations
    from routerchat.costs import usage_columns
    from routerchat.db.models import Conversation, UsageRecord, new_id, utcnow
    from routerchat.extensions import db

    with app.app_context():
        if owner is not None:
            conversation["account_id"] = accounts.named(owner).id
        if at is not None:
            conversation.update(created_at=at, updated_at=at)
        row = Conversation(id=new_id(), **conversation)
        db.session.add(row)
        db.session.flush()

        def add(role: str, text: str, parent_id: int | None, **fields) -> int:
            message = conversations.add_message(row.id, role, text, parent_id=parent_id, **fields)
            if at is not None:
                message.created_at = message.selected_at = at
            return message.id

        def bill(kind: str, model: str | None, requests: int, **usage) -> None:
            db.session.add(UsageRecord(account_id=row.account_id, kind=kind, model=model, requests=requests,
                                       at=at or utcnow(), **usage))

        stored, parent = Stored(row.id, [], []), None
        for question, reply in exchanges:
            stored.questions.append(add("user", question, parent))
            stored.answers.append(parent := add("assistant", reply, stored.questions[-1], **(answer or {})))
            if (answer or {}).get("usage") is not None:
                columns = usage_columns(answer["usage"])
                bill("answer", answer.get("model"), 1, prompt_tokens=columns["prompt_tokens"],
                     completion_tokens=columns["completion_tokens"], cost=columns["cost"])
        if conversation.get("title_requests"):
            bill("title", conversation.get("title_model"), conversation["title_requests"],
                 cost=conversation.get("title_cost"))
        db.session.commit()
        return stored


def store_exchange(app, question: str, answer: str, *, title: str, title_source: str, **answer_fields) -> str:
    """A conversation with one question and its answer (`answer_fields`: model, usage…); its id."""
    return store_conversation(app, (question, answer), title=title, title_source=title_source,
                              answer=answer_fields).id
