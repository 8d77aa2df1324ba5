"""Route examples: labels from synth tasks, phrase tables filled in, and every answer one the
model router may give for the files it came from."""

from __future__ import annotations

import re

from vibecli.data import route_phrases
from vibecli.data.routes import (compound_examples, mix, names_and_paths, phrase_examples, request_and_files,
                                 synth_examples, synth_label)
from vibecli.fixers.intents import INTENTS


def _task(kind: str, request: str, files: dict[str, str], answer: str = "", **meta) -> dict:
    shown = "".join(f"### File: {p}\n```python\n{t}```\n\n" for p, t in files.items())
    prompt = (f"=== Example\n### File: x.py\n```python\nx = 1\n```\n### Request: not this one\n### Answer:\nx\n\n"
              f"=== Task\n\n{shown}### Request: {request}\n### Answer:\n")
    return {"prompt": prompt, "answer": answer, "meta": {"kind": kind, "language": "python", **meta}}


IO = {"pkg/io.py": "def load(path):\n    return '%s' % path\n\n\ndef main():\n    return load('x')\n"}


def test_the_task_part_of_a_synth_prompt_is_read():
    request, files = request_and_files(_task("docstring", "Document `load`.", IO)["prompt"])
    assert request == "Document `load`." and files == IO


def test_synth_labels():
    fstring = synth_label(_task("fstring_percent", "Use an f-string in `load`", IO, ruff_rules=["UP031"]))
    assert fstring[2].args == {"intent": "f-strings"}
    # a kind ruff does, on a task not checked against ruff's rules: no label
    assert synth_label(_task("fstring_percent", "Use an f-string in `load`", IO)) is None
    assert synth_label(_task("dict_get", "Use dict.get.", IO, ruff_rules=["SIM401"])) is None
    assert synth_label(_task("docstring", "Document `load`.", IO))[2] is None
    renamed = "@@ rewrite pkg/io.py\n```python\ndef read_path(path):\n    return path\n\n\ndef main():\n" \
              "    return read_path('x')\n```\n@@ done\n"
    rename = synth_label(_task("rename_function", "Rename `load` to `read_path`.", IO, renamed))
    assert rename[2].args == {"old": "load", "new": "read_path"}
    # a local variable's rename stays with the model
    assert synth_label(_task("rename_variable", "Rename `path` to `where` in `load`.", IO, renamed))[2] is None


def test_synth_examples_are_capped_per_kind_and_label():
    rows = [_task("docstring", f"Document `load` ({i}).", IO) for i in range(10)]
    rows += [_task("is_none", f"Compare with None using is ({i})", IO, ruff_rules=["E711"]) for i in range(3)]
    examples = synth_examples(rows, per_kind=4)
    assert mix(examples) == {"none": 4, "ruff is None": 3}
    assert all(e["prompt"].endswith("\nTool:") for e in examples)


def test_phrase_tables_cover_every_intent_and_fill_in():
    assert set(route_phrases.REQUESTS) == {i.name for i in INTENTS}
    examples = phrase_examples(["load", "Store"], ["pkg/io.py"], [("load", "read_path")], seed=1)
    assert not [e for e in examples if re.search(r"\{(?:file|name|old|new)\}", e["prompt"])]
    renames = [e for e in examples if e["answer"].startswith(" rename")]
    assert renames and all(e["answer"] == " rename load read_path" and "read_path" in e["prompt"] for e in renames)
    counts = mix(examples)
    assert counts["none"] == 3 * len(route_phrases.NEAR_MISSES)
    assert sum(v for k, v in counts.items() if k.startswith("ruff")) == 2 * sum(map(len, route_phrases.REQUESTS.values()))


def test_names_and_paths_come_from_the_tasks():
    renamed = "@@ rewrite pkg/io.py\n```python\ndef read_path(path):\n    return path\n```\n@@ done\n"
    names, paths, renames = names_and_paths([_task("rename_function", "Rename `load` to `read_path`.", IO, renamed)])
    assert names == ["load", "main"] and paths == ["pkg/io.py"] and renames == [("load", "read_path")]


def test_two_requests_in_one_are_none_and_keep_both_parts_names():
    examples = phrase_examples(["load", "Store"], ["pkg/io.py"], [("load", "read_path")], seed=1)
    examples += synth_examples([_task("docstring", "Document `load`.", IO)], per_kind=1)
    compound = compound_examples(examples, 50, seed=2)
    assert len(compound) == 50 and {e["answer"] for e in compound} == {" none"}
    assert all(e["prompt"].count("\nRequest: ") == 1 and e["prompt"].endswith("\nTool:") for e in compound)
    assert any("\nDefined: load\n" in e["prompt"] and "ocument `load`" in e["prompt"] for e in compound)
    assert compound_examples([e for e in examples if e["answer"] == " none"], 5) == []
