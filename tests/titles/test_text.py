"""The pure title text work: each check, the corpus of good titles and real non-titles, the
extractive fallback per language, and TITLE_PROMPT."""
import pytest

from routerchat.titles.checks import (
    Candidate,
    cuts_a_word,
    has_invented_numbers,
    is_assistant_talk,
    is_fragment,
    is_mixed_script,
    is_option_list,
    is_other_language,
    is_other_script,
    is_refusal,
    is_too_long,
    is_ungrounded,
    judge,
    repeats_itself,
    same_stem,
    talks_about_the_task,
)
from routerchat.titles.drift import is_changed_question, names_another_thing, runs_on
from routerchat.titles.fallback import fallback_title, without_courtesy
from routerchat.titles.grounding import on_topic_answer
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
    ("Mi código da error: IndexError: list index out of range, ¿qué hago?", "Latin", "Spanish"),  # ¿ counts
    ("Kannst du mir erklären, wie Photosynthese funktioniert?", "Latin", "German"),  # "du" is German too
    ("Hoe maak ik een goede zuurdesemstarter?", "Latin", "Dutch"),
])
def test_script_and_language(text, script, language):
    assert dominant_script(text) == script
    assert language_name(text) == language


@pytest.mark.parametrize("title,user,fires", [
    ("Видеть нашей саק, немного перенуч", "Привет! Как приготовить борщ?", True),  # Hebrew inside Cyrillic
    ("遷移model", "京都で3日間の旅行プランを作ってください", True),  # Latin glued to Han, not from the exchange
    ("Pythonで辞書をソート", "Pythonで辞書をキーでソートするには？", False),  # a borrowed word of the exchange
    ("Borщ recipe", "How do I cook borscht?", True),  # Latin and Cyrillic in one word
    ("京都の旅行プラン", "京都で3日間の旅行プランを作ってください", False),  # Han and Kana: Japanese
    ("김치찌개 레시피", "김치찌개 만드는 법 알려주세요", False),
    ("Eggless Banana Bread", BREAD_USER, False),
])
def test_mixed_script(title, user, fires):
    assert is_mixed_script(candidate(title, user=user, assistant="")) is fires


@pytest.mark.parametrize("raw,user,fires", [
    ("Hello! How can I assist you today?", "Hi!", True),
    ("Hi there!", BREAD_USER, True),
    ("¿En qué puedo ayudarte?", "Hola", True),
    ("Comment puis-je vous aider ?", "Bonjour", True),
    ("Wie kann ich dir helfen?", "Hallo", True),
    ("Чем могу помочь?", "Привет", True),
    ("何かお手伝いできることはありますか", "こんにちは", True),
    ("Do you want an eggless recipe?", BREAD_USER, True),  # a question back to the user
    ("Is your oven ready?", BREAD_USER, True),
    ("Hello World in Python", "How do I print hello world in Python?", False),
    ("How Vaccines Work", "How do vaccines work?", False),
    ("What Is Inflation?", "¿Qué es la inflación?", False),  # a question, but not to the user
    ("Eggless Banana Bread", BREAD_USER, False),
])
def test_assistant_talk(raw, user, fires):
    from routerchat.titles.cleaning import clean_title
    assert is_assistant_talk(candidate(clean_title(raw) or raw, user=user, raw=raw)) is fires


def test_the_users_own_words_are_never_another_language():
    user = 'I found a recipe called "recette de crêpes bretonnes", what does it mean?'
    assert not is_other_language(candidate("Recette De Crêpes Bretonnes", user=user))
    assert is_other_language(candidate("La recette de la crêpe", user=user))  # "la" is not the user's


@pytest.mark.parametrize("title,user,assistant,fires", [
    ("メリペ篨の今から変替を", "美味しいラーメンの作り方を教えてください", "", True),  # shares the sound メ only
    ("ラーメンの作り方", "美味しいラーメンの作り方を教えてください", "", False),
    ("Coup de trois", "Bonjour ! Comment faire une pâte à crêpes sans grumeaux ?",
     "Mélangez la farine et les œufs. Le Coup de trois est un film.", True),  # only an off-topic sentence
    ("Farine et œufs", "Bonjour ! Comment faire une pâte à crêpes sans grumeaux ?",
     "Pour la pâte à crêpes, mélangez la farine et les œufs.", False),  # the sentence about the crêpes
    ("Applesauce Swap", BREAD_USER, BREAD_ANSWER, False),
])
def test_ungrounded_is_mainly_about_the_users_message(title, user, assistant, fires):
    assert is_ungrounded(candidate(title, user=user, assistant=assistant)) is fires


POEM_USER = "Write a short poem about autumn rain"
DOG_USER = "Is a golden retriever a good dog for a small apartment?"


