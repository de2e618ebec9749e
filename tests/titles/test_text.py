"""The pure title text work: each check, the corpus of good titles and real non-titles, the
extractive fallback per language, and TITLE_PROMPT."""
import pytest

from routerchat.titles.checks import (
    Candidate,
    is_option_list,
    is_other_language,
    is_other_script,
    is_refusal,
    is_too_long,
    is_ungrounded,
    judge,
    same_stem,
    talks_about_the_task,
)
from routerchat.titles.fallback import fallback_title
from routerchat.titles.language import dominant_script, language_name
from routerchat.titles.prompt import PromptTemplateError, build_prompt, check_prompt_template
from tests.titles.corpus import GOOD
from tests.titles.nontitles import NON_TITLES

BREAD_USER = "Can you give me a recipe for banana bread without eggs?"
BREAD_ANSWER = "Sure! Mash 3 ripe bananas, mix with melted butter, sugar and flour; use applesauce for the eggs."


def candidate(title: str, user: str = BREAD_USER, assistant: str = BREAD_ANSWER, raw: str | None = None) -> Candidate:
    return Candidate(title, raw if raw is not None else title, user, assistant)


# --- one rule at a time ------------------------------------------------------------------------------


@pytest.mark.parametrize("title,fires", [
    ("Eggless Banana Bread Recipe", False),
    ("One Two Three Four Five Six Seven Eight", False),
    ("One Two Three Four Five Six Seven Eight Nine", True),
    ("Banana bread that you can bake without any eggs at all", True),
    ("B" * 60, False),
    ("B" * 61, True),
    ("卵なしバナナブレッド", False),
    ("卵なしでバナナブレッドを作る方法を教えてくださいと言われたのでまずバナナを", True),  # 33 wide characters
])
def test_too_long(title, fires):
    assert is_too_long(candidate(title)) is fires


@pytest.mark.parametrize("raw,fires", [
    ("Eggless Banana Bread", False),
    ("Sure! Here are a few title options:\n1. Eggless Banana Bread\n2. Vegan Banana Loaf", True),
    ("- Eggless Banana Bread\n- Banana Bread Without Eggs", True),
    ("1. Eggless Banana Bread 2. Vegan Banana Loaf", True),
    ("Here are some ideas: Eggless Banana Bread", True),
    ("Title options: Eggless Banana Bread", True),
    ("Stock Options Explained", False),
    ("Top 10 Banana Breads", False),
])
def test_option_list(raw, fires):
    assert is_option_list(candidate("Eggless Banana Bread", raw=raw)) is fires


@pytest.mark.parametrize("raw,fires", [
    ("I'm sorry, but I can't create a title for this.", True),
    ("I cannot help with that request.", True),
    ("Sorry, I don't understand", True),
    ("As an AI language model, I do not have opinions", True),
    ("Unfortunately I am unable to do that", True),
    ("Lo siento, no puedo ayudar con eso", True),
    ("Désolé, je ne peux pas", True),
    ("Es tut mir leid, das kann ich nicht", True),
    ("Извините, я не могу помочь", True),
    ("申し訳ありませんが、お手伝いできません", True),
    ("抱歉，我无法完成", True),
    ("죄송합니다", True),
    ("Eggless Banana Bread", False),
    ("Banana Bread Apology Cake", False),
])
def test_refusal(raw, fires):
    assert is_refusal(candidate(raw, raw=raw)) is fires


@pytest.mark.parametrize("title,user,fires", [
    ("Describe the context of this conversation", BREAD_USER, True),
    ("Concise Banana Bread", BREAD_USER, True),
    ("Banana Bread Summary", BREAD_USER, True),
    ("Eggless Banana Bread", BREAD_USER, False),
    ("Summary of a Paper", "Write a summary of this paper", False),
    ("Titles for a Novel", "Suggest titles for my novel", False),
    ("Название для стартапа", "Придумай название для стартапа", False),
    ("会話の要約", "バナナブレッドの作り方", True),
])
def test_task_talk(title, user, fires):
    assert talks_about_the_task(candidate(title, user=user)) is fires


@pytest.mark.parametrize("title,user,fires", [
    ("経営の可能性", "Plan a 3 day trip to Kyoto in autumn", True),
    ("にさい", "What is the difference between TCP and UDP?", True),
    ("Kyoto Trip", "京都で3日間の旅行プランを作ってください", True),
    ("Рецепт борща", "How do I cook borscht?", True),
    ("京都旅行", "京都で3日間の旅行プランを作ってください", False),  # Han only, for a Kana and Han message
    ("Python 辞書のソート", "Pythonで辞書をキーでソートするには？", False),  # Latin words inside CJK
    ("Docker и контейнеры", "Что такое Docker?", False),
    ("Docker", "Что такое Docker?", False),  # a word from the exchange
    ("Eggless Banana Bread", BREAD_USER, False),
    ("🍌🍞", BREAD_USER, False),  # no letters: not this rule's business
])
def test_other_script(title, user, fires):
    assert is_other_script(candidate(title, user=user, assistant="")) is fires


