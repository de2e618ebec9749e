"""URL citations from the web plugin: only http(s), each URL once, in order (pure)."""
from routerchat.citations import merge_citations
from tests.fake_openrouter import url_citation


def test_url_citations_are_kept_in_order_once_each():
    items = [url_citation("https://a.example/1", "First"), url_citation("http://b.example/", "  Second\n page "),
             url_citation("https://a.example/1", "Again"), {"type": "file", "file": {}}, "text", None]
    assert merge_citations([], items) == [{"url": "https://a.example/1", "title": "First"},
                                          {"url": "http://b.example/", "title": "Second page"}]


def test_only_http_and_https_links_are_kept():
    items = [url_citation(url) for url in (
        "javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,<script>1</script>", "file:///etc/passwd",
        "ftp://x.example/", "https://", "//no-scheme.example", "https://ok.example/a b", "vbscript:x")]
    assert merge_citations([], items) == []
    assert merge_citations([], [url_citation("HTTPS://Upper.example/")]) == [
        {"url": "HTTPS://Upper.example/", "title": ""}]


def test_later_chunks_add_only_new_urls_and_stored_citations_read_back():
    known = merge_citations([], [url_citation("https://a.example/", "A")])
    merged = merge_citations(known, [url_citation("https://a.example/", "A"), url_citation("https://c.example/")])
    assert [c["url"] for c in merged] == ["https://a.example/", "https://c.example/"]
    assert merge_citations([], merged) == merged  # the stored shape {"url", "title"} reads back as it is
    assert merge_citations([], "not a list") == [] and merge_citations([], [{"url": 5}]) == []
