"""First exchanges with titles a person would accept, in many languages (the `GOOD` corpus).

Each entry: (language, user message, assistant answer, a good title). Several titles are
abstractive (they share few words with the exchange), some carry emoji, one is code.
bench/title_quality.py runs the same exchanges through the app against a real model; the
non-titles real models wrote for them are in tests/titles/nontitles.py.
"""

GOOD = [
    # English
    ("en", "Can you give me a recipe for banana bread without eggs?",
     "Sure! Mash 3 ripe bananas, mix with 1/3 cup melted butter, 3/4 cup sugar, 1 tsp baking soda and "
     "1.5 cups flour. Replace the eggs with 1/4 cup applesauce. Bake at 175°C for 60 minutes.",
     "Eggless Banana Bread Recipe"),
    ("en", "I'm going to Kyoto for three days in November. What should I see?",
     "November is maple season. Day 1: Fushimi Inari and Tofuku-ji for the red leaves. Day 2: "
     "Arashiyama bamboo grove and Tenryu-ji. Day 3: Kiyomizu-dera and Gion in the evening.",
     "Kyoto Autumn Itinerary"),
    ("en", "What is the difference between TCP and UDP?",
     "TCP is connection-oriented and guarantees ordered, reliable delivery; UDP is connectionless, "
     "faster, and does not retransmit lost packets.",
     "TCP vs UDP"),
    ("en", "What does __init__ do in a Python class?",
     "__init__ is the initializer: Python calls it right after creating an instance so you can set "
     "its attributes, e.g. self.name = name.",
     "Python __init__ Explained"),
    ("en", "Hello, can you help me with my resume? I'm applying for a data analyst job.",
     "Of course! Lead with a short summary, list SQL, Python and Tableau under skills, and quantify "
     "results such as 'cut report time by 40%'.",
     "Data Analyst Resume Tips"),
    ("en", "My tomato plants have yellow leaves at the bottom. Why?",
     "Lower leaves yellowing is usually nitrogen deficiency or overwatering. Feed with a balanced "
     "fertilizer and let the soil dry between waterings.",
     "🍅 Yellowing Tomato Leaves"),
    ("en", "Write a haiku about the sea at night",
     "Moonlight on black waves / the tide whispers to the sand / stars drown one by one",
     "Night Sea Haiku 🌊"),
    ("en", "How do I center a div horizontally and vertically?",
     "Use flexbox on the parent: display: flex; justify-content: center; align-items: center; "
     "or grid with place-items: center.",
     "Centering a Div with CSS"),
    ("en", "Can you explain how vaccines train the immune system?",
     "A vaccine shows your immune system a harmless piece or copy of a pathogen, so B and T cells "
     "learn to recognise it and memory cells respond fast to a real infection.",
     "How Vaccines Work"),
    ("en", "hi, I want to start running but my knees hurt after 2 km",
     "Start with run-walk intervals, keep your cadence high with short steps, strengthen your "
     "quads and glutes, and check your shoes.",
     "Running with Knee Pain"),
    ("en", "What are good names for a grey kitten?",
     "Smokey, Ash, Pebble, Earl Grey, Misty, Shadow or Luna are popular picks for grey cats.",
     "Grey Kitten Names 🐱"),
    ("en", "Fix this SQL: SELECT name, COUNT(*) FROM users",
     "Add a GROUP BY: SELECT name, COUNT(*) FROM users GROUP BY name;",
     "SQL GROUP BY Fix"),
    # French
    ("fr", "Bonjour ! Comment faire une pâte à crêpes sans grumeaux ?",
     "Versez le lait petit à petit dans la farine en fouettant, puis ajoutez les œufs. Laissez "
     "reposer la pâte une heure.",
     "Pâte à crêpes sans grumeaux"),
    ("fr", "Quels sont les avantages d'une pompe à chaleur ?",
     "Elle consomme moins d'énergie qu'un chauffage électrique, peut aussi rafraîchir en été et "
     "donne droit à des aides.",
     "Avantages de la pompe à chaleur"),
    ("fr", "Peux-tu m'expliquer la Révolution française en quelques phrases ?",
     "En 1789, la crise financière et les inégalités mènent à la prise de la Bastille, à la fin de "
     "la monarchie absolue et à la Déclaration des droits de l'homme.",
     "La Révolution française en bref"),
    ("fr", "Mon code Python plante avec KeyError, pourquoi ?",
     "KeyError signifie que la clé demandée n'existe pas dans le dictionnaire. Utilisez dict.get() "
     "ou vérifiez avec 'in'.",
     "KeyError en Python"),
    # Spanish
    ("es", "¿Cómo puedo hacer pan sin gluten en casa?",
     "Usa una mezcla de harina de arroz y almidón de tapioca, añade goma xantana, levadura, agua "
     "tibia y hornea a 220 °C.",
     "Pan sin gluten casero"),
    ("es", "Hola, ¿qué lugares debo visitar en Madrid en dos días?",
     "Día 1: Museo del Prado, Retiro y Gran Vía. Día 2: Palacio Real, Plaza Mayor y el Rastro si es "
     "domingo.",
     "Madrid en dos días"),
    ("es", "Explícame qué es la inflación",
     "La inflación es el aumento general y sostenido de los precios, que reduce el poder "
     "adquisitivo del dinero.",
     "Qué es la inflación 💸"),
    ("es", "¿Por qué mi perro come hierba?",
     "Muchos perros comen hierba por aburrimiento, por la fibra o para calmar el estómago; suele "
     "ser normal.",
     "Perro que come hierba"),
    # German
    ("de", "Kannst du mir erklären, wie Photosynthese funktioniert?",
     "Pflanzen nutzen Lichtenergie, um aus Kohlendioxid und Wasser Glukose und Sauerstoff zu bilden; "
     "das passiert in den Chloroplasten.",
     "Photosynthese einfach erklärt"),
    ("de", "Wie lange muss ein Ei kochen, damit es weich ist?",
     "Ein mittelgroßes Ei aus dem Kühlschrank braucht etwa 6 Minuten in kochendem Wasser.",
     "Weiches Ei kochen"),
    ("de", "Hallo! Welche Versicherungen brauche ich als Student?",
     "Wichtig sind Krankenversicherung und private Haftpflicht; Hausrat und Berufsunfähigkeit sind "
     "optional.",
     "Versicherungen für Studenten"),
    ("de", "Was ist der Unterschied zwischen Git merge und rebase?",
     "Merge erzeugt einen Merge-Commit und bewahrt die Historie; rebase schreibt deine Commits auf "
     "die neue Basis um und ergibt eine lineare Historie.",
     "Git merge vs. rebase"),
    # Portuguese
    ("pt", "Olá! Como faço um bolo de cenoura fofinho?",
     "Bata 3 cenouras, 3 ovos e 1 xícara de óleo no liquidificador, misture com 2 xícaras de farinha, "
     "2 de açúcar e fermento. Asse a 180 °C.",
     "Bolo de cenoura fofinho 🥕"),
    ("pt", "Quais são os sintomas da dengue?",
     "Febre alta, dor no corpo e atrás dos olhos, manchas vermelhas e cansaço. Procure um médico e "
     "beba muita água.",
     "Sintomas da dengue"),
    ("pt", "Você pode me ajudar a planejar uma viagem para Lisboa?",
     "Claro! Dia 1: Alfama e Castelo de São Jorge. Dia 2: Belém e os pastéis. Dia 3: Sintra.",
     "Roteiro em Lisboa"),
    # Italian
    ("it", "Ciao, come si prepara una vera carbonara?",
     "Guanciale rosolato, tuorli sbattuti con pecorino e pepe, spaghetti al dente mantecati fuori "
     "dal fuoco. Niente panna!",
     "Carbonara tradizionale"),
    ("it", "Quali libri mi consigli per imparare l'italiano?",
     "Prova 'Nuovo Espresso' per la grammatica e i racconti graduati di 'Italiano Facile' per la "
     "lettura.",
     "Libri per imparare l'italiano"),
    # Russian
    ("ru", "Привет! Как приготовить борщ?",
     "Сварите бульон, добавьте свёклу, капусту, картофель, морковь и лук, в конце — чеснок и зелень. "
     "Подавайте со сметаной.",
     "Рецепт борща"),
    ("ru", "Чем отличается вирус от бактерии?",
     "Бактерии — живые клетки, которые размножаются сами; вирусы размножаются только внутри клеток "
     "хозяина, и антибиотики на них не действуют.",
     "Вирусы и бактерии"),
    ("ru", "Подскажи, как выучить английский быстрее",
     "Занимайтесь каждый день, слушайте подкасты, учите слова с карточками и говорите с носителями.",
     "Быстрое изучение английского"),
    ("ru", "Что такое Docker и зачем он нужен?",
     "Docker упаковывает приложение со всеми зависимостями в контейнер, который одинаково работает "
     "на любом сервере.",
     "Docker и контейнеры"),
    # Japanese
    ("ja", "京都で3日間の旅行プランを作ってください",
     "1日目：清水寺と祇園。2日目：嵐山と金閣寺。3日目：伏見稲荷大社と錦市場。",
     "京都3日間の旅行プラン"),
    ("ja", "TCPとUDPの違いは何ですか？",
     "TCPは接続型で信頼性の高い通信、UDPは非接続型で高速ですが再送はありません。",
     "TCPとUDPの違い"),
    ("ja", "卵なしでバナナブレッドを作る方法を教えてください",
     "熟したバナナ3本をつぶし、溶かしバター、砂糖、小麦粉、重曹を混ぜて、卵の代わりにヨーグルトを使います。",
     "卵なしバナナブレッド 🍌"),
    ("ja", "Pythonで辞書をキーでソートするには？",
     "sorted(d.items()) を使うか、dict(sorted(d.items())) で新しい辞書を作ります。",
     "Python 辞書のソート"),
    # Chinese
    ("zh", "如何在Python中对字典列表按键排序？",
     "使用 sorted(items, key=lambda d: d['name'])，或者 operator.itemgetter('name')。",
     "Python字典列表排序"),
    ("zh", "你好，北京三天怎么玩？",
     "第一天：故宫和天安门；第二天：长城；第三天：颐和园和南锣鼓巷。",
     "北京三日游"),
    ("zh", "为什么天空是蓝色的？",
     "因为瑞利散射：波长较短的蓝光比红光更容易被大气分子散射。",
     "天空为什么是蓝色"),
    # Korean
    ("ko", "안녕하세요 김치찌개 만드는 법 알려주세요",
     "신김치와 돼지고기를 볶고 물을 부어 끓인 뒤 두부와 대파를 넣으세요.",
     "김치찌개 만드는 법"),
    ("ko", "파이썬에서 리스트를 정렬하는 방법은?",
     "sorted(리스트) 또는 리스트.sort()를 사용하세요. 역순은 reverse=True입니다.",
     "파이썬 리스트 정렬"),
    # Arabic
    ("ar", "كيف أتعلم البرمجة من الصفر؟",
     "ابدأ بلغة بايثون، وتعلم الأساسيات مثل المتغيرات والحلقات، ثم اكتب مشاريع صغيرة كل أسبوع.",
     "تعلم البرمجة من الصفر"),
    ("ar", "ما هي فوائد الشاي الأخضر؟",
     "الشاي الأخضر غني بمضادات الأكسدة، وقد يحسن التركيز ويدعم صحة القلب.",
     "فوائد الشاي الأخضر"),
    # Hindi
    ("hi", "योग करने के क्या फायदे हैं?",
     "योग से लचीलापन बढ़ता है, तनाव कम होता है और नींद बेहतर होती है।",
     "योग के फायदे"),
]
