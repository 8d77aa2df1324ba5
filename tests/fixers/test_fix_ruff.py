"""`vibecli fix` when the failing check is ruff: ruff's own fixes first, the model on the rest."""

from __future__ import annotations

import json
import sqlite3
import sys

import pytest

from tests.conftest import answer, git, replay_file, run_cli
from vibecli.fixers.ruff import ruff_command

pytestmark = pytest.mark.skipif(ruff_command() is None, reason="ruff is part of the dev extra")

LINT = f"{sys.executable} -m ruff check --isolated --select F401,E741"
ONLY_IMPORTS = "import os\nimport sys\n\n\ndef main():\n    return sys.argv\n"
BOTH = "import os\nimport sys\n\n\ndef main():\n    l = sys.argv\n    return l\n"


def _fix(tmp_path, *args, answers=("no answer a parser takes",)):
    replay = replay_file(tmp_path, *answers)
    return run_cli("fix", *args, "--lint-cmd", LINT, "--backend", "replay", "--replay-file", str(replay), "--json")


def _commit(root, relpath, text):
    (root / relpath).write_text(text)
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "add")


def test_ruff_fixes_what_it_can_without_the_model(repo, tmp_path):
    _commit(repo, "tool.py", ONLY_IMPORTS)
    result = _fix(tmp_path, "tool.py")
    report = result.json
    assert result.exit_code == 0, result.stdout
    assert report["fixer"]["fixed"] == {"ruff": 1, "model": 0} and report["attempts"] == 0
    assert (repo / "tool.py").read_text() == "import sys\n\n\ndef main():\n    return sys.argv\n"
    assert report["commit"] and git(repo, "status", "--porcelain") == ""
    assert "Vibecli-Model: ruff\n" in git(repo, "log", "-1", "--format=%B")
    from vibecli import paths

    with sqlite3.connect(paths.logbook_file()) as db:  # in the logbook like any run, though no model ran
        row = db.execute("SELECT command, model, status, fixer, commit_sha FROM runs WHERE id = ?",
                         (report["run_id"],)).fetchone()
    assert row[:3] == ("fix", "ruff", "applied") and json.loads(row[3])["fixed"] == {"ruff": 1, "model": 0}
    assert row[4] == report["commit"]


def test_the_model_gets_only_what_ruff_left(repo, tmp_path):
    _commit(repo, "tool.py", BOTH)
    fixed = "import sys\n\n\ndef main():\n    args = sys.argv\n    return args\n"
    result = _fix(tmp_path, "tool.py", answers=(answer("tool.py", None, fixed, "rewrite"),))
    report = result.json
    assert result.exit_code == 0, result.stdout
    assert report["fixer"]["fixed"] == {"ruff": 1, "model": 1}
    assert (repo / "tool.py").read_text() == fixed
    assert report["commit"] and git(repo, "status", "--porcelain") == ""
    assert "F401" not in [c for c in report["checks"] if c["round"] == 1][0]["problems"][0]


def test_when_the_model_fails_ruffs_fixes_are_put_back_too(repo, tmp_path):
    _commit(repo, "tool.py", BOTH)
    result = _fix(tmp_path, "tool.py")
    assert result.exit_code != 0
    assert "put back" in result.json["message"]
    assert (repo / "tool.py").read_text() == BOTH and git(repo, "status", "--porcelain") == ""


def test_fix_check_writes_nothing(repo, tmp_path):
    _commit(repo, "tool.py", ONLY_IMPORTS)
    result = _fix(tmp_path, "tool.py", "--check")
    assert result.exit_code == 1 and "-import os" in result.json["diff"]
    assert (repo / "tool.py").read_text() == ONLY_IMPORTS


def test_no_fixers_leaves_it_all_to_the_model(repo, tmp_path):
    _commit(repo, "tool.py", ONLY_IMPORTS)
    result = _fix(tmp_path, "tool.py", "--no-fixers")
    assert result.json["fixer"] is None and result.exit_code == 3
