"""What a title shares with the exchange it names (pure): words, stems and, for Han, Kana and
Hangul, characters. The checks in checks.py and drift.py ask these questions."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .language import DENSE_FILLER, DENSE_SCRIPTS, FUNCTION_WORD_SET, WORD, forget_texts, script_of

SENTENCE_BREAK = re.compile(r"(?<=[.!?。！？])\s*|\n+")
STEM_PREFIX = 4  # the letters two inflections of one stem begin with ("plan"/"plans")


@dataclass(frozen=True)
class Candidate:
    """A cleaned title, the raw answer it came from, and the exchange it should name."""

    title: str
    raw: str
    user: str
    assistant: str


def lowered_words(text: str) -> list[str]:
    return [word.lower() for word in WORD.findall(text)]


def _normal(word: str) -> str:
    """Arabic glues the article to the word; compare without it."""
    return word[2:] if word.startswith("ال") and len(word) > 4 else word


def same_stem(a: str, b: str) -> bool:
    """Equal words, or inflections of one stem ("plan"/"plans", "рецепт"/"рецепта")."""
    return _stems_match(_normal(a), _normal(b))


def _stems_match(a: str, b: str) -> bool:
    """`same_stem` of two words already `_normal`: apart from equal words, both have STEM_PREFIX
    letters or more and begin with the same STEM_PREFIX."""
    if a == b:
        return True
    shortest = min(len(a), len(b))
    prefix = len(_common_prefix(a, b))
    return shortest >= STEM_PREFIX and prefix >= STEM_PREFIX and prefix >= shortest - 2


def _common_prefix(a: str, b: str) -> str:
    for index, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return a[:index]
    return a[:min(len(a), len(b))]


def is_content_word(word: str) -> bool:
    """A lower-case word that carries meaning in a space-separated script: no function word,
    number or dense (Han, Kana, Hangul) run."""
    return (len(word.strip("_")) >= 2 and not word.isdigit() and word not in FUNCTION_WORD_SET
            and (word.isascii() or not any(script_of(char) in DENSE_SCRIPTS for char in word)))


@lru_cache(maxsize=256)
def content_words(text: str) -> tuple[str, ...]:
    """The text's content words (see `is_content_word`), lower-cased, in order. Cached until
    `forget_cached_texts`: the checks ask it of the same message and answer again and again."""
    return tuple(word for word in lowered_words(text) if is_content_word(word))


@dataclass(frozen=True)
class StemIndex:
    """A text's content words, `_normal`, as a set and by their first STEM_PREFIX letters: a word
    of a title is looked up in it instead of being compared with every word of a long answer
    (`same_stem` of two different words needs those letters in common)."""

    words: frozenset[str]
    by_prefix: dict[str, tuple[str, ...]]

    def has_stem_of(self, word: str) -> bool:
        word = _normal(word)
        if word in self.words:
            return True
        return any(_stems_match(word, other) for other in self.by_prefix.get(word[:STEM_PREFIX], ()))


@lru_cache(maxsize=64)
def stem_index(text: str) -> StemIndex:
    """The `StemIndex` of a text's content words (cached until `forget_cached_texts`)."""
    words = frozenset(_normal(word) for word in content_words(text))
    by_prefix: dict[str, list[str]] = {}
    for word in words:
        if len(word) >= STEM_PREFIX:
            by_prefix.setdefault(word[:STEM_PREFIX], []).append(word)
    return StemIndex(words, {prefix: tuple(found) for prefix, found in by_prefix.items()})


@lru_cache(maxsize=64)
def dense_characters(text: str) -> frozenset[str]:
    """Han, katakana and Hangul characters that carry meaning (particles and hiragana left out;
    cached until `forget_cached_texts`)."""
    return frozenset(char for char in text if script_of(char) in DENSE_SCRIPTS and char not in DENSE_FILLER
                     and not unicodedata.name(char, "").startswith("HIRAGANA"))


def forget_cached_texts() -> None:
    """Empty the caches of whole texts (a message may be 100,000 characters). A title's checks
    run without yielding to other greenlets and call this when they end, so the caches never hold
    more than one exchange's texts."""
    for cached in (content_words, stem_index, dense_characters):
        cached.cache_clear()
    forget_texts()


def _dense_overlap(title: str, text: str) -> bool:
    """Han characters carry meaning alone; Kana and Hangul letters are sounds, so those must share
    two in a row ("ラー" of "ラーメン") to count."""
    if {char for char in dense_characters(title) if script_of(char) == "Han"} & dense_characters(text):
        return True
    sounds = [title[i:i + 2] for i in range(len(title) - 1)
              if {script_of(title[i]), script_of(title[i + 1])} <= {"Kana", "Hangul"}]
    return any(pair in text and pair[0] not in DENSE_FILLER for pair in sounds)


def shares_content(title: str, text: str) -> bool:
    """A content word or stem in common, or for Han/Kana/Hangul text a character (or a pair)."""
    index = stem_index(text)
    if any(index.has_stem_of(word) for word in content_words(title)):
        return True
    return _dense_overlap(title, text)


def shared_count(sentence: str, user: str) -> int:
    """How many of the user's content words (or stems) and Han/Kana/Hangul characters the sentence has."""
    index = stem_index(sentence)  # what pairing every word with every word found, looked up
    words = {word for word in content_words(user) if index.has_stem_of(word)}
    return len(words) + len(dense_characters(user) & dense_characters(sentence))


def on_topic_answer(user: str, assistant: str) -> str:
    """The sentences of the answer that share two things with the user's message (two content
    words, or characters): where a title may take words the user did not write. One shared word
    is too little ("This recipe is called Lemon-Caramel Bran Muffins" for banana bread), and a
    one-word message ("kubernetes") lends no sentence: the title must use the user's own word."""
    return "\n".join(sentence for sentence in SENTENCE_BREAK.split(assistant)
                     if sentence.strip() and shared_count(sentence, user) >= 2)
