from __future__ import annotations

import pytest

from vibecli.core import Edit, EnvelopeError
from vibecli.edits.envelope import format_envelope, parse_envelope


def test_one_replace():
    edits = parse_envelope("@@ replace a.py C.m\n```python\ndef m(self):\n    return 1\n```\n@@ done")
    assert edits == [Edit("replace", "a.py", "def m(self):\n    return 1\n", "C.m")]


def test_several_edits_and_a_cut_done():
    text = "\n@@ create b.py\n```\nx = 1\n```\n@@ rewrite c.md\n```markdown\n# Title\n```\n"
    edits = parse_envelope(text)
    assert [(e.op, e.path, e.body) for e in edits] == [("create", "b.py", "x = 1\n"), ("rewrite", "c.md", "# Title\n")]


def test_format_and_parse_round_trip():
    edits = [Edit("replace", "a.py", "def f():\n    pass\n", "f"), Edit("create", "n/b.py", "y = 2\n")]
    assert parse_envelope(format_envelope(edits, "python")) == edits


def test_fence_with_info_inside_code_is_code():
    edits = parse_envelope('@@ rewrite r.md\n```\ntext\n```python\nprint()\n```\n')
    assert edits[0].body == "text\n```python\nprint()\n"


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "no edit"),
        ("Sure, here you go!", "should start an edit"),
        ("@@ replace a.py\n```\nx\n```", "needs a path and a definition name"),
        ("@@ create a.py extra\n```\nx\n```", "takes only a path"),
        ("@@ replace a.py f\ndef f(): pass\n", "expected a code block"),
        ("@@ replace a.py f\n```python\ndef f():\n    pass\n", "ended inside a code block"),
        ("@@ delete a.py f\n```\n```", "should start an edit"),
        ("@@ replace a.py f\n```\nx\n```\ntrailing words", "should start an edit"),
    ],
)
def test_malformed(text, message):
    with pytest.raises(EnvelopeError, match=message):
        parse_envelope(text)
