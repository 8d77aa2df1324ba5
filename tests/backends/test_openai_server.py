"""The HTTP backend against a real engine: llama-cpp-python's own OpenAI-compatible server
(`python -m llama_cpp.server`) with the embedded model on 127.0.0.1. Slow: marked `model`."""

from __future__ import annotations

import fcntl
import sqlite3

import pytest
from conftest import GREET, _test_cache, replay_file, run_cli
from llama_server import llama_server

from vibecli.edits.envelope import HEADER
from vibecli.edits.grammar import header_grammar

pytestmark = pytest.mark.model
INSTRUCTION = "make greet() return the greeting instead of printing it"


@pytest.fixture(scope="module")
def server(embedded_model, tmp_path_factory):
    """One server for the module. It starts under the model-tests lock (loading is work); idle, it costs nothing."""
    folder = _test_cache()
    folder.mkdir(parents=True, exist_ok=True)
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    with open(folder / "model-tests.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        context = llama_server(embedded_model, log=log)
        url = context.__enter__()
    try:
        yield url
    finally:
        context.__exit__(None, None, None)


def test_the_grammar_passes_through_to_the_server(server):
    from vibecli.backends.openai import OpenAIBackend

    symbols = {"shop/cart.py": ["Cart", "Cart.total", "discount"], "README.md": []}
    prompt = "Edit lines name a file and a definition.\n### Request: fix the bananas\n### Answer:\n"
    gen = OpenAIBackend(server, model="gemma").generate(
        prompt, grammar=header_grammar(symbols, ops=("replace", "rewrite")), stop=["\n"], max_tokens=32
    )
    header = "".join(gen).strip()
    match = HEADER.fullmatch(header)
    assert match, header  # unconstrained, this base model does not write an edit line from so bare a prompt
    op, path, symbol = match.groups()
    assert path in symbols and (op == "rewrite" or symbol in symbols[path])
    assert gen.usage.completion_tokens > 0 and gen.usage.finish in ("stop", "length")


def test_edit_with_the_openai_backend(repo, server, vibecli_home):
    result = run_cli("edit", INSTRUCTION, "greet.py", "--backend", "openai", "--endpoint", server,
                     "--endpoint-model", "gemma", "--max-attempts", "1", "--max-tokens", "100", "--json")
    report = result.json
    # the 270m base model is often wrong; what is tested is the path: a real answer, judged like a local one
    assert result.exit_code in (0, 3), result.stderr
    assert report["backend"] == "openai" and report["model"] == "gemma"
    assert report["tokens"]["completion"] > 0 and report["timings"]["load_s"] == 0
    db = sqlite3.connect(vibecli_home / "logbook.db")
    calls = db.execute("SELECT kind, output, finish, completion_tokens FROM calls WHERE run_id = ?",
                       (report["run_id"],)).fetchall()
    assert calls and all(tokens > 0 for _, _, _, tokens in calls)
    assert any(output.strip() for _, output, _, _ in calls)
    if result.exit_code == 0:
        compile((repo / "greet.py").read_text(), "greet.py", "exec")
    else:
        assert (repo / "greet.py").read_text() == GREET


def test_auto_route_escalates_from_replay_to_the_server(repo, server, tmp_path, vibecli_home):
    replay = replay_file(tmp_path, "this is not an edit")
    result = run_cli("edit", INSTRUCTION, "greet.py", "--backend", "replay", "--replay-file", str(replay),
                     "--route", "auto", "--endpoint", server, "--endpoint-model", "gemma", "--max-attempts", "1",
                     "--max-tokens", "100", "--json")
    report = result.json
    assert result.exit_code in (0, 3), result.stderr
    assert report["backend"] == "openai"
    local = report["escalated_from"]
    assert local["backend"] == "replay" and local["status"] == "rejected"
    db = sqlite3.connect(vibecli_home / "logbook.db")
    rows = dict(db.execute("SELECT id, escalated_from FROM runs").fetchall())
    assert rows == {local["run_id"]: None, report["run_id"]: local["run_id"]}
    # the pair the flywheel wants: the local failure and the larger model's answer, both kept
    outputs = dict(db.execute("SELECT run_id, group_concat(output) FROM calls GROUP BY run_id").fetchall())
    assert outputs[local["run_id"]] == "this is not an edit" and outputs[report["run_id"]].strip()


def test_candidates_from_the_server_one_request_each(server):
    from vibecli.backends.openai import OpenAIBackend

    backend = OpenAIBackend(server, model="gemma")
    prompt = "### File: shapes.py\n```python\nclass Square:\n    def __init__(self, side):\n        self.side = side\n```\n" \
             "### Request: add an area method\n### Answer:\n```python\n"
    result = backend.generate_many(prompt, 3, stop=["\n```"], max_tokens=32, temperature=1.0, seeds=[1, 2])
    # llama-cpp-python's server ignores `n`: the llama.cpp dialect sends one request per answer
    assert backend.requests == 3 and [c.seed for c in result.candidates] == [None, 1, 2]
    for candidate in result.candidates:
        assert candidate.text.strip() and "\n```" not in candidate.text
        assert 0 < candidate.tokens <= 32 and candidate.finish in ("stop", "length")
    assert result.usage.completion_tokens == sum(c.tokens for c in result.candidates)
