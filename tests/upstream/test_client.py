"""The HTTP client against the fake OpenRouter over real HTTP: every quirk and error OpenRouter documents."""
import gc
import socket
import time
import tracemalloc

import pytest

from routerchat.errors import UpstreamError
from routerchat.upstream.client import OpenRouterClient
from tests import fake_openrouter as fo


@pytest.fixture
def client(fake):
    return OpenRouterClient(fake.url, fake.api_key, connect_timeout=2, read_timeout=2,
                            app_url="https://example.test/routerchat", app_title="routerchat")


def collect(stream, kind="chunk"):
    """The stream's text of one kind: the answer ("chunk") or the reasoning."""
    return "".join(delta.text for delta in stream if delta.kind == kind)


def test_stream_with_all_quirks_yields_text_usage_and_model(client, fake):
    fake.stream_plans.append(fo.stream_tokens(["Hel", "lo", "!"], model="provider/actual-model"))
    stream = client.stream_chat([{"role": "user", "content": "hi"}], "x/y")
    assert collect(stream) == "Hello!"
    assert stream.result.finish_reason == "stop"
    assert stream.result.saw_done
    assert stream.result.usage["total_tokens"] == 19
    assert stream.result.model == "provider/actual-model"


def test_usage_chunk_with_one_empty_choice(client, fake):
    fake.stream_plans.append(fo.stream_tokens(["a"], usage_choice=True))
    stream = client.stream_chat([{"role": "user", "content": "hi"}], "x/y")
    assert collect(stream) == "a" and stream.result.usage["prompt_tokens"] == 12


def test_stream_sends_headers_and_body(client, fake):
    collect(client.stream_chat([{"role": "user", "content": "hi"}], "x/y"))
    sent = fake.chat_requests()[-1]
    assert sent.headers["Authorization"] == f"Bearer {fake.api_key}"
    assert sent.headers["HTTP-Referer"] == "https://example.test/routerchat"
    assert sent.headers["X-Title"] == "routerchat"
    assert sent.body["stream"] is True and sent.body["model"] == "x/y"


def test_bytes_split_mid_line_and_mid_character(client, fake):
    fake.stream_plans.append(fo.stream_split_bytes("héllo 世界 ✓"))
    assert collect(client.stream_chat([{"role": "user", "content": "hi"}], "x/y")) == "héllo 世界 ✓"


def test_finish_reason_without_done_is_a_normal_end(client, fake):
    fake.stream_plans.append(fo.stream_tokens(["ok"], done=False))
    stream = client.stream_chat([{"role": "user", "content": "hi"}], "x/y")
    assert collect(stream) == "ok" and stream.result.finish_reason == "stop"


@pytest.mark.parametrize("abrupt", [False, True])
def test_stream_ending_without_done_or_finish_is_an_error(client, fake, abrupt):
    fake.stream_plans.append(fo.stream_cut(["partial", " answer"], abrupt=abrupt))
    stream = client.stream_chat([{"role": "user", "content": "hi"}], "x/y")
    received = []
    with pytest.raises(UpstreamError) as info:
        for delta in stream:
            received.append(delta.text)
    assert "".join(received) == "partial answer"
    assert info.value.upstream_status == 502
    assert "cut off" in info.value.message or "connection" in info.value.message.lower()


@pytest.mark.parametrize("where", ["top", "choice", "both"])
@pytest.mark.parametrize("done_after", [False, True])
def test_midstream_error_chunk_raises_after_partial_text(client, fake, where, done_after):
    fake.stream_plans.append(fo.stream_midstream_error(["Part"], where=where, done_after=done_after))
    stream = client.stream_chat([{"role": "user", "content": "hi"}], "x/y")
    received = []
    with pytest.raises(UpstreamError) as info:
        for delta in stream:
            received.append(delta.text)
    assert received == ["Part"]
    assert info.value.upstream_status == 502
    assert "provider" in info.value.message.lower()


def test_midstream_error_with_string_code(client, fake):
    fake.stream_plans.append(fo.stream_midstream_error([], code="server_error", message="boom"))
    with pytest.raises(UpstreamError) as info:
        collect(client.stream_chat([{"role": "user", "content": "hi"}], "x/y"))
    assert info.value.upstream_status == 502 and "boom" in info.value.detail


def test_read_timeout_while_streaming(fake):
    fake.stream_plans.append(fo.stream_then_wait(["a"], seconds=1.5))
    client = OpenRouterClient(fake.url, fake.api_key, connect_timeout=1, read_timeout=0.5)
    with pytest.raises(UpstreamError) as info:
        collect(client.stream_chat([{"role": "user", "content": "hi"}], "x/y"))
    assert info.value.upstream_status == 504


