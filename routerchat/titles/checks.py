"""The checks that tell a title from what small models really write instead (pure).

Each check is a small function over a `Candidate` and is named in `CHECKS`, so the job can log
which rule rejected an answer and the corpus in tests/ can measure both kinds of mistake.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from . import lexicon
from .cleaning import END_PUNCTUATION, LABEL_WORDS, QUOTES, clean_title, halves, without_reasoning
from .dense import ends_on_a_coverb, ends_on_a_stray_kana, has_an_invented_main_noun, starts_a_word_impossibly
from .drift import copies_the_answer, is_changed_question, names_another_thing, runs_on
from .fallback import DENSE_PARTICLES, ERROR_NAME, PAIR_WORDS, balanced, topic_of, without_courtesy
from .grounding import (
    Candidate,
    content_words,
    dense_characters,
    forget_cached_texts,
    lowered_words,
    on_topic_answer,
    same_stem,
    shared_count,
    shares_content,
)
from .language import (
    DENSE_LANGUAGES,
    DENSE_SCRIPTS,
    FUNCTION_WORD_SET,
    FUNCTION_WORDS_BY_LANGUAGE,
    WORD,
    dominant_script,
    function_word_votes,
    language_name,
    question_words,
    script_of,
    scripts_compatible,
)
from .prompt import cut_head

MAX_WORDS = 8
MAX_CHARS = 60
TASK_WORDS = {
    "title", "titles", "titled", "conversation", "conversations", "concise", "summary", "summarize",
    "summarise", "description", "describe", "generate", "prompt", "titre", "título", "titulo", "titolo",
    "titel", "überschrift", "conversación", "conversa", "conversazione", "gespräch", "unterhaltung",
    "resumen", "résumé", "resumo", "riassunto", "zusammenfassung", "заголовок", "название", "разговор",
    "беседа", "диалог", "заголовки",
}
DENSE_TASK_WORDS = ("タイトル", "会話", "要約", "标题", "標題", "对话", "對話", "总结", "제목", "대화", "요약")
LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+\S", re.MULTILINE)
INLINE_LIST = re.compile(r"(?:^|\s)1[.)]\s+\S.*?\s2[.)]\s+\S")
OPTION_PHRASE = re.compile(
    r"\bhere (?:are|is) (?:a few|some|several|\d+|two|three|four|five)\b|\b(?:title )?options\s*:"
    r"|\balternatively\b|\bor alternatively\b|\bvoici (?:quelques|plusieurs)\b"
    r"|\baquí (?:tienes|hay) (?:algunas|varias)\b"
    r"|\bhier sind (?:einige|ein paar)\b|вот несколько|いくつかの", re.IGNORECASE)
REFUSAL = re.compile(
    r"^(?:i'?m sorry|i am sorry|sorry\b|i apologi[sz]e|my apologies|apologies|unfortunately|i can'?t\b|i cannot|"
    r"i can not|i'?m (?:not able|unable)|i am (?:not able|unable)|i won'?t\b|as an ai\b|lo siento|lamentablemente|"
    r"no puedo|désolée?|je suis désolée?|je ne peux pas|malheureusement|es tut mir leid|leider|"
    r"ich kann (?:nicht|keine)|entschuldigung|извините|к сожалению|простите|я не могу|mi dispiace|purtroppo|"
    r"non posso|desculpe|infelizmente|não posso|申し訳|すみません|ごめんなさい|抱歉|对不起|對不起|很遗憾|"
    r"我无法|我不能|죄송|미안)|\bas an ai (?:language )?model\b|\bi can(?:'?t|not) (?:help|assist|provide|create)",
    re.IGNORECASE)
SECOND_PERSON = {
    "you", "your", "yours", "you're", "u", "tu", "te", "toi", "vous", "votre", "vos", "ton", "ta", "tes", "tú",
    "usted", "ustedes", "tus", "du", "dich", "dir", "dein", "deine", "euch", "você", "vocês", "ti", "tuo", "tua",
    "ты", "вы", "тебе", "вам", "тебя", "вас", "твой", "ваш", "ваша", "あなた", "君", "你", "您", "당신", "너",
    "أنت", "لك", "आप", "तुम",
}
GREETINGS = re.compile(
    r"^(?:hello|hi|hey|greetings|welcome|bonjour|salut|hola|hallo|ciao|olá|ola|oi|привет|здравствуйте|"
    r"こんにちは|你好|您好|안녕하세요|مرحبا|नमस्ते)(?:\s+(?:there|everyone|friend|all))?(?:\s*[!,.]|$)",
    re.IGNORECASE)
OFFER = re.compile(
    r"\bhow (?:can|may) i (?:help|assist)|\bwhat can i do for you|\bi'?d be happy to|\bi am here to help|"
    r"\bi'?m here to help|\blet me know|\bfeel free|en qu[ée] puedo ayudar|c[óo]mo puedo ayudar|"
    r"comment (?:puis-je|pourrais-je) (?:vous|t)|que puis-je faire pour|wie kann ich (?:dir|ihnen|euch) helfen|"
    r"(?:como|em que) posso (?:te |lhe )?ajudar|(?:come )?posso aiutarti|чем (?:я )?могу (?:вам |тебе )?помочь|"
    r"как я могу (?:вам |тебе )?помочь|お手伝い|有什么(?:我)?可以帮|我能(?:为你|帮)|可以帮你|도와드릴|무엇을 도와|"
    r"كيف يمكنني مساعدت|मैं आपकी (?:कैसे )?मदद",
    re.IGNORECASE)
# The assistant speaking of itself ("I'm ready to help with your …", "Je suis là pour …").
FIRST_PERSON = {
    "i", "i'm", "im", "i'll", "i've", "i'd", "je", "j'ai", "j'", "yo", "estoy", "ich", "я", "io", "sono", "eu",
    "estou", "ik", "ben", "我", "私", "저는", "제가", "나는", "أنا", "मैं",
}
QUESTION_MARKS = ("?", "？", "؟")
# English words a question opens with ("What's Your Dog's Worth"); other languages' are in language.py.
ASKING = {"what", "how", "why", "which", "who", "where", "when", "do", "does", "did", "are", "is", "can", "could",
          "would", "should", "will", "have", "has"}
# Words glued with hyphens ("Tie-deutsche", "Bret-Chape-Cream"), and people's names: "by Name …"
# or an initial before a surname ("Ursula K. Le Guin").
HYPHENATED = re.compile(r"\w+(?:[-\u2010]\w+)+")
BY_A_NAME = re.compile(r"\bby\s+([A-Z]\w+(?:\s+(?:[A-Z]\.|[A-Z]\w+))+)")
INITIAL_AND_NAME = re.compile(r"\b[A-Z]\.\s+(?:[A-Z]\w+\s+)*[A-Z]\w+")
JOINING_WORDS = PAIR_WORDS - {"o"}  # Portuguese "o" is also "the": "O Guia de …" is whole
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
POLITE_ENDINGS = ("ます", "ました", "ません", "です", "でした", "でしょう")  # a Japanese title is no sentence
# A sentence ends inside the title ("Merci! Share your love…"); "vs." and short abbreviations do not count.
SENTENCE_INSIDE = re.compile(r"(?:[!?¿¡]|(?<=\w{4})\.|(?<=[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7a3])\.)\s+\w"
                             r"|[、，。！？；]\s*\w|\S\s+[¿¡]\w")  # "vs." is no end; after Hangul or Han, a period is
# Words that say what kind of text follows, not what it is about ("解析: Python中对", "Analysis: …").
GENERIC_LABELS = set(LABEL_WORDS) | {
    "analysis", "overview", "explanation", "introduction", "analyse", "aperçu", "explication", "análisis",
    "resumen", "explicación", "análise", "explicação", "resumo", "analisi", "spiegazione", "riassunto",
    "überblick", "erklärung", "zusammenfassung", "анализ", "обзор", "объяснение", "解析", "分析", "总结", "總結",
    "概要", "概述", "简介", "解説", "説明", "まとめ", "요약", "분석", "개요", "설명", "تحليل", "ملخص", "विश्लेषण",
    "सारांश",
}
# The common characters of each CJK language (a national character set): garbled output reaches past them.
CHARSETS = {"Japanese": ("shift_jis",), "Chinese": ("gb2312", "big5"), "Korean": ("euc_kr",)}


def display_width(text: str) -> int:
    """Columns on screen: wide (CJK) characters take two, as in a terminal."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def is_too_long(candidate: Candidate) -> bool:
    """A sentence or a continuation, not a title: over 8 words, or over 60 columns wide."""
    return len(candidate.title.split()) > MAX_WORDS or display_width(candidate.title) > MAX_CHARS


