"""Conversations as files (pure: no Flask, no database): routerchat's JSON, ChatGPT's export, Markdown.

Reading is strict and all-or-nothing: anything malformed (including text no database can store:
NUL, lone surrogates) raises ArchiveError with a plain-words reason, and the caller imports
nothing. A conversation that is well formed but has nothing to import (no question or answer
with text) is skipped, and said so.

routerchat's JSON holds each conversation's active branch as `messages` (what the page shows)
and every other version of its messages as `other_versions`, linked by `id` and `parent_id`, so
an export imports back with nothing lost. A conversation is read as a tree of entries, parents
first; a file without `other_versions` (or ChatGPT's current branch) is a tree of one branch.
"""
from __future__ import annotations

import base64
import binascii
import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from ..attachments.kinds import clean_name
from ..attachments.parts import FileData
from ..chat_options import OptionError, changed_params, check_instructions
from ..citations import merge_citations
from ..constants import TITLE_MAX_CHARS, MessageStatus
from ..text_safety import MAX_JSON_DEPTH, json_problem, tidy_title
from ..values import MAX_TOKEN_COUNT, is_whole_number

FORMAT = "routerchat"
FORMAT_VERSION = 1
IMPORT_STATUSES = {MessageStatus.COMPLETE, MessageStatus.STOPPED, MessageStatus.ERROR}
ROLES = {"user", "assistant"}
UNTITLED = "Imported conversation"
TOKEN_FIELDS = ("prompt_tokens", "completion_tokens", "total_tokens")
K = TypeVar("K", int, str)  # a message's key: routerchat's ids, ChatGPT's node ids


class ArchiveError(ValueError):
    """The file cannot be imported; the message says why."""


@dataclass
class Entry:
    role: str
    content: str
    created_at: datetime
    model: str | None = None
    status: str = MessageStatus.COMPLETE
    error: str | None = None
    usage: dict[str, Any] | None = None
    reasoning: str | None = None
    reasoning_seconds: float | None = None
    citations: list[dict[str, str]] = field(default_factory=list)
    attachments: list[FileData] = field(default_factory=list)  # as the file says: checked when stored
    key: int = 0  # the entry's id within its conversation; parent_key names an earlier entry
    parent_key: int | None = None
    on_branch: bool = True  # on the active branch (False: another version)


def _chained(entries: list[Entry]) -> list[Entry]:
    """Entries read as one branch: each follows the one before it."""
    for n, entry in enumerate(entries):
        entry.key, entry.parent_key = n, n - 1 if n else None
    return entries


@dataclass
class Archived:
    title: str
    created_at: datetime
    entries: list[Entry] = field(default_factory=list)
    system_prompt: str | None = None
    params: dict[str, Any] | None = None
    pinned: bool = False
    archived: bool = False
    folder: str | None = None  # the folder's name (the importing account's folder of that name)


def load_json(raw: bytes) -> object:
    """The file's JSON, refused when it nests too deeply or holds text no database can store."""
    try:
        data = json.loads(raw)
    except RecursionError as exc:
        raise ArchiveError(f"The file is nested more than {MAX_JSON_DEPTH} levels deep.") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise ArchiveError("The file is not valid JSON (UTF-8).") from exc
    problem = json_problem(data)
    if problem:
        raise ArchiveError(f"The file {problem}.")
    return data


@dataclass(frozen=True)
class Limits:
    """How much one import may hold: conversations, messages (every version counts) and the
    characters of one message (the chat's own limit)."""

    conversations: int
    messages: int
    message_chars: int


DEFAULT_LIMITS = Limits(conversations=10_000, messages=200_000, message_chars=100_000)


def read_archive(data: object, limits: Limits = DEFAULT_LIMITS) -> tuple[list[Archived], list[dict[str, str]]]:
    """Conversations to import and the ones skipped ({"title", "why"}), from either format."""
    if isinstance(data, dict) and data.get("format") == FORMAT:
        conversations, skipped = _from_routerchat(_within_counts(data, limits))
    elif isinstance(data, list) and all(isinstance(item, dict) and "mapping" in item for item in data):
        conversations, skipped = _from_chatgpt(_within_counts(data, limits))
    else:
        raise ArchiveError("This is neither a routerchat export nor ChatGPT's conversations.json.")
    _check_message_lengths(conversations, limits.message_chars)
    return conversations, skipped


