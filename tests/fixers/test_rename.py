"""The rename fixer: exact across files, through `vibecli edit` in a real git repository."""

from __future__ import annotations

import os

import pytest

from tests.conftest import git, replay_file, run_cli
from vibecli.fixers.rename import Declined, rename_symbol

IO = '''"""Reading things."""

__all__ = ["load"]


def load(path):
    """load reads the file; see also unload."""
    def inner(load):
        return load
    # load is the old name
    return inner(open(path).read()) + "load"


class Store:
    def load(self):
        return self.load
'''
CLI = '''from pkg.io import load
from pkg import io
import pkg.io


def main():
    return load("a") + io.load("b") + pkg.io.load("c")


def other(load):
    return load
'''


def test_rename_across_two_files_with_imports():
    out = rename_symbol({"pkg/io.py": IO, "pkg/cli.py": CLI, "pkg/__init__.py": ""}, "pkg/io.py", "load", "read_config")
    io, cli = out["pkg/io.py"], out["pkg/cli.py"]
    assert '__all__ = ["read_config"]' in io and "def read_config(path):" in io
    assert '"""read_config reads the file; see also unload."""' in io
    assert "def inner(load):\n        return load" in io  # a parameter of the same spelling is another name
    assert "# load is the old name" in io and '+ "load"' in io  # comments and strings stay
    assert "    def load(self):\n        return self.load" in io  # a method of the same spelling stays
    assert cli.startswith("from pkg.io import read_config\n")
    assert 'read_config("a") + io.read_config("b") + pkg.io.read_config("c")' in cli
    assert "def other(load):\n    return load" in cli


def test_a_string_that_is_the_dotted_path_is_renamed_and_no_other():
    tests = ('from unittest import mock\n\n\n'
             '@mock.patch("pkg.io.load")\n'
             'def test_it(patched):\n'
             '    assert mock.patch(\'pkg.io.load\') and "other.load" and "pkg.io.loader" and "pkg.io.load.x"\n'
             '    return "pkg\\x2eio.load"\n')
    out = rename_symbol({"pkg/io.py": IO, "tests/test_io.py": tests}, "pkg/io.py", "load", "fetch")
    renamed = out["tests/test_io.py"]
    assert '@mock.patch("pkg.io.fetch")' in renamed and "mock.patch('pkg.io.fetch')" in renamed
    assert '"other.load" and "pkg.io.loader" and "pkg.io.load.x"' in renamed  # other paths stay
    assert 'return "pkg\\x2eio.load"' in renamed  # escaped: not read as a path
    assert '+ "load"' in out["pkg/io.py"]  # the bare word in a string is still left alone


def test_relative_import_and_alias():
    user = "from .io import load as get\n\nx = get(1)\n"
    out = rename_symbol({"pkg/io.py": IO, "pkg/user.py": user}, "pkg/io.py", "load", "fetch")
    assert out["pkg/user.py"] == "from .io import fetch as get\n\nx = get(1)\n"


@pytest.mark.parametrize(
    ("sources", "new"),
    [
        ({"a.py": "def load():\n    pass\n\n\nfetch = 1\n"}, "fetch"),
        ({"a.py": "def load():\n    pass\n\n\ndef g():\n    fetch = 2\n    return load() + fetch\n"}, "fetch"),
        ({"a.py": "def load():\n    pass\n", "b.py": "from a import *\n\nload()\n"}, "fetch"),
        ({"a.py": "def load():\n    pass\n"}, "print"),
        ({"a.py": "def load(:\n"}, "fetch"),
    ],
)
def test_what_it_cannot_do_exactly_it_declines(sources, new):
    with pytest.raises(Declined):
        rename_symbol(sources, "a.py", "load", new)


def _repo_files(root, files):
    for relpath, text in files.items():
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (root / relpath).write_text(text)
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "files")


def _edit(tmp_path, instruction, *args):
    replay = replay_file(tmp_path, "no answer a parser takes")
    return run_cli("edit", instruction, *args, "--backend", "replay", "--replay-file", str(replay), "--json")


def test_edit_renames_in_the_files_that_import_it(repo, tmp_path):
    _repo_files(repo, {"pkg/__init__.py": "", "pkg/io.py": IO, "pkg/cli.py": CLI})
    result = _edit(tmp_path, "rename load to read_config", "pkg/io.py")
    report = result.json
    assert result.exit_code == 0, result.stdout
    assert report["fixer"] == {"name": "rename", "args": {"old": "load", "new": "read_config", "file": "pkg/io.py"}}
    assert sorted(report["files"]) == ["pkg/cli.py", "pkg/io.py"] and report["commit"]
    assert "read_config(\"a\")" in (repo / "pkg/cli.py").read_text()
    assert git(repo, "status", "--porcelain") == ""


def test_a_protected_importer_sends_the_rename_to_the_model(repo, tmp_path):
    _repo_files(repo, {"pkg/__init__.py": "", "pkg/io.py": IO, ".github/workflows/job.py": CLI})
    report = _edit(tmp_path, "rename load to read_config", "pkg/io.py").json
    assert report["fixer"] is None and report["status"] == "rejected"
    assert (repo / ".github/workflows/job.py").read_text() == CLI and (repo / "pkg/io.py").read_text() == IO


def test_a_linked_importer_sends_the_rename_to_the_model(repo, tmp_path):
    outside = tmp_path / "elsewhere.py"
    outside.write_text(CLI)
    _repo_files(repo, {"pkg/__init__.py": "", "pkg/io.py": IO})
    os.symlink(outside, repo / "pkg" / "linked.py")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "link")
    report = _edit(tmp_path, "rename load to read_config", "pkg/io.py").json
    assert report["fixer"] is None and outside.read_text() == CLI


def test_an_importer_with_uncommitted_work_sends_the_rename_to_the_model(repo, tmp_path):
    _repo_files(repo, {"pkg/__init__.py": "", "pkg/io.py": IO, "pkg/cli.py": CLI})
    (repo / "pkg/cli.py").write_text(CLI + "# mine\n")
    report = _edit(tmp_path, "rename load to read_config", "pkg/io.py").json
    assert report["fixer"] is None and (repo / "pkg/cli.py").read_text() == CLI + "# mine\n"
