"""Scripts and languages of short texts (pure): which writing system dominates, and for Latin and
Cyrillic text which language its function words suggest. Used to ask for a title in the user's
language and to refuse one in another."""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache


def _combining_marks() -> str:
    """The combining marks of the Basic Multilingual Plane, as the inside of a character class:
    `\\w` leaves out Devanagari vowel signs and Arabic harakat, which belong to their word
    ("राजधानी" would be three words)."""
    marks = [code for code in range(0x300, 0x10000) if unicodedata.category(chr(code)) in {"Mn", "Mc", "Me"}]
    ranges: list[list[int]] = []
    for code in marks:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "".join(f"\\u{first:04x}-\\u{last:04x}" for first, last in ranges)


MARKS = _combining_marks()
WORD = re.compile(rf"[\w{MARKS}]+")  # a word with its vowel signs
LETTERS = re.compile(rf"(?:[^\W\d_]|[{MARKS}])+")  # the same without digits and underscores
DENSE_SCRIPTS = {"Han", "Kana", "Hangul"}  # one character carries about a word: weighed more
DENSE_WEIGHT = 3
LANGUAGE_BY_SCRIPT = {"Cyrillic": "Russian", "Greek": "Greek", "Arabic": "Arabic", "Hebrew": "Hebrew",
                      "Hangul": "Korean", "Devanagari": "Hindi", "Thai": "Thai", "Han": "Chinese",
                      "Kana": "Japanese"}
FUNCTION_WORDS = {
    "English": "a an the of to for in on at by with and or from about into as is are was be it this that "
               "my your our me i you we how what why which can do does some any without",
    "French": "le la les un une des de du d l et ou à au aux pour avec en sur par dans mon ma mes "
              "est que qui ce cette comment sans quelques",
    "Spanish": "el la los las un una unos unas de del y o a al con para por en mi mis que es se cómo como sin",
    "German": "der die das den dem des ein eine einen einem und oder mit für von zu zum zur im in auf "
              "mein meine ist ich du mir dir dich wie was damit dass wenn als ob ohne",
    "Portuguese": "o a os as um uma de do da dos das e ou com para por em no na nos nas meu minha é "
                  "que como sem qual",
    "Italian": "il lo la i gli le un una di del della dei e o con per in su nel nella mio mia è che "
               "come senza qual",
    "Russian": "и в во на с со по для о об к из у от мой моя мне что как это ли без не но а же бы",
    "Turkish": "ve bir bu için ile gibi çok neler nasıl nedir mı mi mu mü hangi",
    # Dutch without the words English writes too ("over", "door", "die"): they would end English titles
    "Dutch": "de het een en van op te voor met aan bij uit naar zijn ik je jij mijn hoe wat waarom welke niet "
             "dat dit ook maar zonder",
    "Hindi": "का की के है हैं में से को और या क्या कैसे पर यह वह एक",
    "Arabic": "في من على إلى عن و أو ما هي هو كيف هل مع هذا هذه",
}
FUNCTION_WORD_SET = {word for words in FUNCTION_WORDS.values() for word in words.split()}
# The words that make a message a question, by language: a title that keeps one repeats the
# question, so it must not put other words in it. Han, Kana and Hangul ones are found inside words.
QUESTION_WORDS = {
    "French": "comment pourquoi quel quelle quels quelles combien où quand",
    "Spanish": "cómo qué cuál cuáles dónde cuándo cuánto cuánta cuántos cuántas quién",
    "German": "wie warum was welche welcher welches wo wann wieso weshalb",
    "Portuguese": "como porque quê qual quais onde quando quanto quantos",
    "Italian": "come perché cosa quale quali dove quando quanto quanti",
    "Russian": "как почему зачем что где когда какой какая какие сколько",
    "Turkish": "nasıl neden niçin ne neler nedir hangi nerede",
    "Arabic": "كيف لماذا ماذا ما متى أين هل",
    "Hindi": "क्या कैसे क्यों कब कहाँ कौन कितना",
    "Chinese": "怎么 怎麼 怎样 怎樣 为什么 為什麼 什么 什麼 如何 哪 多少",
    "Japanese": "何 なぜ どう どこ いつ どれ どの 誰",
    "Korean": "어떻게 왜 무엇 뭐 어디 언제 누가 무슨 어떤 얼마",
}
DENSE_LANGUAGES = {"Chinese", "Japanese", "Korean"}
DENSE_FILLER = set("的是了在和有我你他这那个一不么吗呢吧也就都要会可以到说之與与"
                   "은는이가을를의에도와과로요세하")