def is_option_list(candidate: Candidate) -> bool:
    """Several titles offered to choose from ("Here are a few options: 1. … 2. …")."""
    raw = without_reasoning(candidate.raw)
    return (len(LIST_ITEM.findall(raw)) >= 2 or bool(INLINE_LIST.search(raw))
            or bool(OPTION_PHRASE.search(raw)))


def is_refusal(candidate: Candidate) -> bool:
    """A refusal or an apology in place of a title."""
    return any(REFUSAL.search(text.strip(QUOTES + " *\n")[:200])
               for text in (without_reasoning(candidate.raw), candidate.title))


def talks_about_the_task(candidate: Candidate) -> bool:
    """Words about titling ("title", "conversation", "concise") that the user never used."""
    user_words = lowered_words(candidate.user)
    for word in lowered_words(candidate.title):
        if word in TASK_WORDS and not any(same_stem(word, used) for used in user_words):
            return True
    return any(word in candidate.title and word not in candidate.user for word in DENSE_TASK_WORDS)


def is_other_script(candidate: Candidate) -> bool:
    """Written in another script than the user's message. Words taken from the user's message or
    the answer's sentences about it (a product name in Latin letters inside a Japanese title) do
    not count; words of an answer that wandered off do ("Alhamdil Allah" for an Arabic question).
    Answer words count only beside Han, Kana and Hangul, where borrowed Latin names are usual."""
    user_script = dominant_script(candidate.user)
    seen = candidate.user.lower()
    if user_script in DENSE_SCRIPTS:
        seen += "\n" + on_topic_answer(candidate.user, candidate.assistant).lower()
    own_words = " ".join(word for word in candidate.title.split() if word.lower().strip(END_PUNCTUATION) not in seen)
    title_script = dominant_script(own_words)
    if not title_script or not user_script:
        return False
    return not scripts_compatible(title_script, user_script)