def _within_counts(data: Any, limits: Limits) -> Any:
    """The file, once its conversations and messages are counted (before any is read) and found
    within the limits."""
    items = data.get("conversations") if isinstance(data, dict) else data
    if not isinstance(items, list):
        return data  # the reader says what is wrong
    if len(items) > limits.conversations:
        raise ArchiveError(f"The file holds {len(items):,} conversations; one import takes at most "
                           f"{limits.conversations:,} (IMPORT_MAX_CONVERSATIONS).")
    messages = sum(_raw_message_count(item) for item in items)
    if messages > limits.messages:
        raise ArchiveError(f"The file holds {messages:,} messages; one import takes at most {limits.messages:,} "
                           "(IMPORT_MAX_MESSAGES).")
    return data


def _raw_message_count(item: object) -> int:
    if not isinstance(item, dict):
        return 0
    return sum(len(value) for key in ("messages", "other_versions", "mapping")
               if isinstance(value := item.get(key), list | dict))


def _check_message_lengths(conversations: list[Archived], limit: int) -> None:
    for n, conversation in enumerate(conversations, 1):
        for entry in conversation.entries:
            if len(entry.content) > limit:
                raise ArchiveError(f"A message of conversation {n} (“{conversation.title}”) is {len(entry.content):,} "
                                   f"characters long; a message may have at most {limit:,} (MESSAGE_MAX_CHARS).")


def _skipped_or_kept(conversations: list[Archived]) -> tuple[list[Archived], list[dict[str, str]]]:
    kept = [c for c in conversations if c.entries]
    skipped = [{"title": c.title, "why": "It has no question or answer with text."}
               for c in conversations if not c.entries]
    return kept, skipped


# --- routerchat's own format ----------------------------------------------------------------------

def _from_routerchat(data: dict[str, Any]) -> tuple[list[Archived], list[dict[str, str]]]:
    if data.get("version") != FORMAT_VERSION:
        raise ArchiveError(f"This routerchat export has version {data.get('version')!r}; "
                           f"this server reads version {FORMAT_VERSION}.")
    items = data.get("conversations")
    if not isinstance(items, list):
        raise ArchiveError("The export has no list of conversations.")
    return _skipped_or_kept([_routerchat_conversation(item, n) for n, item in enumerate(items, 1)])


def _routerchat_conversation(item: object, n: int) -> Archived:
    where = f"conversation {n}"
    if not isinstance(item, dict) or not isinstance(item.get("messages"), list):
        raise ArchiveError(f"In the export, {where} is not an object with a list of messages.")
    created = _timestamp(item.get("created_at"), where)
    conversation = Archived(_title(item.get("title")), created, **_chat_options(item, where),
                            **_organised(item, where))
    branch = [_routerchat_entry(message, f"{where}, message {m}") for m, message in enumerate(item["messages"], 1)]
    others = item.get("other_versions")
    if others is None:
        conversation.entries = _chained([e for e in branch if e.content or e.role == "assistant"])
        return conversation
    if not isinstance(others, list):
        raise ArchiveError(f"In the export, the other versions of {where} are not a list.")
    for m, (entry, message) in enumerate(zip(branch, item["messages"], strict=True), 1):
        _link(entry, message, f"{where}, message {m}")
    for v, message in enumerate(others, 1):
        entry = _routerchat_entry(message, f"{where}, other version {v}")
        _link(entry, message, f"{where}, other version {v}")
        entry.on_branch = False
        branch.append(entry)
    conversation.entries = _version_tree(branch, where)
    return conversation


def _chat_options(item: dict[str, Any], where: str) -> dict[str, Any]:
    """The chat's system prompt and parameters (exports before them have neither)."""
    try:
        prompt = check_instructions("system_prompt", item.get("system_prompt"), nullable=True)
        params = changed_params(None, item.get("params") or {})
    except OptionError as exc:
        raise ArchiveError(f"In the export, {where}: {exc}") from exc
    return {"system_prompt": prompt, "params": params or None}


