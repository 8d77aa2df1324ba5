from __future__ import annotations

import time

import pytest

from grammar_check import grammar_accepts
from vibecli.core import Edit
from vibecli.edits.envelope import OPS, format_envelope, parse_envelope
from vibecli.edits.grammar import FORMATS, envelope_grammar, header_grammar

SYMBOLS = {"pkg/a.py": ["f", "C", "C.m"], "b.md": [], 'we"ird.py': ["g"]}
CONTAINERS = {"pkg/a.py": ["C"]}


@pytest.mark.parametrize("build", [header_grammar, envelope_grammar])
def test_grammar_names_only_files_and_definitions_in_context(build):
    text = build(SYMBOLS, CONTAINERS)
    assert '"pkg/a.py "' in text and '"C.m"' in text and '"b.md"' in text
    assert '"we\\"ird.py "' in text


@pytest.mark.parametrize("build", [header_grammar, envelope_grammar])
def test_llama_cpp_compiles_the_grammar(build, vocab):
    from vibecli.backends.llama_lib import grammar_is_valid

    assert grammar_is_valid(vocab, build(SYMBOLS, CONTAINERS))
    assert not grammar_is_valid(vocab, "root ::= (")  # the check does tell a broken grammar


def test_no_possible_operation_is_an_error():
    with pytest.raises(ValueError):
        header_grammar({}, ops=("replace",))


VALID = [
    Edit("replace", "pkg/a.py", "def f():\n    return 1\n", "f"),
    Edit("replace", "pkg/a.py", "def m(self):\n    pass\n", "C.m"),
    Edit("insert-before", "pkg/a.py", "def e():\n    pass\n", "f"),
    Edit("insert-after", "pkg/a.py", "def g():\n    pass\n", "C"),
    Edit("append", "pkg/a.py", "def z():\n    pass\n"),
    Edit("append", "pkg/a.py", "def n(self):\n    pass\n", "C"),
    Edit("delete", "pkg/a.py", "", "C.m"),
    Edit("import", "pkg/a.py", "import os\n"),
    Edit("search", "b.md", "# New\n", search="# Old\n"),
    Edit("create", "pkg/new_module.py", "x = 1\n"),
    Edit("create", ".github/workflows/ci.yml", "on: push\n"),
    Edit("rewrite", "b.md", "# Title\n\n```python (a fence with words is code)\ntext\n"),
    Edit("rewrite", 'we"ird.py', "y = 2\n"),
]


@pytest.fixture(scope="module")
def vocab_llm(embedded_model):
    import llama_cpp

    from vibecli.backends.llama_lib import quiet_stderr

    with quiet_stderr(True):
        llm = llama_cpp.Llama(str(embedded_model), vocab_only=True, verbose=False)
    yield llm
    llm.close()


@pytest.mark.parametrize("edit", VALID, ids=lambda e: f"{e.op}-{e.symbol or e.path}")
def test_grammar_accepts_every_valid_envelope(vocab_llm, edit):
    text = format_envelope([edit], "python")
    assert parse_envelope(text) == [edit]  # the parser agrees
    assert grammar_accepts(vocab_llm, envelope_grammar(SYMBOLS, CONTAINERS), text), text


def test_grammar_accepts_several_edits_in_one_answer(vocab_llm):
    text = format_envelope(VALID[:3] + VALID[6:9], "")
    assert grammar_accepts(vocab_llm, envelope_grammar(SYMBOLS, CONTAINERS), text)


@pytest.mark.parametrize(
    "text",
    [
        "@@ replace pkg/missing.py f\n```\nx\n```\n@@ done",     # a file not in context
        "@@ replace pkg/a.py nope\n```\nx\n```\n@@ done",        # a definition that does not exist
        "@@ replace b.md f\n```\nx\n```\n@@ done",               # a name from another file
        "@@ append pkg/a.py f\n```\nx\n```\n@@ done",            # append into a function
        "@@ create ../escape.py\n```\nx\n```\n@@ done",          # a path leaving the repository
        "@@ create /etc/passwd\n```\nx\n```\n@@ done",
        "@@ rename pkg/a.py f\n```\nx\n```\n@@ done",            # an operation that does not exist
        "@@ replace pkg/a.py f\ndef f(): pass\n@@ done",         # no code block
        "@@ replace pkg/a.py f\n```\nx\n@@ done",                # code block never closed
        "@@ search b.md\n```\nonly one block\n```\n@@ done",     # search needs two blocks
        "Sure! Here is the edit:\n@@ replace pkg/a.py f\n```\nx\n```\n@@ done",
    ],
)
def test_grammar_rejects_malformed_or_made_up_envelopes(vocab_llm, text):
    assert not grammar_accepts(vocab_llm, envelope_grammar(SYMBOLS, CONTAINERS), text)


def test_header_grammar_follows_the_edit_format(vocab_llm):
    whole = header_grammar(SYMBOLS, CONTAINERS, FORMATS["whole"])
    assert grammar_accepts(vocab_llm, whole, "@@ rewrite pkg/a.py")
    assert not grammar_accepts(vocab_llm, whole, "@@ replace pkg/a.py f")
    symbol = header_grammar(SYMBOLS, CONTAINERS, FORMATS["symbol"])
    assert all(grammar_accepts(vocab_llm, symbol, f"@@ {op} pkg/a.py f") for op in ("replace", "delete", "insert-after"))
    assert set(FORMATS["symbol"]) == set(OPS)


def test_grammar_for_five_thousand_symbols_builds_fast(vocab):
    from vibecli.backends.llama_lib import grammar_is_valid

    symbols = {f"src/module_{i}.py": [f"Class{i}_{j}.method_{j}" for j in range(50)] for i in range(100)}
    started = time.perf_counter()
    text = header_grammar(symbols, {})
    built = time.perf_counter() - started
    assert sum(map(len, symbols.values())) == 5000
    assert built < 0.5, built  # measured ~0.01 s; generous for a loaded CI machine
    assert grammar_is_valid(vocab, text)
