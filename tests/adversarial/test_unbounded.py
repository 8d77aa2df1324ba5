"""Unbounded answers: a 10 MB answer, a server that streams forever past max_tokens, one that
trickles a byte at a time so no read ever times out, an endless line. Every backend bounds them
itself; nothing over max_file_bytes is written; HTTP proxies are honoured (loopback servers)."""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fake_openai import FakeOpenAI, endless, raw, stream, trickle
from harness import RETURN_GREET, Snapshot, answer, check

INSTRUCTION = "make greet return the greeting"
GOOD = answer("greet.py", "greet", RETURN_GREET)
TEN_MB = "x = 1\n" * (10_000_000 // 6)


def _openai(sandbox, url: str, *flags: str, **env):
    return sandbox.run("edit", INSTRUCTION, "greet.py", "--backend", "openai", "--endpoint", url, "--json", *flags,
                       timeout=60, **env)


@pytest.mark.parametrize("op, path", [("rewrite", "greet.py"), ("create", "big.py"), ("create", "new/deep/big.py")])
def test_a_ten_megabyte_answer_is_cut_at_max_tokens(clean_sandbox, op, path):
    sandbox = clean_sandbox
    before = Snapshot.take(sandbox)
    run = sandbox.edit(INSTRUCTION, "greet.py", "--max-attempts", "1", answers=(answer(path, None, TEN_MB, op=op),))
    check(sandbox, before, run, exit_code=3)
    assert (sandbox.home / "logbook.db").stat().st_size < 2_000_000  # the answer kept is the bounded one


@pytest.mark.parametrize("op, path", [("rewrite", "big.py"), ("create", "new/bigger.py")])
def test_an_answer_over_max_file_bytes_is_never_written(clean_sandbox, op, path):
    """With max_tokens out of the way and a big file in context (so a big answer is in budget), the
    file the answer makes would be 10 MB: over max_file_bytes (1 MB), so it goes back to the model."""
    sandbox = clean_sandbox
    sandbox.commit({"big.py": "a = 1  # " + "." * 80 + "\n" * 1 + ("b = 2  # " + "." * 80 + "\n") * 10_000})
    long_lines = "".join(f"x{i}={'1' * 50}\n" for i in range(10_000_000 // 58))  # one word a line
    before = Snapshot.take(sandbox)
    run = sandbox.edit(INSTRUCTION, "big.py", "--max-attempts", "1", "--max-tokens", "50000000",
                       answers=(answer(path, None, long_lines, op=op),))
    check(sandbox, before, run, exit_code=3)
    assert "max_file_bytes" in run.stderr


def test_a_smaller_max_file_bytes_is_honoured_for_answers_too(clean_sandbox):
    sandbox = clean_sandbox
    before = Snapshot.take(sandbox)
    code = 'def greet(name):\n    return "Hello, " + name  # ' + "y" * 300 + "\n"
    run = sandbox.edit(INSTRUCTION, "greet.py", "--max-attempts", "1", answers=(answer("greet.py", "greet", code),),
                       VIBECLI_MAX_FILE_BYTES="200")
    check(sandbox, before, run, exit_code=3)


def test_a_server_that_ignores_max_tokens_is_not_read_past_them(sandbox):
    with FakeOpenAI(endless("tok ")) as fake:
        before = Snapshot.take(sandbox)
        run = _openai(sandbox, fake.url, "--max-tokens", "64", "--max-attempts", "1")
        check(sandbox, before, run, exit_code=3)
        assert fake.hung_up.wait(10)
    assert run.seconds < 30
    assert run.json["tokens"]["completion"] <= 64


def test_an_answer_then_endless_text_stops_at_the_answers_end(sandbox):
    with FakeOpenAI(endless("\n@@ done\nmore and more ", first=GOOD)) as fake:
        before = Snapshot.take(sandbox)
        run = _openai(sandbox, fake.url, "--max-attempts", "1")
        check(sandbox, before, run, exit_code=0, committed=["greet.py"])
        assert fake.hung_up.wait(10)


@pytest.mark.parametrize("behaviour", ["trickle", "slow endless"])
def test_a_server_that_never_finishes_is_cut_at_call_timeout(sandbox, behaviour):
    script = trickle(every=0.1) if behaviour == "trickle" else endless("a ", every=0.05)
    with FakeOpenAI(script) as fake:
        before = Snapshot.take(sandbox)
        run = _openai(sandbox, fake.url, "--max-tokens", "100000", "--max-attempts", "1", VIBECLI_CALL_TIMEOUT="2")
        check(sandbox, before, run, exit_code=1)
    assert "call_timeout" in run.stderr and run.seconds < 20


def test_a_scripted_answer_slower_than_call_timeout(sandbox):
    before = Snapshot.take(sandbox)
    run = sandbox.edit(INSTRUCTION, "greet.py", answers=({"text": GOOD, "delay": 0.4},), VIBECLI_CALL_TIMEOUT="1")
    check(sandbox, before, run, exit_code=1)
    assert "call_timeout" in run.stderr and run.seconds < 20


def test_an_endless_line_is_refused(sandbox):
    with FakeOpenAI(raw(b"data: " + b"z" * 3_000_000 + b"\n\n")) as fake:
        before = Snapshot.take(sandbox)
        run = _openai(sandbox, fake.url, "--max-attempts", "1")
        check(sandbox, before, run, exit_code=1)
    assert "longer than" in run.stderr


def test_the_proxy_of_the_environment_is_used(sandbox):
    with FakeOpenAI(stream(GOOD)) as proxy:
        before = Snapshot.take(sandbox)
        run = _openai(sandbox, "http://model.internal:8080/v1", HTTP_PROXY=f"http://127.0.0.1:{urlsplit(proxy.url).port}",
                      NO_PROXY="", no_proxy="")
        check(sandbox, before, run, exit_code=0, committed=["greet.py"])
    assert proxy.requests[0]["path"] == "http://model.internal:8080/v1/completions"


def test_no_proxy_reaches_the_host_directly(sandbox):
    with FakeOpenAI(stream(GOOD)) as proxy:
        before = Snapshot.take(sandbox)
        run = _openai(sandbox, "http://model.invalid:8080/v1", HTTP_PROXY=f"http://127.0.0.1:{urlsplit(proxy.url).port}",
                      NO_PROXY="localhost,.invalid")
        check(sandbox, before, run, exit_code=1)
        assert proxy.requests == []
    assert "cannot resolve model.invalid" in run.stderr


def test_a_loopback_server_is_reached_directly_whatever_the_proxy(sandbox):
    with FakeOpenAI(stream(GOOD)) as fake:
        before = Snapshot.take(sandbox)
        run = _openai(sandbox, fake.url, HTTP_PROXY="http://127.0.0.1:9", HTTPS_PROXY="http://127.0.0.1:9",
                      ALL_PROXY="http://127.0.0.1:9")
        check(sandbox, before, run, exit_code=0, committed=["greet.py"])


# -- a real llama.cpp server (llama-cpp-python's) on loopback

@pytest.fixture(scope="module")
def real_server(embedded_model, tmp_path_factory):
    """Started under the model-tests lock (loading is work), which each test then takes in turn."""
    from llama_server import llama_server

    folder = Path(os.environ.get("VIBECLI_TEST_MODEL_CACHE", Path.home() / ".cache" / "vibecli-test"))
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "model-tests.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        context = llama_server(embedded_model, log=tmp_path_factory.mktemp("server") / "log")
        url = context.__enter__()
    try:
        yield url
    finally:
        context.__exit__(None, None, None)


@pytest.mark.model
def test_a_real_server_is_held_to_max_tokens_and_call_timeout(sandbox, real_server):
    before = Snapshot.take(sandbox)
    run = _openai(sandbox, real_server, "--max-tokens", "8", "--max-attempts", "1", "--grammar", "off")
    check(sandbox, before, run, exit_code=3)
    calls = sandbox.run("log", "show", run.json["run_id"], "--json").json["calls"]
    assert calls and all(c["completion_tokens"] <= 8 for c in calls)
    started = time.monotonic()
    before = Snapshot.take(sandbox)
    run = _openai(sandbox, real_server, "--max-tokens", "4000", "--max-attempts", "1", "--grammar", "off",
                  VIBECLI_CALL_TIMEOUT="0.3")
    check(sandbox, before, run, exit_code=1)
    assert "call_timeout" in run.stderr and time.monotonic() - started < 30