@lru_cache(maxsize=8192)
def script_of(char: str) -> str | None:
    """The writing system of a letter (None for digits, punctuation, emoji). Cached: a title's
    checks look up every character of the question and answer, some more than once."""
    if not char.isalpha():
        return None
    name = unicodedata.name(char, "")
    if name.startswith("CJK"):
        return "Han"
    if name.startswith(("HIRAGANA", "KATAKANA")):
        return "Kana"
    head = name.split(" ", 1)[0]
    return head.capitalize() if head else None


@lru_cache(maxsize=16)
def script_weights(text: str) -> Counter[str]:
    """Letters per script, Han/Kana/Hangul weighted (cached like language_name: callers do not
    change the Counter)."""
    counts: Counter[str] = Counter()
    for char in text:
        script = script_of(char)
        if script:
            counts[script] += DENSE_WEIGHT if script in DENSE_SCRIPTS else 1
    return counts


@lru_cache(maxsize=16)
def dominant_script(text: str) -> str | None:
    weights = script_weights(text)
    return weights.most_common(1)[0][0] if weights else None


def scripts_compatible(title_script: str, user_script: str) -> bool:
    """Japanese mixes Han and Kana, so either answers the other."""
    return title_script == user_script or {title_script, user_script} <= {"Han", "Kana"}


FUNCTION_WORDS_BY_LANGUAGE = {name: set(listed.split()) for name, listed in FUNCTION_WORDS.items()}
# The same lists the other way round: one look-up per word instead of one per word and language.
LANGUAGES_BY_FUNCTION_WORD: dict[str, tuple[str, ...]] = {
    word: tuple(name for name, listed in FUNCTION_WORDS_BY_LANGUAGE.items() if word in listed)
    for word in set().union(*FUNCTION_WORDS_BY_LANGUAGE.values())}


def function_word_votes(text: str) -> Counter[str]:
    """How many function words of each language the text uses; Spanish's opening ¿ and ¡ count
    as two ("Mi código da error: IndexError: list index out of range, ¿qué hago?" is Spanish,
    though the pasted error has more English words than the question has Spanish ones)."""
    hits: Counter[str] = Counter()
    for word in LETTERS.findall(text):
        hits.update(LANGUAGES_BY_FUNCTION_WORD.get(word.lower(), ()))
    # In the lists' order, so that a tie goes to the same language whatever the words' order.
    votes = Counter({name: hits[name] for name in FUNCTION_WORDS_BY_LANGUAGE if hits[name]})
    if "¿" in text or "¡" in text:
        votes["Spanish"] += 2
    return votes


@lru_cache(maxsize=16)
def language_name(text: str) -> str:
    """A name for {language}: by script, and for Latin text by its most frequent function words.
    Cached until `forget_texts`: the prompt and several checks ask it of the same message."""
    weights = script_weights(text)
    if weights.get("Kana"):
        return "Japanese"
    script = dominant_script(text)
    if script in LANGUAGE_BY_SCRIPT:
        return LANGUAGE_BY_SCRIPT[script]
    votes = function_word_votes(text)
    return votes.most_common(1)[0][0] if votes else "the language of the user's message"


def question_words(text: str, language: str) -> set[str]:
    """The question words of `language` in the text ("как", "怎么")."""
    listed = QUESTION_WORDS.get(language, "").split()
    if language in DENSE_LANGUAGES:
        return {word for word in listed if word in text}
    words = {word.lower() for word in WORD.findall(text)}
    return words & set(listed)


def forget_texts() -> None:
    """Empty the caches of whole texts (see grounding.forget_cached_texts)."""
    language_name.cache_clear()
    dominant_script.cache_clear()
    script_weights.cache_clear()
