"""Whether a word exists in a language (pure, offline): the word lists of wordfreq, the words people
write on the web, in books and subtitles, kept as a sorted array of hashes per language.

A small model that garbles writes words no language has beside the user's own ("L'adipezza di
carbonara", "भारत की राजधान्य समरू"); those are on no list, while real words a good title adds
("bref", "контейнеры", "Eggless") are (bench/title_quality_results.md measures both). Only
wordfreq's data files are read: its own dictionaries cost 30-130 MB a language, the sorted hashes
of the same words 2.5-6 MB (a process that built five languages grew by 38 MB). Building one takes
0.2-0.7 s of CPU: `titles.job` has it built once, off the event loop, before the first check in that
language.
A word is looked up as wordfreq keeps it (`normal_form`), whole: the checks split words already.
"""
from __future__ import annotations

import gzip
import unicodedata
from array import array
from bisect import bisect_left
from importlib.util import find_spec
from pathlib import Path

import msgpack

from .language import language_name

# The languages language.py names, with wordfreq's code.
CODES = {"English": "en", "French": "fr", "Spanish": "es", "German": "de", "Portuguese": "pt", "Italian": "it",
         "Russian": "ru", "Turkish": "tr", "Hindi": "hi", "Arabic": "ar", "Greek": "el", "Hebrew": "he",
         "Dutch": "nl"}
CASED = {"en", "fr", "es", "de", "pt", "it", "ru", "tr", "el", "nl"}  # NFC, as wordfreq keeps them
ABJADS = {"ar", "he"}  # wordfreq drops their vowel marks and the tatweel


def _list_path(code: str) -> Path:
    """wordfreq's largest list for the language (its "best": large where there is one, else small),
    found without importing the package."""
    spec = find_spec("wordfreq")
    if spec is None or spec.origin is None:
        raise RuntimeError("the wordfreq package is not installed")
    data = Path(spec.origin).parent / "data"
    large = data / f"large_{code}.msgpack.gz"
    return large if large.exists() else data / f"small_{code}.msgpack.gz"


_BUILT: dict[str, array[int]] = {}  # language code → its words' sorted hashes, once built


def is_built(code: str) -> bool:
    return code in _BUILT


def build(code: str) -> None:
    """Read the language's list now (it takes a moment: see the module); nothing when it is built."""
    if code not in _BUILT:
        _BUILT[code] = _read_hashes(code)


def _read_hashes(code: str) -> array[int]:
    """The sorted hashes of a list's words, read one frequency bucket at a time (wordfreq's cBpack:
    a msgpack array of a header and lists of words)."""
    hashes = array("q")  # raw 8-byte values: no int object outlives its word while the file is read
    with gzip.open(_list_path(code), "rb") as packed:
        unpacker = msgpack.Unpacker(packed, raw=False)
        buckets = unpacker.read_array_header() - 1
        header = unpacker.unpack()
        if not isinstance(header, dict) or header.get("format") != "cB":
            raise ValueError(f"unexpected word list header {header!r}")
        for _ in range(buckets):
            hashes.extend(hash(word) for word in unpacker.unpack())
    return array("q", sorted(hashes))


def normal_form(word: str, code: str) -> str:
    """The word as wordfreq's lists keep it: NFC for cased scripts (NFKC for the others), no vowel
    marks in Arabic and Hebrew, case folded (Turkish keeps its dotted and dotless i apart)."""
    text = unicodedata.normalize("NFC" if code in CASED else "NFKC", word)
    if code in ABJADS:
        text = "".join(char for char in text if unicodedata.category(char) != "Mn" and char != "\u0640")
    if code == "tr":
        text = text.replace("İ", "i").replace("I", "ı").casefold().replace("ș", "ş").replace("ț", "ţ")
    return text.casefold()


def code_for(text: str) -> str | None:
    """wordfreq's code for the language of the text, when it has a list for it."""
    return CODES.get(language_name(text))


def is_known(word: str, code: str) -> bool:
    """The word, in the list's normal form, is on that language's list."""
    if not word:
        return False
    build(code)
    hashes, key = _BUILT[code], hash(normal_form(word, code))
    at = bisect_left(hashes, key)
    return at < len(hashes) and hashes[at] == key