def _organised(item: dict[str, Any], where: str) -> dict[str, Any]:
    """Pinned, archived and the folder's name (exports before them have none of these)."""
    for flag in ("pinned", "archived"):
        if not isinstance(item.get(flag, False), bool):
            raise ArchiveError(f"In the export, {where}: {flag} must be true or false.")
    folder = item.get("folder")
    if folder is not None and not isinstance(folder, str):
        raise ArchiveError(f"In the export, {where}: folder must be a folder's name or null.")
    return {"pinned": item.get("pinned", False), "archived": item.get("archived", False), "folder": folder}


def _link(entry: Entry, message: dict[str, Any], where: str) -> None:
    """The entry's place in the tree: its `id` and `parent_id` (null for a first message)."""
    key, parent_key = message.get("id"), message.get("parent_id")
    if not is_whole_number(key) or not (parent_key is None or is_whole_number(parent_key)):
        raise ArchiveError(f"In the export, {where} needs a whole-number id and parent_id (null at the start), "
                           "as the file has other versions.")
    entry.key, entry.parent_key = key, parent_key


def _version_tree(entries: list[Entry], where: str) -> list[Entry]:
    """The entries parents first, checked: unique ids, every parent in the conversation, no cycle,
    and the active branch (`on_branch`, in order) one path down from the start."""
    by_key: dict[int, Entry] = {}
    for entry in entries:
        if entry.key in by_key:
            raise ArchiveError(f"In the export, {where} has two messages with id {entry.key}.")
        by_key[entry.key] = entry
    branch = [e for e in entries if e.on_branch]
    if [e.parent_key for e in branch] != [None, *[e.key for e in branch]][:len(branch)]:
        raise ArchiveError(f"In the export, the messages of {where} are not one branch from its start "
                           "(each message's parent_id must be the id of the one before it).")
    return [by_key[key] for key in _parents_first({e.key: e.parent_key for e in entries}, "the export", where)]


def _parents_first(parent_of: dict[K, K | None], source: str, where: str) -> list[K]:
    """The keys in an order where each comes after its parent; a parent that is not there, or a
    cycle, refuses the file."""
    placed: set[K] = set()
    ordered: list[K] = []
    for key in parent_of:
        path: list[K] = []  # from this key up to the first one already placed
        on_path: set[K] = set()
        current: K | None = key
        while current is not None and current not in placed:
            if current in on_path:
                raise ArchiveError(f"In {source}, the messages of {where} form a cycle.")
            if current not in parent_of:
                raise ArchiveError(f"In {source}, {where} refers to a missing message ({str(current)[:40]}).")
            path.append(current)
            on_path.add(current)
            current = parent_of[current]
        placed.update(path)
        ordered.extend(reversed(path))
    return ordered


def _routerchat_entry(message: object, where: str) -> Entry:
    if not isinstance(message, dict):
        raise ArchiveError(f"In the export, {where} is not an object.")
    role, content = message.get("role"), message.get("content")
    if role not in ROLES or not isinstance(content, str):
        raise ArchiveError(f"In the export, {where} needs a role (user or assistant) and text content.")
    status: str = message["status"] if message.get("status") in IMPORT_STATUSES else MessageStatus.STOPPED
    usage = _usage(message.get("usage"), where)
    if role == "user":
        status = MessageStatus.COMPLETE
    reasoning = message.get("reasoning")
    return Entry(role=role, content=content, created_at=_timestamp(message.get("created_at"), where),
                 model=_optional_text(message.get("model")), status=status,
                 error=_optional_text(message.get("error")), usage=usage,
                 reasoning=reasoning if isinstance(reasoning, str) and reasoning and role == "assistant" else None,
                 reasoning_seconds=_duration(message.get("reasoning_seconds")),
                 citations=merge_citations([], message.get("citations")) if role == "assistant" else [],
                 attachments=_attachments(message.get("attachments"), where))


