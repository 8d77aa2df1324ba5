"""The prompt's section markers and the stop strings that end an answer on them are one definition."""

from __future__ import annotations

import re

import pytest

from vibecli.backends.prompt_text import flatten
from vibecli.conversation import BODY_STOPS, FREE_STOPS, Failure
from vibecli.core import SECTION_MARKERS, SECTION_STOPS, Message
from vibecli.paths import package_data
from vibecli.prompts import ANSWER_STOPS, edit_prompt

# a marker: a run of one punctuation character and a space at the start of a line (not a code
# fence, not an envelope line, which are the answer's own, nor a Jinja tag)
MARKER = re.compile(r"^(([^\w\s`@{}%])\2+ )", re.MULTILINE)


def markers_in(text: str) -> set[str]:
    return {m.group(1) for m in MARKER.finditer(text)}


def test_the_templates_write_exactly_the_declared_markers():
    sources = "".join(p.read_text(encoding="utf-8") for p in sorted(package_data("prompts").glob("edit-*.j2")))
    assert markers_in(sources) == set(SECTION_MARKERS)


@pytest.mark.parametrize("edit_format", ["symbol", "search", "whole"])
def test_every_rendered_part_of_the_prompt_starts_with_a_declared_marker(edit_format):
    files = [{"path": "a.py", "language": "python", "text": "def f():\n    return 1\n", "symbols": ["f"]}]
    failures = [Failure("@@ rewrite a.py\n```python\nx\n```", "the answer did not parse")]
    prompt = edit_prompt(edit_format, files, "make f return 2", failures, repo_map="b.py:\n  def g()\n")
    assert markers_in(prompt) == set(SECTION_MARKERS)
    for stop in SECTION_STOPS:
        assert stop in prompt  # each stop string is one the prompt itself writes


def test_the_stop_strings_are_derived_from_the_markers():
    assert SECTION_STOPS == tuple("\n" + marker for marker in SECTION_MARKERS)
    for stops in (FREE_STOPS, BODY_STOPS, ANSWER_STOPS):
        assert set(SECTION_STOPS) <= set(stops)


def test_a_flattened_chat_puts_each_role_under_a_marker():
    text = flatten([Message("system", "rules"), Message("user", "hi"), Message("assistant", "hello")])
    assert text == f"rules\n{SECTION_MARKERS[1]}user:\nhi\n{SECTION_MARKERS[1]}assistant:\nhello\n"
    assert markers_in(text) <= set(SECTION_MARKERS)
