"""What answers and titles cost: stored from the upstream's usage, per conversation, and GET /usage."""
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from routerchat import create_app
from routerchat.costs import cost_or_none, known_sum, usage_report
from routerchat.db.models import utcnow
from routerchat.extensions import db
from tests import fake_openrouter as fo
from tests.support.factories import store_conversation


@pytest.mark.parametrize("values,total", [([], None), ([None, None], None), ([0, None], 0),
                                          ([0.001, 0.002, None], 0.003)])
def test_known_sum_keeps_unknown_apart_from_free(values, total):
    assert known_sum(values) == total


@pytest.mark.parametrize("raw,cost", [(0, 0.0), (0.0042, 0.0042), (3, 3.0), (None, None), ("0.1", None),
                                      (True, None), (-1, None), (float("inf"), None), (float("nan"), None)])
def test_only_plausible_costs_are_stored(raw, cost):
    assert cost_or_none(raw) == cost


def test_each_answer_stores_its_usage_with_cost(api, fake):
    usage = {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120, "cost": 0.00042}
    fake.stream_plans.append(fo.stream_tokens(["Paid", " answer"], usage=usage))
    result = api.chat("what does this cost?")
    assert result.last["usage"]["cost"] == 0.00042
    conversation = api.get(f"/conversation/{result.conversation_id}").json()
    assert conversation["messages"][1]["usage"] == usage
    assert conversation["cost"] >= 0.00042


def test_an_upstream_without_cost_shows_tokens_only(api, fake):
    fake.stream_plans.append(fo.stream_tokens(["ok"], usage={"prompt_tokens": 5, "completion_tokens": 1,
                                                            "total_tokens": 6}))
    result = api.chat("no cost field")
    answer = api.get(f"/conversation/{result.conversation_id}").json()["messages"][1]
    assert answer["usage"] == {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6, "cost": None}


@pytest.fixture
def store(app):
    """Write an answer and its title's usage straight into the database, at a chosen time."""
    def _store(model: str, cost: float | None, *, days_ago: float = 0, title: tuple[int, float] | None = None):
        requests, title_cost = title or (0, None)
        usage = {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15, "cost": cost}
        store_conversation(app, ("q", "a"), at=utcnow() - timedelta(days=days_ago), answer={"model": model,
                           "usage": usage}, title_requests=requests, title_cost=title_cost)
    return _store


def report(client, days: int | None = None) -> dict:
    response = client.get("/usage", query_string={"days": days} if days else {})
    assert response.status_code == 200
    return response.get_json()


def row(report_: dict, model: str) -> dict | None:
    return next((r for r in report_["by_model"] if r["model"] == model), None)


def test_usage_by_model_with_titles_apart_in_a_30_day_window(client, store):
    paid, other = f"test/paid-{uuid.uuid4().hex[:6]}", f"test/other-{uuid.uuid4().hex[:6]}"
    before = report(client)
    store(paid, 0.25, title=(1, 0.001))
    store(paid, 0.5, days_ago=10, title=(2, 0.002))
    store(other, None)                       # an upstream that sends no cost
    store(paid, 7.0, days_ago=45, title=(1, 3.0))  # outside the window
    after = report(client)
    assert set(after) == {"days", "total_cost", "by_model", "titles", "credits"} and after["days"] == 30
    assert row(after, paid) == {"model": paid, "requests": 2, "prompt_tokens": 20, "completion_tokens": 10,
                                "cost": 0.75}
    assert row(after, other) == {"model": other, "requests": 1, "prompt_tokens": 10, "completion_tokens": 5,
                                 "cost": None}
    assert after["titles"]["requests"] - before["titles"]["requests"] == 3
    assert after["titles"]["cost"] - (before["titles"]["cost"] or 0) == pytest.approx(0.003)
    assert after["total_cost"] - (before["total_cost"] or 0) == pytest.approx(0.753)
    assert row(report(client, 60), paid)["cost"] == 7.75


@pytest.mark.parametrize("days", ["0", "-1", "x", "3661", "²", "1.5"])
def test_bad_usage_windows_are_400(client, days):
    response = client.get("/usage", query_string={"days": days})
    assert response.status_code == 400 and "days" in response.get_json()["error"]