@pytest.mark.parametrize("title,user,fires", [
    ("What is photosynthesis", "Kannst du mir erklären, wie Photosynthese funktioniert?", True),
    ("What is your favorite food", "¿Cómo puedo hacer pan sin gluten en casa?", True),
    ("Photosynthese einfach erklärt", "Kannst du mir erklären, wie Photosynthese funktioniert?", False),
    ("Pan sin gluten casero", "¿Cómo puedo hacer pan sin gluten en casa?", False),
    ("Photosynthesis", "Kannst du mir erklären, wie Photosynthese funktioniert?", False),  # no function word
    ("Git merge vs. rebase", "Was ist der Unterschied zwischen Git merge und rebase?", False),
    ("La Révolution française en bref", "Peux-tu m'expliquer la Révolution française ?", False),
    ("Sort a list in Python", "Sort this list: 3 1 2", False),  # the same language
])
def test_other_language(title, user, fires):
    assert is_other_language(candidate(title, user=user)) is fires


@pytest.mark.parametrize("title,fires", [
    ("Eggless Banana Bread Recipe", False),  # abstractive: "eggless" shares no word, "banana" does
    ("Baking Without Eggs", False),  # "eggs"
    ("Pregnancyuser", True),
    ("(1)", True),
    ("2024", True),
    ("Curso de cocina", True),
    ("Applesauce Swap", False),  # from the answer
])
def test_ungrounded(title, fires):
    assert is_ungrounded(candidate(title)) is fires


@pytest.mark.parametrize("title,user,fires", [
    ("京都の秋", "京都で3日間の旅行プランを作ってください", False),
    ("遷移", "京都で3日間の旅行プランを作ってください", True),
    ("の", "京都で3日間の旅行プランを作ってください", True),  # a particle is no shared topic
    ("김치찌개 레시피", "김치찌개 만드는 법 알려주세요", False),
    ("北京之旅", "北京三天怎么玩？", False),
])
def test_ungrounded_dense_scripts_compare_characters(title, user, fires):
    assert is_ungrounded(candidate(title, user=user, assistant="")) is fires


@pytest.mark.parametrize("a,b,same", [
    ("plan", "plans", True), ("recipe", "recipes", True), ("рецепт", "рецепта", True),
    ("eggs", "egg", False), ("cat", "car", False), ("البرمجة", "برمجة", True),
])
def test_same_stem(a, b, same):
    assert same_stem(a, b) is same


@pytest.mark.parametrize("text,script,language", [
    ("How do I sort a list?", "Latin", "English"),
    ("Comment trier une liste en Python ?", "Latin", "French"),
    ("Привет! Как приготовить борщ?", "Cyrillic", "Russian"),
    ("京都で3日間の旅行プランを作ってください", "Kana", "Japanese"),
    ("为什么天空是蓝色的？", "Han", "Chinese"),
    ("김치찌개 만드는 법", "Hangul", "Korean"),
    ("كيف أتعلم البرمجة", "Arabic", "Arabic"),
    ("Pythonで辞書をソート", "Kana", "Japanese"),
])
def test_script_and_language(text, script, language):
    assert dominant_script(text) == script
    assert language_name(text) == language


# --- the corpus: both rates -------------------------------------------------------------------------


def test_corpus_keeps_every_good_title_and_rejects_every_non_title(capsys):
    assert len(GOOD) >= 40 and len({language for language, *_ in GOOD}) >= 8
    assert sum(1 for entry in NON_TITLES if entry[0] == "real") >= 20
    kept_wrongly = [(raw, judge(raw, user, answer)) for _, raw, user, answer in NON_TITLES
                    if judge(raw, user, answer).title is not None]
    rejected_wrongly = [(title, judge(title, user, answer).rule) for _, user, answer, title in GOOD
                        if judge(title, user, answer).title != title]
    with capsys.disabled():
        print(f"\ntitle corpus: good titles kept {len(GOOD) - len(rejected_wrongly)}/{len(GOOD)} "
              f"(false rejections {len(rejected_wrongly)}); non-titles rejected "
              f"{len(NON_TITLES) - len(kept_wrongly)}/{len(NON_TITLES)} (accepted {len(kept_wrongly)})")
    assert rejected_wrongly == []
    assert kept_wrongly == []


def test_every_rule_is_exercised_by_the_non_title_corpus():
    rules = {judge(raw, user, answer).rule for _, raw, user, answer in NON_TITLES}
    assert {"refusal", "option_list", "task_talk", "too_long", "other_script", "ungrounded", "unusable"} <= rules


# --- the extractive fallback ------------------------------------------------------------------------


