"""The text side of conversation titles, with no Flask and no database: the prompt, cleaning a
model's answer, the checks that tell a title from what small models really write instead, and
the extractive fallback used when there is no acceptable title.

Each check is a small pure function over a `Candidate` and is named in `CHECKS`, so the job can
log which rule rejected an answer and the corpus in tests/ can measure both kinds of mistake.
"""
from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from .text_safety import strip_title_controls

DEFAULT_TITLE = "New Conversation"
TITLE_MAX_CHARS = 100

# --- the prompt --------------------------------------------------------------------------------

SEED = "Generate a concise title (max 5 words) for this conversation start:"
RULES = ("Write the title in {language}, the same language as the user. No quotes, no punctuation "
         "at the end. Reply with the title only.")
DEFAULT_PROMPT = f"{SEED}\n\nUser: {{user}}\nAssistant: {{assistant}}\n\n{RULES}\n\nTitle:"
PROMPT_FIELDS = ("user", "assistant", "language")
HEAD_CHARS = 800


class PromptTemplateError(ValueError):
    """TITLE_PROMPT cannot be used; the message says why and how to fix it."""


def check_prompt_template(template: str) -> str:
    """Validate a TITLE_PROMPT at start-up: Python format fields, only the known names, {user} required."""
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as exc:
        raise PromptTemplateError(
            f"TITLE_PROMPT is not a valid template ({exc}); write literal braces as {{{{ }}}}.") from exc
    unknown = sorted({name for name in fields if name not in PROMPT_FIELDS})
    if unknown:
        raise PromptTemplateError(f"TITLE_PROMPT uses unknown fields {unknown}; only {{user}}, {{assistant}} "
                                  "and {language} are filled in (write literal braces as {{ }}).")
    if "user" not in fields:
        raise PromptTemplateError("TITLE_PROMPT must contain {user}, the first message to name.")
    return template