def _from_the_user(title: str, user: str) -> bool:
    """Every word of the title is a word (or stem) of the user's message."""
    user_words = set(lowered_words(user))
    return all(word in user_words or any(same_stem(word, used) for used in user_words) for word in lowered_words(title))


def is_other_language(candidate: Candidate) -> bool:
    """Same script, another language: at least two function words of other languages and none
    more of one other language than of the user's ("What is photosynthesis" for a German question,
    "How to Re-write in Italian" for an Italian one, whose "in" is Italian too). The user's own words are
    never another language ("Recette de crêpes bretonnes" quoted in an English question)."""
    user_language = language_name(candidate.user)
    votes = function_word_votes(candidate.title)
    strongest = max((hits for language, hits in votes.items() if language != user_language), default=0)
    return (user_language in FUNCTION_WORDS_BY_LANGUAGE and strongest >= 2 and strongest > votes[user_language]
            and not _from_the_user(candidate.title, candidate.user))


def _first_line(raw: str) -> str:
    return next((line.strip() for line in without_reasoning(raw).splitlines() if line.strip()), "")


def is_assistant_talk(candidate: Candidate) -> bool:
    """What the assistant says to the user, not a name for the chat: a greeting ("Hello! How can I
    assist you today"), an offer of help, or a question back to the user ("Do you want a recipe?")."""
    title = candidate.title
    if OFFER.search(title) or OFFER.search(_first_line(candidate.raw)):
        return True
    if GREETINGS.match(title) and not GREETINGS.match(candidate.user.strip()):
        return True
    if _speaks_as_itself(title, candidate.user):
        return True
    asks = _first_line(candidate.raw).rstrip(QUOTES + " *").endswith(QUESTION_MARKS) or "?" in title
    if asks and set(lowered_words(title)) & SECOND_PERSON:
        return True
    return any(_asks_the_user(part, candidate.user) for part in (title, *(halves(title) or ())))


