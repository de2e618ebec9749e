"""Titles that keep a word of the user's question but name something else (pure): the checks
`another_thing`, `changed_question` and `runs_on` of checks.py."""
from __future__ import annotations

import re

from .cleaning import halves
from .fallback import GROUPED, VERB_RE
from .grounding import (
    Candidate,
    content_words,
    dense_characters,
    is_content_word,
    lowered_words,
    same_stem,
    shares_content,
)
from .language import MARKS, language_name, question_words
from .prompt import cut_head

# A word (with its inner hyphens and apostrophes), or one mark of punctuation: what breaks a phrase.
TOKEN = re.compile(rf"[\w{MARKS}]+(?:['’-][\w{MARKS}]+)*|[^\w\s{MARKS}]")


def _phrases(text: str) -> list[list[str]]:
    """Runs of content words, broken by function words, numbers and punctuation: "a recipe for
    banana bread without eggs" gives [recipe], [banana, bread], [eggs]."""
    runs: list[list[str]] = [[]]
    for token in TOKEN.findall(text.lower()):
        if is_content_word(token):
            runs[-1].append(token)
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if run]


def _two_word_names(user: str) -> dict[str, str]:
    """The user's two-word names, first word to second ("banana" → "bread" for "banana bread"):
    in English the first word says which kind of the second. Quoted words may be another
    language's ("crêpes bretonnes") and are left out."""
    return {run[0]: run[1] for run in _phrases(GROUPED.sub(" ", user)) if len(run) == 2}


def _main_word(title: str) -> str | None:
    """The last word of the title's first phrase: what an English title names ("banana" of
    "Green Banana (Lemon)", "recipe" of "Eggless Banana Bread Recipe")."""
    phrases = _phrases(title)
    return phrases[0][-1] if phrases else None


def names_another_thing(candidate: Candidate) -> bool:
    """English: the title's main word is the first half of a two-word name in the user's message
    and the title leaves out the second half ("Green Banana (Lemon)" for banana bread): it names
    another thing that shares one word with the question. Other languages put the kind after
    the name ("Révolution française") and are held to `is_mostly_ungrounded` instead."""
    main = _main_word(candidate.title)
    if main is None or language_name(candidate.user) != "English":
        return False
    title_words = content_words(candidate.title)
    return any(same_stem(main, first) and not any(same_stem(word, second) for word in title_words)
               for first, second in _two_word_names(candidate.user).items())


def _keeps_the_request(title: str, user: str) -> bool:
    """The title opens with a request verb of the user's message ("Объясни, …")."""
    request = VERB_RE.match(title)
    return request is not None and request[0].strip(" ,.:;!?").lower() in user.lower()


def is_changed_question(candidate: Candidate) -> bool:
    """Outside English, the title keeps the user's question word, or opens with the user's request
    verb, and puts words the user never wrote around it: another question ("北京三天怎么可能出现",
    "how could Beijing three days appear", for "北京三天怎么玩"; "Как белородермистский язык" for
    "Как быстрее выучить английский язык"; "Объясни, о точках Docker и модадиров"). A title that
    repeats a question keeps its words; English titles such as "How Vaccines Work" are freer."""
    title, language = candidate.title, language_name(candidate.user)
    user = cut_head(candidate.user)
    if language == "English" or not (question_words(title, language) & question_words(user, language)
                                     or _keeps_the_request(title, user)):
        return False
    unknown = [word for word in content_words(title) if not shares_content(word, user)]
    return bool(unknown or dense_characters(title) - dense_characters(user))


FIRST_SENTENCE = re.compile(r"\s*([^\n]+?)[.!。！．](?:\s|$)")  # a statement, not a heading line


def _squeezed(text: str) -> str:
    """The text's words, lower-cased and run together: "Muito que vence" gives "muitoquevence"."""
    return "".join(lowered_words(text))


def copies_the_answer(candidate: Candidate) -> bool:
    """Outside English, the title is the opening of the answer with words or characters the user
    never wrote: a small model restating its own first sentence, often garbled, instead of naming
    the question ("Python中对字典列表可以使用list comprehension来选择枚键", "리스트 정렬하고 싶을",
    "Muito que vence o cenouro fofinho"). An opening made of the user's words passes, unless it is
    the answer's whole first statement ("Un virus est une bactérie." for the difference between
    the two): a claim, not a name."""
    if language_name(candidate.user) == "English":
        return False
    answer = cut_head(candidate.assistant)  # a title is at most 100 characters: the head holds its opening
    first_sentence = FIRST_SENTENCE.match(answer)
    if first_sentence and _squeezed(first_sentence[1]) == _squeezed(candidate.title):
        return True
    opening, user = _squeezed(answer), cut_head(candidate.user)
    return any(_copied_opening(part, opening, user) for part in (candidate.title, *(halves(candidate.title) or ())))


def _copied_opening(part: str, opening: str, user: str) -> bool:
    """The part is how the answer opens ("Ninja: わぐのラーメンに言います" has it as its second half),
    with a word or character the user never wrote."""
    squeezed = _squeezed(part)
    if len(squeezed) < 4 or not opening.startswith(squeezed):
        return False
    unknown = [word for word in content_words(part) if not shares_content(word, user)]
    return bool(unknown or dense_characters(part) - dense_characters(user))


def runs_on(candidate: Candidate) -> bool:
    """Outside English, the title copies the last two words of the user's message and goes on
    with words the user never wrote: the model continuing the question, not naming it ("정렬하는
    방법은 응기" for "파이썬에서 리스트를 정렬하는 방법은?")."""
    if language_name(candidate.user) == "English":
        return False
    user_words = lowered_words(cut_head(candidate.user))
    title_words = lowered_words(candidate.title)
    ending = user_words[-2:]
    for start in range(len(title_words) - 2):
        if title_words[start:start + 2] == ending:
            after = title_words[start + 2:]
            return any(not any(same_stem(word, used) for used in user_words) for word in after)
    return False