@pytest.mark.parametrize("title,user,fires", [
    ("Green Banana (Lemon)", BREAD_USER, True),  # "banana" of "banana bread" made the thing itself
    ("Green Banana (Herb)", BREAD_USER, True),
    ("Banana", BREAD_USER, True),
    ("Autumn", POEM_USER, True),
    ("Golden Treasures", DOG_USER, False),  # its main word is not the user's: not this rule's business
    ("Eggless Banana Bread Recipe", BREAD_USER, False),
    ("Banana Bread Without Eggs", BREAD_USER, False),
    ("Baking Without Eggs", BREAD_USER, False),
    ("The Autumn Rain", POEM_USER, False),
    ("Autumn Rain Poem", POEM_USER, False),
    ("Golden Retrievers in Small Apartments", DOG_USER, False),
    ("Kyoto Autumn Itinerary", "I'm going to Kyoto for three days in November. What should I see?", False),
    ("La Révolution", "Peux-tu m'expliquer la Révolution française ?", False),  # French names the kind first
    ("French Crêpes", 'I found a recipe called "recette de crêpes bretonnes", what does it mean?', False),  # quoted
])
def test_another_thing(title, user, fires):
    assert names_another_thing(candidate(title, user=user, assistant="")) is fires


@pytest.mark.parametrize("title,user,fires", [
    # Chinese, Japanese, Korean: the question word is found inside the text
    ("北京三天怎么可能出现", "北京三天怎么玩？", True),
    ("北京三天怎么玩", "北京三天怎么玩？", False),
    ("北京三日游", "北京三天怎么玩？", False),  # no question word: other rules decide
    ("なぜ空は緑", "なぜ空は青いのですか？", True),
    ("なぜ空は青い", "なぜ空は青いのですか？", False),
    ("김치찌개 어떻게 팔아요", "김치찌개 어떻게 만들어요?", True),
    ("김치찌개 어떻게 만들어요", "김치찌개 어떻게 만들어요?", False),
    # languages with spaces: a word, or a stem, the user never wrote
    ("Как белородермистский язык", "Как быстрее выучить английский язык?", True),
    ("Как выучить английский язык", "Как быстрее выучить английский язык?", False),
    ("Comment réparer la pâte", "Comment faire une pâte à crêpes sans grumeaux ?", True),
    ("Comment faire une pâte à crêpes", "Comment faire une pâte à crêpes sans grumeaux ?", False),
    ("Por qué el mar es verde", "¿Por qué el cielo es azul?", True),
    ("Por qué el cielo es azul", "¿Por qué el cielo es azul?", False),
    ("Wie lange kocht ein Drache", "Wie lange muss ein Ei kochen, damit es weich ist?", True),
    ("Wie lange kocht ein Ei", "Wie lange muss ein Ei kochen, damit es weich ist?", False),  # "kocht", "kochen"
    ("Объясни, о точках Docker и модадиров", "Объясни, что такое Docker и зачем он нужен", True),  # a request
    ("Объясни, что такое Docker", "Объясни, что такое Docker и зачем он нужен", False),
    ("Explica los tipos de nubes", "Explica la fotosíntesis", True),
    ("Come si cucina la carbonara", "Come si prepara una vera carbonara?", True),
    ("Come si prepara la carbonara", "Come si prepara una vera carbonara?", False),
    ("كيف أطبخ الأرز", "كيف أتعلم البرمجة من الصفر؟", True),
    ("योग कैसे करें", "योग कैसे करें?", False),
    ("Weiches Ei kochen", "Wie lange muss ein Ei kochen, damit es weich ist?", False),  # no question word
    ("How Vaccines Work", "Can you explain how vaccines train the immune system?", False),  # English is freer
])
def test_changed_question(title, user, fires):
    assert is_changed_question(candidate(title, user=user, assistant="")) is fires


@pytest.mark.parametrize("title,user,fires", [
    ("Un virus est un virus", "Quelle est la différence entre un virus et une bactérie ?", True),
    ("Python and More Python", "How do I learn Python?", True),
    ("Sourdough Step by Step", "How do I make sourdough?", False),  # an idiom
    ("IndexError list index out of range", "IndexError: list index out of range", False),  # the user's twice too
    ("Virus et bactérie", "Quelle est la différence entre un virus et une bactérie ?", False),
])
def test_repetition(title, user, fires):
    assert repeats_itself(candidate(title, user=user, assistant="")) is fires


