"""Names and limits every layer shares (pure: imports nothing of routerchat's).

They live at the bottom so that the storage layer (column sizes, defaults) and the features above
it (titles, presets, conversations) agree without importing each other.
"""
from __future__ import annotations

from enum import StrEnum

DEFAULT_TITLE = "New Conversation"
TITLE_MAX_CHARS = 100
FREE_SLOT = 6  # the preset of the free tier; its model also writes the titles
NO_ACCOUNT = 0  # preset owner of the app without accounts (conversations use a NULL account_id)
ACCOUNT_NAME_MAX_CHARS = 64
MODEL_ID_MAX_CHARS = 200
INSTRUCTIONS_MAX_CHARS = 8000  # the account's instructions, a folder's, a chat's system prompt
TITLE_PROMPT_MAX_CHARS = 8000
ATTACHMENT_NAME_MAX_CHARS = 200
FOLDER_NAME_MAX_CHARS = 100


class MessageStatus(StrEnum):
    """Where a message stands. A user message is always `complete`."""

    COMPLETE = "complete"
    STREAMING = "streaming"  # an answer being written right now
    STOPPED = "stopped"  # ended early on purpose (or its process went away)
    ERROR = "error"  # the upstream failed; the row keeps what arrived


class TitleSource(StrEnum):
    """Who wrote a conversation's title."""

    DEFAULT = "default"  # nobody yet: "New Conversation"
    AUTO = "auto"  # the title model
    FALLBACK = "fallback"  # made from the first message when the model gave no title
    USER = "user"  # the person (rename, import): never overwritten
