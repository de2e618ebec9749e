"""The extractive fallback title (pure): the topic words of the user's first message, used when
the model gave no acceptable title."""
from __future__ import annotations

import re

from ..constants import DEFAULT_TITLE
from ..text_safety import strip_title_controls
from .cleaning import END_PUNCTUATION, QUOTES, cap_on_word, strip_edges, unmark
from .language import FUNCTION_WORD_SET, dominant_script, language_name

FALLBACK_WORDS = 6
FALLBACK_CHARS = 50
FALLBACK_DENSE_CHARS = 20
OPENERS = (
    # English
    "hello", "hi", "hey", "hiya", "good morning", "good afternoon", "good evening", "greetings", "please",
    "pls", "quick question", "ok so", "okay so", "so", "thanks", "thank you", "thx", "can you", "could you",
    "would you", "will you", "can u", "can i", "could i", "how do i", "how can i", "how should i", "how would i",
    "how do you", "how to", "what is", "what's", "what are", "what does", "what do", "why is", "why does",
    "why do", "why are", "how many", "how much", "what's the best way to", "what is the best way to",
    "i need help with", "i need to", "i need", "i want to", "i'd like to",
    "i would like to", "i'm going to", "i am going to", "i'm planning to", "is it possible to",
    "is there a way to", "show me how to",
    # French
    "bonjour", "salut", "coucou", "merci", "merci beaucoup", "s'il te plaît", "s'il vous plaît", "stp", "svp",
    "peux-tu", "pouvez-vous", "pourrais-tu", "pourriez-vous", "comment puis-je", "comment faire pour", "comment",
    "est-ce que", "qu'est-ce que", "j'ai besoin de", "je voudrais", "je veux", "quelle est la meilleure façon de",
    "quelle est", "quel est",
    # Spanish
    "hola", "buenos días", "buenas", "gracias", "muchas gracias", "por favor", "puedes", "podrías", "cómo puedo",
    "cómo", "qué es", "necesito", "quiero", "por qué", "cuál es la mejor forma de", "cuál es la mejor manera de",
    "cuál es",
    # German
    "hallo", "guten tag", "moin", "danke", "vielen dank", "bitte", "kannst du mir", "kannst du", "können sie mir",
    "können sie", "könntest du", "wie kann ich", "wie", "was ist", "ich möchte", "ich brauche",
    # Portuguese
    "olá", "oi", "bom dia", "obrigado", "obrigada", "você pode", "como posso", "como", "o que é", "preciso de",
    "qual é a melhor forma de", "qual é a melhor maneira de", "qual é",
    # Italian
    "ciao", "buongiorno", "salve", "grazie", "grazie mille", "per favore", "puoi", "potresti", "come posso",
    "come senza", "cos'è",
    "che cos'è", "vorrei", "ho bisogno di", "qual è il modo migliore per", "qual è",
    # Russian
    "привет", "здравствуйте", "добрый день", "спасибо", "пожалуйста", "подскажите", "подскажи", "можешь",
    "можете", "как мне", "как", "что такое", "помогите мне", "я хочу", "мне нужно", "какой лучший способ",
    # Dutch
    "hallo", "hoi", "goedemorgen", "bedankt", "dank je", "dank u", "hoe maak ik", "hoe kan ik", "hoe moet ik",
    "hoe", "wat is", "wat zijn", "waarom", "kun je", "kunt u", "kan je", "ik wil", "ik heb",
    # Korean, Arabic, Hindi
    "안녕하세요", "혹시", "مرحبا", "مرحباً", "السلام عليكم", "من فضلك", "كيف", "هل يمكنك", "ما هو", "ما هي",
    "नमस्ते", "कृपया", "क्या आप",
)
# Requests whose object is the topic: dropped when what follows names it ("Explain the difference
# between TCP and UDP" is about the difference), kept when nothing would be left ("Summarize").
REQUEST_VERBS = (
    # English
    "explain to me", "explain", "recommend me", "recommend", "suggest", "write me", "write", "tell me about",
    "tell me", "give me", "can you give me", "help me with", "help me", "help with", "summarize", "summarise",
    "describe", "list", "show me", "teach me", "make me", "create", "generate", "draft", "find me",
    # French
    "explique-moi", "expliquez-moi", "explique", "expliquez", "m'expliquer", "recommande-moi", "recommande",
    "conseille-moi", "écris-moi", "écris", "écrivez", "donne-moi", "donnez-moi", "aide-moi à", "aide-moi avec",
    "m'aider à", "m'aider avec", "résume", "résumez", "décris", "raconte-moi", "parle-moi de", "dis-moi",
    # Spanish
    "explícame", "explicame", "explica", "recomiéndame", "recomiendame", "recomienda", "dame", "dime",
    "escríbeme", "escribe", "ayúdame a", "ayúdame con", "resume", "resúmeme", "describe", "háblame de",
    "háblame sobre", "cuéntame sobre", "cuéntame",
    # German
    "erkläre mir", "erklär mir", "erkläre", "empfiehl mir", "empfehle mir", "schreib mir", "schreibe mir",
    "schreib", "schreibe", "gib mir", "hilf mir bei", "hilf mir mit", "hilf mir", "fasse zusammen",
    "beschreibe", "erzähl mir von", "erzähle mir von", "erzähl mir",
    # Portuguese
    "me explique", "me explica", "explique", "me recomende", "recomende", "escreva", "me dê", "me dá",
    "me ajude a", "me ajude com", "resuma", "descreva", "me fale sobre", "fale sobre", "me conte sobre",
    # Italian
    "spiegami", "spiega", "consigliami", "consiglia", "scrivimi", "scrivi", "dammi", "aiutami a",
    "aiutami con", "riassumi", "descrivi", "parlami di", "raccontami",
    # Russian
    "объясни мне", "объясни", "объясните", "посоветуй", "посоветуйте", "порекомендуй", "напиши мне",
    "напиши", "напишите", "дай мне", "дай", "помоги мне", "помоги", "расскажи мне о", "расскажи мне про",
    "расскажи про", "расскажи о", "расскажи", "опиши", "перескажи",
)
COUNT_WORDS = {"two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "some", "several",
               "few", "deux", "trois", "quatre", "cinq", "dos", "tres", "cuatro", "cinco", "zwei", "drei",
               "vier", "fünf", "dois", "três", "due", "tre", "quattro", "cinque", "два", "три", "пять"}