def test_repetition_reads_a_long_message_only_for_a_word_said_twice(monkeypatch):
    """The user's words are compared with a title word only when the title repeats it: comparing
    every title word with every word of a 2,000-word message made this check most of a title's CPU."""
    from routerchat.titles import checks
    compared = []
    monkeypatch.setattr(checks, "same_stem", lambda a, b: compared.append((a, b)) or same_stem(a, b))
    user = "How do I reverse a list in Python? " + " ".join(f"word{k}" for k in range(2000))
    assert repeats_itself(candidate("Reversing a Python List", user=user, assistant="")) is False
    assert len(compared) <= 3  # the title's words with each other only
    assert repeats_itself(candidate("Python and More Python", user=user, assistant="")) is True


@pytest.mark.parametrize("title,user,fires", [
    ("Объясни, что тако", "Объясни, что такое Docker и зачем он нужен", True),
    ("Рецепт борщ", "Дай рецепт борща", True),  # two copied words stop before the ending: no Russian
    ("Борщ", "Дай рецепт борща", False),  # one word may drop its ending
    ("Golden Retriever", "Golden retrievers in small apartments?", False),  # English drops a plural
    ("美味しいラーメンの作り方を教え", "美味しいラーメンの作り方を教えてください", True),
    ("美味しいラーメンの作り方", "美味しいラーメンの作り方を教えてください", False),  # a particle follows
    ("Python 辞書のソート", "Pythonで辞書をキーでソートするには？", False),  # a katakana noun before する
    ("파이썬 리스트 정렬", "파이썬에서 리스트를 정렬하는 방법은?", False),  # Korean suffixes stay off
])
def test_cut_word(title, user, fires):
    assert cuts_a_word(candidate(title, user=user, assistant="")) is fires


@pytest.mark.parametrize("title,user,fires", [
    ("정렬하는 방법은 응기", "파이썬에서 리스트를 정렬하는 방법은?", True),
    ("정렬하는 방법은", "파이썬에서 리스트를 정렬하는 방법은?", False),
    ("Madrid en dos días", "Hola, ¿qué lugares debo visitar en Madrid en dos días?", False),
    ("Madrid en dos días con niños", "Hola, ¿qué lugares debo visitar en Madrid en dos días?", True),
    ("Grey Kitten Names", "What are good names for a grey kitten?", False),  # English titles may go on
])
def test_runs_on(title, user, fires):
    assert runs_on(candidate(title, user=user, assistant="")) is fires


def test_an_answer_sentence_is_on_topic_when_it_shares_two_things_with_the_message():
    assert on_topic_answer(BREAD_USER, "Mash ripe bananas; use applesauce for the eggs.") != ""
    assert on_topic_answer(BREAD_USER, "This recipe is called Lemon-Caramel Bran Muffins.") == ""
    assert on_topic_answer("kubernetes", "What a beautiful name, kubernetes.") == ""
    assert on_topic_answer("北京三天怎么玩？", "北京三天可以去故宫。") != ""


@pytest.mark.parametrize("title,fires", [
    ('und darunter "git merge', True),  # the end of a sentence
    ("and the bread", True),
    ("O Guia do Pão", False),  # Portuguese "o" is "the"
    ("Recipes for", True),
    ("Banana Bread and Eggs", False),
])
def test_fragment(title, fires):
    assert is_fragment(candidate(title)) is fires


@pytest.mark.parametrize("title,user,assistant,fires", [
    ("The 80-kg, 120-calorie diet", "How many calories should I eat to lose weight at 80 kg?",
     "Aim for 120 calories less.", True),  # in the answer only
    ("Losing Weight at 80 kg", "How many calories should I eat to lose weight at 80 kg?", "", False),
    ("京都で5日間の旅行プラン", "京都で3日間の旅行プランを作ってください", "5日間もいいです", True),
    ("京都3日間の旅行プラン", "京都で3日間の旅行プランを作ってください", "", False),
    ("Python 3.12 Features", "What's new in Python 3.12?", "", False),
])
def test_invented_number(title, user, assistant, fires):
    assert has_invented_numbers(candidate(title, user=user, assistant=assistant)) is fires


TCP_USER = "Explain the difference between TCP and UDP"
TCP_ANSWER = "TCP is connection-oriented and reliable; UDP is connectionless and faster."