# --- the usage ledger: spend outlives deletion, imports are not spend ---------------------------------

def spend(report_: dict) -> tuple:
    return report_["total_cost"], report_["titles"], sorted((r["model"], r["requests"], r["cost"])
                                                             for r in report_["by_model"])


def test_deleting_a_chat_leaves_the_usage_totals_unchanged(api, fake):
    before = api.get("/usage").json()
    model = f"test/ledger-{uuid.uuid4().hex[:6]}"
    usage = {"prompt_tokens": 1000, "completion_tokens": 500, "total_tokens": 1500, "cost": 1.5}
    fake.stream_plans.append(fo.stream_tokens(["An", " expensive", " answer"], usage=usage))
    result = api.chat("spend money", model=model)
    api.settled_title(result.conversation_id)
    during = api.get("/usage").json()
    # the answer's 1.5, and its title's cost if the title model reported one; 2.2661 - 0.7661 is
    # 1.4999999999999998 in floating point (CI, after other tests' spend on the same server)
    assert during["total_cost"] - (before["total_cost"] or 0) >= 1.5 - 1e-9
    assert row(during, model) == {"model": model, "requests": 1, "prompt_tokens": 1000, "completion_tokens": 500,
                                  "cost": 1.5}
    assert api.delete(f"/conversation/{result.conversation_id}").status_code == 204
    assert spend(api.get("/usage").json()) == spend(during)


def test_imported_answers_are_not_this_installs_spend(client):
    before = report(client)
    now = utcnow().isoformat() + "Z"  # inside the report's window
    export = {"format": "routerchat", "version": 1, "conversations": [{
        "title": "Someone else's bill", "created_at": now,
        "messages": [{"role": "user", "content": "hi", "created_at": now},
                     {"role": "assistant", "content": "hello", "model": "test/imported", "created_at": now,
                      "usage": {"prompt_tokens": 5, "cost": 999999}}]}]}
    response = client.post("/import", json=export)
    assert response.status_code == 200 and response.get_json()["imported"] == 1
    assert spend(report(client)) == spend(before) and row(report(client), "test/imported") is None


def test_the_migration_records_the_spend_already_stored(own_database_url, tmp_path):
    """Answers and title requests stored before the ledger existed are in GET /usage after it."""
    from flask_migrate import upgrade

    from routerchat.config import normalize_database_url
    from routerchat.db.engine import MIGRATIONS_DIR

    app = create_app({"SQLALCHEMY_DATABASE_URI": normalize_database_url(own_database_url)},
                     instance_path=str(tmp_path / "old"))
    now = utcnow().isoformat(sep=" ")
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision="0014_organise_shares")
        db.session.execute(sa.text(
            "INSERT INTO conversation (id, title, title_source, title_attempts, title_requests, title_cost, "
            "title_model, created_at, updated_at) VALUES ('c1', 'Old chat', 'auto', 1, 2, 0.25, 'm/title', :t, :t)"),
            {"t": now})
        for role, cost in [("user", None), ("assistant", 1.0), ("assistant", 0.5)]:
            db.session.execute(sa.text(
                "INSERT INTO message (conversation_id, role, content, status, model, prompt_tokens, cost, created_at) "
                "VALUES ('c1', :role, 'x', 'complete', 'm/answer', 10, :cost, :t)"),
                {"role": role, "cost": cost, "t": now})
        db.session.commit()
        upgrade(directory=MIGRATIONS_DIR)
        with app.test_request_context():
            assert usage_report(30)["by_model"] == [{"model": "m/answer", "requests": 2, "prompt_tokens": 20,
                                                   "completion_tokens": 0, "cost": 1.5}]
            db.session.execute(sa.text("DELETE FROM message"))
            db.session.execute(sa.text("DELETE FROM conversation"))
            db.session.commit()
            after = usage_report(30)
            assert after["titles"] == {"requests": 2, "cost": 0.25} and after["total_cost"] == 1.75
        db.session.remove()
        db.engine.dispose()
