"""Definitions, replacement and validation in every language with a grammar wheel."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_cli
from vibecli.core import ApplyError, Edit
from vibecli.edits.apply import apply_edits, check_addresses, symbol_table
from vibecli.edits.fileio import SourceFile
from vibecli.edits.syntax import definitions, language_of, problems

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "langs"
SOURCES = sorted(p for p in FIXTURES.iterdir() if p.suffix != ".symbols")


def source(path: Path, text: str | None = None) -> SourceFile:
    return SourceFile(path.name, path, text if text is not None else path.read_text(), "\n", False, 0o644, "")


def apply(path: Path, *edits: Edit, text: str | None = None) -> str:
    files = {path.name: source(path, text)}
    check_addresses(list(edits), symbol_table(files))
    return apply_edits(list(edits), files, {})[0].new_text


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_symbols_output_matches_the_golden_file(path, monkeypatch):
    monkeypatch.chdir(FIXTURES)
    result = run_cli("symbols", path.name)
    assert result.exit_code == 0
    assert result.stdout == (FIXTURES / f"{path.name}.symbols").read_text()


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_every_definition_replaced_by_its_own_text_is_a_no_op(path):
    text = path.read_text()
    data = text.encode()
    for d in definitions(language_of(path.name), data):
        own = data[d.start_byte : d.end_byte].decode()
        assert apply(path, Edit("replace", path.name, own, d.name)) == text, d.name


METHOD_EDITS = {
    "sample.js": ("Store.add", "add(item) {\n  this.items.unshift(item);\n}\n", "    this.items.unshift(item);"),
    "sample.ts": ("Circle.area", "area(): number {\n  return 0;\n}\n", "    return 0;"),
    "sample.go": ("Circle.Area", "func (c *Circle) Area() float64 {\n\treturn 0\n}\n", "\treturn 0"),
    "sample.rs": ("Point.norm", "fn norm(&self) -> i32 {\n    0\n}\n", "        0"),
    "Sample.java": ("Sample.next", "public int next() {\n    return count += 2;\n}\n", "        return count += 2;"),
    "sample.c": ("add", "static int add(int a, int b) {\n    return b + a;\n}\n", "    return b + a;"),
    "sample.cpp": ("geo.Shape.label", 'std::string label() const { return "s"; }\n', '    std::string label() const { return "s"; }'),
    "sample.tsx": ("Greeting", "export function Greeting(props: { name: string }) {\n  return <p>{props.name}</p>;\n}\n", "  return <p>{props.name}</p>;"),
}


@pytest.mark.parametrize("name", sorted(METHOD_EDITS))
def test_a_method_written_at_column_zero_lands_indented_and_parses(name):
    path = FIXTURES / name
    symbol, body, expected_line = METHOD_EDITS[name]
    new = apply(path, Edit("replace", name, body, symbol))
    assert expected_line in new.split("\n")
    assert not problems(language_of(name), new.encode())


@pytest.mark.parametrize("name", sorted(METHOD_EDITS))
def test_a_replacement_that_breaks_the_syntax_is_rejected(name):
    path = FIXTURES / name
    symbol, body, _ = METHOD_EDITS[name]
    broken = body.replace("{", "{ (", 1) if "{" in body else body + " ("
    with pytest.raises(ApplyError, match="syntax error"):
        apply(path, Edit("replace", name, broken, symbol))


@pytest.mark.parametrize(
    "name, text, broken",
    [
        ("c.json", '{"a": [1, 2]}\n', '{"a": [1, 2}\n'),
        ("c.yaml", "a:\n  - 1\n", "a: [1, 2\n"),
        ("c.toml", "[a]\nb = 1\n", "[a\nb = = 1\n"),
        ("c.html", "<p>hi</p>\n", "<p>hi</p\n"),
        ("c.css", "a { color: red; }\n", "a { color: red; \n"),
        ("c.sh", "echo hi\n", 'echo "hi\n'),
    ],
)
def test_data_files_are_validated_by_their_grammar(tmp_path, name, text, broken):
    path = tmp_path / name
    path.write_text(text)
    assert apply(path, Edit("rewrite", name, text + text)) == text + text
    with pytest.raises(ApplyError, match="syntax error"):
        apply(path, Edit("rewrite", name, broken))
