"""The fixer route through `vibecli edit`: real ruff, real git repositories, the replay backend
standing in for the model (an empty script: a run that reached the model would be rejected)."""

from __future__ import annotations

import json
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
    # the commit says the fixer made the change, not the model
    assert "Vibecli-Model: ruff (fixer)\n" in git(repo, "log", "-1", "--format=%B")


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


def test_a_file_outside_the_repository_is_refused_before_any_fixer(repo, tmp_path):
    outside = tmp_path / "outside.py"
    outside.write_text(FORMATTED)
    result = _edit(tmp_path, "use f-strings", str(outside))
    assert result.exit_code == 5 and outside.read_text() == FORMATTED


def test_a_protected_path_named_in_the_request_gets_no_fixer(repo, tmp_path):
    _commit(repo, {"fmt.py": FORMATTED, ".vibecli.yaml": "max_rounds: 2\n"})
    report = _edit(tmp_path, "sort the imports in .vibecli.yaml", "fmt.py").json
    assert report["fixer"] is None and (repo / ".vibecli.yaml").read_text() == "max_rounds: 2\n"


def test_a_linked_target_is_refused(repo, tmp_path):
    _commit(repo, {"fmt.py": FORMATTED})
    (repo / "link.py").symlink_to(repo / "fmt.py")
    result = _edit(tmp_path, "use f-strings", "link.py")
    assert result.exit_code == 5 and (repo / "fmt.py").read_text() == FORMATTED


def test_the_fixers_diff_reaches_the_terminal_sanitized(repo, tmp_path):
    hostile = 'def title(name):\n    return "\x1b]0;pwned\x07 {}".format(name)\n'
    _commit(repo, {"fmt.py": hostile})
    replay = replay_file(tmp_path, "no answer a parser takes")
    result = run_cli("edit", "use f-strings", "fmt.py", "--backend", "replay", "--replay-file", str(replay))
    assert result.exit_code == 0
    assert "\x1b]0;" not in result.stdout + result.stderr and "\x07" not in result.stdout + result.stderr
    assert 'f"\x1b]0;pwned\x07 {name}"' in (repo / "fmt.py").read_text()