def cut_head(text: str, limit: int = HEAD_CHARS) -> str:
    """Keep the head of a long message, cut on a word boundary, marked with an ellipsis."""
    text = text.strip()
    if len(text) <= limit:
        return text
    head = text[:limit]
    space = head.rfind(" ")
    return (head[:space] if space > limit // 2 else head).rstrip() + " …"


def build_prompt(user_text: str, assistant_text: str, template: str | None = None) -> str:
    return (template or DEFAULT_PROMPT).format(user=cut_head(user_text), assistant=cut_head(assistant_text),
                                               language=language_name(user_text))


# --- scripts and languages ---------------------------------------------------------------------

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


# --- cleaning ------------------------------------------------------------------------------------

THINK_BLOCK = re.compile(r"<(think|thinking|reasoning|reflection|thought)\b[^>]*>.*?(?:</\1\s*>|$)",
                         re.IGNORECASE | re.DOTALL)
THINK_CLOSE = re.compile(r"</(?:think|thinking|reasoning|reflection|thought)\s*>", re.IGNORECASE)
LABEL = re.compile(r"^(?:(?:suggested|conversation|chat|short|concise|possible)\s+)?"
                   r"(?:title|topic|subject|category|theme|heading|headline)\s*[:：\-–—]\s*", re.IGNORECASE)
TRANSCRIPT_LINE = re.compile(r"^(?:user|assistant|human|ai|system)\s*:", re.IGNORECASE)
LIST_MARKER = re.compile(r"^(?:#{1,6}\s*|[-*+•]\s+|\d+[.)]\s+|>\s*)")
EMPHASIS = re.compile(r"\*\*(.+?)\*\*")  # not __: titles like "Python __init__ Explained"
QUOTES = "\"'`“”‘’„‟«»‹›「」『』＂＇"
END_PUNCTUATION = ".,;:!?…。！？、，；：·-–—؟،।"
USELESS_TITLES = {"title", "new conversation", "untitled", "conversation", "none", "n/a"}


def without_reasoning(raw: str) -> str:
    """The answer with <think>…</think> and similar blocks removed."""
    text = THINK_BLOCK.sub("", raw)
    closings = list(THINK_CLOSE.finditer(text))
    if closings:  # the model left out the opening tag: everything before the close is reasoning
        text = text[closings[-1].end():]
    return text


def strip_edges(text: str) -> str:
    """Peel quotes, markdown emphasis and final punctuation until nothing more comes off."""
    previous = None
    while text != previous:
        previous = text
        text = text.strip().strip(QUOTES + "*_").strip()
        text = text.rstrip(END_PUNCTUATION + QUOTES + "*_ ")
    return text


def cap_on_word(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    head = text[:limit + 1]
    space = head.rfind(" ")
    return (head[:space] if space > 0 else text[:limit]).rstrip(END_PUNCTUATION + " ")


def _first_title_line(text: str) -> str:
    """The first non-empty line, skipping a preamble such as "Here is a title:" or "**Title:**"."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > 1 and lines[0].replace("*", "").replace("#", "").strip().endswith((":", "：")):
        return lines[1]
    return lines[0] if lines else ""


def unmark(line: str) -> str:
    """Drop Markdown that frames text (heading or list marker, bold pairs, backticks)."""
    return EMPHASIS.sub(r"\1", LIST_MARKER.sub("", line)).replace("`", "")


def clean_title(raw: str | None) -> str | None:
    """A usable title from a model's answer, or None when the answer is not a title."""
    if not raw:
        return None
    line = strip_title_controls(_first_title_line(without_reasoning(raw)))
    if not line or TRANSCRIPT_LINE.match(line) or line.lower().startswith(SEED[:24].lower()):
        return None
    line = LABEL.sub("", strip_edges(unmark(line)))
    title = strip_edges(" ".join(line.split()))
    if TRANSCRIPT_LINE.match(title) or "conversation start" in title.lower():
        return None
    if not re.search(r"\w", title) or title.lower() in USELESS_TITLES:
        return None
    return cap_on_word(title, TITLE_MAX_CHARS)


# --- the checks ----------------------------------------------------------------------------------

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
WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Candidate:
    """A cleaned title, the raw answer it came from, and the exchange it should name."""

    title: str
    raw: str
    user: str
    assistant: str


def _words(text: str) -> list[str]:
    return [word.lower() for word in WORD.findall(text)]


def _normal(word: str) -> str:
    """Arabic glues the article to the word; compare without it."""
    return word[2:] if word.startswith("ال") and len(word) > 4 else word


def same_stem(a: str, b: str) -> bool:
    """Equal words, or inflections of one stem ("plan"/"plans", "рецепт"/"рецепта")."""
    a, b = _normal(a), _normal(b)
    if a == b:
        return True
    shortest = min(len(a), len(b))
    prefix = len(_common_prefix(a, b))
    return shortest >= 4 and prefix >= 4 and prefix >= shortest - 2


def _common_prefix(a: str, b: str) -> str:
    for index, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return a[:index]
    return a[:min(len(a), len(b))]


def content_words(text: str) -> list[str]:
    """Words that carry meaning in space-separated scripts: no function words, numbers or dense runs."""
    return [word for word in _words(text)
            if len(word.strip("_")) >= 2 and not word.isdigit() and word not in FUNCTION_WORD_SET
            and not any(script_of(char) in DENSE_SCRIPTS for char in word)]


def dense_characters(text: str) -> set[str]:
    """Han, katakana and Hangul characters that carry meaning (particles and hiragana left out)."""
    return {char for char in text if script_of(char) in DENSE_SCRIPTS and char not in DENSE_FILLER
            and not unicodedata.name(char, "").startswith("HIRAGANA")}


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
    user_words = _words(candidate.user)
    for word in _words(candidate.title):
        if word in TASK_WORDS and not any(same_stem(word, used) for used in user_words):
            return True
    return any(word in candidate.title and word not in candidate.user for word in DENSE_TASK_WORDS)


def is_other_script(candidate: Candidate) -> bool:
    """Written in another script than the user's message. Words taken from the exchange (a
    product name in Latin letters inside a Japanese title) do not count."""
    seen = f"{candidate.user}\n{candidate.assistant}".lower()
    own_words = " ".join(word for word in candidate.title.split() if word.lower().strip(END_PUNCTUATION) not in seen)
    title_script, user_script = dominant_script(own_words), dominant_script(candidate.user)
    if not title_script or not user_script:
        return False
    return not scripts_compatible(title_script, user_script)


def is_other_language(candidate: Candidate) -> bool:
    """Same script, another language: at least two function words of other languages and none
    of the user's ("What is photosynthesis" for a German question)."""
    user_language = language_name(candidate.user)
    votes = function_word_votes(candidate.title)
    return (user_language in FUNCTION_WORDS_BY_LANGUAGE and sum(votes.values()) >= 2
            and not votes[user_language])


def is_ungrounded(candidate: Candidate) -> bool:
    """No content word (or stem) shared with the exchange the model saw, and for Han, Kana and
    Hangul no shared character: words from elsewhere ("Pregnancyuser" for banana bread)."""
    seen = f"{cut_head(candidate.user)}\n{cut_head(candidate.assistant)}"
    title_words = content_words(candidate.title)
    exchange_words = set(content_words(seen))
    if any(same_stem(word, other) for word in title_words for other in exchange_words):
        return False
    return not dense_characters(candidate.title) & dense_characters(seen)


CHECKS: tuple[tuple[str, Callable[[Candidate], bool]], ...] = (
    ("refusal", is_refusal),
    ("option_list", is_option_list),
    ("task_talk", talks_about_the_task),
    ("too_long", is_too_long),
    ("other_script", is_other_script),
    ("other_language", is_other_language),
    ("ungrounded", is_ungrounded),
)


def rejection(candidate: Candidate) -> str | None:
    """The name of the first check that fails, or None when the title is acceptable."""
    return next((name for name, fails in CHECKS if fails(candidate)), None)


@dataclass(frozen=True)
class Verdict:
    """What the model's answer gave: a title, or the reason there is none."""

    title: str | None
    rule: str | None


def judge(raw: str | None, user_text: str, assistant_text: str) -> Verdict:
    """Clean the model's answer and check it; `rule` names why it is not a title."""
    title = clean_title(raw)
    if title is None:
        return Verdict(None, "unusable")
    rule = rejection(Candidate(title, raw or "", user_text, assistant_text))
    return Verdict(None if rule else title, rule)


# --- the extractive fallback -----------------------------------------------------------------------

FALLBACK_WORDS = 6
FALLBACK_CHARS = 50
FALLBACK_DENSE_CHARS = 20
OPENERS = (
    # English
    "hello", "hi", "hey", "hiya", "good morning", "good afternoon", "good evening", "greetings", "please",
    "pls", "quick question", "ok so", "okay so", "so", "thanks", "can you", "could you", "would you",
    "will you", "can u", "can i", "could i", "how do i", "how can i", "how should i", "how would i",
    "how do you", "how to", "what is", "what's", "what are", "what does", "what do", "why is", "why does",
    "why do", "why are", "give me", "can you give me", "tell me about", "tell me", "explain to me",
    "help me with", "help me", "i need help with", "i need to", "i need", "i want to", "i'd like to",
    "i would like to", "i'm going to", "i am going to", "i'm planning to", "is it possible to",
    "is there a way to", "show me how to", "show me",
    # French
    "bonjour", "salut", "coucou", "s'il te plaît", "s'il vous plaît", "stp", "svp", "peux-tu",
    "pouvez-vous", "pourrais-tu", "pourriez-vous", "comment puis-je", "comment faire pour", "comment",
    "est-ce que", "qu'est-ce que", "aide-moi à", "j'ai besoin de", "je voudrais", "je veux",
    # Spanish
    "hola", "buenos días", "buenas", "por favor", "puedes", "podrías", "cómo puedo", "cómo", "qué es",
    "necesito", "quiero", "ayúdame a", "ayúdame con", "por qué",
    # German
    "hallo", "guten tag", "moin", "bitte", "kannst du mir", "kannst du", "können sie mir", "können sie",
    "könntest du", "wie kann ich", "wie", "was ist", "ich möchte", "ich brauche", "hilf mir bei",
    "hilf mir mit", "hilf mir", "erkläre mir", "erklär mir",
    # Portuguese
    "olá", "oi", "bom dia", "você pode", "como posso", "como", "o que é", "preciso de", "me ajude a",
    # Italian
    "ciao", "buongiorno", "salve", "per favore", "puoi", "potresti", "come posso", "come senza", "cos'è",
    "che cos'è", "vorrei", "ho bisogno di", "aiutami a",
    # Russian
    "привет", "здравствуйте", "добрый день", "пожалуйста", "подскажите", "подскажи", "можешь",
    "можете", "как мне", "как", "что такое", "помогите мне", "помоги мне", "помоги", "расскажи мне о",
    "расскажи про", "расскажи о", "расскажи", "объясни", "я хочу", "мне нужно",
    # Korean, Arabic, Hindi
    "안녕하세요", "혹시", "مرحبا", "مرحباً", "السلام عليكم", "من فضلك", "كيف", "هل يمكنك", "ما هو", "ما هي",
    "नमस्ते", "कृपया", "क्या आप",
)
DENSE_OPENERS = ("こんにちは", "こんばんは", "すみません", "你好", "您好", "请问", "請問", "请", "請", "能不能",
                 "帮我", "幫我", "如何", "怎么", "怎樣", "怎样", "我想")
CLOSERS = ("please", "thanks", "thank you", "por favor", "bitte", "s'il vous plaît", "s'il te plaît",
           "per favore", "пожалуйста", "알려주세요", "알려줘", "해주세요", "해줘", "주세요", "있나요",
           "인가요", "뭐야", "무엇인가요")
DENSE_CLOSERS = ("とは何ですか", "は何ですか", "は何", "を教えてください", "教えてください", "を作ってください",
                 "してください", "ください", "ですか", "ますか", "でしょうか", "について", "吗", "嗎", "呢", "吧", "か")
DENSE_PARTICLES = "のをにはがでとへもや的了"
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])")
EDGE_PUNCTUATION = END_PUNCTUATION + QUOTES + "¿¡()[]{}<>\"'"


