"""The page: the constants its scripts need come from the server, never written twice."""
import re

from routerchat.constants import DEFAULT_TITLE, FREE_SLOT, TITLE_MAX_CHARS


def body_attributes(client) -> dict[str, str]:
    tag = re.search(r"<body([^>]*)>", client.get("/").get_data(as_text=True)).group(1)
    return dict(re.findall(r'data-([\w-]+)="([^"]*)"', tag))


def test_the_page_carries_the_servers_constants(client):
    attributes = body_attributes(client)
    assert attributes["default-title"] == DEFAULT_TITLE
    assert attributes["title-max-chars"] == str(TITLE_MAX_CHARS)
    assert attributes["free-slot"] == str(FREE_SLOT)
    assert attributes["message-max-chars"] == "100000"
    assert "has-api-key" not in attributes  # nothing reads it


def test_no_script_writes_the_constants_again():
    from pathlib import Path

    scripts = "\n".join(p.read_text() for p in (Path(__file__).parent.parent / "routerchat/static/js").glob("*.js"))
    assert DEFAULT_TITLE not in scripts
    assert "FREE_SLOT = 6" not in scripts and "maxLength = 100" not in scripts