def _asks_the_user(part: str, user: str) -> bool:
    """A question to the user without its question mark: it opens with a question word and
    speaks to "you" ("What's Your Dog's Worth" for a question about golden retrievers), and its
    opening is not the user's own ("Can you give me a recipe…" repeats the user's request)."""
    words = lowered_words(part)
    if not words or not set(words) & SECOND_PERSON or " ".join(words[:2]) in " ".join(lowered_words(user)):
        return False
    return words[0] in ASKING or bool(question_words(words[0], language_name(user)))


def _speaks_as_itself(title: str, user: str) -> bool:
    """The title opens with "I" (or "let me"), and not with words the user wrote ("I'm ready to
    help with your Kubernetes server" for "kubernetes"; "I Need a Resume" echoes "I need a resume")."""
    words = title.replace("’", "'").lower().split()
    opening = words[0] if words else ""
    first_person = opening in FIRST_PERSON or opening[:1] in {"我", "私"} or words[:2] == ["let", "me"]
    return first_person and " ".join(words[:2]) not in " ".join(user.replace("’", "'").lower().split())


def has_invented_numbers(candidate: Candidate) -> bool:
    """A number the user never wrote ("The 80-kg, 120-calorie diet" for 80 kg). The answer does
    not vouch for it: its numbers are its claims (here a small model's wrong one), and a title
    names the question, not the answer's figures."""
    seen = set(NUMBER.findall(candidate.user))
    return any(number not in seen for number in NUMBER.findall(candidate.title))


def breaks_a_bracket(candidate: Candidate) -> bool:
    """A bracket opened and never closed, or closed and never opened ("Python中对字典列表可以使用
    按键排序（Lists": the answer's sentence cut inside its aside). Cleaning has already taken a loose
    one off either end."""
    return not balanced(candidate.title)


def has_an_invented_compound(candidate: Candidate) -> bool:
    """A hyphenated word the user did not write, glued from real words into none: outside English
    any such compound ("Tie-deutsche" for a German question about insurance), in English one of
    three parts or more with no joining word between them ("Bret-Chape-Cream"; "step-by-step"
    and "do-it-yourself" have one). English two-part compounds ("Egg-Free") are left to the
    other checks: a good model writes them."""
    user = candidate.user.lower()
    english = language_name(candidate.user) == "English"
    for compound in HYPHENATED.findall(candidate.title):
        if compound.lower() in user:
            continue
        parts = set(re.split(r"[-\u2010]", compound.lower()))
        if not english or (len(parts) >= 3 and not parts & FUNCTION_WORDS_BY_LANGUAGE["English"]):
            return True
    return False


def names_someone_unasked(candidate: Candidate) -> bool:
    """A person the user never named, "by Someone" or with an initial ("Dune, by Ursula K. Le
    Guin" for novels like Dune): a small model's attribution, and often a false one; the title
    names what was asked."""
    title = candidate.title
    names = [match[1] for match in BY_A_NAME.finditer(title)] + INITIAL_AND_NAME.findall(title)
    users = set(lowered_words(candidate.user))
    return any(not set(lowered_words(name)) <= users for name in names)


def names_another_error(candidate: Candidate) -> bool:
    """An error name the user never wrote ("TypeError: list index" for an IndexError): a small
    model's guess at the error, shown as if it were the user's."""
    seen = {name.lower() for name in ERROR_NAME.findall(candidate.user)}
    return any(name.lower() not in seen for name in ERROR_NAME.findall(candidate.title))


