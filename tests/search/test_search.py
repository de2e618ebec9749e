"""Search: the pure text rules, then GET /conversations?q= on SQLite and PostgreSQL."""
import uuid

import pytest
import sqlalchemy as sa

from routerchat.search import plan as planning
from routerchat.search import sql as search_module
from routerchat.search.plan import WordSample, search_plan
from routerchat.search.text import (
    MAX_QUERY_CHARS,
    QueryError,
    first_hit,
    fold,
    fts_phrase,
    like_pattern,
    owner_token,
    query_words,
    snippet,
)
from tests.support.factories import store_conversation

# --- pure rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize("raw,folded", [
    ("Café À Paris", "cafe a paris"),
    ("STRASSE straße", "strasse strasse"),
    ("Ｆｕｌｌｗｉｄｔｈ", "fullwidth"),
    ("Ἀθῆναι", "αθηναι"),
    ("Ёлка", "елка"),
    ("한국어", "한국어"),
    ("がぎぐ", "がぎぐ"),  # voicing marks stay: が is not か
    ("ﬁle", "file"),
])
def test_fold_drops_case_and_accents_in_any_script(raw, folded):
    assert fold(raw) == folded


def test_query_words_are_distinct_and_limited():
    assert query_words("  tea  Tea tea ") == ["tea", "Tea"]
    assert query_words("") == [] and query_words("   ") == []
    with pytest.raises(QueryError, match="limit is 200"):
        query_words("x" * (MAX_QUERY_CHARS + 1))
    with pytest.raises(QueryError, match="at most 12 words"):
        query_words(" ".join(f"w{i}" for i in range(13)))


def test_like_pattern_and_fts_phrase_take_metacharacters_literally():
    assert like_pattern("100%_a\\b") == "%100\\%\\_a\\\\b%"
    assert fts_phrase('say "hi"') == '"say ""hi"""'


def test_first_hit_maps_folded_positions_back_to_the_original():
    text = "Straße und Café"
    start, end = first_hit(text, ["cafe"])
    assert text[start:end] == "Café"
    assert first_hit(text, ["nowhere"]) is None


def test_a_snippet_of_a_huge_message_reads_only_a_slice_of_it(monkeypatch):
    """A 45 MB message once held the event loop for 44 s: folding is done on a bounded slice."""
    from routerchat.search import text as search_text

    folded_lengths = []
    real = search_text._folded_with_positions
    monkeypatch.setattr(search_text, "_folded_with_positions",
                        lambda value: folded_lengths.append(len(value)) or real(value))
    huge = "filler words " * 400_000 + "the Needle is here " + "more words " * 400_000
    cut = snippet(huge, ["needle"])
    assert "Needle is here" in cut and len(cut) <= 200
    assert max(folded_lengths) <= search_text.SNIPPET_SCAN_CHARS
    assert snippet("x " * 1_000_000, ["absent"]).startswith("x x")


def test_snippet_is_plain_text_around_the_first_hit():
    text = "intro " * 80 + "the Needle is here " + "outro " * 80
    cut = snippet(text, ["needle"])
    assert "Needle" in cut and len(cut) <= 200
    assert cut.startswith("…") and cut.endswith("…")
    assert snippet("short\n\ntext", ["text"]) == "short text"
    cjk = snippet("東京でラーメン" * 60, ["ラーメン"])
    assert "ラーメン" in cjk and len(cjk) <= 200


def test_the_rarest_word_drives_the_search_when_its_matches_are_few():
    rare, common = WordSample(matches=40, conversations=12), WordSample(matches=10_000, conversations=9_000)
    assert search_plan([common, rare]) == ([1, 0], True)
    assert search_plan([rare]) == ([0], True)


def test_common_words_are_checked_conversation_by_conversation_rarest_first():
    every = WordSample(matches=10_000, conversations=1_000)
    many = WordSample(matches=10_000, conversations=800)
    assert search_plan([every, many]) == ([0, 1], False)
    less = WordSample(matches=7_000, conversations=5_000)
    assert search_plan([every, less])[0] == [1, 0]


def test_many_matches_in_few_conversations_still_drive():
    """A word repeated through a few long conversations: reading its matches is cheaper than
    checking every conversation for it."""
    assert WordSample(matches=10_000, conversations=30).drives_cheaply
    assert not WordSample(matches=10_000, conversations=500).drives_cheaply
    assert WordSample(matches=9_999, conversations=9_999).drives_cheaply


