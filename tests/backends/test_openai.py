"""The HTTP backend against a scripted loopback server: streaming, pass-through, and every failure."""

from __future__ import annotations

import socket
import time

import pytest
from fake_openai import FakeOpenAI, drop, raw, stall, status, stream

from vibecli.backends.openai import (
    EndpointAuth,
    EndpointBusy,
    EndpointError,
    EndpointModelMissing,
    EndpointProtocolError,
    EndpointTimeout,
    EndpointUnreachable,
    OpenAIBackend,
    api_key_from,
)
from vibecli.core import EXIT_ERROR, Message


def backend(url: str, **kwargs) -> OpenAIBackend:
    kwargs.setdefault("backoff_s", 0.01)
    return OpenAIBackend(url, **kwargs)


def test_streams_pieces_and_sends_the_request_a_llama_cpp_server_understands():
    with FakeOpenAI(stream("@@ rewrite a.py\n", "x = 1\n", usage={"prompt_tokens": 12, "completion_tokens": 2})) as fake:
        gen = backend(fake.url, model="big", api_key="sk-test").generate(
            [Message("system", "You edit code."), Message("user", "make x 1")],
            grammar='root ::= "@@"', stop=["@@ done"], max_tokens=64, temperature=0.0,
        )
        pieces = list(gen)
    assert pieces == ["@@ rewrite a.py\n", "x = 1\n"]
    request = fake.requests[0]
    assert request["path"] == "/v1/completions"
    assert request["headers"]["Authorization"] == "Bearer sk-test"
    body = request["body"]
    assert body["prompt"] == "You edit code.\n### user:\nmake x 1\n"  # the in-process backend's flattening
    assert body["model"] == "big" and body["stream"] is True and body["max_tokens"] == 64
    assert body["grammar"] == 'root ::= "@@"' and body["stop"] == ["@@ done"]
    assert body["top_k"] == 1 and body["repeat_penalty"] == 1.0 and body["temperature"] == 0.0
    assert gen.usage.prompt_tokens == 12 and gen.usage.completion_tokens == 2 and gen.usage.finish == "stop"
    assert gen.usage.prompt_eval_s > 0 and gen.usage.load_s == 0


def test_plain_dialect_sends_no_grammar_and_vllm_its_own_field():
    with FakeOpenAI(stream("a"), stream("b")) as fake:
        list(backend(fake.url, dialect="plain").generate("p", grammar="root ::= x"))
        list(backend(fake.url, dialect="vllm").generate("p", grammar="root ::= x"))
    plain, vllm = (r["body"] for r in fake.requests)
    assert "grammar" not in plain and "top_k" not in plain and "model" not in plain
    assert vllm["guided_grammar"] == "root ::= x" and "grammar" not in vllm


def test_stop_strings_are_applied_even_when_the_server_ignores_them():
    with FakeOpenAI(stream("x = 1\n@@ do", "ne\nmore text")) as fake:
        gen = backend(fake.url).generate("p", stop=["@@ done", "a", "b", "c", "\n### "])
        text = "".join(gen)
    assert text == "x = 1\n"
    assert gen.usage.finish == "stop"
    assert fake.requests[0]["body"]["stop"] == ["@@ done", "a", "b", "c"]  # at most four go over the wire


def test_429_then_success_waits_and_retries():
    with FakeOpenAI(status(429, {"error": {"message": "slow down"}}, Retry_After="0.2"), stream("ok")) as fake:
        started = time.perf_counter()
        text = "".join(backend(fake.url).generate("p"))
        waited = time.perf_counter() - started
    assert text == "ok" and len(fake.requests) == 2
    assert waited >= 0.2  # Retry-After is honoured


def test_5xx_every_time_ends_after_the_retries_with_one_line():
    with FakeOpenAI(*[status(503, "overloaded")] * 3) as fake, pytest.raises(EndpointBusy) as caught:
        "".join(backend(fake.url, retries=2).generate("p"))
    assert len(fake.requests) == 3
    assert "server error 503" in caught.value.message and "overloaded" in caught.value.message
    assert "\n" not in caught.value.message and caught.value.exit_code == EXIT_ERROR


