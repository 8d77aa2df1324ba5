"""Answers in each edit format, checked by vibecli's own parser, address check and edit engine."""

from __future__ import annotations

import pytest

from vibecli.data.answers import answer, answer_gives, search_edits, symbol_edits

BEFORE = ('import os\n\n\nclass Box:\n    def __init__(self, size):\n        self.size = size\n\n'
          '    def area(self):\n        return self.size * self.size\n\n\ndef make(size):\n    return Box(size)\n')


def test_a_wrong_answer_does_not_verify():
    after = BEFORE.replace("return Box(size)", "return Box(size + 1)")
    good, _ = answer({"m.py": BEFORE}, {"m.py": after}, "whole")
    assert answer_gives({"m.py": BEFORE}, {"m.py": after}, good, "whole")
    wrong = good.replace("size + 1", "size + 2")
    assert not answer_gives({"m.py": BEFORE}, {"m.py": after}, wrong, "whole")
    assert not answer_gives({"m.py": BEFORE}, {"m.py": after}, "@@ rewrite m.py\nno fence", "whole")
    assert not answer_gives({"m.py": BEFORE}, {"m.py": after}, good.replace("@@ rewrite", "@@ search"), "whole")


def test_a_rewrite_is_not_accepted_as_a_search_format_answer():
    after = BEFORE.replace("return Box(size)", "return Box(abs(size))")
    whole, _ = answer({"m.py": BEFORE}, {"m.py": after}, "whole")
    assert not answer_gives({"m.py": BEFORE}, {"m.py": after}, whole, "search")


def test_symbol_replaces_only_the_method_that_changed():
    after = BEFORE.replace("return self.size * self.size", "return self.size ** 2")
    (edit,) = symbol_edits("m.py", BEFORE, after)
    assert (edit.op, edit.symbol) == ("replace", "Box.area")
    assert edit.body == "def area(self):\n    return self.size ** 2\n"


def test_symbol_inserts_a_new_function_after_its_neighbour_and_adds_an_import():
    after = BEFORE.replace("import os\n", "import os\nimport math\n") + "\n\ndef side(area):\n    return math.sqrt(area)\n"
    edits = symbol_edits("m.py", BEFORE, after)
    assert [(e.op, e.symbol) for e in edits] == [("import", None), ("insert-after", "make")]
    text, fallback = answer({"m.py": BEFORE}, {"m.py": after}, "symbol")
    assert not fallback and answer_gives({"m.py": BEFORE}, {"m.py": after}, text, "symbol")


def test_symbol_falls_back_to_rewrite_when_code_outside_definitions_changes():
    after = BEFORE.replace("import os\n", "")
    text, fallback = answer({"m.py": BEFORE}, {"m.py": after}, "symbol")
    assert fallback and text.startswith("@@ rewrite m.py\n")
    assert answer_gives({"m.py": BEFORE}, {"m.py": after}, text, "symbol")


def test_search_quotes_just_enough_context_to_be_unique():
    text = "def a():\n    return 1\n\n\ndef b():\n    return 1\n"
    after = text.replace("def b():\n    return 1", "def b():\n    return 2")
    (edit,) = search_edits("m.py", text, after)
    assert edit.search == "def b():\n    return 1\n" and edit.body == "def b():\n    return 2\n"


@pytest.mark.parametrize("edit_format", ["symbol", "search", "whole"])
def test_a_two_file_task_answers_in_every_format(edit_format):
    before = {"util.py": "def fooBar(x):\n    return x + 1\n", "main.py": "from util import fooBar\n\n\ndef run():\n    return fooBar(2)\n"}
    after = {p: t.replace("fooBar", "foo_bar") for p, t in before.items()}
    text, _ = answer(before, after, edit_format)
    assert {line.split()[2] for line in text.split("\n") if line.startswith("@@ ") and line != "@@ done"} == set(before)
    assert answer_gives(before, after, text, edit_format)


def test_a_new_file_is_created_in_every_format():
    before = {"m.py": "def f():\n    return 1\n"}
    after = {**before, "test_m.py": "from m import f\n\n\ndef test_f():\n    assert f() == 1\n"}
    for edit_format in ("symbol", "search", "whole"):
        text, _ = answer(before, after, edit_format)
        assert text.startswith("@@ create test_m.py\n") and answer_gives(before, after, text, edit_format)