def test_a_word_too_short_for_the_index_drives_only_when_rare_and_nothing_indexed_can():
    short_rare, short_common = WordSample(matches=3, indexed=False), WordSample(matches=400, indexed=False)
    common = WordSample(matches=10_000, conversations=9_000)
    assert search_plan([common, short_rare]) == ([1, 0], True)  # one read of every message beats scanning
    assert search_plan([short_common, common]) == ([1, 0], False)  # indexed checks first: they fail early
    assert search_plan([short_common, WordSample(matches=5, conversations=5)]) == ([1, 0], True)
    assert search_plan([short_common, short_rare]) == ([1, 0], True)


# --- through the API --------------------------------------------------------------------------


def token() -> str:
    return uuid.uuid4().hex[:10]


@pytest.fixture(params=["driven", "scan"])
def plan(request, monkeypatch):
    """Every search test runs under both plans: driven by the rarest word's matches (what small
    data gets), and the newest-first check of every conversation that common words get (forced
    here: any word with a match counts as common)."""
    if request.param == "scan":
        monkeypatch.setattr(planning, "SAMPLED_MATCHES", 1)
        monkeypatch.setattr(planning, "COMMON_CONVERSATIONS", 1)
        monkeypatch.setattr(planning, "RARE_IN_HEAD", 0)
    return request.param


@pytest.fixture
def store(app):
    """Store a conversation with (user, assistant) exchanges; returns its id."""
    return lambda *exchanges, **fields: store_conversation(app, *exchanges, answer={"model": "x/y"}, **fields).id


@pytest.fixture
def seed(store, plan):
    """`store`, for a test that runs under both search plans."""
    return store


def search(client, q: str, **params) -> dict:
    response = client.get("/conversations", query_string={"q": q, **params})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def found_ids(client, q: str) -> list[str]:
    return [c["id"] for c in search(client, q)["conversations"]]


def test_accents_and_case_do_not_matter(client, seed):
    word = token()
    conversation = seed((f"Un café à Paris {word}", "Oui, volontiers."))
    assert found_ids(client, f"CAFE {word}") == [conversation]
    assert found_ids(client, f"Café PARÍS {word}") == [conversation]


@pytest.mark.parametrize("text,query", [
    ("東京で一番おいしいラーメン屋はどこ", "ラーメン"),
    ("東京で一番おいしいラーメン屋はどこ", "東京"),
    ("如何对列表排序", "排序"),
    ("파이썬에서 리스트를 정렬하는 방법", "정렬"),
    ("كيف أتعلم البرمجة بسرعة", "البرمجة"),
    ("Как выучить Python быстро", "выучить"),
])
def test_any_language_and_short_cjk_words(client, seed, text, query):
    word = token()
    conversation = seed((f"{text} {word}", "…"))
    assert found_ids(client, f"{query} {word}") == [conversation]


def test_words_only_in_the_answer_or_the_title_are_found(client, seed):
    word, other = token(), token()
    in_answer = seed(("What is the capital?", f"It is {word}."))
    in_title = seed(("hello", "hi"), title=f"Trip to {other}")
    assert found_ids(client, word) == [in_answer]
    assert found_ids(client, other) == [in_title]


def test_every_word_is_required_anywhere_in_the_conversation(client, seed):
    first, second = token(), token()
    only_first = seed((f"about {first}", "ok"))
    both = seed((f"about {first}", "ok"), (f"and {second}", "sure"))
    across_title = seed((f"mentions {second}", "ok"), title=f"{first} notes")
    assert set(found_ids(client, f"{first} {second}")) == {both, across_title}
    assert only_first in found_ids(client, first)


@pytest.mark.parametrize("q", ["%", "_", "'", '"', "%%", "\\", "' OR 1=1 --", '"unterminated', "a_b", "NEAR(x y)", "*"])
def test_sql_like_and_fts_metacharacters_are_literal(client, seed, q):
    word = token()
    seed((f"plain text {word}", "nothing special"))
    assert word not in str(search(client, f"{q} {word}"))  # no match: the metacharacter is not a wildcard


def test_a_metacharacter_word_matches_itself(client, seed):
    word = token()
    percent = seed((f"a discount of 100% {word}", "nice"))
    seed((f"a discount of 1000 {word}", "nice"))
    underscore = seed((f"call my_function {word}", "ok"))
    assert found_ids(client, f"100% {word}") == [percent]
    assert found_ids(client, f"my_function {word}") == [underscore]


