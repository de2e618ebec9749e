"""What models wrote instead of a title, each with the exchange it was asked to name.

Entries are (kind, raw answer, user message, assistant answer). "real" ones are the answers of
Gemma 3 270M (Q4_K_M, llama.cpp, ../shared/real-llm/) to the exchanges of tests/titles/corpus.py,
collected with bench/title_quality.py (default prompt and a "Conversation: … Title:" prompt),
cut to their first 220 characters, plus the seven the issue reports from the same model; "chatty"
and "refusal" ones are what instruction-tuned chat models answer.
"""
from tests.titles.corpus import GOOD

ANSWERS = {user: answer for _, user, answer, _ in GOOD}
BREAD, KYOTO, TCP = GOOD[0][1], GOOD[1][1], GOOD[2][1]


def real(raw: str, user: str) -> tuple[str, str, str, str]:
    return ("real", raw, user, ANSWERS[user])


def chatty(raw: str, user: str = BREAD) -> tuple[str, str, str, str]:
    return ("chatty", raw, user, ANSWERS[user])


def refusal(raw: str, user: str = BREAD) -> tuple[str, str, str, str]:
    return ("refusal", raw, user, ANSWERS[user])


NON_TITLES = [
    real('Title: sposob\nTitle: sposob\nTitle: sposob\nTitle: sposob\nTitle: sposob\nTitle: sposob\n',
         'Can you give me a recipe for banana bread without eggs?'),
    real("Generate a concise title (max 5 words) for this conversation start:\n\nUser: I'm going to Kyoto",
         "I'm going to Kyoto for three days in November. What should I see?"),
    real("Generate a title (max 5 words) for this conversation start:\n\nUser: Peux-tu m'expl",
         "Peux-tu m'expliquer la Révolution française en quelques phrases ?"),
    real('Title:Curso de cocina\nTitle:Curso de cocina\nTitle:Curso de cocina\nTitle:Curso de cocina\n',
         '¿Cómo puedo hacer pan sin gluten en casa?'),
    real('Title: przedstawiam\n przedstawiam\n title: przedstawiam\ntitle: przedstawiam\n\nThe assistant is the speaker.',
         'Olá! Como faço um bolo de cenoura fofinho?'),
    real('Title: 遷移\nTitle: 遷移model\nTitle: 遷移model\nTitle: 遷移model\nTitle',
         '京都で3日間の旅行プランを作ってください'),
    real("Conversation:\nAssistant: How do you make banana bread?\nUser: I'm not sure. It's",
         'Can you give me a recipe for banana bread without eggs?'),
    real('Assistant: What does __init__ do in a Python class?\nAssistant: __init__ is the initializer: Python',
         'What does __init__ do in a Python class?'),
    real('Assistant: Write a haiku about the sea at night\nAssistant: Moonlight on black waves / the tide whispers to the',
         'Write a haiku about the sea at night'),
    real('User: I want to start running but my knees hurt after 2 km\nAssistant: Start with run-walk intervals',
         'hi, I want to start running but my knees hurt after 2 km'),
    real("Assistant: Mon code Python plante avec KeyError, pourquoi ?\nAssistant: KeyError signifie que la clé demandée n'existe",
         'Mon code Python plante avec KeyError, pourquoi ?'),
    real('Assistant:\nWhat is your favorite food?\nUser: I love to eat meat.\nAssistant: You are right',
         '¿Cómo puedo hacer pan sin gluten en casa?'),
    real('Assistant: ¿Qué es la inflación?\nUser: La inflación es el aumento general y sostenido de los precios,',
         'Explícame qué es la inflación'),
    real('Assistant: ¿Por qué mi perro come hierba?\nAssistant: Muchos perros comen hierba por aburrimiento,',
         '¿Por qué mi perro come hierba?'),
    real('Question:\nWhat is photosynthesis?\nAnswer:\nPlants use light energy to produce carbon dioxide and water.\n\nWrite',
         'Kannst du mir erklären, wie Photosynthese funktioniert?'),
    real('(1)\n(2)\n(3)\n(4)\n(5)\n(6)\n',
         'Wie lange muss ein Ei kochen, damit es weich ist?'),
    real("Assistant:\nWhat's the best way to pay for your student loan?\nStudent: I need a medical insurance",
         'Hallo! Welche Versicherungen brauche ich als Student?'),
    real('conversation:\nUser: Was ist der Unterschied zwischen Git merge and rebase?\nAssistant: Merge erzeugt einen Merge',
         'Was ist der Unterschied zwischen Git merge und rebase?'),
    real("Assistant:\nI'm talking about TCP and UDP.\n\nWrite a title for the conversation above.\nTitle:",
         'TCPとUDPの違いは何ですか？'),
    real('Assistant:\nWhat is the wavelength of the blue light?\nUser: 蓝光是怎样被大气分子散射',
         '为什么天空是蓝色的？'),
    real('Question:\nWhat are the benefits of yoga for you?\nAssistant: Yoga is a great way to relax, stress',
         'योग करने के क्या फायदे हैं?'),
    real('Write a short haiku about the sea at night\nThe moon is black waves / The tide whispers to the sand /',
         'Write a haiku about the sea at night'),
    real('Title:蓝色的猫咪\nCategory:猫咪\nLanguage:English\nYear of publication:2017',
         'What are good names for a grey kitten?'),
    real('Title: naprawir\n naprawir model\nTitle: reparte\n reparar\nTitle: Reparar\n reparar\nTitle',
         'Explícame qué es la inflación'),
    real('This is a model for the conversation. It can be used to describe a situation, an event or a person.\n\n',
         '京都で3日間の旅行プランを作ってください'),
    real('Title: subtree\nTitle: subtree model\nTitle: subtree model\nTitle: subtree model\nTitle: subtree model\n',
         'TCPとUDPの違いは何ですか？'),
    real('Title: にち\nTitle: 卵なしでバナナブレッドを作る方法を教えてください\nAssistant: ',
         '卵なしでバナナブレッドを作る方法を教えてください'),
    real('Describe the sky color\nDescribe the wavelength of the sky color\nDescribe the colors of the sky color\n\nTitle:蓝',
         '为什么天空是蓝色的？'),
    real('Title:蓝图\nTitle:蓝图\nTitle:蓝图\nTitle:蓝图\nTitle:蓝图',
         "Hello, can you help me with my resume? I'm applying for a data analyst job."),
    real('Title: آموزش کاربر\nTitle: آموزش کاربر\nTitle: آموزش کاربر\nTitle: آموزش کاربر\nTitle: آموزش کاربر',
         'Olá! Como faço um bolo de cenoura fofinho?'),
    real('Title: mendatang\ntitle: next\ntitle: next\ntitle: next\ntitle: next\ntitle: next\n',
         'TCPとUDPの違いは何ですか？'),
    # reported in the issue, same model and exchanges
    real("Pregnancyuser", BREAD),
    real("経営の可能性", KYOTO),
    real("にさい", TCP),
    real("(1)", TCP),
    real("The title should be a short and concise description of the conversation", KYOTO),
    real("Describe the context of this conversation", BREAD),
    real("I'm going to Kyoto for three days in November and I want to know what I should see there", KYOTO),
    # chatty models
    chatty("Sure! Here are a few title options:\n1. Eggless Banana Bread\n2. Vegan Banana Loaf\n3. Banana Bread Without Eggs"),
    chatty("Here are some ideas:\n- Eggless Banana Bread\n- Applesauce Banana Bread"),
    chatty("1. Eggless Banana Bread 2. Egg-Free Banana Loaf"),
    chatty("Title options: Eggless Banana Bread, Vegan Banana Bread"),
    chatty("Great question! Banana bread without eggs is easy to make and tastes wonderful with applesauce", BREAD),
    chatty("A good title for this conversation: Banana Bread"),
    chatty("Summary of the banana bread chat"),
    chatty("Voici quelques titres :\n1. Pâte à crêpes\n2. Crêpes sans grumeaux", GOOD[12][1]),
    # refusals
    refusal("I'm sorry, but I can't help with creating a title for this conversation."),
    refusal("I cannot provide a title for this."),
    refusal("As an AI language model, I don't have personal preferences."),
    refusal("Lo siento, no puedo ayudar con eso.", GOOD[16][1]),
    refusal("申し訳ありませんが、タイトルを作成できません。", GOOD[33][1]),
    refusal("Извините, я не могу помочь с этим.", GOOD[29][1]),
]