def is_sentences(candidate: Candidate) -> bool:
    """More than one sentence ("Merci! Share your love for Islam with others"), or a Japanese
    sentence, which ends on a polite predicate ("わぐのラーメンに言います"): talk, not a name. The
    user's own sentence is theirs."""
    title = candidate.title
    return bool(SENTENCE_INSIDE.search(title)) or (title.endswith(POLITE_ENDINGS) and title not in candidate.user)


def is_fragment(candidate: Candidate) -> bool:
    """A cut-off phrase: it starts on a word that joins two things ("und darunter "git merge"", the
    end of a sentence), ends on a function word ("Recipes for") or a question word ("Объясни, что
    такое Docker и зачем"), on a single letter that is no
    name ("…क्या ह", "…общемной э"), or on a Japanese/Chinese particle ("…美味しいに")."""
    words = [word.strip(END_PUNCTUATION + QUOTES).lower() for word in candidate.title.split()]
    if len(words) > 1 and (words[0] in JOINING_WORDS or words[-1] in FUNCTION_WORD_SET
                           or question_words(words[-1], language_name(candidate.user))):
        return True  # "… и зачем" ("… and why") stops before its question
    last = words[-1] if words else ""
    if len(words) > 1 and len(last) == 1 and _is_a_lone_letter(last, candidate.user):
        return True
    return len(candidate.title) > 2 and candidate.title[-1] in DENSE_PARTICLES


def _is_a_lone_letter(last: str, user: str) -> bool:
    """A letter of an alphabet alone ends a cut ("…क्या ह"); one Han character is a word, and so is
    one Hangul syllable the user wrote alone ("법"), but not one they never did ("…정렬하기 단")."""
    script = script_of(last)
    if script == "Hangul":
        return last not in lowered_words(user)
    return script not in {None, "Latin", *DENSE_SCRIPTS}


def cuts_a_word(candidate: Candidate) -> bool:
    """The title ends with two or more of the user's words copied and stops inside the last one
    ("Объясни, что тако" for "Объясни, что такое Docker"); or, in Japanese, where the user's word
    goes on in kana ("…作り方を教え" for "教えてください"; a particle after it is a clean cut, and
    so is "ソート" before "する"). One word may drop an ending ("Борщ" for "борща"), two copied
    words may not ("Рецепт борщ" is no Russian)."""
    title, user = candidate.title, candidate.user
    if language_name(user) != "English" and _copied_tail_cut(title, user):
        return True  # English drops a plural freely ("Golden Retriever" of "golden retrievers")
    tail = title.rstrip()[-2:]
    kanji_or_kana = script_of(tail[-1:]) == "Han" or unicodedata.name(tail[-1:] or " ", "").startswith("HIRAGANA")
    at = user.find(tail) if len(tail) == 2 and kanji_or_kana else -1  # a katakana noun may end before する
    following = user[at + 2:at + 3] if at >= 0 else ""
    return bool(following) and unicodedata.name(following, "").startswith("HIRAGANA") and (
        following not in DENSE_PARTICLES)


def _copied_tail_cut(title: str, user: str) -> bool:
    words = title.split()
    for count in range(len(words), 1, -1):  # the longest copied tail first
        tail = " ".join(words[-count:]).lower()
        at = user.lower().find(tail)
        if at >= 0:
            following = user[at + len(tail):at + len(tail) + 1]
            return following.isalpha()
    return False


def repeats_itself(candidate: Candidate) -> bool:
    """A word (or stem) said twice that the user said once ("Un virus est un virus" for the
    difference between a virus and a bacterium): a small model going round in circles. An idiom
    such as "Step by Step" (one word between) is not counted."""
    words = content_words(candidate.title)
    for index, word in enumerate(words):
        again = [later for later in words[index + 1:] if same_stem(word, later)]
        if not again:
            continue  # the user's words are counted only for a word said twice: a long message has many
        in_user = sum(1 for used in content_words(candidate.user) if same_stem(word, used))
        if len(again) + 1 > max(in_user, 1) and not _idiom(candidate.title, word):
            return True
    return False


