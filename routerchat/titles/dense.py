"""Checks for titles in Han, Kana and Hangul, where words are not split by spaces (pure).

Held-out run 7 of SmolLM2 (bench/title_quality_results.md) showed two junk titles that kept a run of
the user's characters and added garble: "美味しいラーメンの生物と速度イ" (its main noun and a stray
katakana the user never wrote) and "Python中对" (cut after the coverb 对, "towards/about").
"""
from __future__ import annotations

import unicodedata

from .grounding import Candidate, dense_characters
from .language import script_of

# Chinese coverbs and conjunctions: a phrase that ends on one stops before its object ("在Python中对").
DANGLING_HAN = "对在把被从向给与跟及或于和让"
# Words that end on one of them and may well end a title ("现在", "方向", "参与", "关于"…).
HAN_WORDS_ENDING_SO = {
    "现在", "現在", "存在", "实在", "正在", "所在", "内在", "外在", "潜在", "自在", "滞在", "好在", "面对", "绝对",
    "相对", "反对", "针对", "不对", "一对", "配对", "核对", "应对", "以及", "涉及", "普及", "波及", "言及", "追及",
    "参与", "給与", "関与", "寄与", "授与", "贈与", "关于", "对于", "由于", "等于", "属于", "位于", "终于",
    "至于", "过于", "善于", "方向", "走向", "面向", "倾向", "傾向", "导向", "转向", "横向", "纵向", "指向", "双向",
    "单向", "定向", "志向", "动向", "動向", "意向", "供给", "交给", "温和", "总和", "平和", "缓和", "調和", "调和",
    "共和", "柔和", "昭和", "令和", "英和", "转让", "出让", "谦让", "自从", "服从", "遵从", "随从",
}
# Kana no Japanese word starts with: the moraic nasal, the long-vowel mark, small kana.
NO_WORD_STARTS = set("んンーッっゃゅょャュョぁぃぅぇぉァィゥェォ")
# The possessive that puts a title's main noun last: "ラーメンの作り方", "天空的颜色", "김치찌개의 역사".
POSSESSIVES = ("の", "的", "의")


def _is_katakana(char: str) -> bool:
    """Katakana, with the long-vowel mark "ー" that only continues a katakana word."""
    return unicodedata.name(char, "").startswith("KATAKANA")


def ends_on_a_coverb(candidate: Candidate) -> bool:
    """A Chinese title that stops on a coverb or conjunction ("Python中对", "北京和", "关于在"):
    the phrase was cut before its object. Words that end on one ("现在", "方向") are whole."""
    title = candidate.title.rstrip()
    return len(title) >= 2 and title[-1] in DANGLING_HAN and title[-2:] not in HAN_WORDS_ENDING_SO


def ends_on_a_stray_kana(candidate: Candidate) -> bool:
    """One katakana after Han or hiragana ends the title ("…生物と速度イ"), and the user never wrote
    that pair: katakana words are two characters or more, so a lone one is garble."""
    title = candidate.title.rstrip()
    if len(title) < 2 or not _is_katakana(title[-1]) or title[-1] == "ー" or _is_katakana(title[-2]):
        return False
    return script_of(title[-2]) in {"Han", "Kana"} and title[-2:] not in candidate.user


def starts_a_word_impossibly(candidate: Candidate) -> bool:
    """A katakana word (a run after other characters, or the title's first word) begins with a
    kana no Japanese word begins with, "ン", "ー" or a small kana, and the user's text has no such
    word: garble ("美味しゃれンバサージのは漏" for a ramen recipe). Hiragana runs are left alone:
    grammar endings ("しゃ", "っと") run on from what comes before them."""
    title = candidate.title.strip()
    starts = [0] + [i for i in range(1, len(title)) if _is_katakana(title[i]) and not _is_katakana(title[i - 1])]
    for start in starts:
        if title[start:start + 1] not in NO_WORD_STARTS:
            continue
        end = start + 1
        while end < len(title) and _is_katakana(title[end]):
            end += 1
        if not _begins_a_run_in(title[start:end], candidate.user):
            return True
    return False


def _begins_a_run_in(run: str, text: str) -> bool:
    """The text has `run` where a katakana run of its own begins (not inside "ラーメン" for "ーメン")."""
    at = text.find(run)
    while at >= 0:
        if at == 0 or not _is_katakana(text[at - 1]):
            return True
        at = text.find(run, at + 1)
    return False


def _main_noun(title: str) -> str | None:
    """What follows the last possessive ("の", "的", "의"), when there is something before it."""
    at = max(title.rfind(mark) for mark in POSSESSIVES)
    return title[at + 1:] if at > 0 else None


def has_an_invented_main_noun(candidate: Candidate) -> bool:
    """The title's main noun, after the last possessive, is two or more content characters and
    none is the user's ("美味しいラーメンの生物と速度イ": ramen's "living things and speed"): the
    user's words only lead up to something the user never asked about."""
    noun = _main_noun(candidate.title)
    if noun is None:
        return False
    characters = dense_characters(noun)
    return len(characters) >= 2 and not characters & dense_characters(candidate.user)
