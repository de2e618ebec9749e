"""The app's OpenRouter (routerchat/openrouter.py): one per app, on a guarded pooled session, with
the model list cached."""
import pytest
from sqlalchemy import text

from routerchat.db.guard import guard
from routerchat.errors import UpstreamError
from routerchat.extensions import db
from routerchat.upstream import instance as openrouter_module
from routerchat.upstream import openrouter
from tests import fake_openrouter as fo
from tests.support.servers import in_process_app

UNREACHABLE = "http://127.0.0.1:9/api/v1"


@pytest.fixture
def make_app(tmp_path):
    """Apps of their own (SQLite files), the connection guard strict."""
    made = []

    def _make(name, base_url, **overrides):
        made.append(in_process_app(f"sqlite:///{tmp_path / name}.db", base_url, tmp_path / name, **overrides))
        return made[-1]
    yield _make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def model_list_requests(fake) -> int:
    return sum(r.path == "/models" for r in fake.requests)


def test_each_app_has_its_own_openrouter_with_its_own_pool_and_model_cache(make_app, fake):
    first = make_app("first", fake.url, MODELS_CACHE_SECONDS=600.0)
    second = make_app("second", fake.url, MODELS_CACHE_SECONDS=600.0)
    elsewhere = make_app("elsewhere", UNREACHABLE, MODELS_CACHE_SECONDS=600.0)
    assert openrouter(first) is not openrouter(second)
    assert openrouter(first).client.pool is not openrouter(second).client.pool
    assert openrouter(elsewhere).client.base_url == UNREACHABLE

    for app in (first, second, first, second):
        with app.app_context():
            assert openrouter().find_model(fo.FREE_MODEL)["free"] is True
    assert model_list_requests(fake) == 2  # one fetch per app, then each app's own cache
    with elsewhere.app_context(), pytest.raises(UpstreamError) as failed:
        openrouter().list_models()  # another upstream never answers from the others' cache
    assert failed.value.status == 502


def test_the_model_list_is_fetched_again_once_the_cache_is_stale(make_app, fake):
    app = make_app("stale", fake.url, MODELS_CACHE_SECONDS=0.0)
    with app.app_context():
        openrouter().list_models()
        openrouter().list_models()
    assert model_list_requests(fake) == 2


def test_fetching_the_model_list_first_lets_go_of_the_database_connection(make_app, fake):
    app = make_app("guarded", fake.url)
    with app.app_context():
        db.session.execute(text("SELECT 1"))
        assert guard.held() == 1
        assert openrouter().list_models()  # the guard is strict: holding the connection would raise
        assert guard.held() == 0


def test_a_forked_process_gets_a_connection_pool_of_its_own(make_app, fake, monkeypatch):
    app = make_app("forked", fake.url, MODELS_CACHE_SECONDS=600.0)
    parent = openrouter(app).client
    assert openrouter(app).client is parent
    with app.app_context():
        models = openrouter().list_models()
    real_pid = openrouter_module.getpid()
    monkeypatch.setattr(openrouter_module, "getpid", lambda: real_pid + 1)
    child = openrouter(app).client
    assert child is not parent and child.pool is not parent.pool
    assert child.base_url == parent.base_url and child.api_key == parent.api_key
    with app.app_context():
        assert openrouter().list_models() is models  # the cache is plain data: it survives the fork


def test_the_proxy_settings_are_read_once_when_the_app_starts(make_app, fake, monkeypatch):
    """requests' default read the environment on every request (a share of the relay's CPU);
    the session reads it once: a proxy exported later changes nothing, one set before is used,
    and NO_PROXY is honoured."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy",
                 "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    direct = make_app("direct", fake.url)
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
    with direct.app_context():
        assert openrouter().list_models()
    proxied = make_app("proxied", fake.url)
    with proxied.app_context(), pytest.raises(UpstreamError):
        openrouter().list_models()
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    exempt = make_app("exempt", fake.url)
    with exempt.app_context():
        assert openrouter().list_models()
