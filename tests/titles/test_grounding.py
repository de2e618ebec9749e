"""grounding.py's lookups give what comparing every pair of words gave, and the checks' caches
hold nothing of an exchange once its title is judged."""
import pytest

from routerchat.titles.checks import judge
from routerchat.titles.grounding import (
    content_words,
    dense_characters,
    same_stem,
    shares_content,
    stem_index,
)
from routerchat.titles.language import dominant_script, language_name, script_of
from routerchat.titles.prompt import build_prompt

STEM_TEXTS = [
    "Plans for planning a planet: plant the plans", "рецепт рецепта рецептов борща", "البرمجة برمجة الالبرمجة",
    "eggs egg cat car carpet carpets", "Ölfarbe ölfarben Übung übungen", "ab abc abcd abcde abcdef abcdefg",
]


@pytest.mark.parametrize("word", ["plan", "planets", "рецептом", "برمجة", "الالبرمجة", "egg", "carpe", "abcdx",
                                  "ölfarbig", "abcd", "ab"])
@pytest.mark.parametrize("text", STEM_TEXTS)
def test_a_word_is_found_in_the_stem_index_exactly_when_same_stem_pairs_it(word, text):
    pairwise = any(same_stem(word, other) for other in content_words(text))
    assert stem_index(text).has_stem_of(word) is pairwise
    assert shares_content(word, text) is pairwise


def test_judging_a_title_leaves_no_text_cached():
    """A message may be 100,000 characters: the caches the checks fill are emptied when they end."""
    user, answer = "Recipe for banana bread " * 2000, "Mash the bananas. " * 2000
    build_prompt(user, answer)
    judge("Banana Bread", user, answer)
    cached = (content_words, stem_index, dense_characters, language_name, dominant_script)
    assert [function.cache_info().currsize for function in cached] == [0] * len(cached)
    assert script_of.cache_info().maxsize is not None  # one entry per character: bounded, and kept


def test_words_keep_their_vowel_signs():
    """Devanagari vowel signs and Arabic harakat are marks, not letters: a word goes on through them."""
    assert content_words("भारत की राजधानी क्या है?") == ("भारत", "राजधानी")
    assert content_words("كِتَابُ البرمجة") == ("كِتَابُ", "البرمجة")
