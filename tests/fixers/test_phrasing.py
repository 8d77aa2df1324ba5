"""Reducing a request to its parts: filler off, reasons and asides off unless they ask for something."""

from __future__ import annotations

import pytest

from vibecli.fixers.phrasing import MAX_CHARS, is_context, parts


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        ("Hey, could you sort the imports please? Thanks!", ["sort the imports"]),
        ("i'd like you to use f-strings, ty", ["use f-strings"]),
        ("This class targets py3 only. Switch it to plain super().", ["This class targets py3 only",
                                                                       "Switch it to plain super()"]),
        ("use a set comprehension here (it's a generator of atoms)", ["use a set comprehension here"]),
        ("use builtin generics since we're on 3.11", ["use builtin generics"]),
        ("Since we're on 3.11, use builtin generics", ["use builtin generics"]),
        ("use a comprehension to make it more readable", ["use a comprehension"]),
        ("chore: sort imports", ["sort imports"]),
        ("remove (object) from Store", ["remove (object) from Store"]),  # a lone word in parentheses is code
        ("simplify the condition (lines 3-5)", ["simplify the condition (lines 3-5)"]),
        ("sort the imports in pkg/io.py. Thanks.", ["sort the imports in pkg/io.py"]),
        ("use `str.removeprefix()`, i.e. no slicing", ["use `str.removeprefix()`, i.e no slicing"]),
    ],
)
def test_filler_reasons_and_asides_come_off(request_, expected):
    assert parts(request_) == expected


@pytest.mark.parametrize(
    "request_",
    [
        "use f-strings (and add type hints)",  # an aside that asks for something
        "use f-strings because we need to log the values",  # so does this reason
        "Since the tests fail, use f-strings",
        "x" * (MAX_CHARS + 1),
    ],
)
def test_a_reason_or_aside_that_asks_for_something_keeps_the_request_from_routing(request_):
    assert parts(request_) is None


@pytest.mark.parametrize(
    ("sentence", "context"),
    [
        ("This class targets py3 only", True),
        ("Ruff is complaining", True),
        ("Ruff reports three errors here", True),
        ("it builds a set from a generator", True),  # "set" after an article is a noun
        ("The docstring is outdated", False),
        ("load should return None", False),
        ("This is broken", False),
        ("There is an error in load", False),
        ("add a docstring", False),
        ("and the dead code too", False),
        ("why is this slow", False),
    ],
)
def test_context_is_a_sentence_that_asks_for_nothing(sentence, context):
    assert is_context(sentence) is context