@pytest.mark.parametrize("raw,user,assistant,title,salvaged", [
    ("Tiny Tidbit: The Key Difference between TCP and UDP", TCP_USER, TCP_ANSWER,
     "The Key Difference between TCP and UDP", "too_long"),
    ("Tiny Tidbit: TCP vs UDP", TCP_USER, TCP_ANSWER, "TCP vs UDP", "ungrounded_half"),
    ("Banana Bread with No Eggs: A Simple and Delicious Recipe for a Life of Bananas", BREAD_USER, BREAD_ANSWER,
     "Banana Bread with No Eggs", "too_long"),
    ("The Golden Retriever – A Perfect Match for Your Pet's Unique Personality and Your Small Home",
     "Is a golden retriever a good dog for a small apartment?", "Golden retrievers adapt well to apartments.",
     "The Golden Retriever", "too_long"),
    ("Chat: Eggless Banana Bread", BREAD_USER, BREAD_ANSWER, "Eggless Banana Bread", None),  # a label
    ("Your Story: Eggless Banana Bread", BREAD_USER, BREAD_ANSWER, "Eggless Banana Bread", None),
    ("Тема: Рецепт борща", "Привет! Как приготовить борщ?", "", "Рецепт борща", None),
    ("タイトル：ラーメンの作り方", "美味しいラーメンの作り方を教えてください", "", "ラーメンの作り方", None),
    ("Eggless Banana Bread: A Recipe", BREAD_USER, BREAD_ANSWER, "Eggless Banana Bread: A Recipe", None),
    ('The Python error: "NoneType" in Flask', "TypeError: 'NoneType' object is not subscriptable\nwhat does this "
     "mean in my Flask app?", "This Python error occurs.", "NoneType in Flask", "ungrounded_half"),  # no stray quote
])
def test_one_half_of_a_title_is_salvaged(raw, user, assistant, title, salvaged):
    verdict = judge(raw, user, assistant)
    assert (verdict.title, verdict.rule, verdict.salvaged) == (title, None, salvaged)


@pytest.mark.parametrize("raw,user,rule", [
    ("Chat: Hello! How can I assist you today", "Hi!", "assistant_talk"),  # a label, then a greeting
    ("A good title for this conversation: Banana Bread", BREAD_USER, "task_talk"),
    ("Quantum Bunny: The Ultimate Bouncer", BREAD_USER, "ungrounded"),  # neither half is about bread
])
def test_no_half_is_salvaged_from_junk(raw, user, rule):
    verdict = judge(raw, user, BREAD_ANSWER)
    assert (verdict.title, verdict.rule, verdict.salvaged) == (None, rule, None)


# --- what SmolLM2-135M really wrote for bench/title_messages.py (bench/title_quality_results.md) -----