def test_keepalive_comments_keep_a_slow_stream_alive(fake):
    fake.stream_plans.append(fo.stream_then_wait(["a"], seconds=1.2, comments=True))
    client = OpenRouterClient(fake.url, fake.api_key, connect_timeout=1, read_timeout=0.6)
    assert collect(client.stream_chat([{"role": "user", "content": "hi"}], "x/y")) == "a end"


def test_a_connection_dropped_before_any_answer_is_retried_once(client, fake):
    fake.completion_plans.extend([fo.drop_connection(), fo.completion("After Retry")])
    assert client.complete([{"role": "user", "content": "hi"}], "x/y").content == "After Retry"
    fake.stream_plans.extend([fo.drop_connection(), fo.stream_tokens(["streamed"])])
    assert collect(client.stream_chat([{"role": "user", "content": "hi"}], "x/y")) == "streamed"
    assert len(fake.chat_requests()) == 4


def test_a_second_drop_is_an_error_not_a_loop(client, fake):
    fake.completion_plans.extend([fo.drop_connection(), fo.drop_connection(), fo.completion("never")])
    with pytest.raises(UpstreamError) as info:
        client.complete([{"role": "user", "content": "hi"}], "x/y")
    assert info.value.upstream_status == 502 and "connection" in info.value.message.lower()
    assert len(fake.chat_requests()) == 2


def test_unreachable_upstream_is_a_readable_error():
    client = OpenRouterClient("http://127.0.0.1:9/api/v1", "k", connect_timeout=1, read_timeout=1)
    with pytest.raises(UpstreamError) as info:
        client.complete([{"role": "user", "content": "hi"}], "x/y")
    assert info.value.upstream_status in (502, 504) and "OpenRouter" in info.value.message


ERROR_CASES = [
    (400, "x/y is not a valid model ID", "not a valid OpenRouter model ID"),
    (401, "No auth credentials found", "API key"),
    (402, "Insufficient credits", "out of credits"),
    (403, "Input requires moderation: flagged for harassment", "moderation"),
    (404, "No endpoints found for x/y:free.", "not available on OpenRouter"),
    (408, "Operation timed out", "timed out"),
    (429, "Rate limit exceeded: free-models-per-min.", "Rate limit"),
    (502, "Provider returned error", "provider returned an error"),
    (503, "No available model provider that meets your routing requirements", "No provider"),
]


@pytest.mark.parametrize("status,upstream_message,expected", ERROR_CASES)
def test_http_errors_map_to_plain_words(client, fake, status, upstream_message, expected):
    fake.stream_plans.append(fo.http_error(status, upstream_message))
    with pytest.raises(UpstreamError) as info:
        client.stream_chat([{"role": "user", "content": "hi"}], "x/y")
    assert info.value.upstream_status == status
    assert expected.lower() in info.value.message.lower()
    assert upstream_message in info.value.detail


def test_wrong_key_is_401_with_plain_words(fake):
    client = OpenRouterClient(fake.url, "sk-or-wrong", connect_timeout=1, read_timeout=1)
    with pytest.raises(UpstreamError) as info:
        client.complete([{"role": "user", "content": "hi"}], "x/y")
    assert info.value.upstream_status == 401 and "API key" in info.value.message


def test_rate_limit_reset_time_is_turned_into_a_wait_hint(client, fake):
    reset_ms = int((time.time() + 42) * 1000)
    fake.completion_plans.append(fo.http_error(
        429, "Rate limit exceeded: free-models-per-min.",
        metadata={"headers": {"X-RateLimit-Limit": "20", "X-RateLimit-Remaining": "0",
                              "X-RateLimit-Reset": str(reset_ms)}}))
    with pytest.raises(UpstreamError) as info:
        client.complete([{"role": "user", "content": "hi"}], "x/y")
    assert "free-models-per-min" in info.value.message
    assert "seconds" in info.value.message


def test_complete_returns_content_model_and_usage(client, fake):
    fake.completion_plans.append(fo.completion("A title", model="other/model"))
    result = client.complete([{"role": "user", "content": "hi"}], "x/y", models=["a/b", "x/y"], max_tokens=20)
    assert (result.content, result.model, result.finish_reason) == ("A title", "other/model", "stop")
    sent = fake.chat_requests()[-1].body
    assert sent["stream"] is False and sent["max_tokens"] == 20
    assert sent["models"] == ["x/y", "a/b"]


@pytest.mark.parametrize("content", ["", "\n", None])
def test_complete_with_empty_content(client, fake, content):
    fake.completion_plans.append(fo.completion(content, finish="length", reasoning="thinking..."))
    result = client.complete([{"role": "user", "content": "hi"}], "x/y")
    assert result.content.strip() == ""


