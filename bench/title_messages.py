"""First messages for bench/title_quality.py --set real: what people really send first, in 12
languages (questions, requests, code errors, greetings, one-word messages, pasted text). Unlike
tests/titles/corpus.py these come without an answer: the chat model writes it."""

MESSAGES = [
    # English
    ("en", "Hi!"),
    ("en", "Explain the difference between TCP and UDP"),
    ("en", "Recommend three sci-fi novels similar to Dune"),
    ("en", "How many calories should I eat to lose weight at 80 kg?"),
    ("en", "What's the derivative of x^3 * sin(x)?"),
    ("en", "Can you give me a recipe for banana bread without eggs?"),
    ("en", "How do I reverse a linked list in Python?"),
    ("en", "Is a golden retriever a good dog for a small apartment?"),
    ("en", "I found a recipe called \"recette de crêpes bretonnes\", what does it mean?"),
    ("en", "TypeError: 'NoneType' object is not subscriptable\nwhat does this mean in my Flask app?"),
    ("en", "kubernetes"),
    ("en", "Write a short poem about autumn rain"),
    ("en", "Summarize this: The Industrial Revolution began in Britain in the late 18th century, "
           "when new machines and steam power changed how goods were made."),
    ("en", "Tell me about the history of the Roman Empire"),
    # French
    ("fr", "Bonjour ! Comment faire une pâte à crêpes sans grumeaux ?"),
    ("fr", "Quelle est la différence entre un virus et une bactérie ?"),
    ("fr", "Explique-moi la photosynthèse simplement"),
    ("fr", "Merci !"),
    ("fr", "Peux-tu m'aider à écrire une lettre de motivation pour un poste de comptable ?"),
    # Spanish
    ("es", "¿Cuál es la mejor forma de aprender alemán en seis meses?"),
    ("es", "Hola"),
    ("es", "¿Por qué el cielo es azul?"),
    ("es", "Dame una receta de paella valenciana"),
    ("es", "Mi código da error: IndexError: list index out of range, ¿qué hago?"),
    # German
    ("de", "Was ist der Unterschied zwischen Git merge und rebase?"),
    ("de", "Wie lange muss ein Ei kochen, damit es weich ist?"),
    ("de", "Schreib mir eine kurze Geschichte über einen Drachen"),
    ("de", "Welche Versicherungen brauche ich als Student in Deutschland?"),
    # Portuguese
    ("pt", "Olá! Como faço um bolo de cenoura fofinho?"),
    ("pt", "Quais são os sintomas da dengue?"),
    ("pt", "Me ajude a planejar uma viagem para Lisboa"),
    ("pt", "Obrigado"),
    # Italian
    ("it", "Qual è la differenza tra ci e ne in italiano?"),
    ("it", "Come si prepara una vera carbonara?"),
    ("it", "Consigliami dei libri per imparare a programmare"),
    # Russian
    ("ru", "Привет! Как приготовить борщ?"),
    ("ru", "Чем отличается вирус от бактерии?"),
    ("ru", "Объясни, что такое Docker и зачем он нужен"),
    ("ru", "Как быстрее выучить английский язык?"),
    # Japanese
    ("ja", "美味しいラーメンの作り方を教えてください"),
    ("ja", "TCPとUDPの違いは何ですか？"),
    ("ja", "京都で3日間の旅行プランを作ってください"),
    ("ja", "こんにちは"),
    # Chinese
    ("zh", "为什么天空是蓝色的？"),
    ("zh", "北京三天怎么玩？"),
    ("zh", "如何在Python中对字典列表按键排序？"),
    ("zh", "推荐几本好看的科幻小说"),
    # Korean
    ("ko", "김치찌개 만드는 법 알려주세요"),
    ("ko", "파이썬에서 리스트를 정렬하는 방법은?"),
    ("ko", "안녕하세요"),
    # Arabic
    ("ar", "كيف أتعلم البرمجة من الصفر؟"),
    ("ar", "ما هي فوائد الشاي الأخضر؟"),
    # Hindi
    ("hi", "योग करने के क्या फायदे हैं?"),
    ("hi", "भारत की राजधानी क्या है?"),
    # Dutch, Turkish
    ("nl", "Hoe maak ik een goede zuurdesemstarter?"),
    ("tr", "İstanbul'da üç günde neler görmeliyim?"),
]
