"""The extractive fallback title (pure): the topic words of the user's first message, used when
the model gave no acceptable title."""
from __future__ import annotations

import re

from ..constants import DEFAULT_TITLE
from ..text_safety import strip_title_controls
from .cleaning import END_PUNCTUATION, QUOTES, cap_on_word, strip_edges, unmark
from .language import FUNCTION_WORD_SET, dominant_script

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