def _phrase_pattern(phrases: tuple[str, ...], *, bounded: bool, at_end: bool = False) -> re.Pattern[str]:
    alternation = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    edge = r"(?![\w'])" if bounded else ""
    if at_end:
        return re.compile(rf"[\s,]*(?<![\w'])(?:{alternation})[\s{re.escape(EDGE_PUNCTUATION)}]*$", re.IGNORECASE)
    return re.compile(rf"^(?:{alternation}){edge}[\s{re.escape(EDGE_PUNCTUATION)}]*", re.IGNORECASE)


OPENER_RE = _phrase_pattern(OPENERS, bounded=True)
DENSE_OPENER_RE = _phrase_pattern(DENSE_OPENERS, bounded=False)
CLOSER_RE = _phrase_pattern(CLOSERS, bounded=True, at_end=True)
DENSE_CLOSER_RE = re.compile(rf"(?:{'|'.join(map(re.escape, DENSE_CLOSERS))})[{re.escape(EDGE_PUNCTUATION)}\s]*$")


def _strip_repeatedly(pattern: re.Pattern[str], text: str) -> str:
    previous = None
    while text != previous:
        previous = text
        text = pattern.sub("", text.strip(EDGE_PUNCTUATION + " ")).strip()
    return text


def _around_colon(sentence: str) -> str:
    """A lead-in before a colon stands for what follows ("Fix this SQL: SELECT …"); a one-word
    label does not ("Question: how do I …")."""
    lead_in, colon, rest = sentence.partition(": ")
    if not colon:
        return sentence
    return lead_in if len(lead_in.split()) >= 2 else rest


