from __future__ import annotations

from pathlib import Path

import pytest

from vibecli.core import ApplyError, Edit, EnvelopeError
from vibecli.edits.apply import apply_edits, check_addresses, symbol_table
from vibecli.edits.fileio import SourceFile, new_source

CLASS_FILE = '''import os


class Store:
    """Keeps things."""

    def __init__(self):
        self.items = []

    @property
    def size(self):
        return len(self.items)

    def add(self, item):
        self.items.append(item)


def helper():
    return 1
'''


def source(text: str, relpath: str = "m.py") -> SourceFile:
    return SourceFile(relpath, Path("/nonexistent") / relpath, text, "\n", False, 0o644, "x")


def apply(text: str, *edits: Edit, relpath: str = "m.py") -> str:
    files = {relpath: source(text, relpath)}
    check_addresses(list(edits), symbol_table(files))
    return apply_edits(list(edits), files, {})[0].new_text


def test_symbol_table_has_qualified_names():
    assert symbol_table({"m.py": source(CLASS_FILE)})["m.py"] == [
        "Store", "Store.__init__", "Store.size", "Store.add", "helper",
    ]


def test_method_written_at_column_zero_is_reindented():
    new = apply(CLASS_FILE, Edit("replace", "m.py", "def add(self, item):\n    self.items.insert(0, item)\n", "Store.add"))
    assert new == CLASS_FILE.replace("self.items.append(item)", "self.items.insert(0, item)")


def test_decorated_method_is_replaced_with_its_decorator():
    body = "@property\ndef size(self):\n    return len(self.items) + 0\n"
    new = apply(CLASS_FILE, Edit("replace", "m.py", body, "Store.size"))
    assert new.count("@property") == 1 and "len(self.items) + 0" in new


def test_replacing_a_definition_with_itself_is_a_no_op():
    body = "def helper():\n    return 1\n"
    assert apply(CLASS_FILE, Edit("replace", "m.py", body, "helper")) == CLASS_FILE


def test_two_edits_in_one_file():
    new = apply(
        CLASS_FILE,
        Edit("replace", "m.py", "def helper():\n    return 2\n", "helper"),
        Edit("replace", "m.py", "    def __init__(self):\n        self.items = [0]\n", "Store.__init__"),
    )
    assert "return 2" in new and "self.items = [0]" in new


def test_overlapping_edits_are_rejected():
    with pytest.raises(ApplyError, match="overlap"):
        apply(
            CLASS_FILE,
            Edit("replace", "m.py", "class Store:\n    pass\n", "Store"),
            Edit("replace", "m.py", "def add(self, item):\n    pass\n", "Store.add"),
        )


def test_syntax_error_is_rejected_with_its_line():
    with pytest.raises(ApplyError, match=r"m.py:1\d?:\d+: syntax error"):
        apply(CLASS_FILE, Edit("replace", "m.py", "def helper():\n    return (1\n", "helper"))


def test_indentation_error_caught_by_compile():
    with pytest.raises(ApplyError):
        apply("def f():\n    return 1\n", Edit("replace", "m.py", "def f():\n  x = 1\n    return x\n", "f"))


def test_body_that_is_not_a_definition_is_rejected():
    with pytest.raises(ApplyError, match="one whole definition"):
        apply(CLASS_FILE, Edit("replace", "m.py", "x = 2\n", "helper"))


def test_body_copying_another_existing_definition_is_rejected():
    with pytest.raises(ApplyError, match="defines Store, which exists already"):
        apply(CLASS_FILE, Edit("replace", "m.py", "class Store:\n    pass\n", "helper"))


def test_renaming_a_definition_is_allowed():
    new = apply(CLASS_FILE, Edit("replace", "m.py", "def assist():\n    return 1\n", "helper"))
    assert "def assist():" in new and "def helper" not in new


def test_file_with_syntax_errors_elsewhere_still_takes_an_edit():
    text = "def ok():\n    return 1\n\n\ndef broken(:\n    pass\n"
    new = apply(text, Edit("replace", "m.py", "def ok():\n    return 2\n", "ok"))
    assert "return 2" in new and "def broken(:" in new


def test_rewrite_keeps_a_missing_final_newline():
    new = apply("x = 1", Edit("rewrite", "m.py", "x = 2\n"))
    assert new == "x = 2"


def test_create_validates_python():
    edit = Edit("create", "n.py", "def f(:\n")
    with pytest.raises(ApplyError, match="syntax error"):
        apply_edits([edit], {}, {"n.py": new_source(Path("/nonexistent/n.py"), "n.py")})


@pytest.mark.parametrize(
    "edit, message",
    [
        (Edit("replace", "other.py", "def f(): pass\n", "f"), "not a file in context"),
        (Edit("replace", "m.py", "def nope(): pass\n", "nope"), "no definition named nope"),
        (Edit("create", "m.py", "x = 1\n"), "that file exists"),
    ],
)
def test_addresses_outside_the_context_are_the_grammars_verdict(edit, message):
    with pytest.raises(EnvelopeError, match=message):
        check_addresses([edit], symbol_table({"m.py": source(CLASS_FILE)}))


def test_same_definition_twice_is_rejected():
    edit = Edit("replace", "m.py", "def helper(): pass\n", "helper")
    with pytest.raises(EnvelopeError, match="twice"):
        check_addresses([edit, edit], symbol_table({"m.py": source(CLASS_FILE)}))


def test_body_repeating_a_neighbour_after_the_definition_is_rejected():
    body = "def helper():\n    return 2\n\n\nclass Store:\n    pass\n"
    with pytest.raises(ApplyError, match="defines Store"):
        apply(CLASS_FILE, Edit("replace", "m.py", body, "helper"))


def test_body_adding_a_new_helper_is_allowed():
    body = "def helper():\n    return _two()\n\n\ndef _two():\n    return 2\n"
    new = apply(CLASS_FILE, Edit("replace", "m.py", body, "helper"))
    assert "def _two():" in new


def test_a_repeated_name_is_addressed_by_its_number():
    text = "def f():\n    return 1\n\n\ndef f():\n    return 2\n"
    assert symbol_table({"m.py": source(text)})["m.py"] == ["f", "f#2"]
    new = apply(text, Edit("replace", "m.py", "def f():\n    return 3\n", "f#2"))
    assert new == "def f():\n    return 1\n\n\ndef f():\n    return 3\n"


def test_tab_indented_class_keeps_its_tabs():
    text = "class A:\n\tdef m(self):\n\t\treturn 1\n"
    new = apply(text, Edit("replace", "m.py", "def m(self):\n\treturn 2\n", "A.m"))
    assert new == "class A:\n\tdef m(self):\n\t\treturn 2\n"


def test_a_ten_thousand_line_file():
    funcs = [f"def f{i}(x):\n    return x + {i}\n" for i in range(5000)]
    text = "\n".join(funcs)
    assert text.count("\n") >= 10_000
    new = apply(text, Edit("replace", "m.py", "def f4321(x):\n    return x - 1\n", "f4321"))
    assert new == text.replace("return x + 4321\n", "return x - 1\n")


def test_a_copy_that_only_loses_trailing_spaces_is_no_change():
    text = "def f():\n    x = 1\n    \n    return x\n"
    assert apply(text, Edit("replace", "m.py", "def f():\n    x = 1\n\n    return x\n", "f")) == text
