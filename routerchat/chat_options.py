"""What a chat sends upstream besides its messages (pure: no Flask, no database): the one system
message made of the instructions in force, and the chat's parameters as OpenRouter names them.

The checks raise `OptionError` with words for the person; the routes turn it into a 400.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .constants import INSTRUCTIONS_MAX_CHARS
from .values import is_whole_number

REASONING_EFFORTS = ("none", "minimal", "low", "medium", "high")


class OptionError(ValueError):
    """A value the person sent that cannot be used (its message says why)."""


def system_message(account_instructions: str | None, folder_instructions: str | None,
                   system_prompt: str | None) -> dict[str, str] | None:
    """The one system message: the account's instructions, then the folder's, then the chat's
    system prompt, blank parts left out; None when every part is blank."""
    parts = [part.strip() for part in (account_instructions, folder_instructions, system_prompt)
             if part and part.strip()]
    return {"role": "system", "content": "\n\n".join(parts)} if parts else None


def check_instructions(name: str, value: object, *, nullable: bool = False) -> str | None:
    """A block of instructions: a string of at most INSTRUCTIONS_MAX_CHARS (null when allowed)."""
    if value is None and nullable:
        return None
    if not isinstance(value, str):
        raise OptionError(f"{name} must be a string{' or null' if nullable else ''}.")
    if len(value) > INSTRUCTIONS_MAX_CHARS:
        raise OptionError(f"{name} is {len(value):,} characters long; the limit is {INSTRUCTIONS_MAX_CHARS:,}.")
    return value


def _number_between(low: float, high: float) -> Callable[[str, object], float]:
    def check(name: str, value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            raise OptionError(f"params.{name} must be a number from {low:g} to {high:g}.")
        return value
    return check


def _whole_number_between(low: int, high: int) -> Callable[[str, object], int]:
    def check(name: str, value: object) -> int:
        if not is_whole_number(value) or not low <= value <= high:
            raise OptionError(f"params.{name} must be a whole number from {low:,} to {high:,}.")
        return value
    return check


def _one_of(choices: tuple[str, ...]) -> Callable[[str, object], str]:
    def check(name: str, value: object) -> str:
        if value not in choices:
            raise OptionError(f"params.{name} must be one of {', '.join(choices)}.")
        return str(value)
    return check


PARAM_CHECKS: dict[str, Callable[[str, object], Any]] = {
    "temperature": _number_between(0, 2),
    "top_p": _number_between(0, 1),
    "max_tokens": _whole_number_between(1, 200_000),
    "reasoning_effort": _one_of(REASONING_EFFORTS),
}
# The name in OpenRouter's `supported_parameters` that says a model takes each one.
SUPPORTED_PARAMETER = {"temperature": "temperature", "top_p": "top_p", "max_tokens": "max_tokens",
                       "reasoning_effort": "reasoning"}


def changed_params(stored: Mapping[str, Any] | None, changes: object) -> dict[str, Any]:
    """The chat's parameters after `changes` (an object; a null value removes that one). Every
    change is checked before any applies."""
    if not isinstance(changes, dict):
        raise OptionError("params must be an object such as {\"temperature\": 0.7}.")
    unknown = sorted(set(changes) - set(PARAM_CHECKS))
    if unknown:
        raise OptionError(f"params has no setting {unknown[0]!r}; the settings are {', '.join(PARAM_CHECKS)}.")
    result = dict(stored or {})
    for name, value in changes.items():
        if value is None:
            result.pop(name, None)
        else:
            result[name] = PARAM_CHECKS[name](name, value)
    return result


def upstream_params(params: Mapping[str, Any] | None) -> dict[str, Any]:
    """The chat's parameters as the request body carries them (reasoning effort as OpenRouter's
    `reasoning: {"effort": ...}`); unset ones are left out."""
    body = {name: value for name, value in (params or {}).items() if name in PARAM_CHECKS}
    effort = body.pop("reasoning_effort", None)
    if effort is not None:
        body["reasoning"] = {"effort": effort}
    return body