def _idiom(title: str, word: str) -> bool:
    """"step by step", "day to day": a word, one function word, the word again."""
    return bool(re.search(rf"\b{re.escape(word)}\s+\w+\s+{re.escape(word)}\b", title, re.IGNORECASE))


def has_no_topic(candidate: Candidate) -> bool:
    """Only greetings, thanks or politeness ("알려주세요" = "please tell me"), when the user wrote more
    than that; or anything at all when the user wrote only that ("Hi!", "Merci !"): a model title
    would be a topic nobody raised, so the user's greeting is the title."""
    user_topic = topic_of(candidate.user).strip()
    return not user_topic or not topic_of(candidate.title).strip()


def _is_common(char: str, charsets: tuple[str, ...]) -> bool:
    for charset in charsets:
        try:
            char.encode(charset)
            return True
        except UnicodeEncodeError:
            continue
    return False


def has_rare_characters(candidate: Candidate) -> bool:
    """Han or Hangul characters outside the common set of the user's language that the user never
    used: what garbled small-model output looks like ("メリペ篨の今から変替を"). The answer does not
    vouch for them: a small model's answer is often garbled the same way."""
    charsets = CHARSETS.get(language_name(candidate.user))
    if charsets is None:
        return False
    if charsets == CHARSETS["Chinese"] and _is_common_text(candidate.user, ("gb2312",)):
        charsets = ("gb2312",)  # simplified Chinese: traditional-only characters are rare too
    return any(script_of(char) in {"Han", "Hangul"} and char not in candidate.user and not _is_common(char, charsets)
               for char in candidate.title)


def _is_common_text(text: str, charsets: tuple[str, ...]) -> bool:
    return all(_is_common(char, charsets) for char in text if script_of(char) == "Han")


def _script_runs(word: str) -> list[tuple[str, str]]:
    """A word split into runs of one script each: [("Latin", "Python"), ("Kana", "で")]."""
    runs: list[tuple[str, str]] = []
    for char in word:
        script = script_of(char) or (runs[-1][0] if runs else "")
        if runs and runs[-1][0] == script:
            runs[-1] = (script, runs[-1][1] + char)
        else:
            runs.append((script, char))
    return [(script, run) for script, run in runs if script]


def _mixes_scripts(word: str, seen: str) -> bool:
    """Letters of two scripts that never share a word (Cyrillic with Hebrew), or a Latin run
    inside Han/Kana/Hangul that is not a word of the exchange (a borrowed "Python" is fine)."""
    runs = _script_runs(word)
    scripts = {script for script, _ in runs}
    if len(scripts) < 2:
        return False
    if scripts <= DENSE_SCRIPTS:
        return False  # Japanese mixes Han and Kana; Korean may quote Han
    if scripts - DENSE_SCRIPTS - {"Latin"} or not scripts & DENSE_SCRIPTS:
        return True
    return any(script == "Latin" and run.lower() not in seen for script, run in runs)


def is_mixed_script(candidate: Candidate) -> bool:
    """A word that mixes scripts no language mixes: garbled output ("саק", "遷移model")."""
    seen = f"{candidate.user}\n{candidate.assistant}".lower()
    return any(_mixes_scripts(word, seen) for word in WORD.findall(candidate.title))


