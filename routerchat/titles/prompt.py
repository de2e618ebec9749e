"""The title prompt (pure): the seed wording with the user's language, a TITLE_PROMPT template
checked at start-up, and long messages cut to their head to keep the request cheap."""
from __future__ import annotations

import string

from .language import language_name

SEED = "Generate a concise title (max 5 words) for this conversation start:"
RULES = ("Write the title in {language}, the same language as the user. No quotes, no punctuation "
         "at the end. Reply with the title only.")
DEFAULT_PROMPT = f"{SEED}\n\nUser: {{user}}\nAssistant: {{assistant}}\n\n{RULES}\n\nTitle:"
PROMPT_FIELDS = ("user", "assistant", "language")
HEAD_CHARS = 800


class PromptTemplateError(ValueError):
    """TITLE_PROMPT cannot be used; the message says why and how to fix it."""


def check_prompt_template(template: str, name: str = "TITLE_PROMPT") -> str:
    """Validate a title prompt (TITLE_PROMPT at start-up, an account's title_prompt when saved):
    Python format fields, only the known names, {user} required. `name` is what the message calls it."""
    try:
        fields = [field for _, field, _, _ in string.Formatter().parse(template) if field is not None]
    except ValueError as exc:
        raise PromptTemplateError(
            f"{name} is not a valid template ({exc}); write literal braces as {{{{ }}}}.") from exc
    unknown = sorted({field for field in fields if field not in PROMPT_FIELDS})
    if unknown:
        raise PromptTemplateError(f"{name} uses unknown fields {unknown}; only {{user}}, {{assistant}} "
                                  "and {language} are filled in (write literal braces as {{ }}).")
    if "user" not in fields:
        raise PromptTemplateError(f"{name} must contain {{user}}, the first message to name.")
    return template


def cut_head(text: str, limit: int = HEAD_CHARS) -> str:
    """Keep the head of a long message, cut on a word boundary, marked with an ellipsis."""
    text = text.strip()
    if len(text) <= limit:
        return text
    head = text[:limit]
    space = head.rfind(" ")
    return (head[:space] if space > limit // 2 else head).rstrip() + " …"


def build_prompt(user_text: str, assistant_text: str, template: str | None = None) -> str:
    return (template or DEFAULT_PROMPT).format(user=cut_head(user_text), assistant=cut_head(assistant_text),
                                               language=language_name(user_text))