def test_401_is_not_retried_and_names_the_key_variable():
    with FakeOpenAI(status(401, {"error": {"message": "invalid api key"}})) as fake:
        with pytest.raises(EndpointAuth, match="invalid api key.*api_key_env"):
            "".join(backend(fake.url).generate("p"))
    assert len(fake.requests) == 1


def test_404_names_the_model():
    with FakeOpenAI(status(404, {"error": {"message": "model 'big' not found"}})) as fake:
        with pytest.raises(EndpointModelMissing, match="model 'big' not found.*--endpoint-model"):
            "".join(backend(fake.url, model="big").generate("p"))


def test_400_about_the_grammar_says_how_to_turn_it_off():
    with FakeOpenAI(status(400, {"error": {"message": "unrecognized field: grammar"}})) as fake:
        with pytest.raises(EndpointError, match="endpoint_dialect: plain"):
            "".join(backend(fake.url).generate("p", grammar="root ::= x"))


def test_connection_refused_is_retried_then_one_line():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    with pytest.raises(EndpointUnreachable, match="connection refused"):
        "".join(backend(f"http://127.0.0.1:{port}/v1", retries=1).generate("p"))


def test_dropped_mid_stream_resumes_from_what_arrived():
    with FakeOpenAI(drop("def f():\n", "    ret"), stream("urn 1\n")) as fake:
        gen = backend(fake.url).generate("PROMPT:", max_tokens=50)
        text = "".join(gen)
    assert text == "def f():\n    return 1\n"
    second = fake.requests[1]["body"]
    assert second["prompt"] == "PROMPT:def f():\n    ret"  # the answer so far, continued
    assert second["max_tokens"] == 48
    assert gen.usage.completion_tokens == 3


def test_a_grammar_answer_that_dropped_is_not_resumed():
    with FakeOpenAI(drop("@@ rep"), stream("lace a.py f\n")) as fake:
        with pytest.raises(EndpointProtocolError, match="dropped the connection mid-answer"):
            "".join(backend(fake.url).generate("p", grammar="root ::= x"))
    assert len(fake.requests) == 1


def test_dropped_every_time_ends_with_one_line():
    with FakeOpenAI(drop(), drop(), drop()) as fake:
        with pytest.raises(EndpointProtocolError, match="dropped the connection mid-answer"):
            "".join(backend(fake.url, retries=2).generate("p"))
    assert len(fake.requests) == 3


def test_stalled_stream_times_out():
    with FakeOpenAI(stall("x", seconds=3)) as fake:
        gen = backend(fake.url, timeout=0.5).generate("p")
        pieces = []
        started = time.perf_counter()
        with pytest.raises(EndpointTimeout, match=r"sent nothing for 0.5 s"):
            for piece in gen:
                pieces.append(piece)
        assert time.perf_counter() - started < 2.5
    assert pieces == ["x"]


def test_garbage_bytes_are_a_malformed_stream():
    with FakeOpenAI(raw(b"\x89PNG\r\n\x1a\n\x00\x00garbage")) as fake:
        with pytest.raises(EndpointProtocolError, match="malformed stream"):
            "".join(backend(fake.url).generate("p"))


def test_events_that_are_not_json_are_a_malformed_stream():
    with FakeOpenAI(raw(b"data: {not json\n\n")) as fake, pytest.raises(EndpointProtocolError, match="not JSON"):
        "".join(backend(fake.url).generate("p"))


def test_a_non_streamed_json_answer_is_accepted():
    body = b'{"choices": [{"text": "whole answer", "finish_reason": "length"}], "usage": {"prompt_tokens": 3, "completion_tokens": 2}}'
    with FakeOpenAI(raw(body, "application/json")) as fake:
        gen = backend(fake.url).generate("p")
        assert "".join(gen) == "whole answer"
    assert gen.usage.finish == "length" and gen.usage.completion_tokens == 2