@pytest.mark.parametrize("raw,user,assistant,rule", [
    ("Obrigadoo", "Obrigado", "De nada!", "no_topic"),  # a greeting or thanks alone is titled by itself
    ("The Art of Crafting a Perfect Title", "Hola", "¡Hola! ¿En qué puedo ayudarte?", "task_talk"),
    ("알려주세요.", "김치찌개 만드는 법 알려주세요", "", "no_topic"),  # only "please tell me"
    ("Spread the word with your faith: Merci! Share your love for Islam with others.", "Merci beaucoup pour ton aide",
     "", "too_long"),
    ("Merci! Share your love for Islam", "Merci beaucoup pour ton aide", "", "sentences"),
    ("TypeError: list index out of range, ¿qué hago", "Mi código da error: IndexError, ¿qué hago?", "", "sentences"),
    ("ラーメンの作えられる、美味しいに", "美味しいラーメンの作り方を教えてください", "", "sentences"),
    ("ラーメンの作り方に", "美味しいラーメンの作り方を教えてください", "", "fragment"),  # ends on a particle
    ("В какой-то борщественных друб, не", "Привет! Как приготовить борщ?", "", "fragment"),
    ("भारत की राजधानी क्या ह", "भारत की राजधानी क्या है?", "", "fragment"),  # cut inside a word
    ("プランのアポンで自橍劇を続", "京都で3日間の旅行プランを作ってください", "プランのアポンで自橍劇を続けます", "rare_characters"),
    ("Python中使用递归关鸟的对象", "如何在Python中对字典列表按键排序？", "", "mostly_ungrounded"),
    ("こわさにHTTPの違いを解認し", "TCPとUDPの違いは何ですか？", "HTTPとTCPの違い", "mostly_ungrounded"),
    ("Dengue casa de banho azul", "Quais são os sintomas da dengue?", "", "mostly_ungrounded"),
    ("Как белородермистский язык", "Как быстрее выучить английский язык?", "", "changed_question"),
    ("北京三天怎么可能出现", "北京三天怎么玩？", "苏州大城上博家，晉向着一佳人外映的奈率！北京三天怎么可能出现。", "changed_question"),
    ("### Green Banana (Lemon)\n\nGrower-friendly green bananas are often used", BREAD_USER,
     "### Green bananas (Lemon)\n\nGrower-friendly green bananas are often used to make banana bread.",
     "another_thing"),
    ("The 80-kg, 120-calorie diet", "How many calories should I eat to lose weight at 80 kg?",
     "To lose weight at 80 kg with the goal of losing 120 calories, you need to consume 7.35 pounds.",
     "invented_number"),  # the answer's (wrong) figure is not the user's
    ("Banana Bread for 3 People", BREAD_USER, BREAD_ANSWER, "invented_number"),  # the answer has 3, the user not
    ("Title: Un virus est un virus", "Quelle est la différence entre un virus et une bactérie ?", "", "repetition"),
    ('Konklesund. Kinder mit korzung – und darunter "git merge"', "Was ist der Unterschied zwischen Git merge und "
     "rebase?", "", "too_long"),  # and its second half is no salvage: it starts on "und"
    ("Объясни, о точках Docker и модадиров", "Объясни, что такое Docker и зачем он нужен", "", "changed_question"),
    ("Title: Bảán: 上千三", "北京三天怎么玩？", "Bảán: 上千三天！-搜索：城市启走", "mostly_ungrounded"),  # no half
    # is salvaged from garbled text
    ("Объясни, что тако", "Объясни, что такое Docker и зачем он нужен", "", "cut_word"),
    ("Title: 美味しいラーメンの作り方を教え", "美味しいラーメンの作り方を教えてください", "", "cut_word"),
    ("알려 촉갑달. 김치찌", "김치찌개 만드는 법 알려주세요", "", "sentences"),  # a period after Hangul ends a sentence
    ("정렬하는 방법은 응기", "파이썬에서 리스트를 정렬하는 방법은?", "정렬하는 방법은 응기목릭, or the method", "runs_on"),
    ("Here's a Python solution using recursion and slicing:\n```python\ndef reverse_ll(head):",
     "How do I reverse a linked list in Python?", "", "unusable"),  # a code block's language is no title
    ("Baking with Lemon-Caramel Bran Muffins", BREAD_USER, "Here's a simple one:\n1. **Bread without Eggs**\n"
     "This recipe is called \"Lemon-Caramel Bran Muffins\" by the recipe.", "ungrounded"),  # one shared word
    ("What a Beautiful Name: KubeLens", "kubernetes", "What a beautiful name, kubernetes. It runs containers.",
     "ungrounded"),  # a one-word message lends the answer no sentence
    ("أتعلم البرادية: تنهيف الكلي", "كيف أتعلم البرمجة من الصفر؟", "", "mostly_ungrounded"),
    ("Lemos: A lua de cenoura fofinha", "Olá! Como faço um bolo de cenoura fofinho?", "", "ungrounded_half"),  # no
    # salvage outside English: the other half is garbled too ("the fluffy carrot moon")
    ("Объясни, что такое Docker и зачем", "Объясни, что такое Docker и зачем он нужен", "", "fragment"),
    ("ラーメンはわか；の生約を耕タ", "美味しいラーメンの作り方を教えてください", "", "sentences"),
    ("A New Dawn: A Novel of the Unsung Heroines", "Recommend three sci-fi novels similar to Dune", "", "too_long"),
    # and no half: "A Novel of the Unsung Heroines" carries one word of the question, a half needs two
    ("Imperative: Error: TypeError: list index", "Mi código da error: IndexError: list index out of range, ¿qué "
     "hago?", "", "invented_error"),
    ("Dios em ajuda, dos sintomas da dengue?", "Quais são os sintomas da dengue?", "", "ungrounded_half"),
    ("Alhamdil Allah, takka al-jabu, من البرمجة", "كيف أتعلم البرمجة من الصفر؟",
     "Alhamdil Allah, takka al-jabu, من البرمجة", "other_script"),  # the answer does not vouch for Latin here
    ("How to Re-write in Italian", "Qual è la differenza tra ci e ne in italiano?", "", "other_language"),
    ("Dengue: A Wonder Disease", "Quais são os sintomas da dengue?", "", "mostly_ungrounded"),
    ("Bread: A Quantum Journey", BREAD_USER, BREAD_ANSWER, "ungrounded_half"),  # one word is no salvage
    ("Banana Bread for 12 People", BREAD_USER, BREAD_ANSWER, "invented_number"),
    # held-out run 8 (bench/title_quality_results.md): the four junk titles it showed
    ("I'm ready to help with your Kubernetes server!", "kubernetes",
     "I'm happy to help with any text or code on the Kubernetes server.", "assistant_talk"),
    ("L'adipezza di carbonara!\n\nPreliminaria...", "Come si prepara una vera carbonara?",
     "Preliminaria...\nCosa buona sua!", "invented_word"),  # 'adipezza' is no Italian word
    ("비양히 알려주세요", "김치찌개 만드는 법 알려주세요", "It's great to hear from a helpful AI.",
     "ungrounded"),  # only the user's 'please tell me' is shared: no topic
    ("Title: भारत की राजधान्य समरू", "भारत की राजधानी क्या है?", "भारत की राजधान्य समरूद्वक्रसालेयों मिडकट।",
     "invented_word"),  # 'समरू' is cut from a garbled word of the answer
    # the same kinds in other languages
    ("Let me help you with Python sorting", "How do I sort a list in Python?", "", "assistant_talk"),
    ("Je suis là pour la pâte à crêpes", "Comment faire une pâte à crêpes sans grumeaux ?", "", "assistant_talk"),
    ("Le toujeur de la pâte à crêpes", "Comment faire une pâte à crêpes sans grumeaux ?", "", "invented_word"),
    ("Docker и модадиры", "Объясни, что такое Docker и зачем он нужен", "", "invented_word"),
    ("Weiche Eier kochen ohne Haftaar", "Wie lange muss ein Ei kochen, damit es weich ist?", "", "invented_word"),
    ("Quantumbunny Banana Bread", BREAD_USER, BREAD_ANSWER, "invented_word"),
    # held-out run 9: a garbled copy of the user's word, vouched for by an answer as garbled
    ("Muito que vence o cenouro fofinho?", "Olá! Como faço um bolo de cenoura fofinho?",
     "Muito que vence o cenouro fofinho?\n\nVamos tomar a mesáriula de códados!", "invented_word"),
    # held-out run 10: the answer's garbled opening as the title, and a question to the user
    ("Python中对字典列表可以使用list comprehension来选择枚键", "如何在Python中对字典列表按键排序？",
     "Python中对字典列表可以使用list comprehension来选择枚键，这是一款更精做的排序巧兴。", "copies_the_answer"),
    ("리스트 정렬하고 싶을", "파이썬에서 리스트를 정렬하는 방법은?", "리스트 정렬하고 싶을ى 방inis", "copies_the_answer"),
    ("A Golden Retriever: What's Your Dog's Worth", "Is a golden retriever a good dog for a small apartment?",
     "A golden retriever can be a great choice for your small apartment.", "assistant_talk"),
    ("Qué buscas en tu perro", "¿Un golden retriever es buen perro para un piso pequeño?", "", "assistant_talk"),
    # held-out run 11: a garbled word the garbled answer also had, and a half copied from the answer
    ('"Crisperes de crêpes bretonnes"', 'I found a recipe called "recette de crêpes bretonnes", what does it mean?',
     '"recette de crêpes bretonnes," translates to "crisperes de crème bleu in Brittagne."', "invented_word"),
    ("Ninja: わぐのラーメンに言います．", "美味しいラーメンの作り方を教えてください",
     "わぐのラーメンに言います． (Nice Japanese for Ninja)", "sentences"),  # a polite predicate ends a sentence
    ("리스트: 리스트 정렬하고 싶을", "파이썬에서 리스트를 정렬하는 방법은?", "리스트 정렬하고 싶을ى 방inis",
     "copies_the_answer"),  # its second half is the answer's opening
    # held-out run 12: the answer's false first statement in the user's words, a stray syllable
    ("Title: Un virus est une bactérie.", "Quelle est la différence entre un virus et une bactérie ?",
     "Un virus est une bactérie.", "copies_the_answer"),
    ("리스트를 정렬하기 단", "파이썬에서 리스트를 정렬하는 방법은?", "A와: 1. 리스트를 정렬하기랠 (Lists)", "fragment"),
    # held-out run 14: a question word lent its stem ('qual' grounded 'qualità')
    ("Sforza di qualità.", "Qual è la differenza tra ci e ne in italiano?", "Sforza di qualità.", "ungrounded"),
    ("Title: How to Solve This Error in Python", "Mi código da error: IndexError: list index out of range, ¿qué hago?",
     "", "other_language"),  # the pasted error is English, the question Spanish
    ("Dengue, por favor", "Quais são os sintomas da dengue? Por favor", "", None),  # the user's words stay
    # held-out runs 13 and 14: a false attribution, real words glued into none
    ("Dune, by Ursula K. Le Guin\nIn the year 2053, a rebellion", "Recommend three sci-fi novels similar to Dune",
     "Dune, by Ursula K. Le Guin\nIn the year 2053", "invented_name"),
    ("Tie-deutsche", "Welche Versicherungen brauche ich als Student in Deutschland?",
     "Schußmellichte. It's a German proverb.", "invented_compound"),
    ('"Bret-Chape-Cream: A French Deluxe Recipe"',
     'I found a recipe called "recette de crêpes bretonnes", what does it mean?',
     '"recette de crêpes bretonnes" translates to "crema de croûte bret-châté".', "invented_compound"),
    ("Wohnung-Versicherung für Studenten", "Welche Versicherungen brauche ich als Student in Deutschland?", "",
     "invented_compound"),
    ("Novels by Frank Herbert", "Recommend three sci-fi novels similar to Dune", "", "invented_name"),
    # held-out run 16: a katakana word no Japanese word starts like, the answer's sentence cut in its bracket
    ("美味しゃれンバサージのは漏", "美味しいラーメンの作り方を教えてください",
     "スワーについての美味しゃれンバサージを順", "impossible_kana"),
    ("Python中对字典列表可以使用按键排序（Lists", "如何在Python中对字典列表按键排序？",
     "Python中对字典列表可以使用按针排序（Lists, in Python 2.x）", "broken_bracket"),
    ("ーメンの作り方", "美味しいラーメンの作り方を教えてください", "", "impossible_kana"),
    ("Derivatives (Product Rule", "What's the derivative of x^3 * sin(x)?", "", "broken_bracket"),
    # held-out run 15: a half is no salvage when its second word of the user's is a question word
    ("Welche Versicherungen: Altraweiterreise einer schwierter Ausschrapp",
     "Welche Versicherungen brauche ich als Student in Deutschland?", "", "too_long"),
])
def test_real_small_model_junk_is_rejected(raw, user, assistant, rule):
    assert judge(raw, user, assistant).rule == rule


