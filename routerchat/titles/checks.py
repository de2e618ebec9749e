"""The checks that tell a title from what small models really write instead (pure).

Each check is a small function over a `Candidate` and is named in `CHECKS`, so the job can log
which rule rejected an answer and the corpus in tests/ can measure both kinds of mistake.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from .cleaning import END_PUNCTUATION, QUOTES, clean_title, without_reasoning
from .language import (
    DENSE_FILLER,
    DENSE_SCRIPTS,
    FUNCTION_WORD_SET,
    FUNCTION_WORDS_BY_LANGUAGE,
    dominant_script,
    function_word_votes,
    language_name,
    script_of,
    scripts_compatible,
)
from .prompt import cut_head

MAX_WORDS = 8
MAX_CHARS = 60
TASK_WORDS = {
    "title", "titles", "titled", "conversation", "conversations", "concise", "summary", "summarize",
    "summarise", "description", "describe", "generate", "prompt", "titre", "título", "titulo", "titolo",
    "titel", "überschrift", "conversación", "conversa", "conversazione", "gespräch", "unterhaltung",
    "resumen", "résumé", "resumo", "riassunto", "zusammenfassung", "заголовок", "название", "разговор",
    "беседа", "диалог", "заголовки",
}
DENSE_TASK_WORDS = ("タイトル", "会話", "要約", "标题", "標題", "对话", "對話", "总结", "제목", "대화", "요약")
LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+\S", re.MULTILINE)
INLINE_LIST = re.compile(r"(?:^|\s)1[.)]\s+\S.*?\s2[.)]\s+\S")
OPTION_PHRASE = re.compile(
    r"\bhere (?:are|is) (?:a few|some|several|\d+|two|three|four|five)\b|\b(?:title )?options\s*:"
    r"|\balternatively\b|\bor alternatively\b|\bvoici (?:quelques|plusieurs)\b"
    r"|\baquí (?:tienes|hay) (?:algunas|varias)\b"
    r"|\bhier sind (?:einige|ein paar)\b|вот несколько|いくつかの", re.IGNORECASE)
REFUSAL = re.compile(
    r"^(?:i'?m sorry|i am sorry|sorry\b|i apologi[sz]e|my apologies|apologies|unfortunately|i can'?t\b|i cannot|"
    r"i can not|i'?m (?:not able|unable)|i am (?:not able|unable)|i won'?t\b|as an ai\b|lo siento|lamentablemente|"
    r"no puedo|désolée?|je suis désolée?|je ne peux pas|malheureusement|es tut mir leid|leider|"
    r"ich kann (?:nicht|keine)|entschuldigung|извините|к сожалению|простите|я не могу|mi dispiace|purtroppo|"
    r"non posso|desculpe|infelizmente|não posso|申し訳|すみません|ごめんなさい|抱歉|对不起|對不起|很遗憾|"
    r"我无法|我不能|죄송|미안)|\bas an ai (?:language )?model\b|\bi can(?:'?t|not) (?:help|assist|provide|create)",
    re.IGNORECASE)
WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Candidate:
    """A cleaned title, the raw answer it came from, and the exchange it should name."""

    title: str
    raw: str
    user: str
    assistant: str


def _words(text: str) -> list[str]:
    return [word.lower() for word in WORD.findall(text)]


def _normal(word: str) -> str:
    """Arabic glues the article to the word; compare without it."""
    return word[2:] if word.startswith("ال") and len(word) > 4 else word


def same_stem(a: str, b: str) -> bool:
    """Equal words, or inflections of one stem ("plan"/"plans", "рецепт"/"рецепта")."""
    a, b = _normal(a), _normal(b)
    if a == b:
        return True
    shortest = min(len(a), len(b))
    prefix = len(_common_prefix(a, b))
    return shortest >= 4 and prefix >= 4 and prefix >= shortest - 2


def _common_prefix(a: str, b: str) -> str:
    for index, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return a[:index]
    return a[:min(len(a), len(b))]


def content_words(text: str) -> list[str]:
    """Words that carry meaning in space-separated scripts: no function words, numbers or dense runs."""
    return [word for word in _words(text)
            if len(word.strip("_")) >= 2 and not word.isdigit() and word not in FUNCTION_WORD_SET
            and not any(script_of(char) in DENSE_SCRIPTS for char in word)]


def dense_characters(text: str) -> set[str]:
    """Han, katakana and Hangul characters that carry meaning (particles and hiragana left out)."""
    return {char for char in text if script_of(char) in DENSE_SCRIPTS and char not in DENSE_FILLER
            and not unicodedata.name(char, "").startswith("HIRAGANA")}


def display_width(text: str) -> int:
    """Columns on screen: wide (CJK) characters take two, as in a terminal."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def is_too_long(candidate: Candidate) -> bool:
    """A sentence or a continuation, not a title: over 8 words, or over 60 columns wide."""
    return len(candidate.title.split()) > MAX_WORDS or display_width(candidate.title) > MAX_CHARS


