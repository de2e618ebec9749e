"""Static files: fingerprinted URLs cached for a year, compressed text, and an uncompressed event stream."""
import gzip
import re

import pytest

from routerchat.assets import folder_fingerprint

ASSET = re.compile(r'(?:src|href)="(/assets/[0-9a-f]{12}/[^"]+)"')


def page_assets(client) -> list[str]:
    return ASSET.findall(client.get("/").get_data(as_text=True))


def test_the_fingerprint_changes_with_any_file(tmp_path):
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "a.js").write_text("one")
    first = folder_fingerprint(tmp_path)
    assert folder_fingerprint(tmp_path) == first
    (tmp_path / "js" / "a.js").write_text("two")
    assert folder_fingerprint(tmp_path) != first


def test_every_page_asset_is_fingerprinted_and_cached_for_a_year(client):
    urls = page_assets(client)
    assert len(urls) >= 6 and any(u.endswith("js/app.js") for u in urls)
    assert "/static/" not in client.get("/").get_data(as_text=True)
    for url in urls + [urls[0].rsplit("/", 2)[0] + "/js/api.js"]:  # a module app.js imports by relative URL
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.cache_control.max_age == 365 * 24 * 3600 and response.cache_control.immutable


def test_an_old_version_is_served_but_not_kept(client):
    response = client.get("/assets/000000000000/js/app.js")
    assert response.status_code == 200 and response.cache_control.max_age == 0
    assert not response.cache_control.immutable


@pytest.mark.parametrize("path", ["/assets/{v}/../config.py", "/assets/{v}/js/nothing.js", "/assets/{v}/%2e%2e/app.py"])
def test_missing_or_outside_files_are_404(client, path):
    version = page_assets(client)[0].split("/")[2]
    response = client.get(path.format(v=version))
    assert response.status_code == 404 and "error" in response.get_json()


def test_text_is_compressed_and_the_page_load_shrinks(client):
    plain = compressed = 0
    for url in ["/"] + page_assets(client):
        raw = client.get(url).get_data()
        response = client.get(url, headers={"Accept-Encoding": "gzip"})
        if len(raw) >= 500:  # smaller files gain nothing (COMPRESS_MIN_SIZE)
            assert response.headers.get("Content-Encoding") == "gzip", url
            assert gzip.decompress(response.get_data()) == raw
        plain, compressed = plain + len(raw), compressed + len(response.get_data())
    print(f"page load: {plain / 1024:.0f} KiB plain, {compressed / 1024:.0f} KiB gzip")
    assert compressed < plain / 2.5
    assert client.get("/", headers={"Accept-Encoding": "br"}).headers.get("Content-Encoding") == "br"


def test_the_chat_stream_is_never_compressed(api):
    response = api.session.post(api.base_url + "/chat", json={"message": "stream me"}, stream=True, timeout=30,
                                headers={"Accept-Encoding": "gzip, br, zstd"})
    assert response.headers["Content-Type"].startswith("text/event-stream")
    assert "Content-Encoding" not in response.headers
    assert b'"type": "done"' in response.raw.read()