@pytest.mark.parametrize("raw,user,assistant,title", [
    ("Kubernetes: The Power of Customizing Your Cloud Computing Platform", "kubernetes",
     "Kubernetes runs containers.", "Kubernetes"),  # one word is fine for a one-word question
    ("IndexError in a List Loop", "Why do I get IndexError: list index out of range?", "",
     "IndexError in a List Loop"),  # the user's own error name
    ("Madrid, dos días", "Hola, ¿qué lugares debo visitar en Madrid en dos días?", "", "Madrid, dos días"),
    ("Lange: Ein Ei, kann ich das heute nachhaltung und als auch", "Wie lange muss ein Ei kochen, damit es weich ist?",
     "", None),  # but not for a longer one
    ("Losing Weight at 80 kg", "How many calories should I eat to lose weight at 80 kg?", "Eat 1800 kcal a day.",
     "Losing Weight at 80 kg"),  # the user's number
    ("Docker и контейнеры", "Что такое Docker?", "", "Docker и контейнеры"),
    ("window.__pwned in Python", "What is window.__pwned in Python?", "", "window.__pwned in Python"),  # no sentence
    ("Egg-Free Banana Bread", BREAD_USER, BREAD_ANSWER, "Egg-Free Banana Bread"),  # two parts: English writes it
    ("Do-It-Yourself Sourdough Starter", "How do I make a sourdough starter?", "",
     "Do-It-Yourself Sourdough Starter"),  # three parts with a joining word
    ("Sci-Fi Novels Like Dune", "Recommend three sci-fi novels similar to Dune", "", "Sci-Fi Novels Like Dune"),
    ("Peux-tu expliquer la Révolution", "Peux-tu m'expliquer la Révolution française ?", "",
     "Peux-tu expliquer la Révolution"),  # the user's own compound
    ("Books by Frank Herbert", "Which books by Frank Herbert should I read?", "", "Books by Frank Herbert"),
    ("ラーメンの作り方", "美味しいラーメンの作り方を教えてください", "", "ラーメンの作り方"),  # whole words
    ("Derivative of x^3 * sin(x)", "What's the derivative of x^3 * sin(x)?", "",
     "Derivative of x^3 * sin(x)"),  # its bracket closes
    ("Python字典列表排序（按键）", "如何在Python中对字典列表按键排序？", "", "Python字典列表排序（按键）"),
    ("Echo Reply", "Explain quantum entanglement simply", "Echo: Explain quantum entanglement simply",
     "Echo Reply"),  # Latin text of no known language may be English: not held to the stricter rule
])
def test_what_real_small_models_write_well_still_passes(raw, user, assistant, title):
    assert judge(raw, user, assistant).title == title


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
    ("Hi! Can you help me write a cover letter?", "Cover letter"),
    ("Can you give me a recipe for banana bread without eggs?", "Recipe for banana bread without eggs"),
    ("Explain quantum entanglement simply, please", "Quantum entanglement simply"),
    ("What is the difference between TCP and UDP?", "Difference between TCP and UDP"),
    ("please help me with the", "Help"),  # nothing but openers and a request: the request
    ("**Explain** `asyncio` please", "Asyncio"),
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
    ("Peux-tu m'expliquer la Révolution française en quelques phrases ?", "Révolution française en quelques phrases"),
    ("Hi!", "Hi"),
])
def test_fallback_keeps_the_topic_words(message, expected):
    assert fallback_title(message) == expected


