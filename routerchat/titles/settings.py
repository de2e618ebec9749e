"""The title settings a PUT /settings or a preview names, checked before anything is stored or
asked: the model id as /settings checks it, the prompt as TITLE_PROMPT is checked at start-up."""
from __future__ import annotations

from typing import Any

from .. import settings
from ..errors import ApiError
from .prompt import PromptTemplateError, check_prompt_template

TITLE_KEYS = ("title_model", "title_prompt")


def check_title_prompt(body: dict[str, Any]) -> None:
    """A 400 that says what is wrong when the body's title_prompt is not a usable template."""
    prompt = body.get("title_prompt")
    if isinstance(prompt, str) and prompt.strip():
        try:
            check_prompt_template(prompt, "title_prompt")
        except PromptTemplateError as exc:
            raise ApiError(400, str(exc)) from exc


def checked_preview(body: dict[str, Any]) -> tuple[str | None, str | None]:
    """The model and prompt to try (None: the account's), from a body with only those keys."""
    unknown = sorted(set(body) - set(TITLE_KEYS))
    if unknown:
        raise ApiError(400, f"A title preview takes only {' and '.join(TITLE_KEYS)}, not {unknown[0]!r}.")
    changes = settings.checked_changes(body)
    check_title_prompt(body)
    return changes.get("title_model"), changes.get("title_prompt")
