"""Reading a sentence as an intent through its shape (use, remove, fix)."""

from __future__ import annotations

import pytest

from vibecli.fixers.shapes import match, normal


def test_only_case_tells_the_typing_names_from_the_builtins():
    assert normal("use list instead of List[str]") == "use list instead of typing.list[str]"
    assert normal("Set the flag") == "set the flag"  # a verb at the start is not typing.Set
    assert match("use list instead of List").name == "builtin generics"
    assert match("use list instead of tuple") is None
    assert match("use a list") is None


@pytest.mark.parametrize(
    ("request_", "intent"),
    [
        ("switch the old % formatting to f-strings", "f-strings"),
        ("make it use f-strings", "f-strings"),
        ("f-strings instead of .format()", "f-strings"),
        ("% formatting -> f-strings", "f-strings"),
        ("use a set comprehension instead of set(x for x in xs)", "comprehension"),  # code is not words
        ("get rid of the redundant, pointless parentheses", "redundant parentheses"),
    ],
)
def test_each_shape_reaches_the_intent(request_, intent):
    assert match(request_).name == intent


@pytest.mark.parametrize(
    "request_",
    [
        "use f-strings instead of logging but keep the format calls",
        "convert the loop and add logging to a comprehension",
        "make it use f-strings and return the message",
        "remove the parentheses",  # the parentheses of what: no adjective, no place
    ],
)
def test_free_words_that_ask_for_something_decline(request_):
    assert match(request_) is None