def is_option_list(candidate: Candidate) -> bool:
    """Several titles offered to choose from ("Here are a few options: 1. … 2. …")."""
    raw = without_reasoning(candidate.raw)
    return (len(LIST_ITEM.findall(raw)) >= 2 or bool(INLINE_LIST.search(raw))
            or bool(OPTION_PHRASE.search(raw)))


def is_refusal(candidate: Candidate) -> bool:
    """A refusal or an apology in place of a title."""
    return any(REFUSAL.search(text.strip(QUOTES + " *\n")[:200])
               for text in (without_reasoning(candidate.raw), candidate.title))


def talks_about_the_task(candidate: Candidate) -> bool:
    """Words about titling ("title", "conversation", "concise") that the user never used."""
    user_words = _words(candidate.user)
    for word in _words(candidate.title):
        if word in TASK_WORDS and not any(same_stem(word, used) for used in user_words):
            return True
    return any(word in candidate.title and word not in candidate.user for word in DENSE_TASK_WORDS)


def is_other_script(candidate: Candidate) -> bool:
    """Written in another script than the user's message. Words taken from the exchange (a
    product name in Latin letters inside a Japanese title) do not count."""
    seen = f"{candidate.user}\n{candidate.assistant}".lower()
    own_words = " ".join(word for word in candidate.title.split() if word.lower().strip(END_PUNCTUATION) not in seen)
    title_script, user_script = dominant_script(own_words), dominant_script(candidate.user)
    if not title_script or not user_script:
        return False
    return not scripts_compatible(title_script, user_script)


def is_other_language(candidate: Candidate) -> bool:
    """Same script, another language: at least two function words of other languages and none
    of the user's ("What is photosynthesis" for a German question)."""
    user_language = language_name(candidate.user)
    votes = function_word_votes(candidate.title)
    return (user_language in FUNCTION_WORDS_BY_LANGUAGE and sum(votes.values()) >= 2
            and not votes[user_language])


def is_ungrounded(candidate: Candidate) -> bool:
    """No content word (or stem) shared with the exchange the model saw, and for Han, Kana and
    Hangul no shared character: words from elsewhere ("Pregnancyuser" for banana bread)."""
    seen = f"{cut_head(candidate.user)}\n{cut_head(candidate.assistant)}"
    title_words = content_words(candidate.title)
    exchange_words = set(content_words(seen))
    if any(same_stem(word, other) for word in title_words for other in exchange_words):
        return False
    return not dense_characters(candidate.title) & dense_characters(seen)


CHECKS: tuple[tuple[str, Callable[[Candidate], bool]], ...] = (
    ("refusal", is_refusal),
    ("option_list", is_option_list),
    ("task_talk", talks_about_the_task),
    ("too_long", is_too_long),
    ("other_script", is_other_script),
    ("other_language", is_other_language),
    ("ungrounded", is_ungrounded),
)


def rejection(candidate: Candidate) -> str | None:
    """The name of the first check that fails, or None when the title is acceptable."""
    return next((name for name, fails in CHECKS if fails(candidate)), None)


@dataclass(frozen=True)
class Verdict:
    """What the model's answer gave: a title, or the reason there is none."""

    title: str | None
    rule: str | None


def judge(raw: str | None, user_text: str, assistant_text: str) -> Verdict:
    """Clean the model's answer and check it; `rule` names why it is not a title."""
    title = clean_title(raw)
    if title is None:
        return Verdict(None, "unusable")
    rule = rejection(Candidate(title, raw or "", user_text, assistant_text))
    return Verdict(None if rule else title, rule)
