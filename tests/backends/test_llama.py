"""The real llama.cpp path on the embedded model. Slow: run serially (two llama.cpp processes thrash)."""

from __future__ import annotations

import pytest

from vibecli.core import VibeError
from vibecli.edits.envelope import HEADER
from vibecli.edits.grammar import header_grammar

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def backend(embedded_model):
    from vibecli.backends.llama import LlamaCppBackend

    return LlamaCppBackend(
        embedded_model, model_name="gemma", model_sha256="", context_length=32768, threads=2, seed=0
    )


def test_streams_and_stops_and_reports_usage(backend):
    gen = backend.generate("def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n", stop=["\n\n"], max_tokens=40)
    text = "".join(gen)
    assert text and "\n\n" not in text
    usage = gen.usage
    assert usage.prompt_tokens > 10 and 0 < usage.completion_tokens <= 40
    assert usage.finish in ("stop", "eog", "length") and usage.load_s > 0 and usage.prompt_eval_s > 0


def test_loads_once_per_process(backend):
    backend.generate("x = 1\n", max_tokens=2).pieces.close()
    llm = backend._llm
    "".join(backend.generate("y = 2\n", max_tokens=3))
    assert backend._llm is llm


def test_header_grammar_forces_a_known_file_and_definition(backend):
    symbols = {"shop/cart.py": ["Cart", "Cart.total", "discount"], "README.md": []}
    prompt = "Edit lines name a file and a definition.\n### Request: fix the bananas\n### Answer:\n"
    ops = ("replace", "rewrite")
    gen = backend.generate(prompt, grammar=header_grammar(symbols, ops=ops), stop=["\n"], max_tokens=32)
    header = "".join(gen).strip()
    match = HEADER.fullmatch(header)
    assert match, header
    op, path, symbol = match.groups()
    assert path in symbols and (op == "rewrite" or symbol in symbols[path])


def test_a_prompt_larger_than_the_context_is_a_clear_error(embedded_model):
    from vibecli.backends.llama import LlamaCppBackend

    small = LlamaCppBackend(embedded_model, model_name="g", model_sha256="", context_length=256, threads=2)
    with pytest.raises(VibeError, match="context holds 256"):
        "".join(small.generate("word " * 400, max_tokens=8))


def test_a_seed_makes_sampling_repeatable(backend):
    prompt = "def fibonacci(n):\n"
    first = "".join(backend.generate(prompt, max_tokens=24, temperature=0.9))
    second = "".join(backend.generate(prompt, max_tokens=24, temperature=0.9))
    assert first == second
