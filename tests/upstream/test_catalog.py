"""The model list as routerchat shows it (pure)."""
import pytest

from routerchat.upstream.catalog import catalog_from, is_free_model


@pytest.mark.parametrize("model,free", [
    ({"id": "a/b:free"}, True),
    ({"id": "a/b", "pricing": {"prompt": "0", "completion": "0"}}, True),
    ({"id": "a/b", "pricing": {"prompt": "0", "completion": "0.1"}}, False),
    ({"id": "a/b", "pricing": {"prompt": "-1", "completion": "-1"}}, False),
    ({"id": "a/b"}, False),
])
def test_is_free_model(model, free):
    assert is_free_model(model) is free



def test_the_catalog_is_sorted_by_name_and_skips_items_without_an_id():
    data = [{"id": "b/x", "name": "beta"}, {"name": "no id"}, "junk", {"id": "a/y", "name": "Alpha"},
            {"id": "c/z"}]
    assert [m["id"] for m in catalog_from(data)] == ["a/y", "b/x", "c/z"]
    assert catalog_from({"not": "a list"}) == [] and catalog_from(None) == []


def test_entries_say_what_a_model_reads_when_the_list_does():
    reads = catalog_from([{"id": "a/b", "architecture": {"input_modalities": ["text", "image", 3]}},
                          {"id": "c/d", "architecture": {"modality": "text->text"}},
                          {"id": "e/f", "architecture": {"modality": "text+image->text"}},
                          {"id": "g/h", "architecture": {"tokenizer": "x"}}, {"id": "i/j"}])
    assert [m["input_modalities"] for m in reads] == [["text", "image"], ["text"], ["text", "image"], None, None]
