"""The console script's fast path for `vibecli fix` with nothing to fix, run as a real process."""

from __future__ import annotations

import subprocess
import sys

from conftest import GREET, LINT_SCRIPT, git


def vibecli(repo, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-X", "importtime", "-m", "vibecli", *args], cwd=repo,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)


def imported(proc: subprocess.CompletedProcess) -> set[str]:
    return {line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}


def test_nothing_to_fix_answers_without_typer_rich_or_gitpython(repo):
    proc = vibecli(repo, "fix", "greet.py", "--lint-cmd", "true", "--check")
    assert proc.returncode == 0
    assert "nothing to fix" in proc.stderr
    assert not {"typer", "rich", "git"} & imported(proc)


def test_nothing_to_fix_reads_the_checks_from_the_project_config(repo):
    (repo / ".vibecli.yaml").write_text("checks:\n  lint: 'true'\n")
    assert vibecli(repo, "trust").returncode == 0
    proc = vibecli(repo, "fix", "-q")
    assert proc.returncode == 0 and "nothing to fix" not in proc.stderr
    assert "typer" not in imported(proc)


def test_a_failing_check_goes_to_the_full_command_line(repo, tmp_path):
    (repo / "lint.py").write_text(LINT_SCRIPT)
    git(repo, "add", "lint.py")
    git(repo, "commit", "-qm", "lint")
    replay = tmp_path / "answers.jsonl"
    replay.write_text("")  # the model is asked and gives nothing: rejected, never a fast-path 0
    proc = vibecli(repo, "fix", "--lint-cmd", f"{sys.executable} lint.py", "--backend", "replay",
                   "--replay-file", str(replay))
    assert proc.returncode != 0 and "typer" in imported(proc)
    assert (repo / "greet.py").read_text() == GREET


def test_options_it_does_not_know_go_to_the_full_command_line(repo):
    proc = vibecli(repo, "fix", "--lint-cmd", "true", "--json")
    assert proc.returncode == 0 and '"status": "no_change"' in proc.stdout
    assert "typer" in imported(proc)


def test_a_bad_config_is_reported_by_the_full_command_line(repo):
    (repo / ".vibecli.yaml").write_text("no_such_key: 1\n")
    proc = vibecli(repo, "fix", "--lint-cmd", "true")
    assert proc.returncode == 1 and "no_such_key" in proc.stderr
