"""Fork: a new chat holding a copy of one branch of a conversation, up to a chosen message.

The copy keeps what the messages say (text, reasoning, citations, attachments, model, status)
and what the chat sends (model, system prompt, parameters, folder); it starts unpinned and
unarchived, titled like the original by the user (no title is generated for it), and remembers
its original in `forked_from`. Usage and cost are not copied: the fork spent nothing.
The files are shared, not duplicated: a file stays while any chat's message carries it.
"""
from __future__ import annotations

from typing import Any

from .. import conversations, versions
from ..attachments import store as attachments
from ..constants import MessageStatus, TitleSource
from ..db.models import Conversation, Message, new_id, utcnow
from ..errors import ApiError
from ..extensions import db

# Columns a copy sets itself (identity, place in the tree) or leaves at their defaults.
_NOT_COPIED_FROM_MESSAGE = frozenset({
    "id", "conversation_id", "parent_id", "selected_at",
    "prompt_tokens", "completion_tokens", "total_tokens", "cost", "reasoning_tokens",
})
_NOT_COPIED_FROM_CONVERSATION = frozenset({
    "id", "title_source", "title_claim_token", "title_claimed_at", "title_attempts", "title_model",
    "title_requests", "title_prompt_tokens", "title_completion_tokens", "title_cost",
    "created_at", "updated_at", "pinned", "archived", "forked_from",
})


def _copied_columns(row: Conversation | Message, left_out: frozenset[str]) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in type(row).__mapper__.column_attrs
            if column.key not in left_out}


def fork(original: Conversation, message_id: object) -> Conversation:
    """The new chat (committed): the branch through `message_id`, root first, down to that message."""
    target = conversations.message_in(original, message_id)
    branch = versions.ancestry(original.messages, target.id)
    if any(message.status == MessageStatus.STREAMING for message in branch):
        raise ApiError(409, "This answer is still being written; branch from it once it has ended.")
    now = utcnow()
    copy = Conversation(**_copied_columns(original, _NOT_COPIED_FROM_CONVERSATION), id=new_id(),
                        title_source=TitleSource.USER, forked_from=original.id, created_at=now, updated_at=now)
    db.session.add(copy)
    parent: Message | None = None
    for message in branch:
        fields = _copied_columns(message, _NOT_COPIED_FROM_MESSAGE)
        parent = Message(**fields, conversation_id=copy.id, parent=parent, selected_at=now)
        db.session.add(parent)
        db.session.flush()
        attachments.link(parent.id, list(message.attachments))
    db.session.commit()
    return copy