def test_the_key_comes_from_the_variable_config_names():
    assert api_key_from("MY_KEY", {"MY_KEY": "sk-1"}) == "sk-1"
    assert api_key_from(None, {}) is None
    with pytest.raises(EndpointAuth, match="api_key_env names MY_KEY, but MY_KEY is not set"):
        api_key_from("MY_KEY", {})


def test_a_bad_endpoint_is_one_line():
    with pytest.raises(EndpointError, match="http:// or https://"):
        OpenAIBackend("localhost:8080")


def test_chat_api_sends_the_prompt_as_a_user_message_and_the_prefill_as_the_assistant_start():
    with FakeOpenAI(stream("@@ replace a.py f\n"), stream("    return 2\n", "```\n"), stream("x")) as fake:
        chat = backend(fake.url, api="chat", model="coder")
        assert chat.takes_prefill
        header = "".join(chat.generate("EDIT PROMPT", grammar='root ::= "@@"', stop=["\n"], max_tokens=16))
        body = "".join(chat.generate("EDIT PROMPT", prefill="@@ replace a.py f\n```python\n", stop=["\n```"]))
        list(backend(fake.url, api="chat", dialect="vllm").generate("P", prefill="@@ "))
    assert header == "@@ replace a.py f"
    assert body == "    return 2"  # up to the stop string
    first, second, third = (r["body"] for r in fake.requests)
    assert all(r["path"] == "/v1/chat/completions" for r in fake.requests)
    assert first["messages"] == [{"role": "user", "content": "EDIT PROMPT"}] and "prompt" not in first
    assert first["grammar"] == 'root ::= "@@"' and first["model"] == "coder"
    assert second["messages"] == [{"role": "user", "content": "EDIT PROMPT"},
                                  {"role": "assistant", "content": "@@ replace a.py f\n```python\n"}]
    assert "continue_final_message" not in second  # llama.cpp's server continues a final assistant message itself
    assert third["continue_final_message"] is True and third["add_generation_prompt"] is False


def test_chat_api_resumes_a_dropped_answer_inside_the_assistant_message():
    with FakeOpenAI(drop("def f():\n", "    ret"), stream("urn 1\n")) as fake:
        text = "".join(backend(fake.url, api="chat").generate([Message("system", "S"), Message("user", "U")],
                                                             prefill="```python\n", max_tokens=50))
    assert text == "def f():\n    return 1\n"
    assert fake.requests[1]["body"]["messages"] == [
        {"role": "system", "content": "S"}, {"role": "user", "content": "U"},
        {"role": "assistant", "content": "```python\ndef f():\n    ret"},
    ]


def test_completions_api_takes_a_prefill_as_more_prompt_text():
    with FakeOpenAI(stream("1\n")) as fake:
        plain = backend(fake.url)
        assert not plain.takes_prefill
        assert "".join(plain.generate("P:", prefill="x = ")) == "1\n"
    assert fake.requests[0]["body"]["prompt"] == "P:x = " and fake.requests[0]["path"] == "/v1/completions"


def test_an_unknown_api_is_one_line():
    with pytest.raises(EndpointError, match="endpoint_api must be one of completions, chat"):
        OpenAIBackend("http://127.0.0.1:1/v1", api="responses")


def test_endpoint_api_in_settings_reaches_the_backend(tmp_path):
    from vibecli.backends import make_backend
    from vibecli.settings import Settings

    chat = make_backend(Settings(backend="openai", endpoint="http://127.0.0.1:1/v1", endpoint_api="chat"), tmp_path)
    assert chat.api == "chat" and chat.takes_prefill
    assert make_backend(Settings(backend="openai", endpoint="http://127.0.0.1:1/v1"), tmp_path).api == "completions"
