"""`vibecli log`: the run list at any width, outcomes from git history, usage errors, --search.

Real git repositories, runs made through the real CLI with the replay backend."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import LINT_SCRIPT, RETURN_GREET, answer, edit_replay, git, run_cli

MANY = 30


def _log(*args: str, columns: int = 80) -> subprocess.CompletedProcess:
    """`vibecli log` as a user's shell runs it, with the terminal width in COLUMNS."""
    env = {**os.environ, "COLUMNS": str(columns)}
    return subprocess.run([sys.executable, "-m", "vibecli", "log", *args], capture_output=True, text=True, env=env,
                          timeout=60)


def _many_files_run(tmp_path) -> dict:
    created = "\n".join(
        answer(f"src/module_{i:02}.py", None, f"def value_{i}():\n    return {i}\n", op="create").removesuffix("@@ done")
        for i in range(MANY)
    ) + "@@ done"
    # vibecli asks for about as many tokens as rewriting the files shown takes: show one big enough
    repo = Path.cwd()
    (repo / "values.py").write_text("".join(f"VALUE_{i} = {i}  # the value of module {i}\n" for i in range(100)))
    git(repo, "add", "values.py")
    git(repo, "commit", "-qm", "values")
    result = edit_replay(tmp_path, "add thirty small modules, each with a value function", "greet.py", "values.py",
                         answers=(created,))
    assert result.exit_code == 0, result.stderr
    assert len(result.json["files"]) == MANY
    return result.json


@pytest.mark.parametrize("columns", [40, 80, 200])
def test_a_run_with_many_files_keeps_id_time_outcome_and_commit_at_any_width(repo, tmp_path, columns):
    report = _many_files_run(tmp_path)
    started = run_cli("log", "--json").json["runs"][0]["started_at"]
    when = datetime.datetime.fromtimestamp(started).strftime("%Y-%m-%d %H:%M")
    shown = _log(columns=columns)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines and all(len(line) <= columns for line in lines), (columns, lines)
    for whole in (report["run_id"], when, "applied", report["commit"][:10]):
        assert whole in shown.stdout, (columns, whole, shown.stdout)
    assert f"{MANY} files: src/mod" in shown.stdout
    assert "src/module_29.py" not in shown.stdout and "…" in shown.stdout  # the files cell is cut, not a column


def test_a_run_undone_later_shows_reverted_not_applied(repo, tmp_path):
    undone = edit_replay(tmp_path, "return the greeting", "greet.py", answers=(RETURN_GREET,)).json["run_id"]
    assert run_cli("undo").exit_code == 0
    reverted_by_git = edit_replay(tmp_path, "return it again", "greet.py", answers=(RETURN_GREET,)).json["run_id"]
    git(repo, "revert", "--no-edit", "HEAD")  # by hand, with no vibecli run after it
    kept = edit_replay(tmp_path, "return it once more", "greet.py", answers=(RETURN_GREET,)).json["run_id"]
    runs = {r["id"]: r for r in run_cli("log", "--json").json["runs"]}
    assert runs[undone]["outcome"] == "reverted" and runs[undone]["status"] == "applied"
    assert runs[reverted_by_git]["outcome"] == "reverted"
    assert runs[kept]["outcome"] == "applied"
    shown = _log(columns=120).stdout
    row = next(line for line in shown.splitlines() if line.startswith(undone))
    assert "reverted" in row and "applied" not in row


def test_the_outcome_of_a_failed_run_is_shown(repo, tmp_path):
    (repo / "lint.py").write_text(LINT_SCRIPT)
    git(repo, "add", "lint.py")
    git(repo, "commit", "-qm", "lint")
    still_printing = answer("greet.py", "greet", 'def greet(name):\n    print("Hi, " + name)\n')
    failed = edit_replay(tmp_path, "say hi", "greet.py", "--lint-cmd", f"{sys.executable} lint.py",
                         "--max-rounds", "1", answers=(still_printing,))
    assert failed.exit_code == 4
    rejected = edit_replay(tmp_path, "say hi", "greet.py", answers=("no envelope here",) * 3)
    assert rejected.exit_code == 3
    runs = {r["id"]: r["outcome"] for r in run_cli("log", "--json").json["runs"]}
    assert runs[failed.json["run_id"]] == "checks_failed" and runs[rejected.json["run_id"]] == "rejected"
    shown = _log(columns=120).stdout
    assert "checks_failed" in shown and "rejected" in shown


def test_usage_errors_are_left_out_of_the_list_unless_asked_for(repo, tmp_path):
    kept = edit_replay(tmp_path, "return the greeting", "greet.py", answers=(RETURN_GREET,)).json["run_id"]
    # a request that names no file and matches none: a usage error found inside the run, so logged
    usage = edit_replay(tmp_path, "zzqx the frobnicator", answers=(RETURN_GREET,))
    assert usage.exit_code == 2
    assert [r["id"] for r in run_cli("log", "--json").json["runs"]] == [kept]
    assert usage.json["run_id"] not in _log().stdout
    every = run_cli("log", "--all", "--json").json["runs"]
    assert [r["outcome"] for r in every] == ["usage_error", "applied"]
    assert "usage_error" in _log("--all", columns=120).stdout


def test_search_finds_runs_by_instruction_file_and_id(repo, tmp_path):
    (repo / "Straße.py").write_text("def weg():\n    return 1\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "street")
    greet = edit_replay(tmp_path, "Make greet RETURN the greeting", "greet.py", answers=(RETURN_GREET,)).json
    weg = answer("Straße.py", "weg", "def weg():\n    return 2\n")
    street = edit_replay(tmp_path, "return two", "Straße.py", answers=(weg,)).json

    def found(text: str) -> list[str]:
        result = run_cli("log", "--search", text, "--json")
        assert result.exit_code == 0, result.stderr
        return [r["id"] for r in result.json["runs"]]

    assert found("make greet return") == [greet["run_id"]]  # any case
    assert found("straße") == [street["run_id"]]  # a file name, as typed (not as JSON escapes it)
    assert found(street["run_id"][:6]) == [street["run_id"]]
    assert found("return") == [street["run_id"], greet["run_id"]]
    assert found("nothing like this") == []
    plain = _log("--search", "nothing like this")
    assert plain.returncode == 0 and "no run matches 'nothing like this'" in plain.stderr
    assert greet["run_id"] in _log("-s", "GREET", columns=120).stdout


def test_undo_marks_its_run_reverted_in_the_logbook_at_once(repo, tmp_path):
    from vibecli import paths
    from vibecli.logbook import Logbook

    run_id = edit_replay(tmp_path, "return the greeting", "greet.py", answers=(RETURN_GREET,)).json["run_id"]
    assert run_cli("undo").exit_code == 0
    assert Logbook(paths.logbook_file()).show(run_id)["outcome"] == "reverted"  # before any `log` or later run
