"""Playwright driving Debian's chromium (never a downloaded browser), headless."""
import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from routerchat import accounts
from routerchat.extensions import db
from tests.support.accounts import PASSWORD
from tests.support.servers import in_process_app

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def pytest_collection_modifyitems(config, items):
    """A page sees only the HTTP API, and the API tests run that on every database, so a browser
    test runs on the default (SQLite) pass alone: each one on PostgreSQL too cost a minute of CPU
    and tested nothing new. Tests marked `every_database` run on both: a page that shows what
    database-specific SQL made (search), and end-to-end checks of a streaming answer."""
    def other_database(item) -> bool:
        callspec = getattr(item, "callspec", None)
        return callspec is not None and callspec.params.get("database_url", "sqlite") != "sqlite"
    dropped = {item for item in items if item.get_closest_marker("browser") and other_database(item)
               and not item.get_closest_marker("every_database")}
    if dropped:
        config.hook.pytest_deselected(items=list(dropped))
        items[:] = [item for item in items if item not in dropped]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"chromium not found at {CHROMIUM}: install Debian's package (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser):
    """Open the app in a fresh browser context; page errors fail the test."""
    contexts, errors = [], []

    def _open(base_url: str, path: str = "/", **context_options):
        context = browser.new_context(**context_options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("dialog", lambda dialog: dialog.accept())
        page.goto(base_url + path)
        page.wait_for_selector("body[data-ready='true']")
        return page
    yield _open
    for context in contexts:
        context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


@pytest.fixture
def screenshot(tmp_path):
    """`screenshot(page, name)` saves a PNG to look at: under SCREENSHOT_DIR when that is set (one
    folder for a whole run), else in the test's own tmp_path. Returns its path."""
    folder = Path(os.environ["SCREENSHOT_DIR"]) if os.environ.get("SCREENSHOT_DIR") else tmp_path

    def take(page, name: str, **options) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), **options)
        return path
    return take


@pytest.fixture
def page(open_page, app_server, default_presets):
    return open_page(app_server.url)


ANSWER = '.message[data-role="assistant"]'
QUESTION = '.message[data-role="user"]'


TOUCH_TYPING = "matchMedia('(pointer: coarse)').matches && !matchMedia('(any-pointer: fine)').matches"


def send(page, text: str) -> None:
    """Type into the composer and send, as a person would: Enter with a keyboard, the Send button
    on a touch screen (where Enter adds a line)."""
    page.fill("#message-input", text)
    if page.evaluate(TOUCH_TYPING):
        page.click("#send-button")
    else:
        page.press("#message-input", "Enter")


@pytest.fixture
def server_with_accounts(own_database_url, fake, tmp_path, launch):
    """`server_with_accounts("alice", "bob")`: the app served on a database of its own with those
    accounts (all with PASSWORD), so login is on."""
    def start(*names: str):
        app = in_process_app(own_database_url, fake.url, tmp_path / "instance")
        with app.app_context():
            for name in names:
                accounts.add(name, PASSWORD)
            db.engine.dispose()
        return launch(DATABASE_URL=own_database_url)
    return start


@pytest.fixture
def server_with_alice(server_with_accounts):
    return server_with_accounts("alice")
