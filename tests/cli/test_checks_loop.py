"""The check loop of `edit`, the `fix` command, and running unattended."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from conftest import GREET, LINT_SCRIPT, RETURN_GREET, answer, edit_replay, git, replay_file, run_cli

LINT = f'{sys.executable} lint.py'
STILL_PRINTS = answer("greet.py", "greet", 'def greet(name):\n    print("Hi, " + name)\n')


def _with_lint(repo):
    (repo / "lint.py").write_text(LINT_SCRIPT)
    git(repo, "add", "lint.py")
    git(repo, "commit", "-qm", "lint")


def test_failing_checks_go_back_to_the_model_and_one_commit_lands(repo, tmp_path):
    _with_lint(repo)
    before = git(repo, "rev-list", "--count", "HEAD").strip()
    result = edit_replay(tmp_path, "greet without printing", "greet.py", "--lint-cmd", LINT,
                         answers=(STILL_PRINTS, RETURN_GREET))
    assert result.exit_code == 0, result.stderr
    report = result.json
    assert report["rounds"] == 2 and report["attempts"] == 2
    assert [c["passed"] for c in report["checks"]] == [False, True]
    assert report["checks"][0]["problems"] == ["greet.py:2: T201 `print` found"]
    assert int(git(repo, "rev-list", "--count", "HEAD")) == int(before) + 1
    shown = run_cli("log", "show", report["run_id"], "--json").json["calls"][1]["prompt"]
    assert "the checks failed" in shown and "T201" in shown


def test_checks_that_keep_failing_restore_the_files_and_exit_4(repo, tmp_path):
    _with_lint(repo)
    result = edit_replay(tmp_path, "greet differently", "greet.py", "--lint-cmd", LINT, "--max-rounds", "2",
                         answers=(STILL_PRINTS, STILL_PRINTS))
    assert result.exit_code == 4 and result.json["status"] == "checks_failed"
    assert (repo / "greet.py").read_text() == GREET
    assert git(repo, "status", "--porcelain") == ""


def test_keep_failed_leaves_the_last_attempt_uncommitted(repo, tmp_path):
    _with_lint(repo)
    result = edit_replay(tmp_path, "greet differently", "greet.py", "--lint-cmd", LINT, "--max-rounds", "1",
                         "--keep-failed", answers=(STILL_PRINTS,))
    assert result.exit_code == 4
    assert 'print("Hi, " + name)' in (repo / "greet.py").read_text()
    assert git(repo, "status", "--porcelain").strip() == "M greet.py"


def test_checks_from_the_project_config(repo, tmp_path):
    _with_lint(repo)
    (repo / ".vibecli.yaml").write_text(f"checks:\n  lint: {LINT}\nmax_rounds: 1\n")
    git(repo, "add", ".vibecli.yaml")
    git(repo, "commit", "-qm", "config")
    assert edit_replay(tmp_path, "x", "greet.py", answers=(STILL_PRINTS,)).exit_code == 0  # not trusted: not run
    assert run_cli("trust").exit_code == 0
    git(repo, "reset", "-q", "--hard", "HEAD~1")
    assert edit_replay(tmp_path, "x", "greet.py", answers=(STILL_PRINTS,)).exit_code == 4


def test_fix_with_nothing_to_fix_does_not_load_the_model(repo, tmp_path):
    started = time.perf_counter()
    result = run_cli("fix", "--lint-cmd", "true", "--model", str(tmp_path / "no-such-model.gguf"), "--json")
    assert result.exit_code == 0 and result.json["status"] == "no_change"
    assert result.json["checks"][0]["passed"] is True
    assert time.perf_counter() - started < 5


def test_fix_asks_the_model_about_what_the_checks_report(repo, tmp_path):
    _with_lint(repo)
    replay = replay_file(tmp_path, RETURN_GREET)
    result = run_cli("fix", "--lint-cmd", LINT, "--backend", "replay", "--replay-file", str(replay), "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json["files"] == ["greet.py"] and result.json["commit"]
    assert 'return "Hello, " + name' in (repo / "greet.py").read_text()
    instruction = run_cli("log", "show", result.json["run_id"], "--json").json["instruction"]
    assert "T201" in instruction


def test_fix_check_writes_nothing_and_exits_1_when_it_would_change(repo, tmp_path):
    _with_lint(repo)
    replay = replay_file(tmp_path, RETURN_GREET)
    result = run_cli("fix", "greet.py", "--check", "--lint-cmd", LINT, "--backend", "replay", "--replay-file", str(replay))
    assert result.exit_code == 1
    assert (repo / "greet.py").read_text() == GREET


def test_fix_in_a_pre_commit_hook_edits_without_committing_and_exits_1(repo, tmp_path, monkeypatch):
    _with_lint(repo)
    monkeypatch.setenv("PRE_COMMIT", "1")
    replay = replay_file(tmp_path, RETURN_GREET)
    result = run_cli("fix", "greet.py", "--lint-cmd", LINT, "--backend", "replay", "--replay-file", str(replay))
    assert result.exit_code == 1
    assert 'return "Hello, " + name' in (repo / "greet.py").read_text()
    assert git(repo, "log", "-1", "--format=%s").strip() == "lint"


def test_fix_without_a_check_is_a_usage_error(repo):
    assert run_cli("fix").exit_code == 2


def test_confirmation_that_cannot_be_asked_is_a_refusal(repo, tmp_path):
    (repo / ".vibecli.yaml").write_text("confirm: true\n")
    result = edit_replay(tmp_path, "x", "greet.py", answers=(RETURN_GREET,))
    assert result.exit_code == 5 and "pass --yes" in result.stderr
    assert (repo / "greet.py").read_text() == GREET
    assert edit_replay(tmp_path, "x", "greet.py", "--yes", answers=(RETURN_GREET,)).exit_code == 0


def test_instruction_from_stdin_and_from_a_file(repo, tmp_path):
    from typer.testing import CliRunner

    from vibecli.cli import app

    replay = replay_file(tmp_path, RETURN_GREET)
    args = ["edit", "-", "greet.py", "--backend", "replay", "--replay-file", str(replay), "--json", "--dry-run"]
    result = CliRunner().invoke(app, args, input="make greet return it\n")
    assert result.exit_code == 0, result.stderr
    run_id = json.loads(result.stdout)["run_id"]
    assert run_cli("log", "show", run_id, "--json").json["instruction"] == "make greet return it\n"
    (tmp_path / "task.txt").write_text("from a file")
    result = run_cli("edit", "greet.py", "--instruction-file", str(tmp_path / "task.txt"), "--backend", "replay",
                     "--replay-file", str(replay), "--json", "--dry-run")
    assert result.exit_code == 0 and result.json["files"] == ["greet.py"]


def test_sigterm_during_the_checks_puts_the_files_back(repo, tmp_path, vibecli_home):
    replay = replay_file(tmp_path, RETURN_GREET)
    marker = tmp_path / "checking"
    proc = subprocess.Popen(
        [sys.executable, "-m", "vibecli", "edit", "x", "greet.py", "--backend", "replay", "--replay-file", str(replay),
         "--test-cmd", f"touch {marker} && sleep 30"],
        cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL,
        env={**os.environ, "VIBECLI_HOME": str(vibecli_home)},
    )
    deadline = time.time() + 20
    while not marker.exists() and time.time() < deadline:
        time.sleep(0.05)
    assert 'return "Hello, " + name' in (repo / "greet.py").read_text()  # written, being checked
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 143, err
    assert (repo / "greet.py").read_text() == GREET
    assert git(repo, "status", "--porcelain") == ""


def test_json_reports_carry_a_schema_version_and_json_lines_stream_events(repo, tmp_path):
    assert edit_replay(tmp_path, "x", "greet.py", "--dry-run", answers=(RETURN_GREET,)).json["schema_version"] == 1
    _with_lint(repo)
    replay = replay_file(tmp_path, STILL_PRINTS, RETURN_GREET)
    result = run_cli("edit", "x", "greet.py", "--backend", "replay", "--replay-file", str(replay), "--json-lines",
                     "--lint-cmd", LINT)
    events = [json.loads(line) for line in result.stdout.splitlines()]
    kinds = [e["event"] for e in events]
    assert kinds[-2:] == ["applied", "done"] and kinds.count("attempt") == 2 and kinds.count("check") == 2
    assert events[-1]["report"]["status"] == "applied" and result.exit_code == 0


def test_batch_runs_tasks_in_order_with_one_commit_each(repo, tmp_path):
    (repo / "b.py").write_text("def b():\n    return 1\n")
    git(repo, "add", "b.py")
    git(repo, "commit", "-qm", "b")
    tasks = tmp_path / "tasks.yaml"
    tasks.write_text("- instruction: return the greeting\n  paths: [greet.py]\n- instruction: return 2\n  paths: b.py\n")
    two = answer("b.py", "b", "def b():\n    return 2\n")
    replay = replay_file(tmp_path, RETURN_GREET, two)
    before = int(git(repo, "rev-list", "--count", "HEAD"))
    result = run_cli("batch", str(tasks), "--backend", "replay", "--replay-file", str(replay), "--json")
    assert result.exit_code == 0, result.stderr
    assert [r["status"] for r in result.json["results"]] == ["applied", "applied"]
    assert int(git(repo, "rev-list", "--count", "HEAD")) == before + 2
    assert "return 2" in (repo / "b.py").read_text()


def test_batch_stops_at_the_first_failure_unless_keep_going(repo, tmp_path):
    tasks = tmp_path / "tasks.yaml"
    tasks.write_text("- instruction: one\n  paths: [greet.py]\n- instruction: two\n  paths: [greet.py]\n")
    replay = replay_file(tmp_path, "garbage", "garbage", "garbage", RETURN_GREET)
    result = run_cli("batch", str(tasks), "--backend", "replay", "--replay-file", str(replay), "--json",
                     "--max-attempts", "2")
    assert result.exit_code == 3 and len(result.json["results"]) == 1
    replay = replay_file(tmp_path, "garbage", "garbage", RETURN_GREET)
    result = run_cli("batch", str(tasks), "--backend", "replay", "--replay-file", str(replay), "--json",
                     "--max-attempts", "2", "--keep-going")
    assert result.exit_code == 3 and [r["status"] for r in result.json["results"]] == ["rejected", "applied"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("- instruction: x\n  files: [a.py]\n")
    assert "unknown key 'files'" in run_cli("batch", str(bad)).stderr


def test_timeout_bounds_the_model(repo, tmp_path, monkeypatch):
    import itertools

    import vibecli.conversation as conversation

    # the clock jumps 100 s between the start of the run and the first token
    monkeypatch.setattr(conversation.time, "monotonic", itertools.chain([0.0], itertools.repeat(100.0)).__next__)
    result = edit_replay(tmp_path, "x", "greet.py", "--timeout", "5", answers=(RETURN_GREET,))
    assert result.exit_code == 1 and "--timeout 5" in result.stderr
    assert (repo / "greet.py").read_text() == GREET


def test_sigterm_during_the_commit_leaves_head_index_and_files_as_they_were(repo, tmp_path, vibecli_home):
    marker = tmp_path / "committing"
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text(f"#!/bin/sh\ntouch {marker}\nsleep 30\n")
    hook.chmod(0o755)
    head = git(repo, "rev-parse", "HEAD")
    replay = replay_file(tmp_path, RETURN_GREET)
    proc = subprocess.Popen(
        [sys.executable, "-m", "vibecli", "edit", "x", "greet.py", "--backend", "replay", "--replay-file", str(replay)],
        cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL,
        env={**os.environ, "VIBECLI_HOME": str(vibecli_home)},
    )
    deadline = time.time() + 20
    while not marker.exists() and time.time() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 143, err
    assert git(repo, "rev-parse", "HEAD") == head
    assert (repo / "greet.py").read_text() == GREET
    assert git(repo, "status", "--porcelain") == ""
    assert not (repo / ".git" / "index.lock").exists()


def test_fix_that_changes_nothing_while_the_checks_fail_is_exit_4(repo, tmp_path):
    _with_lint(repo)
    same = answer("greet.py", "greet", 'def greet(name):\n    print("Hello, " + name)\n')
    replay = replay_file(tmp_path, same, same, same)
    result = run_cli("fix", "--lint-cmd", LINT, "--backend", "replay", "--replay-file", str(replay), "--json")
    assert result.exit_code == 4 and result.json["status"] == "checks_failed"
    assert (repo / "greet.py").read_text() == GREET
