"""Property-based tests (hypothesis) over the real fixture files of every language."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from vibecli.core import ApplyError, Edit, Refused
from vibecli.edits.apply import apply_edits
from vibecli.edits.fileio import SourceFile
from vibecli.edits.syntax import definitions, language_of, problems
from vibecli.workspace import Workspace

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "langs"
SOURCES = sorted(p for p in FIXTURES.iterdir() if p.suffix != ".symbols")
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def source(path: Path, text: str) -> SourceFile:
    return SourceFile(path.name, path, text, "\n", False, 0o644, "")


def definition_texts(path: Path):
    data = path.read_bytes()
    return [(d.name, data[d.start_byte : d.end_byte].decode()) for d in definitions(language_of(path.name), data)]


ALL = [(path, name, text) for path in SOURCES for name, text in definition_texts(path)]

# arbitrary lines of code-like text: the model is not trusted to write valid code
code_line = st.text(alphabet=st.sampled_from(list("abcxyz_019 ()[]{}:;,.=+-*'\"#\t")), max_size=30)
bodies = st.lists(code_line, min_size=1, max_size=6).map(lambda lines: "\n".join(lines) + "\n")


@SETTINGS
@given(target=st.sampled_from(ALL), body=bodies, keep_first_line=st.booleans())
def test_a_landed_replacement_never_adds_a_syntax_error(target, body, keep_first_line):
    path, name, own = target
    if keep_first_line:  # keep the definition's first line so more of the bodies are plausible
        body = own.split("\n")[0] + "\n" + body
    original = path.read_text()
    try:
        new = apply_edits([Edit("replace", path.name, body, name)], {path.name: source(path, original)}, {})[0].new_text
    except ApplyError:
        return  # rejected: nothing would be written
    language = language_of(path.name)
    assert len(problems(language, new.encode())) <= len(problems(language, original.encode()))


@SETTINGS
@given(target=st.sampled_from(ALL), blank_lines=st.integers(min_value=1, max_value=3))
def test_apply_then_revert_restores_the_file_byte_for_byte(target, blank_lines):
    path, name, own = target
    original = path.read_text()
    first, _, rest = own.partition("\n")
    assume(rest)
    changed_body = first + "\n" * (blank_lines + 1) + rest  # blank lines inside the definition
    changed = apply_edits([Edit("replace", path.name, changed_body, name)], {path.name: source(path, original)}, {})
    changed_text = changed[0].new_text
    assert changed_text != original
    reverted = apply_edits([Edit("replace", path.name, own, name)], {path.name: source(path, changed_text)}, {})
    assert reverted[0].new_text == original


segments = st.sampled_from(["src", "a.py", "..", ".", ".git", ".GIT", "link", "inside", "x", "", "~", "/", "hooks"])


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    base = tmp_path_factory.mktemp("ws")
    root = base / "root"
    (root / "src" / "inside").mkdir(parents=True)
    (root / ".git" / "hooks").mkdir(parents=True)
    (base / "outside").mkdir()
    (root / "link").symlink_to(base / "outside", target_is_directory=True)
    (root / "src" / "link").symlink_to(root / "src" / "inside", target_is_directory=True)
    return Workspace(root)


@SETTINGS
@given(parts=st.lists(segments, min_size=1, max_size=5), absolute=st.booleans())
def test_no_path_is_allowed_outside_the_tree_into_git_or_through_a_link(workspace, parts, absolute):
    relpath = ("/" if absolute else "") + "/".join(parts)
    try:
        checked = workspace.checked(relpath)
    except Refused:
        return
    target = workspace.root / checked
    assert os.path.realpath(target).startswith(str(workspace.root) + os.sep)
    assert ".git" not in [p.lower() for p in Path(checked).parts]
    walk = workspace.root
    for part in Path(checked).parts:
        walk = walk / part
        assert not walk.is_symlink()