@pytest.mark.parametrize("bare", [False, True])
def test_complete_error_inside_a_200(client, fake, bare):
    fake.completion_plans.append(fo.completion_error_in_200(bare=bare))
    with pytest.raises(UpstreamError) as info:
        client.complete([{"role": "user", "content": "hi"}], "x/y")
    assert info.value.upstream_status == 502


def test_complete_timeout(client, fake):
    fake.completion_plans.append(fo.completion("late", delay=1.5))
    with pytest.raises(UpstreamError) as info:
        client.complete([{"role": "user", "content": "hi"}], "x/y", timeout=0.5)
    assert info.value.upstream_status == 504


def test_list_models_flags_free_models(client):
    models = {m["id"]: m for m in client.list_models()}
    assert models[fo.FREE_MODEL]["free"] is True
    assert models["qwen/qwen3-4b"]["free"] is True  # both prices "0"
    assert models["openrouter/free"]["free"] is True
    assert models["openai/gpt-5"]["free"] is False
    assert models["openai/gpt-5"]["pricing"] == {"prompt": "0.00000125", "completion": "0.00001"}
    assert set(models["openai/gpt-5"]) == {"id", "name", "free", "context_length", "pricing",
                                                    "supported_parameters", "input_modalities"}
    assert models["openai/gpt-5"]["input_modalities"] == ["text", "image", "file"]


def test_a_started_stream_keeps_no_copy_of_the_request_body(client, fake):
    """A message with attachments is megabytes of base64: nothing holds it while the answer streams."""
    fake.stream_plans.append(fo.stream_tokens(["a"]))
    content = "x" * 2_000_000
    tracemalloc.start(64)
    try:
        stream = client.stream_chat([{"role": "user", "content": content}], "x/y")
        gc.collect()
        snapshot = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    the_fakes_record = tracemalloc.Filter(False, fo.__file__, all_frames=True)  # it keeps what it received
    kept = sum(trace.size for trace in snapshot.filter_traces([the_fakes_record]).traces)
    assert kept < 500_000  # the 2 MB body sent is not kept
    assert collect(stream) == "a"


@pytest.mark.parametrize("details_only", [False, True], ids=["reasoning", "reasoning_details only"])
def test_reasoning_deltas_come_apart_from_the_answer(client, fake, details_only):
    fake.stream_plans.append(fo.stream_reasoning(["Hmm, ", "let me see."], ["The ", "answer."],
                                                 details_only=details_only))
    deltas = list(client.stream_chat([{"role": "user", "content": "hi"}], "x/y"))
    assert "".join(d.text for d in deltas if d.kind == "reasoning") == "Hmm, let me see."
    assert "".join(d.text for d in deltas if d.kind == "chunk") == "The answer."


def test_encrypted_reasoning_details_give_no_text(client, fake):
    def plan(h, body):
        h.start_stream()
        h.write_data(h.chunk(None, reasoning_details=[{"type": "reasoning.encrypted", "data": "opaque"},
                                                      {"type": "reasoning.summary", "summary": "Summed up."}]))
        h.write_data(h.chunk("Ok", finish="stop"))
        h.write_data("[DONE]")
        h.end_stream()
    fake.stream_plans.append(plan)
    deltas = list(client.stream_chat([{"role": "user", "content": "hi"}], "x/y"))
    assert [(d.kind, d.text) for d in deltas] == [("reasoning", "Summed up."), ("chunk", "Ok")]


def test_an_answer_read_to_its_done_gives_its_connection_back_for_the_next(client, fake):
    """The body's end after [DONE] is read, so the next message goes out on the same connection
    (no new TCP and TLS handshake before its request)."""
    collect(client.stream_chat([{"role": "user", "content": "one"}], "x/y"))
    collect(client.stream_chat([{"role": "user", "content": "two"}], "x/y"))
    first, second = fake.chat_requests(stream=True)[-2:]
    assert first.peer_port == second.peer_port


def test_a_connection_cut_after_done_still_ends_the_answer_normally(client, fake):
    """Reading the body's end after [DONE] is for the connection's reuse only: a socket closed
    there costs the answer nothing."""
    def done_then_cut(h: fo.FakeHandler, body: dict) -> None:
        h.start_stream()
        h.write_data(h.chunk("Whole"))
        h.write_data(h.chunk("", finish="stop"))
        h.write_data("[DONE]")
        h.close_connection = True
        h.wfile.flush()
        h.connection.shutdown(socket.SHUT_RDWR)
    fake.stream_plans.append(done_then_cut)
    stream = client.stream_chat([{"role": "user", "content": "hi"}], "x/y")
    assert collect(stream) == "Whole" and stream.result.saw_done
