"""The fixer route through `vibecli edit`: real ruff, real git repositories, the replay backend
standing in for the model (an empty script: a run that reached the model would be rejected)."""

from __future__ import annotations

import json
import os
import sqlite3

import pytest

from tests.conftest import answer, git, replay_file, run_cli
from vibecli.fixers.ruff import ruff_command

pytestmark = pytest.mark.skipif(ruff_command() is None, reason="ruff is part of the dev extra")

FORMATTED = '''def hello(name):
    return "Hello, {}".format(name)


def shout(name):
    return "HEY {}!".format(name.upper())
'''


def _commit(root, files: dict[str, str]) -> None:
    for relpath, text in files.items():
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (root / relpath).write_text(text)
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "files")


def _edit(tmp_path, instruction, *args, answers=("no answer a parser takes",)):
    replay = replay_file(tmp_path, *answers)
    return run_cli("edit", instruction, *args, "--backend", "replay", "--replay-file", str(replay), "--json")


def test_use_f_strings_is_ruffs_fix_committed_without_the_model(repo, tmp_path):
    _commit(repo, {"fmt.py": FORMATTED})
    result = _edit(tmp_path, "use f-strings", "fmt.py")
    report = result.json
    assert result.exit_code == 0, result.stdout
    assert report["fixer"]["name"] == "ruff" and report["fixer"]["args"]["codes"] == ["UP031", "UP032"]
    assert report["attempts"] == 0 and report["commit"]
    text = (repo / "fmt.py").read_text()
    assert 'f"Hello, {name}"' in text and 'f"HEY {name.upper()}!"' in text
    assert git(repo, "status", "--porcelain") == ""


def test_a_named_function_narrows_the_fix_to_it(repo, tmp_path):
    _commit(repo, {"fmt.py": FORMATTED})
    report = _edit(tmp_path, "use f-strings in shout", "fmt.py").json
    assert report["status"] == "applied" and report["fixer"]["args"]["symbols"] == ["shout"]
    text = (repo / "fmt.py").read_text()
    assert 'f"HEY {name.upper()}!"' in text and '"Hello, {}".format(name)' in text


def test_no_fixers_asks_the_model(repo, tmp_path):
    _commit(repo, {"fmt.py": FORMATTED})
    new = FORMATTED.replace('"HEY {}!".format(name.upper())', 'f"HEY {name.upper()}!"')
    report = _edit(tmp_path, "use f-strings", "fmt.py", "--no-fixers", answers=(answer("fmt.py", None, new, "rewrite"),)).json
    assert report["status"] == "applied" and report["fixer"] is None and report["attempts"] == 1


def test_a_request_no_fixer_does_goes_to_the_model_as_before(repo, tmp_path):
    _commit(repo, {"fmt.py": FORMATTED})
    report = _edit(tmp_path, "use f-strings and add a docstring to shout", "fmt.py").json
    assert report["fixer"] is None and report["status"] == "rejected"


def test_a_fixer_change_that_fails_the_checks_falls_back_to_the_model(repo, tmp_path):
    _commit(repo, {"fmt.py": FORMATTED})
    new = FORMATTED.replace('"HEY {}!".format(name.upper())', '"HEY " + name.upper() + "!"')
    lint = "grep -q 'f\"' fmt.py && exit 1 || exit 0"  # a check that refuses any f-string
    report = _edit(tmp_path, "use f-strings", "fmt.py", "--lint-cmd", lint,
                   answers=(answer("fmt.py", None, new, "rewrite"),)).json
    assert report["status"] == "applied" and report["fixer"]["fell_back"] is True
    assert (repo / "fmt.py").read_text() == new


def test_the_logbook_records_the_fixer(repo, tmp_path):
    _commit(repo, {"fmt.py": FORMATTED})
    report = _edit(tmp_path, "use f-strings", "fmt.py").json
    from vibecli import paths

    with sqlite3.connect(paths.logbook_file()) as db:
        (fixer,) = db.execute("SELECT fixer FROM runs WHERE id = ?", (report["run_id"],)).fetchone()
    assert json.loads(fixer)["name"] == "ruff"
