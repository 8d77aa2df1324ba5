"""Every edit kind of `data synth`, on a small real-looking package (fixtures/shapes): the task's
before- and after-files against golden files, and its answer in every format verified.

Set UPDATE_GOLDEN=1 to rewrite the golden files after a deliberate change (and read the diff).
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from vibecli.data import cst as c
from vibecli.data.answers import answer, answer_gives
from vibecli.data.kinds import load
from vibecli.data.sources import open_source
from vibecli.data.synth import tasks_of

FIXTURE = Path(__file__).parent / "fixtures" / "shapes"
GOLDEN = Path(__file__).parent / "golden" / "kinds"
KINDS = sorted(load()) + ["add_test"]


def _task(kind: str):
    return next(tasks_of(open_source(str(FIXTURE)), kinds={kind}, per_kind=1), None)


def _golden_text(task) -> str:
    parts = [f"kind: {task.kind}", f"request ({task.style}, {task.naming}): {task.instruction}"]
    if task.ruff_rules:
        parts.append(f"ruff: {' '.join(task.ruff_rules)}")
    if task.rename:
        parts.append(f"rename: {task.rename[0]} -> {task.rename[1]}")
    for label, files in (("before", task.before), ("after", task.after)):
        for path, text in files.items():
            parts.append(f"=== {label} {path}\n{text}")
    return "\n".join(parts).rstrip("\n") + "\n"


def test_there_are_at_least_thirty_kinds_with_phrasings_of_both_styles():
    from vibecli.data.phrasings import P

    assert len(KINDS) >= 30
    assert set(KINDS) <= set(P)
    for kind in KINDS:
        terse, descriptive = P[kind]
        assert terse and descriptive


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_makes_its_golden_task_and_every_format_answers_it(kind):
    task = _task(kind)
    assert task is not None, f"{kind}: no task from the fixture package"
    golden = GOLDEN / f"{kind}.txt"
    text = _golden_text(task)
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text)
    assert text == golden.read_text()
    assert task.before != task.after
    for files in (task.before, task.after):
        assert all(c.compiles(t) for t in files.values())
    for edit_format in ("symbol", "search", "whole"):
        made, _ = answer(task.before, task.after, edit_format)
        assert answer_gives(task.before, task.after, made, edit_format), (edit_format, made)


def test_a_kind_that_finds_nothing_to_change_makes_no_task():
    from vibecli.data.units import units_of

    (unit,) = [u for u in units_of("m.py", "def f(x):\n    y = x\n    return y\n", random.Random(0))]
    registry = load()
    for name in ("fstring_format", "dict_get", "with_open", "enumerate", "any_all", "docstring", "validate_input"):
        assert registry[name].make(unit, random.Random(0)) is None


def test_the_same_seed_gives_the_same_tasks_and_another_seed_other_choices():
    source = open_source(str(FIXTURE))
    first = [(t.kind, t.instruction, t.before) for t in tasks_of(source, seed=3)]
    again = [(t.kind, t.instruction, t.before) for t in tasks_of(source, seed=3)]
    other = [(t.kind, t.instruction, t.before) for t in tasks_of(source, seed=4)]
    assert first == again and first != other


def test_transforms_keep_comments_and_formatting_outside_the_change():
    from vibecli.data.units import units_of

    text = ('def scaled(values, factor):\n    # keep the order   (callers rely on it)\n'
            '    out = [v * factor for v in values if v]  # trailing note\n    return out\n')
    (unit,) = list(units_of("m.py", text, random.Random(0)))
    made = load()["list_comprehension"].make(unit, random.Random(0))
    (before,) = made.before.values()
    assert before.startswith("def scaled(values, factor):\n    # keep the order   (callers rely on it)\n    out = []\n")
    assert made.after["m.py"] == text


def test_a_rename_records_old_and_new_and_a_ruff_kind_its_rules():
    task = _task("rename_function")
    assert task.rename == ("groupByFirstLetter", "group_by_first_letter") or task.rename[1] in task.after[next(iter(task.after))]
    assert _task("fstring_format").ruff_rules == ("UP032",)
    assert _task("rename_across_files").rename and len(_task("rename_across_files").before) == 2


# refactoring kinds must not change behaviour: run both versions of the fixture's function
SAME_BEHAVIOUR = {
    "list_comprehension": ("positive", [([3, -1, 0, 5],), ([],)]),
    "comprehension_to_loop": ("positive", [([3, -1, 0, 5],), ([],)]),
    "enumerate": ("numbered", [(["a", "b"],), ([],)]),
    "dict_get": ("price_of", [({"a": 2}, "a"), ({"a": 2}, "b")]),
    "any_all": ("has_negative", [([1, -2],), ([1, 2],), ([],)]),
    "early_return": ("first_word", [("Hello world",), ("",)]),
    "ternary": ("bigger", [(1, 2), (3, 2)]),
    "simplify_return": ("missing", [(None,), (1,), (None, 2)]),
    "str_join": ("line_of", [(["a", "b"],), ([],)]),
    "set_membership": ("kind_of", [("pear",), ("fig",)]),
    "defaultdict": ("group_by_first_letter", [(["apple", "avocado", "pear"],)]),
    "fstring_format": ("describe", [("pear", 2, "kg")]),
    "fstring_percent": ("describe", [("pear", 2, "kg")]),
    "extract_helper": ("doubled_total", [([1, 2, 3],), ([],)]),
    "inline_helper": ("doubled_total", [([1, 2, 3],), ([],)]),
    "is_none": ("missing", [(None,), (0,), (None, 1)]),
    "lru_cache": ("describe", [("pear", 2, "kg")]),
}


def _run(text: str, name: str, args: tuple):
    namespace: dict = {}
    exec(compile(text, "<task>", "exec"), namespace)
    result = namespace[name](*args)
    return dict(result) if isinstance(result, dict) else result


@pytest.mark.parametrize("kind", sorted(SAME_BEHAVIOUR))
def test_refactoring_kinds_keep_behaviour(kind):
    task = _task(kind)
    name, inputs = SAME_BEHAVIOUR[kind]
    (before,), (after,) = task.before.values(), task.after.values()
    for args in inputs:
        assert _run(before, name, args) == _run(after, name, args), (kind, args)


def test_a_dataclass_task_keeps_the_blank_lines_between_imports_and_class():
    from vibecli.data.units import units_of

    text = ("from dataclasses import dataclass\nfrom decimal import Decimal\n\n\n@dataclass\nclass Price:\n"
            "    amount: Decimal\n    currency: str = 'EUR'\n\n    def label(self):\n        return f'{self.amount} {self.currency}'\n")
    (unit,) = [u for u in units_of("m.py", text, random.Random(0)) if u.kind == "class"]
    made = load()["dataclass"].make(unit, random.Random(0))
    assert made.before["m.py"].startswith("from decimal import Decimal\n\n\nclass Price:\n    def __init__(self, amount: Decimal, currency: str = 'EUR'):\n")


def test_add_parameter_takes_numbers_and_strings_only():
    from vibecli.data.units import units_of

    for default, made in (("None", False), ("True", False), ("3", True), ("'utf-8'", True)):
        text = f"def read(path, limit={default}):\n    data = open(path).read()\n    return data[:limit]\n"
        (unit,) = list(units_of("m.py", text, random.Random(0)))
        assert (load()["add_parameter"].make(unit, random.Random(0)) is not None) is made, default