def is_mostly_ungrounded(candidate: Candidate) -> bool:
    """Outside English, most of the title's content words are not the user's: a small model
    writing garbled words around one it took from the question ("Dengue casa de banho azul",
    "Python中使用递归关鸟的对象"). English titles may be freer ("Kyoto Autumn Itinerary")."""
    language = language_name(candidate.user)
    unknown_latin = dominant_script(candidate.user) == "Latin" and language not in FUNCTION_WORDS_BY_LANGUAGE
    if language == "English" or unknown_latin:
        return False  # English, or Latin text whose language is not known (it may well be English)
    user = cut_head(candidate.user)
    words = content_words(candidate.title)
    unknown = [word for word in words if not shares_content(word, user)]
    characters = dense_characters(candidate.title)  # Han, Kana, Hangul: one character, about a word
    strangers = characters - dense_characters(user)
    return (len(words) >= 2 and 2 * len(unknown) > len(words)) or (len(characters) >= 3
                                                                   and 2 * len(strangers) > len(characters))


def has_an_invented_word(candidate: Candidate) -> bool:
    """A word no one writes in the user's language (see lexicon.py) that the user did not write
    either: what a small model writes beside the user's words when it garbles ("L'adipezza di
    carbonara", "भारत की राजधान्य समरू" whose last word is cut from the answer's), or a garbled copy
    of the user's own word ("cenouro" of "cenoura"; real inflections are on the lists). The answer
    vouches for no such word: a garbled answer has the same ("Crisperes de crêpes bretonnes").
    Compounds and names the user wrote ("zuurdesemstarter") are theirs."""
    code = lexicon.code_for(candidate.user)
    if code is None:
        return False  # Han, Kana, Hangul, or a language without a list
    users = set(content_words(cut_head(candidate.user)))
    return any(word not in users and not lexicon.is_known(word, code) for word in content_words(candidate.title))


def is_ungrounded(candidate: Candidate) -> bool:
    """Nothing in common with the user's message, nor with the answer's sentences about it: words
    from elsewhere ("Pregnancyuser" for banana bread, garbled Kana that only shares a sound, an
    invented topic taken from an answer that wandered off)."""
    user, assistant = cut_head(candidate.user), cut_head(candidate.assistant)
    topic = without_courtesy(candidate.title).strip() or candidate.title  # "please tell me" names nothing
    if shares_content(topic, user):
        return False
    return not shares_content(topic, on_topic_answer(user, assistant))


def is_label_and_fragment(candidate: Candidate) -> bool:
    """"Label: rest" whose label only says what kind of text follows ("解析" = analysis, "Summary"):
    the title is the rest, and the rest fails a check of its own ("解析: Python中对", a phrase cut
    after a coverb). A good rest keeps its label: the title shown does not change."""
    parts = halves(candidate.title)
    if parts is None or parts[0].lower() not in GENERIC_LABELS:
        return False
    rest = parts[1]
    return rejection(Candidate(rest, rest, candidate.user, candidate.assistant)) is not None


CHECKS: tuple[tuple[str, Callable[[Candidate], bool]], ...] = (
    ("refusal", is_refusal),
    ("option_list", is_option_list),
    ("task_talk", talks_about_the_task),
    ("assistant_talk", is_assistant_talk),
    ("no_topic", has_no_topic),
    ("too_long", is_too_long),
    ("sentences", is_sentences),
    ("fragment", is_fragment),
    ("dangling_coverb", ends_on_a_coverb),
    ("stray_kana", ends_on_a_stray_kana),
    ("impossible_kana", starts_a_word_impossibly),
    ("broken_bracket", breaks_a_bracket),
    ("repetition", repeats_itself),
    ("mixed_script", is_mixed_script),
    ("rare_characters", has_rare_characters),
    ("other_script", is_other_script),
    ("other_language", is_other_language),
    ("cut_word", cuts_a_word),
    ("ungrounded", is_ungrounded),
    ("another_thing", names_another_thing),
    ("changed_question", is_changed_question),
    ("runs_on", runs_on),
    ("mostly_ungrounded", is_mostly_ungrounded),
    ("invented_main_noun", has_an_invented_main_noun),
    ("invented_number", has_invented_numbers),
    ("invented_error", names_another_error),
    ("invented_compound", has_an_invented_compound),
    ("invented_name", names_someone_unasked),
    ("invented_word", has_an_invented_word),
    ("copies_the_answer", copies_the_answer),
    ("label_and_fragment", is_label_and_fragment),
)


