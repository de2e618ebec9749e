"""The checks for Han/Kana/Hangul titles (routerchat/titles/dense.py) and the label whose other
half fails on its own: each on the junk of held-out run 7 and on good titles in several languages."""
import pytest

from routerchat.titles.checks import Candidate, is_label_and_fragment, judge
from routerchat.titles.dense import ends_on_a_coverb, ends_on_a_stray_kana, has_an_invented_main_noun

RAMEN = "美味しいラーメンの作り方を教えてください"
SORT_ZH = "如何在Python中对字典列表按键排序？"
SKY_ZH = "为什么天空是蓝色的？"
KIMCHI = "김치찌개 만드는 법 알려주세요"


def candidate(title: str, user: str, assistant: str = "") -> Candidate:
    return Candidate(title, title, user, assistant)


@pytest.mark.parametrize("title,fires", [
    ("Python中对", True),  # run 7: cut after the coverb 对
    ("北京和", True),
    ("字典列表在", True),
    ("把文件从", True),
    ("Python字典列表排序", False),
    ("北京三天旅游", False),
    ("天空的颜色", False),
    ("Python的现在", False),  # words that end on one are whole
    ("机器学习的方向", False),
    ("京都の平和", False),
    ("Python 3 dict", False),  # no Han at all
    ("对", False),  # one character
])
def test_dangling_coverb(title, fires):
    assert ends_on_a_coverb(candidate(title, SORT_ZH)) is fires


@pytest.mark.parametrize("title,user,fires", [
    ("美味しいラーメンの生物と速度イ", RAMEN, True),  # run 7
    ("ラーメンはわか；の生約を耕タ", RAMEN, True),  # run 5
    ("天空的颜色ア", SKY_ZH, True),  # a lone katakana after Han in Chinese
    ("美味しいラーメンの作り方", RAMEN, False),
    ("ラーメンのスープ", RAMEN, False),  # a katakana word of two or more
    ("コーヒー", "コーヒーの淹れ方", False),  # the long-vowel mark
    ("日本語を学ぶ", "日本語を学ぶには？", False),  # a hiragana ending (okurigana)
    ("ビタミンC", "ビタミンCの効果は？", False),  # a Latin letter
    ("TCPとUDP", "TCPとUDPの違いは何ですか？", False),
])
def test_stray_kana(title, user, fires):
    assert ends_on_a_stray_kana(candidate(title, user)) is fires


def test_a_lone_katakana_the_user_wrote_is_theirs():
    assert not ends_on_a_stray_kana(candidate("ビタミンとカルシウムA", "ビタミンとカルシウムAの違い"))
    assert not ends_on_a_stray_kana(candidate("手作りパ", "手作りパ"))


@pytest.mark.parametrize("title,user,fires", [
    ("美味しいラーメンの生物と速度イ", RAMEN, True),  # run 7: the main noun is no word of the user's
    ("ラーメンの歴史と文化", RAMEN, True),
    ("美味しいラーメンの作り方", RAMEN, False),
    ("京都の3日間旅行プラン", "京都で3日間の旅行プランを作ってください", False),
    ("天空的颜色", SKY_ZH, False),  # 色 is the user's (蓝色)
    ("天空的经济政策", SKY_ZH, True),
    ("김치찌개의 만드는 법", KIMCHI, False),
    ("김치찌개의 역사", KIMCHI, True),
    ("ラーメン", RAMEN, False),  # no possessive
    ("の作り方", RAMEN, False),  # nothing before it
    ("Ramen Recipe", RAMEN, False),
])
def test_invented_main_noun(title, user, fires):
    assert has_an_invented_main_noun(candidate(title, user)) is fires


@pytest.mark.parametrize("title,user,fires", [
    ("解析: Python中对", SORT_ZH, True),  # run 7: the rest stops on a coverb
    ("总结: 为什么天空是蓝", SKY_ZH, False),  # "蓝" ends the rest: a checked rest that passes keeps its label
    ("概要: 美味しいラーメンの生物と速度イ", RAMEN, True),
    ("Analysis: Recipes for", "Can you give me a recipe for banana bread without eggs?", True),
    ("Summary: Banana Bread Without Eggs", "Can you give me a recipe for banana bread without eggs?", False),
    ("Анализ: Docker и зачем", "Объясни, что такое Docker и зачем он нужен", True),  # ends on a question word
    ("Análisis: aprender alemán en seis meses", "¿Cuál es la mejor forma de aprender alemán en seis meses?", False),
    ("Banana Bread: Recipes for", "Can you give me a recipe for banana bread without eggs?", False),  # no label
])
def test_label_and_fragment(title, user, fires):
    assert is_label_and_fragment(candidate(title, user)) is fires


@pytest.mark.parametrize("raw,user,assistant,rule", [
    ("美味しいラーメンの生物と速度イ", RAMEN, "ラーメンは美味しいです。生物と速度イ", "stray_kana"),
    ("Python的求劾特别： 1. 解析: Python中对", SORT_ZH, "1. 解析: Python中对字典列表", "dangling_coverb"),
])
def test_the_junk_of_held_out_run_7_is_refused(raw, user, assistant, rule):
    verdict = judge(raw, user, assistant)
    assert verdict.title is None and verdict.rule == rule
