"""Versions of a message: which branch of a conversation is active, and where each message
stands among its siblings. Pure logic over already-loaded messages (no Flask, no database).

Messages form a tree through `parent_id`; siblings (same parent) are versions of one another,
numbered by creation. At every level the sibling chosen most recently (`selected_at`: a new
version is chosen when written, an old one when the user switches back to it) is active.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar


class Node(Protocol):
    """What this module reads of a message (read-only, so a model's `datetime` columns fit)."""

    @property
    def id(self) -> int: ...
    @property
    def parent_id(self) -> int | None: ...
    @property
    def selected_at(self) -> object: ...
    @property
    def created_at(self) -> object: ...


N = TypeVar("N", bound=Node)


@dataclass(frozen=True)
class Placed(Generic[N]):
    """A message on the active branch with its 1-based version among its siblings (their ids
    in version order, so a page can switch to another version)."""

    message: N
    version: int
    siblings: tuple[int, ...]

    @property
    def versions(self) -> int:
        return len(self.siblings)


def _siblings_by_parent(messages: Iterable[N]) -> dict[int | None, list[N]]:
    children: dict[int | None, list[N]] = defaultdict(list)
    for message in messages:
        children[message.parent_id].append(message)
    for siblings in children.values():
        siblings.sort(key=lambda m: (m.created_at, m.id))
    return children


def active_branch(messages: Iterable[N]) -> list[Placed[N]]:
    """From the root down, the most recently selected sibling at every level."""
    children = _siblings_by_parent(messages)
    branch: list[Placed[N]] = []
    parent: int | None = None
    while children.get(parent):
        siblings = children[parent]
        chosen = max(siblings, key=lambda m: (m.selected_at, m.id))
        branch.append(Placed(chosen, siblings.index(chosen) + 1, tuple(m.id for m in siblings)))
        parent = chosen.id
    return branch


def ancestry(messages: Sequence[N], message_id: int) -> list[N]:
    """The message and every message above it, root first (empty when the id is not there)."""
    by_id = {m.id: m for m in messages}
    path: list[N] = []
    current = by_id.get(message_id)
    while current is not None and len(path) <= len(by_id):
        path.append(current)
        current = by_id.get(current.parent_id) if current.parent_id is not None else None
    return path[::-1]