def _topic(sentence: str) -> str:
    """The sentence without greetings, politeness and question openers at its start or end."""
    text = _strip_repeatedly(OPENER_RE, _around_colon(sentence))
    text = _strip_repeatedly(DENSE_OPENER_RE, text)
    text = _strip_repeatedly(CLOSER_RE, text)
    return _strip_repeatedly(DENSE_CLOSER_RE, text)


def _is_dense(text: str) -> bool:
    return dominant_script(text) in {"Han", "Kana", "Thai"}


def _cut_dense(text: str) -> str:
    """Text without spaces: cut on characters, never ending on a particle."""
    text = text.replace(" ", "")[:FALLBACK_DENSE_CHARS]
    return text.rstrip(DENSE_PARTICLES + EDGE_PUNCTUATION)


def _cut_words(text: str) -> str:
    """At most six words / 50 characters on a word boundary, never ending on a function word."""
    words = [word.strip(EDGE_PUNCTUATION) for word in text.split()]
    words = [word for word in words if word]
    while words and words[0].lower() in FUNCTION_WORD_SET:
        words.pop(0)
    words = cap_on_word(" ".join(words[:FALLBACK_WORDS]), FALLBACK_CHARS).split()
    while len(words) > 1 and words[-1].lower().strip(EDGE_PUNCTUATION) in FUNCTION_WORD_SET:
        words.pop()
    title = " ".join(words)
    return title[:1].upper() + title[1:]


def fallback_title(user_text: str) -> str:
    """A title made from the user's first message: its topic words in order, cut cleanly."""
    flat = " ".join(unmark(strip_title_controls(line)) for line in user_text.splitlines())
    flat = " ".join(flat.split())
    for sentence in SENTENCE_END.split(flat):
        topic = _topic(sentence)
        if any(char.isalnum() for char in topic):
            title = _cut_dense(topic) if _is_dense(topic) else _cut_words(topic)
            if title:
                return title
    return cap_on_word(strip_edges(flat), FALLBACK_CHARS) or DEFAULT_TITLE
