"""Scripts and languages of short texts (pure): which writing system dominates, and for Latin and
Cyrillic text which language its function words suggest. Used to ask for a title in the user's
language and to refuse one in another."""
from __future__ import annotations

import re
import unicodedata
from collections import Counter

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
              "mein meine ist ich wie was damit dass wenn als ob ohne",
    "Portuguese": "o a os as um uma de do da dos das e ou com para por em no na nos nas meu minha é "
                  "que como sem",
    "Italian": "il lo la i gli le un una di del della dei e o con per in su nel nella mio mia è che "
               "come senza",
    "Russian": "и в во на с со по для о об к из у от мой моя мне что как это ли без",
}
FUNCTION_WORD_SET = {word for words in FUNCTION_WORDS.values() for word in words.split()}
DENSE_FILLER = set("的是了在和有我你他这那个一不么吗呢吧也就都要会可以到说之與与"
                   "은는이가을를의에도와과로요세하")


def script_of(char: str) -> str | None:
    """The writing system of a letter (None for digits, punctuation, emoji)."""
    if not char.isalpha():
        return None
    name = unicodedata.name(char, "")
    if name.startswith("CJK"):
        return "Han"
    if name.startswith(("HIRAGANA", "KATAKANA")):
        return "Kana"
    head = name.split(" ", 1)[0]
    return head.capitalize() if head else None


def script_weights(text: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for char in text:
        script = script_of(char)
        if script:
            counts[script] += DENSE_WEIGHT if script in DENSE_SCRIPTS else 1
    return counts


def dominant_script(text: str) -> str | None:
    weights = script_weights(text)
    return weights.most_common(1)[0][0] if weights else None


def scripts_compatible(title_script: str, user_script: str) -> bool:
    """Japanese mixes Han and Kana, so either answers the other."""
    return title_script == user_script or {title_script, user_script} <= {"Han", "Kana"}


FUNCTION_WORDS_BY_LANGUAGE = {name: set(listed.split()) for name, listed in FUNCTION_WORDS.items()}


def function_word_votes(text: str) -> Counter[str]:
    """How many function words of each language the text uses."""
    words = [word.lower() for word in re.findall(r"[^\W\d_]+", text)]
    return Counter({name: hits for name, listed in FUNCTION_WORDS_BY_LANGUAGE.items()
                    if (hits := sum(word in listed for word in words))})


def language_name(text: str) -> str:
    """A name for {language}: by script, and for Latin text by its most frequent function words."""
    weights = script_weights(text)
    if weights.get("Kana"):
        return "Japanese"
    script = dominant_script(text)
    if script in LANGUAGE_BY_SCRIPT:
        return LANGUAGE_BY_SCRIPT[script]
    votes = function_word_votes(text)
    return votes.most_common(1)[0][0] if votes else "the language of the user's message"
