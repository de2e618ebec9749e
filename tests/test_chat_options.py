"""What a chat sends besides its messages: the one system message and the parameters (pure)."""
import pytest

from routerchat.chat_options import OptionError, changed_params, check_instructions, system_message, upstream_params


def test_the_system_message_joins_account_folder_and_chat_in_that_order():
    assert system_message("Be brief.", "Project X.", "Answer in French.") == {
        "role": "system", "content": "Be brief.\n\nProject X.\n\nAnswer in French."}


@pytest.mark.parametrize("parts,content", [
    (("", None, "Only the chat's"), "Only the chat's"),
    (("  \n", "Folder", None), "Folder"),
    (("Account", "   ", ""), "Account"),
])
def test_blank_parts_are_left_out(parts, content):
    assert system_message(*parts) == {"role": "system", "content": content}


@pytest.mark.parametrize("parts", [("", None, None), (None, None, None), ("  ", "\n", "\t")])
def test_no_system_message_when_every_part_is_blank(parts):
    assert system_message(*parts) is None


def test_instructions_are_checked_for_type_and_length():
    assert check_instructions("instructions", "x" * 8000) == "x" * 8000
    assert check_instructions("system_prompt", None, nullable=True) is None
    for bad in ("x" * 8001, 5, ["a"]):
        with pytest.raises(OptionError):
            check_instructions("instructions", bad)
    with pytest.raises(OptionError, match="must be a string"):
        check_instructions("instructions", None)


def test_params_change_one_at_a_time_and_null_removes_one():
    params = changed_params(None, {"temperature": 0.7, "max_tokens": 500})
    assert params == {"temperature": 0.7, "max_tokens": 500}
    params = changed_params(params, {"temperature": None, "top_p": 1, "reasoning_effort": "high"})
    assert params == {"max_tokens": 500, "top_p": 1, "reasoning_effort": "high"}


@pytest.mark.parametrize("changes", [
    {"temperature": 2.01}, {"temperature": -0.1}, {"temperature": "1"}, {"temperature": True},
    {"top_p": 1.5}, {"max_tokens": 0}, {"max_tokens": 200001}, {"max_tokens": 1.5}, {"max_tokens": True},
    {"reasoning_effort": "extreme"}, {"reasoning_effort": 1}, {"seed": 1}, [], "hot",
])
def test_bad_params_are_refused(changes):
    with pytest.raises(OptionError):
        changed_params({"temperature": 1}, changes)


@pytest.mark.parametrize("changes", [
    {"temperature": 0}, {"temperature": 2}, {"top_p": 0}, {"top_p": 1}, {"max_tokens": 1}, {"max_tokens": 200000},
    {"reasoning_effort": "none"}, {"reasoning_effort": "minimal"},
])
def test_the_ends_of_each_range_are_accepted(changes):
    assert changed_params(None, changes) == changes


def test_reasoning_effort_goes_upstream_as_openrouters_reasoning_object():
    assert upstream_params({"temperature": 0.2, "reasoning_effort": "low"}) == {
        "temperature": 0.2, "reasoning": {"effort": "low"}}
    assert upstream_params(None) == {} and upstream_params({}) == {}
