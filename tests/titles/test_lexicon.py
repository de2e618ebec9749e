"""Whether a word exists in a language: wordfreq's lists kept as hashes (titles/lexicon.py)."""
import pytest

from routerchat.titles import lexicon


@pytest.mark.parametrize("word,code", [
    ("bref", "fr"), ("контейнеры", "ru"), ("carbonara", "it"), ("Eggless", "en"), ("राजधानी", "hi"),
    ("İSTANBUL", "tr"),  # wordfreq's Turkish case folding, not Python's ("i̇stanbul")
    ("كِتَاب", "ar"),  # vowel marks are left out as wordfreq's list leaves them out
])
def test_real_words_are_known(word, code):
    assert lexicon.is_known(word, code)


@pytest.mark.parametrize("word,code", [
    ("adipezza", "it"), ("समरू", "hi"), ("राजधान्य", "hi"), ("toujeur", "fr"), ("модадиров", "ru"),
    ("pregnancyuser", "en"), ("", "en"),
])
def test_garbled_words_are_not(word, code):
    assert not lexicon.is_known(word, code)


def test_the_language_is_the_users_and_dense_scripts_have_no_list():
    assert lexicon.code_for("Come si prepara una vera carbonara?") == "it"
    assert lexicon.code_for("भारत की राजधानी क्या है?") == "hi"
    assert lexicon.code_for("김치찌개 만드는 법 알려주세요") is None
    assert lexicon.code_for("美味しいラーメンの作り方を教えてください") is None


def test_a_language_is_built_once_and_keeps_hashes_only():
    lexicon.build("fr")
    built = lexicon._BUILT["fr"]
    assert lexicon.is_built("fr") and lexicon.is_known("crêpes", "fr")
    lexicon.build("fr")
    assert lexicon._BUILT["fr"] is built
    assert built.itemsize == 8 and 100_000 < len(built) < 2_000_000
    assert list(built) == sorted(built)