@pytest.mark.parametrize("message,expected", [
    # request verbs dropped when what follows names the topic, per language
    ("Explain the difference between TCP and UDP", "Difference between TCP and UDP"),
    ("Recommend three sci-fi novels similar to Dune", "Sci-fi novels similar to Dune"),
    ("Write a short poem about autumn rain", "Short poem about autumn rain"),
    ("Tell me about the history of the Roman Empire", "History of the Roman Empire"),
    ("Summarize this: The Industrial Revolution began in Britain in the late 18th century.",
     "Industrial Revolution began in Britain"),
    ("Explique-moi la photosynthèse simplement", "Photosynthèse simplement"),
    ("Peux-tu m'aider à écrire une lettre de motivation ?", "Écrire une lettre de motivation"),
    ("¿Cuál es la mejor forma de aprender alemán en seis meses?", "Aprender alemán en seis meses"),
    ("Dame una receta de paella valenciana", "Receta de paella valenciana"),
    ("Schreib mir eine kurze Geschichte über einen Drachen", "Kurze Geschichte über einen Drachen"),
    ("Me ajude a planejar uma viagem para Lisboa", "Planejar uma viagem para Lisboa"),
    ("Consigliami dei libri per imparare a programmare", "Libri per imparare a programmare"),
    ("Объясни, что такое Docker и зачем он нужен", "Docker и зачем он нужен"),
    # pairs kept together, quantities not halved, brackets and quotes never cut
    ("Qual è la differenza tra 'ci' e 'ne' in italiano?", "Differenza tra ci e ne"),
    ("How many calories should I eat to lose weight at 80 kg?", "Calories to lose weight"),
    ("What's the derivative of x^3 * sin(x)?", "Derivative of x^3 * sin(x)"),
    ("Compare Python (the language we use at work every day) and Rust", "Compare Python and Rust"),
    ('Is "The Left Hand of Darkness" worth reading in 2025 for a first-time reader?',
     "Left Hand of Darkness worth reading"),
    ('Is "The Left Hand of Darkness and Other Stories" a good book?', "Good book"),  # the name does not fit
    ('I found a recipe called "recette de crêpes bretonnes", what does it mean?', "Recette de crêpes bretonnes"),
    ("Quelle est la différence entre un virus et une bactérie ?", "Différence entre virus et bactérie"),
    ("Mi código da error: IndexError: list index out of range, ¿qué hago?", "IndexError list index out of range"),
    ("Obrigado", "Obrigado"),
    ("Merci beaucoup !", "Merci beaucoup"),
    ("Hoe maak ik een goede zuurdesemstarter?", "Goede zuurdesemstarter"),  # Dutch openers
])
def test_fallback_keeps_the_topic_and_cuts_where_a_person_would(message, expected):
    assert fallback_title(message) == expected