@pytest.mark.parametrize("message,expected", [
    ("How do I sort a list of dictionaries by a key in Python?", "Sort a list of dictionaries"),
    ("Hello, can you help me with my resume? I have an interview.", "Resume"),
    ("Hi! Can you help me write a cover letter?", "Write a cover letter"),
    ("Can you give me a recipe for banana bread without eggs?", "Recipe for banana bread without eggs"),
    ("Explain quantum entanglement simply, please", "Explain quantum entanglement simply"),
    ("What is the difference between TCP and UDP?", "Difference between TCP and UDP"),
    ("please help me with the", "please help me with the"),  # nothing but openers: the message
    ("**Explain** `asyncio` please", "Explain asyncio"),
    ("Bonjour ! Comment faire une pâte à crêpes sans grumeaux ?", "Faire une pâte à crêpes"),
    ("¿Cómo puedo hacer pan sin gluten en casa?", "Hacer pan sin gluten en casa"),
    ("Hola, ¿por qué mi perro come hierba?", "Perro come hierba"),
    ("Kannst du mir erklären, wie Photosynthese funktioniert?", "Erklären wie Photosynthese funktioniert"),
    ("Olá! Como faço um bolo de cenoura fofinho?", "Faço um bolo de cenoura fofinho"),
    ("Ciao, come si prepara una vera carbonara?", "Si prepara una vera carbonara"),
    ("Привет! Как приготовить борщ?", "Приготовить борщ"),
    ("Пожалуйста, расскажи про историю Рима", "Историю Рима"),
    ("京都で3日間の旅行プランを作ってください", "京都で3日間の旅行プラン"),
    ("TCPとUDPの違いは何ですか？", "TCPとUDPの違い"),
    ("你好，请问北京三天怎么玩？", "北京三天怎么玩"),
    ("如何学习编程以及如何找到第一份软件工程师的工作并且不断提升自己的能力", "学习编程以及如何找到第一份软件工程师的工"),  # 20 characters
    ("안녕하세요 김치찌개 만드는 법 알려주세요", "김치찌개 만드는 법"),
    ("مرحبا، كيف أتعلم البرمجة من الصفر؟", "أتعلم البرمجة من الصفر"),
    ("Fix this SQL: SELECT name, COUNT(*) FROM users", "Fix this SQL"),
    ("Question: how do I center a div?", "Center a div"),
    ("I'm going to Kyoto for three days in November. What should I see?", "Kyoto for three days in November"),
    ("Peux-tu m'expliquer la Révolution française en quelques phrases ?", "M'expliquer la Révolution française"),
    ("Hi!", "Hi"),
])
def test_fallback_keeps_the_topic_words(message, expected):
    assert fallback_title(message) == expected


@pytest.mark.parametrize("message", [
    "How do I sort a list of dictionaries by a key in Python and keep the order stable?",
    "I would like to understand the differences between the various sorting algorithms for huge inputs",
    "Supercalifragilisticexpialidocious antidisestablishmentarianism floccinaucinihilipilification words",
])
def test_fallback_is_at_most_six_words_and_fifty_characters_never_ending_on_a_function_word(message):
    title = fallback_title(message)
    assert 0 < len(title) <= 50 and len(title.split()) <= 6
    assert message.lower().find(title.split()[0].lower()) >= 0
    assert title.split()[-1].lower() not in {"with", "the", "a", "of", "and", "for", "by", "to", "in"}


# --- TITLE_PROMPT --------------------------------------------------------------------------------------


def test_a_custom_prompt_is_filled_in():
    template = check_prompt_template("Name this chat in {language}.\n{user}\n---\n{assistant}\n{{title}}:")
    prompt = build_prompt("Привет! Как приготовить борщ?", "Сварите бульон {x}", template)
    assert prompt == "Name this chat in Russian.\nПривет! Как приготовить борщ?\n---\nСварите бульон {x}\n{title}:"


@pytest.mark.parametrize("template,why", [
    ("Title for {usr}", "unknown fields ['usr']"),
    ("Title for {user} {0}", "unknown fields ['0']"),
    ("Title for {user", "not a valid template"),
    ("Title for {assistant} only", "must contain {user}"),
])
def test_an_invalid_prompt_is_a_clear_error(template, why):
    with pytest.raises(PromptTemplateError, match=why.replace("[", r"\[").replace("]", r"\]")):
        check_prompt_template(template)


def test_positional_braces_are_unknown_fields():
    with pytest.raises(PromptTemplateError, match="unknown fields"):
        check_prompt_template("{user} {}")


def test_judge_names_the_rule():
    assert judge("I'm sorry, I can't.", BREAD_USER, BREAD_ANSWER).rule == "refusal"
    assert judge("", BREAD_USER, BREAD_ANSWER).rule == "unusable"
    assert judge('"Eggless Banana Bread."', BREAD_USER, BREAD_ANSWER) == (
        judge("Eggless Banana Bread", BREAD_USER, BREAD_ANSWER))
