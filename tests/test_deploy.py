"""The larger-install path: gunicorn with gevent workers, migrations run once by the master."""
from tests.conftest import Api, gunicorn_server


def test_gunicorn_gevent_workers_serve_streaming_chat(database_url, fake, tmp_path):
    with gunicorn_server(database_url, fake, tmp_path) as url:
        api = Api(url)
        results = [api.chat(f"gunicorn {i}") for i in range(4)]
        assert all(r.last["type"] == "done" for r in results)
        assert api.settled_title(results[0].conversation_id)["title_source"] == "auto"
        assert fake.api_key not in (tmp_path / "gunicorn.log").read_text()
    assert "Booting worker" in (tmp_path / "gunicorn.log").read_text()