@pytest.mark.parametrize("message", [
    "How do I sort a list of dictionaries by a key in Python and keep the order stable?",
    "I would like to understand the differences between the various sorting algorithms for huge inputs",
    "Supercalifragilisticexpialidocious antidisestablishmentarianism floccinaucinihilipilification words",
    "please explain this thing to me now because it matters a lot to all of us here",
    "one two three four five six seven eight nine ten eleven twelve",
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


@pytest.mark.parametrize("title,user", [
    ("I Need a Resume for a Data Job", "I need a resume for a data job, where do I start?"),
    ("Let me in: locked out of SSH", "Let me in! I'm locked out of SSH on my server"),
])
def test_a_title_in_the_first_person_is_the_users_when_the_user_wrote_it(title, user):
    assert judge(title, user, "").rule is None


@pytest.mark.parametrize("title,user,answer", [
    ("Diferencia entre virus y bacteria", "¿Cuál es la diferencia entre virus y bacteria?",
     "Diferencia entre virus y bacteria: los virus necesitan una célula."),  # the answer opens with the user's words
    ("Can you help with my regex", "Can you help with my regex? It never matches.", ""),  # the user's "can you"
    ("김치찌개 만드는 법", "김치찌개 만드는 법 알려주세요", ""),  # a one-syllable word the user wrote ends it
])
def test_an_opening_or_a_question_the_user_wrote_is_a_title(title, user, answer):
    assert judge(title, user, answer).rule is None


@pytest.mark.parametrize("text,rest", [
    ("비양히 알려주세요", "비양히"), ("Please tell me about Rust lifetimes", "tell me about Rust lifetimes"),
    ("Merci ! Recette de crêpes, s'il vous plaît", "Recette de crêpes"), ("你好，北京三天怎么玩", "北京三天怎么玩"),
])
def test_without_courtesy_keeps_what_may_name_a_topic(text, rest):
    assert without_courtesy(text) == rest