def _attachments(raw: object, where: str) -> list[FileData]:
    """A message's files as an export embeds them: `name`, `type` and the bytes as base64 `data`."""
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise ArchiveError(f"In the export, the attachments of {where} are not a list of objects.")
    files = []
    for n, item in enumerate(raw, 1):
        try:
            data = base64.b64decode(item.get("data") or "", validate=True)
        except (binascii.Error, ValueError, TypeError) as exc:
            raise ArchiveError(f"In the export, attachment {n} of {where} has no base64 data.") from exc
        if not data:
            raise ArchiveError(f"In the export, attachment {n} of {where} has no base64 data.")
        name = item.get("name")
        files.append(FileData(clean_name(name if isinstance(name, str) else None), str(item.get("type")), data))
    return files


# --- ChatGPT's conversations.json -----------------------------------------------------------------

def _from_chatgpt(items: list[dict[str, Any]]) -> tuple[list[Archived], list[dict[str, str]]]:
    return _skipped_or_kept([_chatgpt_conversation(item, n) for n, item in enumerate(items, 1)])


def _chatgpt_conversation(item: dict[str, Any], n: int) -> Archived:
    """Every branch of the conversation, the one the user last saw (`current_node`) shown.
    Messages left out (system, hidden, tool, empty) pass their place to their children."""
    where = f"conversation {n}"
    mapping = item.get("mapping")
    if not isinstance(mapping, dict):
        raise ArchiveError(f"In the ChatGPT export, {where} has no message tree (mapping).")
    created = _epoch(item.get("create_time"), where) or datetime(1970, 1, 1)
    conversation = Archived(_title(item.get("title")), created)
    parent_of = _chatgpt_parents(mapping, where)
    order = _parents_first(parent_of, "the ChatGPT export", where)
    branch = set(_chatgpt_branch(parent_of, item.get("current_node"), where))
    kept: dict[str, Entry] = {}
    kept_above: dict[str, str | None] = {}  # each node's nearest kept ancestor, or itself when kept
    for node_id in order:
        parent = parent_of[node_id]
        above = kept_above[parent] if parent is not None else None
        entry = _chatgpt_entry(mapping[node_id].get("message"), where,
                               after=kept[above].created_at if above is not None else created)
        if entry is not None:
            entry.key, entry.on_branch = len(kept), node_id in branch
            entry.parent_key = kept[above].key if above is not None else None
            kept[node_id] = entry
        kept_above[node_id] = node_id if entry is not None else above
    conversation.entries = list(kept.values())
    return conversation


def _chatgpt_parents(mapping: dict[str, Any], where: str) -> dict[str, str | None]:
    parent_of: dict[str, str | None] = {}
    for node_id, node in mapping.items():
        if not isinstance(node, dict):
            raise ArchiveError(f"In the ChatGPT export, a message of {where} is not an object.")
        parent = node.get("parent")
        if not (parent is None or isinstance(parent, str)):
            raise ArchiveError(f"In the ChatGPT export, {where} refers to a missing message ({str(parent)[:40]}).")
        parent_of[node_id] = parent
    return parent_of


def _chatgpt_branch(parent_of: dict[str, str | None], current_node: object, where: str) -> list[str]:
    """The node ids from `current_node` (the message the user last saw) up to the root."""
    if not isinstance(current_node, str) or current_node not in parent_of:
        raise ArchiveError(f"In the ChatGPT export, {where} points to a message that is not in it (current_node).")
    branch: list[str] = []
    node_id: str | None = current_node
    while node_id is not None:
        branch.append(node_id)
        node_id = parent_of[node_id]  # _parents_first refused missing parents and cycles before
    return branch


def _chatgpt_entry(message: object, where: str, after: datetime) -> Entry | None:
    """A user or assistant message with text; None for system/tool messages, hidden ones and empty ones."""
    if message is None:
        return None
    if not isinstance(message, dict):
        raise ArchiveError(f"In the ChatGPT export, a message of {where} is not an object.")
    author: dict[str, Any] = message["author"] if isinstance(message.get("author"), dict) else {}
    metadata: dict[str, Any] = message["metadata"] if isinstance(message.get("metadata"), dict) else {}
    if author.get("role") not in ROLES or metadata.get("is_visually_hidden_from_conversation"):
        return None
    text = _chatgpt_text(message.get("content"), where)
    if not text.strip():
        return None
    created = _epoch(message.get("create_time"), where)
    created = created if created is not None and created > after else after + timedelta(microseconds=1)
    model = metadata.get("model_slug")
    return Entry(role=author["role"], content=text, created_at=created,
                 model=_optional_text(model) if author["role"] == "assistant" else None)


