"""Several answers over HTTP (`OpenAIBackend.generate_many`) against a scripted loopback server;
the real llama-cpp-python server is in test_openai_server.py."""

from __future__ import annotations

import json

import pytest
from fake_openai import FakeOpenAI, raw, status, stream

from vibecli.backends.openai import EndpointAuth, OpenAIBackend
from vibecli.backends.openai_wire import MAX_LINE_BYTES, EndpointProtocolError


def _choices(*texts_per_choice: list[str]) -> dict:
    """A stream whose every chunk carries one piece of each choice, as an engine that honours `n` sends."""
    chunks = []
    for step in range(max(len(t) for t in texts_per_choice)):
        choices = [{"index": i, "text": t[step], "finish_reason": None}
                   for i, t in enumerate(texts_per_choice) if step < len(t)]
        chunks.append({"choices": choices})
    chunks.append({"choices": [{"index": i, "text": "", "finish_reason": "stop"} for i in range(len(texts_per_choice))]})
    data = b"".join(f"data: {json.dumps(c)}\n\n".encode() for c in chunks) + b"data: [DONE]\n\n"
    return raw(data)


def test_an_engine_that_takes_n_answers_the_sampled_ones_in_one_request():
    script = _choices(["def f", "():\n", "    pass"], ["def g", "():\n", "@@ done"])
    with FakeOpenAI(script, script) as fake:  # the greedy request reads the first choice of the same stream
        backend = OpenAIBackend(fake.url, dialect="vllm", seed=4)
        result = backend.generate_many("p", 3, stop=["@@ done"], temperature=0.8, top_p=0.9)
    texts = [c.text for c in result.candidates]
    assert texts == ["def f():\n    pass", "def f():\n    pass", "def g():\n"]
    assert [c.finish for c in result.candidates] == ["stop"] * 3 and [c.seed for c in result.candidates] == [None, 5, 6]
    bodies = sorted((r["body"] for r in fake.requests), key=lambda b: b.get("n", 1))
    assert bodies[0]["temperature"] == 0.0 and bodies[0]["seed"] == 4 and "n" not in bodies[0]
    assert bodies[1]["n"] == 2 and bodies[1]["seed"] == 5 and bodies[1]["temperature"] == 0.8 and bodies[1]["top_p"] == 0.9
    assert result.candidates[2].tokens == 3 and backend.requests == 2


def test_choices_an_engine_leaves_out_are_asked_for_one_by_one():
    one = _choices(["x = 1"])
    with FakeOpenAI(one, one, one) as fake:
        backend = OpenAIBackend(fake.url, dialect="vllm")
        result = backend.generate_many("p", 3, temperature=0.7)
    assert [c.text for c in result.candidates] == ["x = 1"] * 3
    seeds = sorted((r["body"]["seed"], r["body"].get("n", 1)) for r in fake.requests)
    assert seeds == [(0, 1), (1, 2), (2, 1)]  # greedy, the request for two, then the one it left out


def test_a_llama_cpp_server_gets_one_request_per_answer_each_with_its_seed():
    with FakeOpenAI(stream("a ", "b"), stream("a ", "b"), stream("a ", "b")) as fake:
        backend = OpenAIBackend(fake.url, seed=10)
        result = backend.generate_many("p", 3, temperature=0.5, top_p=0.8, seeds=[21, 22], max_tokens=20)
    assert [c.text for c in result.candidates] == ["a b"] * 3 and backend.requests == 3
    sent = sorted((r["body"]["seed"], r["body"]["temperature"], r["body"]["top_k"], r["body"]["top_p"])
                  for r in fake.requests)
    assert sent == [(10, 0.0, 1, 1.0), (21, 0.5, 40, 0.8), (22, 0.5, 40, 0.8)]
    assert all("n" not in r["body"] and r["body"]["max_tokens"] == 20 for r in fake.requests)


def test_a_failing_request_is_the_calls_one_line_error():
    refused = status(401, {"error": {"message": "bad key"}})
    with FakeOpenAI(refused, refused, refused) as fake:
        with pytest.raises(EndpointAuth, match="bad key"):
            OpenAIBackend(fake.url).generate_many("p", 3)


def test_the_caller_can_end_every_answer():
    pieces = [f"w{i} " for i in range(40)]
    with FakeOpenAI(stream(*pieces), stream(*pieces)) as fake:
        result = OpenAIBackend(fake.url).generate_many("p", 2, on_progress=lambda candidates: True)
    assert [c.finish for c in result.candidates] == ["cancelled"] * 2
    assert sum(c.tokens for c in result.candidates) == 1  # the first piece, then nothing more was taken


class EndlessLineForN(FakeOpenAI):
    """A greedy answer as usual; a line longer than any chunk to the request for several choices."""

    def next_behaviour(self, body: dict) -> dict:
        if body.get("n", 1) > 1:
            return raw(b"data: " + b"z" * (MAX_LINE_BYTES + 10) + b"\n\n")
        return stream("a ", "b")


def test_a_line_longer_than_any_chunk_is_refused_in_a_request_for_several_choices():
    with EndlessLineForN() as fake:
        with pytest.raises(EndpointProtocolError, match=f"malformed stream from .*: a line longer than {MAX_LINE_BYTES} bytes"):
            OpenAIBackend(fake.url, dialect="vllm").generate_many("p", 3, temperature=0.7)
    assert sorted(r["body"].get("n", 1) for r in fake.requests) == [1, 2]
