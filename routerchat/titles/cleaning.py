"""A model's title answer cleaned (pure): reasoning blocks, preambles, labels, Markdown, quotes and
final punctuation removed; None when what is left is no title at all (an echo of the prompt, a
transcript line)."""
from __future__ import annotations

import re

from ..constants import TITLE_MAX_CHARS
from ..text_safety import strip_title_controls
from .prompt import SEED

THINK_BLOCK = re.compile(r"<(think|thinking|reasoning|reflection|thought)\b[^>]*>.*?(?:</\1\s*>|$)",
                         re.IGNORECASE | re.DOTALL)
THINK_CLOSE = re.compile(r"</(?:think|thinking|reasoning|reflection|thought)\s*>", re.IGNORECASE)
# Generic labels a model puts before the title ("Chat:", "Your Story:", "Тема:"); never the topic itself.
LABEL_WORDS = (
    "title", "topic", "subject", "category", "theme", "heading", "headline", "chat", "conversation", "story",
    "summary", "answer", "response", "question", "query", "request",
    "titre", "sujet", "thème", "réponse", "título", "titulo", "tema", "asunto", "assunto", "resposta",
    "respuesta", "titolo", "argomento", "risposta", "titel", "thema", "betreff", "überschrift", "antwort",
    "название", "тема", "заголовок", "ответ", "タイトル", "件名", "テーマ", "題名", "标题", "標題", "主题",
    "主題", "话题", "제목", "주제", "العنوان", "الموضوع", "عنوان", "शीर्षक", "विषय",
)
LABEL_LEADS = "suggested|conversation|chat|short|concise|possible|new|your|my|the|a|main|le|la|el|der|die|das|il|o"
LABEL = re.compile(rf"^(?:(?:{LABEL_LEADS})\s+)?(?:{'|'.join(map(re.escape, LABEL_WORDS))})"
                   r"(?:\s*[:：]\s*|\s+[-–—]\s+)",
                   re.IGNORECASE)
HALVES = re.compile(r"\s*:\s+|\s*：\s*|\s+[-–—]\s+|\s*—\s*")
TRANSCRIPT_LINE = re.compile(r"^(?:user|assistant|human|ai|system)\s*:", re.IGNORECASE)
LIST_MARKER = re.compile(r"^(?:#{1,6}\s*|[-*+•]\s+|\d+[.)]\s+|>\s*)")
EMPHASIS = re.compile(r"\*\*(.+?)\*\*")  # not __: titles like "Python __init__ Explained"
QUOTES = "\"'`“”‘’„‟«»‹›「」『』＂＇"
END_PUNCTUATION = ".,;:!?…。．｡！？、，；：·-‐‒–—－؟،।"
PAIRED_QUOTES = (("“", "”"), ("«", "»"), ("‹", "›"), ("「", "」"), ("『", "』"))
USELESS_TITLES = {"title", "new conversation", "untitled", "conversation", "none", "n/a"}


def without_reasoning(raw: str) -> str:
    """The answer with <think>…</think> and similar blocks removed."""
    text = THINK_BLOCK.sub("", raw)
    closings = list(THINK_CLOSE.finditer(text))
    if closings:  # the model left out the opening tag: everything before the close is reasoning
        text = text[closings[-1].end():]
    return text


def strip_edges(text: str) -> str:
    """Peel quotes, markdown emphasis and final punctuation until nothing more comes off."""
    previous = None
    while text != previous:
        previous = text
        text = text.strip().strip(QUOTES + "*_").strip()
        text = text.rstrip(END_PUNCTUATION + QUOTES + "*_ ")
    return text


def without_stray_quotes(title: str) -> str:
    """A quote left open by a cut answer ('Flask Error: "NoneType' of 'Flask Error: "NoneType"' then
    a code fence, its closing quote peeled off with the end) is dropped: a half-quoted title reads
    as broken. Balanced quotes stay ('The "Hello World" Program')."""
    if title.count('"') % 2:
        title = title.replace('"', "")
    for opening, closing in PAIRED_QUOTES:
        if title.count(opening) != title.count(closing):
            title = title.replace(opening, "").replace(closing, "")
    return " ".join(title.split())


def halves(title: str) -> tuple[str, str] | None:
    """The two sides of "A: B" or "A – B" (cleaned), when the title has that shape."""
    parts = HALVES.split(title, maxsplit=1)
    if len(parts) != 2:
        return None
    first, second = (without_stray_quotes(strip_edges(part)) for part in parts)  # no 'NoneType" in Flask'
    return (first, second) if re.search(r"\w", first) and re.search(r"\w", second) else None


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


def unmark(line: str) -> str:
    """Drop Markdown that frames text (heading or list marker, bold pairs, backticks)."""
    return EMPHASIS.sub(r"\1", LIST_MARKER.sub("", line)).replace("`", "")


def clean_title(raw: str | None) -> str | None:
    """A usable title from a model's answer, or None when the answer is not a title."""
    if not raw:
        return None
    line = strip_title_controls(_first_title_line(without_reasoning(raw)))
    if not line or TRANSCRIPT_LINE.match(line) or line.lower().startswith(SEED[:24].lower()):
        return None
    if line.startswith(("```", "~~~")):  # code after "Here's a solution:": its language is no title
        return None
    line = LABEL.sub("", LABEL.sub("", strip_edges(unmark(line))).lstrip())
    title = without_stray_quotes(strip_edges(" ".join(line.split())))
    if TRANSCRIPT_LINE.match(title) or "conversation start" in title.lower():
        return None
    if not re.search(r"\w", title) or title.lower() in USELESS_TITLES:
        return None
    return cap_on_word(title, TITLE_MAX_CHARS)
