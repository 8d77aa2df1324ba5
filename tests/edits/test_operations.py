"""insert, append, delete, import and search: where each one cuts, in several languages."""

from __future__ import annotations

from pathlib import Path

import pytest

from vibecli.core import ApplyError, Edit, EnvelopeError
from vibecli.edits.apply import apply_edits, check_addresses, symbol_table
from vibecli.edits.fileio import SourceFile
from vibecli.edits.syntax import language_of, problems

PY = '''"""Shop."""
import os


class Cart:
    def __init__(self):
        self.items = []

    def total(self):
        return sum(self.items)


def helper():
    return 1


def other():
    return 2
'''


def apply(path: str, text: str, *edits: Edit) -> str:
    files = {path: SourceFile(path, Path("/nonexistent") / path, text, "\n", False, 0o644, "")}
    check_addresses(list(edits), symbol_table(files))
    new = apply_edits(list(edits), files, {})[0].new_text
    assert not problems(language_of(path), new.encode())
    return new


def test_insert_after_a_method_keeps_the_class_spacing():
    new = apply("s.py", PY, Edit("insert-after", "s.py", "def count(self):\n    return len(self.items)\n", "Cart.total"))
    assert "        return sum(self.items)\n\n    def count(self):\n        return len(self.items)\n\n\ndef helper" in new


def test_insert_before_a_function_uses_two_blank_lines():
    new = apply("s.py", PY, Edit("insert-before", "s.py", "def first():\n    return 0\n", "helper"))
    assert "def first():\n    return 0\n\n\ndef helper():" in new


def test_delete_removes_the_definition_and_its_blank_lines():
    new = apply("s.py", PY, Edit("delete", "s.py", "", "helper"))
    assert "helper" not in new and "        return sum(self.items)\n\n\ndef other():" in new


def test_append_to_the_file_and_to_a_class():
    new = apply("s.py", PY, Edit("append", "s.py", "def last():\n    return 3\n"))
    assert new.endswith("    return 2\n\n\ndef last():\n    return 3\n")
    new = apply("s.py", PY, Edit("append", "s.py", "def clear(self):\n    self.items = []\n", "Cart"))
    assert "        return sum(self.items)\n\n    def clear(self):\n        self.items = []\n" in new


def test_append_needs_a_class_like_definition():
    with pytest.raises(ApplyError, match="needs a class"):
        apply("s.py", PY, Edit("append", "s.py", "x = 1\n", "helper"))


def test_import_goes_with_the_others_once():
    new = apply("s.py", PY, Edit("import", "s.py", "import sys\nimport os\nimport sys\n"))
    assert new.startswith('"""Shop."""\nimport os\nimport sys\n\n\nclass Cart')


def test_import_into_a_file_without_imports_goes_after_the_docstring():
    new = apply("d.py", '"""Doc."""\n\nx = 1\n', Edit("import", "d.py", "import re\n"))
    assert new == '"""Doc."""\n\nimport re\n\nx = 1\n'


@pytest.mark.parametrize(
    "path, text, line, expected",
    [
        ("a.js", 'import fs from "fs";\n\nfs.x();\n', 'import path from "path";', 'import fs from "fs";\nimport path from "path";\n'),
        ("a.go", 'package a\n\nimport "fmt"\n\nfunc F() { fmt.Println() }\n', 'import "os"', 'import "fmt"\nimport "os"\n'),
        ("a.rs", "use std::io;\n\nfn f() {}\n", "use std::fs;", "use std::io;\nuse std::fs;\n"),
        ("A.java", "package p;\n\nimport java.util.List;\n\nclass A {}\n", "import java.util.Map;",
         "import java.util.List;\nimport java.util.Map;\n"),
        ("a.c", "#include <stdio.h>\n\nint main(void) { return 0; }\n", "#include <string.h>",
         "#include <stdio.h>\n#include <string.h>\n"),
    ],
)
def test_import_in_other_languages(path, text, line, expected):
    assert expected in apply(path, text, Edit("import", path, line + "\n"))


def test_search_replaces_one_exact_match():
    new = apply("s.py", PY, Edit("search", "s.py", "        return sum(self.items) * 2\n", search="        return sum(self.items)\n"))
    assert "sum(self.items) * 2" in new


@pytest.mark.parametrize(
    "search, message",
    [("return 9\n", "not in s.py"), ("    return", "matches 3 places"), ("   \n", "search block is empty")],
)
def test_search_that_is_missing_ambiguous_or_empty_is_rejected(search, message):
    with pytest.raises(ApplyError, match=message):
        apply("s.py", PY, Edit("search", "s.py", "x", search=search))


def test_insert_of_a_non_definition_is_rejected():
    with pytest.raises(ApplyError, match="one whole definition"):
        apply("s.py", PY, Edit("insert-after", "s.py", "x = 1\n", "helper"))


def test_delete_then_replace_of_the_same_definition_is_rejected():
    with pytest.raises(EnvelopeError, match="twice"):
        apply("s.py", PY, Edit("delete", "s.py", "", "helper"), Edit("replace", "s.py", "def helper(): pass\n", "helper"))


def test_rewrite_with_other_edits_of_the_same_file_is_rejected():
    with pytest.raises(EnvelopeError, match="rewrites s.py and also edits it"):
        apply("s.py", PY, Edit("rewrite", "s.py", "x = 1\n"), Edit("delete", "s.py", "", "helper"))


def test_several_operations_in_one_answer_apply_together():
    new = apply(
        "s.py", PY,
        Edit("import", "s.py", "import sys\n"),
        Edit("delete", "s.py", "", "other"),
        Edit("replace", "s.py", "def helper():\n    return sys.maxsize\n", "helper"),
        Edit("insert-after", "s.py", "def size(self):\n    return len(self.items)\n", "Cart.__init__"),
    )
    assert "import sys" in new and "def other" not in new and "sys.maxsize" in new and "    def size(self):" in new
