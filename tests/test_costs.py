"""What answers and titles cost: stored from the upstream's usage, per conversation, and GET /usage."""
import uuid
from datetime import timedelta

import pytest

from routerchat.costs import cost_or_none, known_sum
from routerchat.db.models import utcnow
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
    assert set(after) == {"days", "total_cost", "by_model", "titles"} and after["days"] == 30
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
