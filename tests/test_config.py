import importlib
import os
import re
from pathlib import Path

import pytest

from routerchat import create_app
from routerchat.config import load_secret_key, normalize_database_url, settings_from_env
from routerchat.startup import prepare_database


@pytest.mark.parametrize("given,expected", [
    ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgresql://u@h:5432/db?x=1", "postgresql+psycopg://u@h:5432/db?x=1"),
    ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
])
def test_database_url_gets_the_gevent_friendly_driver(given, expected):
    assert normalize_database_url(given) == expected


def test_secret_key_is_made_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load_secret_key(tmp_path)
    assert len(first) >= 32 and load_secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_the_secret_key_is_private_from_its_first_byte(tmp_path, monkeypatch):
    """Were the key written first and made private after, this chmod-less world would show it."""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr(os, "chmod", lambda *args, **kwargs: None)
    monkeypatch.setattr(Path, "chmod", lambda *args, **kwargs: None)
    key = load_secret_key(tmp_path)
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"] and len(key) == 64


def test_the_instance_folder_and_database_are_private_when_made(tmp_path, monkeypatch):
    for name in ("DATABASE_URL", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    instance = tmp_path / "instance"
    app = create_app(instance_path=str(instance))
    prepare_database(app)
    assert instance.stat().st_mode & 0o777 == 0o700
    made = [p for p in instance.iterdir() if p.name.startswith("routerchat.db")]
    assert (instance / "routerchat.db") in made and (instance / "secret_key").stat().st_mode & 0o777 == 0o600
    for path in made:  # the -wal and -shm files take the database file's mode
        assert path.stat().st_mode & 0o777 == 0o600, path.name


def test_defaults_need_nothing_but_an_instance_folder(tmp_path, monkeypatch):
    for name in ("DATABASE_URL", "OPENROUTER_API_KEY", "OPENROUTER_BASE_URL", "PORT", "HOST", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    settings = settings_from_env(Path(tmp_path))
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'routerchat.db'}"
    assert settings["OPENROUTER_BASE_URL"] == "https://openrouter.ai/api/v1"
    assert (settings["HOST"], settings["PORT"]) == ("127.0.0.1", 5000)
    assert settings["MESSAGE_MAX_CHARS"] == 100_000
    assert settings["TITLE_MODEL_DEFAULT"] == "meta-llama/llama-3.2-3b-instruct:free"


def test_dotenv_in_the_working_directory_is_read(tmp_path, monkeypatch):
    environment = {k: v for k, v in os.environ.items() if k != "TITLE_FALLBACK_MODELS"}
    environment["ROUTERCHAT_DOTENV"] = "1"
    monkeypatch.setattr(os, "environ", environment)  # what .env loads vanishes after the test
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("TITLE_FALLBACK_MODELS=a/b:free, c/d:free\n")
    assert settings_from_env(Path(tmp_path))["TITLE_FALLBACK_MODELS"] == ["a/b:free", "c/d:free"]


def test_the_test_suite_never_reads_a_developers_dotenv(tmp_path, monkeypatch):
    environment = {k: v for k, v in os.environ.items() if k != "TITLE_MODEL_DEFAULT"}
    monkeypatch.setattr(os, "environ", environment)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("TITLE_MODEL_DEFAULT=developer/own-model:free\n")
    assert os.environ["ROUTERCHAT_DOTENV"] == "0"  # set by tests/conftest.py for every process it starts
    assert settings_from_env(Path(tmp_path))["TITLE_MODEL_DEFAULT"] == "meta-llama/llama-3.2-3b-instruct:free"


def test_bad_numbers_are_reported_by_name(tmp_path, monkeypatch):
    monkeypatch.setenv("PORT", "eighty")
    with pytest.raises(ValueError, match="PORT"):
        settings_from_env(Path(tmp_path))


class RecordingEnvironment(dict):
    """os.environ that notes every name the code reads."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.read: set[str] = set()

    def get(self, key, default=None):
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)


def readme_configuration_names() -> set[str]:
    """The names in the first column of the README's Configuration table."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])}


def test_every_setting_read_from_the_environment_is_in_the_readme_table(tmp_path, monkeypatch):
    environment = RecordingEnvironment(os.environ, TITLE_PROMPT="{user}")
    monkeypatch.setattr(os, "environ", environment)
    settings_from_env(Path(tmp_path))
    importlib.reload(importlib.import_module("routerchat.gunicorn_conf"))
    internal = {"ROUTERCHAT_DOTENV"}  # the test suite's switch, not a setting
    missing = environment.read - internal - readme_configuration_names()
    assert not missing, f"settings read from the environment but missing from README's Configuration: {missing}"