# Words that join a pair: a title never ends just before one ("TCP and UDP" stays whole).
PAIR_WORDS = {"and", "or", "vs", "vs.", "versus", "et", "ou", "y", "o", "e", "und", "oder", "и", "или",
              "&"}
# English asks in the middle of a question ("calories should I eat to …"): the topic goes on after them.
ENGLISH_ASK = re.compile(r"\s+(?:should|do|can|could|would|must|will|shall)\s+(?:i|we)\s+\w+\b", re.IGNORECASE)
ARTICLES = {"a", "an", "the", "un", "une", "le", "la", "les", "des", "el", "los", "las", "una", "unos", "unas",
            "der", "die", "das", "ein", "eine", "einen", "o", "os", "as", "um", "uma", "il", "lo", "gli"}
BRACKETS = {"(": ")", "[": "]", "{": "}", "“": "”", "«": "»", "「": "」", "『": "』", "（": "）", "［": "］",
            "【": "】", "｛": "｝"}
ERROR_NAME = re.compile(r"[A-Z]\w*(?:Error|Exception|Warning)\b")
QUOTED = re.compile(r"\"[^\"]*\"|“[^“”]*”|«[^«»]*»")
GROUPED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|\{[^{}]*\}|" + QUOTED.pattern)
DENSE_OPENERS = ("こんにちは", "こんばんは", "すみません", "ありがとうございます", "ありがとう", "谢谢",
                 "謝謝", "감사합니다", "你好", "您好", "请问", "請問", "请", "請", "能不能", "帮我", "幫我",
                 "如何", "怎么", "怎樣", "怎样", "我想")
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
VERB_RE = _phrase_pattern(REQUEST_VERBS, bounded=True)
DENSE_OPENER_RE = _phrase_pattern(DENSE_OPENERS, bounded=False)
CLOSER_RE = _phrase_pattern(CLOSERS, bounded=True, at_end=True)
DENSE_CLOSER_RE = re.compile(rf"(?:{'|'.join(map(re.escape, DENSE_CLOSERS))})[{re.escape(EDGE_PUNCTUATION)}\s]*$")


