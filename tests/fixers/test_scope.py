"""Narrowing a tool's result to the request's scope."""

from __future__ import annotations

from vibecli.fixers.edit import ruff_candidate
from vibecli.fixers import Route
from vibecli.fixers.scope import definition_spans, line_spans, narrow

OLD = "a = 1\n\n\ndef f():\n    return 1\n\n\ndef g():\n    return 2\n"
NEW = "a = 10\n\n\ndef f():\n    return 10\n\n\ndef g():\n    return 20\n"


def test_only_changes_inside_the_spans_are_kept():
    narrowed, dropped = narrow(OLD, NEW, definition_spans(OLD, "m.py", ("f",)))
    assert narrowed == OLD.replace("return 1", "return 10") and dropped == 2


def test_line_ranges_in_the_request():
    assert line_spans("simplify lines 10-20 and line 3") == [(10, 20), (3, 3)]
    assert line_spans("lines 9 to 4") == [(4, 9)]
    narrowed, _ = narrow(OLD, NEW, [(1, 1)])
    assert narrowed == OLD.replace("a = 1", "a = 10")


def test_a_ruff_fix_outside_the_named_function_is_dropped():
    text = 'import os\n\n\ndef f(x):\n    return "{}".format(x)\n\n\ndef g(x):\n    return "{}!".format(x)\n'
    route = Route("ruff", {"codes": ("UP032", "F401"), "symbols": ("g",), "lines": ()})
    candidate = ruff_candidate(route, {"m.py": text}, None)
    assert candidate.texts == {"m.py": text.replace('"{}!".format(x)', 'f"{x}!"')}
    assert candidate.dropped == 2  # the import and f's string: the rules fired where the request did not ask