def _chatgpt_text(content: object, where: str) -> str:
    """The text parts of a message (`text` and `multimodal_text`; images and files become a note)."""
    if not isinstance(content, dict):
        return ""
    if content.get("content_type") not in ("text", "multimodal_text"):
        return ""
    parts = content.get("parts")
    if not isinstance(parts, list):
        raise ArchiveError(f"In the ChatGPT export, a message of {where} has text without parts.")
    pieces = [part if isinstance(part, str) else "[attachment not imported]" for part in parts]
    return "\n\n".join(piece for piece in pieces if piece)


# --- values -------------------------------------------------------------------------------------

def _optional_text(value: object) -> str | None:
    return value[:200] if isinstance(value, str) and value else None


def _usage(value: object, where: str) -> dict[str, Any] | None:
    """A message's usage, its token counts whole numbers that any database column holds."""
    if not isinstance(value, dict):
        return None
    for name in TOKEN_FIELDS:
        count = value.get(name)
        if count is not None and not (is_whole_number(count) and 0 <= count <= MAX_TOKEN_COUNT):
            raise ArchiveError(f"In the export, {where} has a {name} that is not a whole number "
                               f"from 0 to {MAX_TOKEN_COUNT}.")
    return value


def _duration(value: object) -> float | None:
    """A number of seconds, or None for anything else."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1e7:
        return None
    return float(value)


def _title(value: object) -> str:
    title = tidy_title(value) if isinstance(value, str) else ""
    return title[:TITLE_MAX_CHARS].rstrip() or UNTITLED


def _timestamp(value: object, where: str) -> datetime:
    if not isinstance(value, str):
        raise ArchiveError(f"In the export, {where} has no created_at time.")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
    except ValueError as exc:
        raise ArchiveError(f"In the export, {where} has a created_at that is not a time: {value[:40]!r}.") from exc
    except OverflowError as exc:  # an offset that moves the time out of the years 1-9999
        raise ArchiveError(f"In the export, {where} has a created_at out of range: {value[:40]!r}.") from exc


def _epoch(value: object, where: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise ArchiveError(f"In the ChatGPT export, {where} has a time that is not a number of seconds.")
    try:
        return datetime.fromtimestamp(value, UTC).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError) as exc:
        raise ArchiveError(f"In the ChatGPT export, {where} has a time out of range.") from exc


# --- writing ---------------------------------------------------------------------------------------

def archive_header(exported_at: str) -> dict[str, Any]:
    return {"format": FORMAT, "version": FORMAT_VERSION, "exported_at": exported_at}


def to_markdown(conversation: dict[str, Any]) -> str:
    """A readable Markdown file of a conversation as `GET /conversation/<id>` describes it."""
    lines = [f"# {conversation['title']}", ""]
    for message in conversation["messages"]:
        who = "You" if message["role"] == "user" else f"Assistant ({message.get('model') or 'unknown model'})"
        lines += [f"## {who} · {message['created_at']}", "", message["content"].rstrip() or "*(no text)*", ""]
        lines += [f"- Attached: {a['name']} ({a['type']}, {a['size']:,} bytes)" for a in message.get("attachments", [])]
        lines += [""] if message.get("attachments") else []
        if message.get("status") not in (None, MessageStatus.COMPLETE):
            note = message.get("error") or f"This answer is {message['status']}."
            lines += [f"> {note}", ""]
        citations = message.get("citations") or []
        lines += [f"{n}. {c['title'] or c['url']} <{c['url']}>" for n, c in enumerate(citations, 1)]
        if citations:
            lines.append("")
    return "\n".join(lines)