def balanced(text: str) -> bool:
    """Every bracket and double quote in the text is closed (and opened) inside it."""
    if text.count('"') % 2:
        return False
    depth = {opening: 0 for opening in BRACKETS}
    closing_of = {closing: opening for opening, closing in BRACKETS.items()}
    for char in text:
        if char in depth:
            depth[char] += 1
        elif char in closing_of:
            depth[closing_of[char]] -= 1
            if depth[closing_of[char]] < 0:
                return False
    return not any(depth.values())


def strip_loose_edges(text: str) -> str:
    """Punctuation and quotes off both ends; a bracket only when the text does not close (or
    open) it: "sin(x)?" keeps its ")"."""
    loose = END_PUNCTUATION + QUOTES + "¿¡ "
    brackets = set(BRACKETS) | set(BRACKETS.values()) | set("<>")
    previous = None
    while text != previous:
        previous = text
        text = text.strip(loose)
        if text[:1] in brackets and not balanced(text):
            text = text[1:]
        if text[-1:] in brackets and not balanced(text):
            text = text[:-1]
    return text


def _strip_repeatedly(pattern: re.Pattern[str], text: str) -> str:
    previous = None
    while text != previous:
        previous = text
        text = pattern.sub("", strip_loose_edges(text)).strip()
    return text


def _names_a_topic(text: str) -> bool:
    return any(word.lower().strip(EDGE_PUNCTUATION) not in FUNCTION_WORD_SET
               for word in text.split() if any(char.isalnum() for char in word))


def _without_request(text: str) -> str:
    """The object of a request ("three sci-fi novels similar to Dune" of "Recommend …"), when
    there is one; a count right after the verb goes too."""
    rest = _strip_repeatedly(VERB_RE, text)
    if rest == text or not _names_a_topic(rest):
        return text
    head, _, tail = rest.partition(" ")
    return tail if head.lower() in COUNT_WORDS and _names_a_topic(tail) else rest


def _around_colon(sentence: str) -> str:
    """A lead-in before a colon stands for what follows ("Fix this SQL: SELECT …"); a one-word
    label does not ("Question: how do I …"), nor a bare request ("Summarize this: <text>")."""
    lead_in, colon, rest = sentence.partition(": ")
    if not colon:
        return sentence
    if ERROR_NAME.match(rest):
        return rest  # "My code fails: IndexError: list index out of range": the error names it
    if len(lead_in.split()) < 2 or not _names_a_topic(_strip_repeatedly(VERB_RE, lead_in)):
        return rest
    return lead_in


def topic_of(sentence: str) -> str:
    """The sentence without greetings, politeness, question openers and request verbs at its start,
    and politeness at its end."""
    text = _strip_repeatedly(OPENER_RE, _around_colon(sentence))
    text = _strip_repeatedly(OPENER_RE, _without_request(_strip_repeatedly(DENSE_OPENER_RE, text)))
    text = ENGLISH_ASK.sub("", text) if language_name(text) == "English" else text
    return _without_closers(text)


def without_courtesy(text: str) -> str:
    """The text without greetings, politeness and question openers at its start and politeness
    at its end ("비양히 알려주세요" gives "비양히"): what is left to name a topic."""
    return _without_closers(_strip_repeatedly(OPENER_RE, _strip_repeatedly(DENSE_OPENER_RE, text)))


def _without_closers(text: str) -> str:
    return _strip_repeatedly(DENSE_CLOSER_RE, _strip_repeatedly(CLOSER_RE, text))


def _is_dense(text: str) -> bool:
    return dominant_script(text) in {"Han", "Kana", "Thai"}


def _cut_dense(text: str) -> str:
    """Text without spaces: cut on characters, never ending on a particle."""
    text = text.replace(" ", "")[:FALLBACK_DENSE_CHARS]
    return strip_loose_edges(text.rstrip(DENSE_PARTICLES + EDGE_PUNCTUATION))


def _bare(token: str) -> str:
    return token.lower().strip(EDGE_PUNCTUATION)