def rejection(candidate: Candidate) -> str | None:
    """The name of the first check that fails, or None when the title is acceptable."""
    return next((name for name, fails in CHECKS if fails(candidate)), None)


@dataclass(frozen=True)
class Verdict:
    """What the model's answer gave: a title, or the reason there is none. `salvaged` names the
    rule the whole answer failed when one half of "A: B" was kept instead."""

    title: str | None
    rule: str | None
    salvaged: str | None = None


# The whole answer may fail as too long ("Catchy: Subtitle"); one that fails on what it says (garbled,
# ungrounded, another language, talk) has halves of the same kind: "Bảán" of "Bảán: 上千三", measured
# in bench/title_quality_results.md (every half salvaged from those was junk or poor).
SALVAGEABLE = {"too_long"}


def _grounded_first(parts: tuple[str, str], user: str) -> list[str]:
    """The half that shares something with the user's message first, then the shorter one."""
    return sorted(parts, key=lambda part: (not shares_content(part, user), len(part.split()), len(part)))


def _has_ungrounded_half(candidate: Candidate) -> bool:
    """One side of "A: B" (outside English also of "A, B") shares nothing with the exchange."""
    parts: tuple[str, ...] | None = halves(candidate.title)
    if parts is None and ", " in candidate.title and language_name(candidate.user) != "English":
        parts = tuple(candidate.title.split(", "))  # "Dios em ajuda, dos sintomas da dengue"
    return parts is not None and any(is_ungrounded(Candidate(part, part, candidate.user, candidate.assistant))
                                     for part in parts)


def _salvage(candidate: Candidate, rule: str | None) -> str | None:
    """One half of "A: B" / "A – B" that passes every check, when the whole was too long, or, in
    English, when one half is words from nowhere ("Tiny Tidbit: TCP vs UDP")."""
    parts = halves(candidate.title)
    if parts is None or (rule is not None and rule not in SALVAGEABLE):
        return None
    language = language_name(candidate.user)
    if rule is None and not (_has_ungrounded_half(candidate) and language == "English"):
        return None  # outside English a half from nowhere is garble, and so is the rest ("Lemos: A lua de …")
    needed = min(2, len(set(content_words(candidate.user))) + len(dense_characters(candidate.user)))
    for part in _grounded_first(parts, candidate.user):
        asked = set() if language in DENSE_LANGUAGES else question_words(part, language)
        if shared_count(part, candidate.user) - len(asked) < needed:
            continue  # a half carries the question only with two of its words (one for "kubernetes"):
            # not "In italiano", "Bảán", "A Novel of the Unsung Heroines" for sci-fi novels like Dune,
            # and a question word is none of them ("Welche Versicherungen": 'which insurances')
        kept = Candidate(part, part, candidate.user, candidate.assistant)
        if rejection(kept) is None and not _has_ungrounded_half(kept):
            return part  # not "A Double-Edged Pawn - The Derivative" of "The Power of Calculus: …"
    return None


def judge(raw: str | None, user_text: str, assistant_text: str) -> Verdict:
    """Clean the model's answer and check it; `rule` names why it is not a title. The checks
    cache what they learn of each text; nothing of it stays once they end."""
    try:
        return _judged(raw, user_text, assistant_text)
    finally:
        forget_cached_texts()


def _judged(raw: str | None, user_text: str, assistant_text: str) -> Verdict:
    title = clean_title(raw)
    if title is None:
        return Verdict(None, "unusable")
    candidate = Candidate(title, raw or "", user_text, assistant_text)
    rule = rejection(candidate)
    salvaged = _salvage(candidate, rule)
    if salvaged:
        return Verdict(salvaged, None, rule or "ungrounded_half")
    if rule is None and _has_ungrounded_half(candidate):
        rule = "ungrounded_half"  # "Dengue: A Wonder Disease": half of it names nothing that was asked
    return Verdict(None if rule else title, rule)
