"""Unbound names: what a module reads and nothing binds, and what an edit adds to them."""

from __future__ import annotations

import pytest

from vibecli.edits.names import new_unbound_names, unbound_names

GREET = 'def greet(name):\n    print("Hello, " + name)\n\n\ndef main():\n    greet("world")\n'


@pytest.mark.parametrize(("code", "unbound"), [
    (GREET, set()),
    ('def main():\n    print("Hello, " + name)\n', {"name"}),
    ("class A:\n    x = 1\n    def f(self):\n        return x\n", {"x"}),  # a class attribute is not in scope
    ("def f(xs):\n    return [y for y in xs if y > z]\n", {"z"}),
    ("f = lambda x: x + y\n", {"y"}),
    ("def f(x: List[int]) -> None:\n    pass\n", {"List"}),
    ("match p:\n    case Point(x=0, y=yy):\n        print(yy)\n", {"p", "Point"}),
    # bound somewhere in the module, in any order: no NameError to predict
    ("def f():\n    global G\n    G = 1\n\n\ndef g():\n    return G\n", set()),
    ("def f():\n    a = 1\n\n    def g():\n        return a\n    return g\n", set()),
    ("try:\n    import json\nexcept ImportError:\n    json = None\nprint(json, __name__, __file__)\n", set()),
    ("try:\n    pass\nexcept Exception as e:\n    print(e)\n", set()),
    ("class A(object):\n    def f(self):\n        return super().f(), __class__\n", set()),
    ("if (n := 3) > 2:\n    print(n)\n", set()),
    ("def f():\n    return later()\n\n\ndef later():\n    return 1\n", set()),
    ("import os.path\nprint(os.path.sep, len([]))\n", set()),
])
def test_unbound_names(code, unbound):
    assert unbound_names(code) == unbound


def test_what_cannot_be_told_is_none_and_adds_nothing():
    assert unbound_names("from os import *\nprint(path)\n") is None
    assert unbound_names("def f(:\n") is None
    assert new_unbound_names("def f(:\n", "print(x)\n") == []
    assert new_unbound_names(GREET, "from os import *\nprint(path)\n") == []


def test_only_names_the_edit_brings_in_count():
    harness = "def f():\n    return _('text')\n"  # gettext's _ is installed as a builtin elsewhere
    assert new_unbound_names(harness, harness.replace("text", "other") + "\ndef g():\n    return _('x') + y\n") == ["y"]
    assert new_unbound_names(GREET, GREET.replace('greet("world")', 'print("Hello, " + name)')) == ["name"]


def test_a_hostile_answer_does_not_crash_the_guard():
    deep = "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n"  # past the parser's nesting limit
    assert new_unbound_names(GREET, deep) == []
    chain = "x = 1\n" + "x = " + " + ".join(["x"] * 20000) + "\n"
    assert new_unbound_names(GREET, chain) == []