def _may_end_after(tokens: list[str], count: int) -> bool:
    """Whether a title may be the first `count` tokens: not inside brackets or quotes, not on a
    function word, not halfway through a pair ("TCP and") or a quantity ("80 kg")."""
    last, following = _bare(tokens[count - 1]), _bare(tokens[count]) if count < len(tokens) else ""
    if not balanced(" ".join(tokens[:count])) or last in FUNCTION_WORD_SET or not last:
        return False
    if following in PAIR_WORDS:
        return False
    return not (last.isdigit() and following)


def _without_leading_function_words(tokens: list[str]) -> list[str]:
    """Drop "the", "a", "de"… at the start, keeping a quote or bracket that opened with them."""
    opened = ""
    while tokens and _bare(tokens[0]) in FUNCTION_WORD_SET:
        word = tokens.pop(0)
        opened += word[:len(word) - len(word.lstrip(EDGE_PUNCTUATION))]
    if tokens and opened:
        tokens[0] = opened + tokens[0]
    return tokens


def _clean_cut(tokens: list[str]) -> str | None:
    """The longest clean title of at most six tokens / 50 characters, or None."""
    if not tokens:
        return None
    fits = [count for count in range(1, min(FALLBACK_WORDS, len(tokens)) + 1)
            if len(" ".join(tokens[:count])) <= FALLBACK_CHARS]
    cuts = [count for count in fits if _may_end_after(tokens, count)]
    if not cuts:
        return None
    chosen = tokens[:cuts[-1]]
    inner = [token.strip(QUOTES + ",;") for token in chosen[1:-1]]
    words = [strip_loose_edges(chosen[0]), *inner, strip_loose_edges(chosen[-1])] if len(chosen) > 1 else chosen
    return strip_loose_edges(" ".join(word for word in words if word))


def _tokens(text: str) -> list[str]:
    return _without_leading_function_words([token for token in text.split() if token.strip(EDGE_PUNCTUATION)])


def _has_pair(title: str) -> bool:
    return any(_bare(word) in PAIR_WORDS for word in title.split()[1:-1])


def _cut_words(text: str) -> str:
    """At most six words / 50 characters, cut where a person would (see `_may_end_after`); when
    more fits without the bracketed or quoted part, that is the title, and when a pair fits only
    without its articles, so is that ("Différence entre virus et bactérie")."""
    tokens = _tokens(text)
    without_articles = tokens[:1] + [token for token in tokens[1:] if _bare(token) not in ARTICLES]
    cuts = [cut for cut in map(_clean_cut, (tokens, _tokens(GROUPED.sub(" ", text)))) if cut]
    title = max(cuts, key=lambda cut: len(cut.split()), default="")  # the first of the longest
    joined = _clean_cut(without_articles)
    if joined and _has_pair(joined) and not _has_pair(title):
        title = joined  # "Différence entre virus et bactérie" rather than "Différence entre"
    title = _quoted_name_left_out(text, title) or title
    if not title:
        loose = re.sub(r"[()\[\]{}\"“”«»]", "", text).split()[:FALLBACK_WORDS]
        title = strip_loose_edges(cap_on_word(" ".join(loose), FALLBACK_CHARS))
    return title[:1].upper() + title[1:]


def _quoted_name_left_out(text: str, title: str) -> str | None:
    """A quoted name that fits, when the cut left all of it out: what the message is about
    ('I found a recipe called "recette de crêpes bretonnes", what does it mean?' is about the
    recipe's name, not "Found a recipe called")."""
    kept = {_bare(word) for word in title.split()}
    for quoted in QUOTED.findall(text):
        name = strip_loose_edges(quoted)
        words = name.split()
        if 0 < len(words) <= FALLBACK_WORDS and len(name) <= FALLBACK_CHARS and not kept & {_bare(w) for w in words}:
            return name
    return None


def fallback_title(user_text: str) -> str:
    """A title made from the user's first message: its topic words in order, cut cleanly."""
    flat = " ".join(unmark(strip_title_controls(line)) for line in user_text.splitlines())
    flat = " ".join(flat.split())
    for sentence in SENTENCE_END.split(flat):
        topic = topic_of(sentence)
        if any(char.isalnum() for char in topic):
            title = _cut_dense(topic) if _is_dense(topic) else _cut_words(topic)
            if title:
                return title
    return cap_on_word(" ".join(strip_edges(flat).split()[:FALLBACK_WORDS]), FALLBACK_CHARS) or DEFAULT_TITLE