def test_results_are_newest_first_with_snippets_and_pages(client, seed):
    word = token()
    ids = [seed((f"question {i} {word}", f"answer {i}")) for i in range(3)]
    page = search(client, word, limit=2)
    assert [c["id"] for c in page["conversations"]] == ids[::-1][:2]
    assert all(word in c["snippet"] for c in page["conversations"])
    rest = search(client, word, limit=2, before=page["next"])
    assert [c["id"] for c in rest["conversations"]] == [ids[0]] and rest["next"] is None


def test_snippet_comes_from_the_message_with_the_hit(client, seed):
    word = token()
    long_answer = "Background. " * 40 + f"The key fact is {word} and more. " + "Details. " * 40
    conversation = seed(("Tell me everything", long_answer))
    item = search(client, word)["conversations"][0]
    assert item["id"] == conversation
    assert f"The key fact is {word}" in item["snippet"] and len(item["snippet"]) <= 200
    assert "<" not in item["snippet"]


def test_title_only_hit_shows_the_first_message(client, seed):
    word = token()
    seed(("first question here", "answer"), title=f"Named {word}")
    assert search(client, word)["conversations"][0]["snippet"] == "first question here"


def test_renaming_and_deleting_keep_the_index_current(client, seed):
    word, renamed = token(), token()
    conversation = seed((f"about {word}", "ok"))
    assert client.patch(f"/conversation/{conversation}", json={"title": f"Now {renamed}"}).status_code == 200
    assert found_ids(client, renamed) == [conversation]
    assert client.delete(f"/conversation/{conversation}").status_code == 204
    assert found_ids(client, word) == [] and found_ids(client, renamed) == []


def test_a_words_sample_counts_its_messages_titles_and_conversations(app, store):
    word = token()
    store((f"{word} one", f"{word} two"), (f"{word} three", "none"))
    store(("nothing", "here"), title=f"About {word.upper()}")
    with app.app_context():
        [sample] = search_module._samples(search_module.word_sql([word], None))
    assert sample == WordSample(matches=4, conversations=1)  # three messages + one title; max(1, 1)
    store((f"a {word}", "b"))
    with app.app_context():
        [sample] = search_module._samples(search_module.word_sql([word, token()], None)[:1])
    assert sample == WordSample(matches=5, conversations=2)


def test_empty_search_is_the_plain_list(client, seed):
    seed(("anything", "ok"))
    plain = client.get("/conversations").get_json()
    assert search(client, "   ") == plain
    assert all("snippet" not in c for c in plain["conversations"])


@pytest.mark.parametrize("q,words", [("x" * 201, "limit is 200"), (" ".join("abcdefghijklm"), "at most 12")])
def test_bad_searches_are_400(client, q, words):
    response = client.get("/conversations", query_string={"q": q})
    assert response.status_code == 400 and words in response.get_json()["error"]


def test_the_migration_indexes_conversations_that_existed_before(tmp_path):
    """Data stored before the search migration is found after it."""
    from routerchat.extensions import db
    from routerchat.startup import prepare_database
    from tests.support.servers import app_at_initial_schema

    app = app_at_initial_schema(tmp_path / "old.db")
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO conversation (id, title, title_source, title_attempts, created_at, "
                             "updated_at) VALUES ('c1', 'Vieux café', 'user', 0, '2020-01-01', '2020-01-01')"))
        conn.execute(sa.text("INSERT INTO message (conversation_id, role, content, status, created_at) "
                             "VALUES ('c1', 'user', 'Où est la bibliothèque ?', 'complete', '2020-01-01')"))
    prepare_database(app)
    client = app.test_client()
    assert found_ids(client, "bibliotheque") == ["c1"]
    assert found_ids(client, "CAFE") == ["c1"]


def test_the_owner_trigram_is_the_same_in_python_and_in_the_migrations_sql():
    """The index is filled by SQL (migration 0017's triggers), searched with Python's token."""
    import importlib
    import sqlite3

    migration = importlib.import_module("routerchat.db.migrations.versions.0017_search_owner")
    ids = [None, 0, 1, 2, 6399, 6400, 6401, 6400 ** 2 - 1, 6400 ** 2, 6400 ** 2 + 1, 2 ** 31 - 1]
    with sqlite3.connect(":memory:") as connection:
        in_sql = [connection.execute(f"SELECT {migration.OWNER_TOKEN.format(id=':id')}", {"id": i}).fetchone()[0]
                  for i in ids]
    assert in_sql == [owner_token(i) for i in ids]
    assert all(len(token) == 3 for token in in_sql) and len(set(in_sql[2:])) == len(ids) - 2
