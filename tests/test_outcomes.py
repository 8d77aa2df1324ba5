"""Outcomes of runs, read from real git history after real (replayed) vibecli edits."""

from __future__ import annotations

import json

from conftest import RETURN_GREET, answer, edit_replay, git, run_cli
from vibecli import paths
from vibecli.git import GitRepo
from vibecli.logbook import Logbook
from vibecli.outcomes import update_outcomes


def _edit(tmp_path) -> str:
    result = edit_replay(tmp_path, "make greet return the greeting", "greet.py", answers=(RETURN_GREET,))
    assert result.exit_code == 0, result.stdout
    return result.json["run_id"]


def _outcome(run_id: str) -> tuple[str, dict | None]:
    run = Logbook(paths.logbook_file()).show(run_id)
    return run["outcome"], json.loads(run["outcome_detail"]) if run["outcome_detail"] else None


def test_a_fresh_run_is_applied_and_stays_so_without_later_commits(repo, tmp_path):
    run_id = _edit(tmp_path)
    assert _outcome(run_id) == ("applied", None)
    assert update_outcomes(Logbook(paths.logbook_file()), GitRepo.find(repo)) == {}
    assert _outcome(run_id)[0] == "applied"


def test_vibecli_undo_marks_the_run_reverted(repo, tmp_path):
    run_id = _edit(tmp_path)
    assert run_cli("undo").exit_code == 0
    outcome, detail = _outcome(run_id)  # undo records it at once
    assert outcome == "reverted" and detail["by"] == "undo"
    assert update_outcomes(Logbook(paths.logbook_file()), GitRepo.find(repo)) == {}


def test_a_git_revert_commit_marks_the_run_reverted(repo, tmp_path):
    run_id = _edit(tmp_path)
    git(repo, "revert", "--no-edit", "HEAD")
    update_outcomes(Logbook(paths.logbook_file()), GitRepo.find(repo))
    outcome, detail = _outcome(run_id)
    assert outcome == "reverted" and detail["by"] == "revert"


def test_files_restored_by_hand_mark_the_run_reverted(repo, tmp_path):
    before = (repo / "greet.py").read_text()
    run_id = _edit(tmp_path)
    git(repo, "checkout", "HEAD~1", "--", "greet.py")
    git(repo, "commit", "-qm", "back to printing")
    assert (repo / "greet.py").read_text() == before
    update_outcomes(Logbook(paths.logbook_file()), GitRepo.find(repo))
    assert _outcome(run_id)[0] == "reverted"
    assert _outcome(run_id)[1]["by"] == "restored"


def test_a_human_amendment_is_recorded_with_its_diff_and_files(repo, tmp_path):
    run_id = _edit(tmp_path)
    fixed = (repo / "greet.py").read_text().replace('"Hello, " + name', 'f"Hello, {name}!"')
    (repo / "greet.py").write_text(fixed)
    git(repo, "commit", "-qam", "greet with an f-string")
    update_outcomes(Logbook(paths.logbook_file()), GitRepo.find(repo))
    outcome, detail = _outcome(run_id)
    assert outcome == "amended"
    assert 'f"Hello, {name}!"' in detail["diff"]
    assert detail["after"]["greet.py"] == fixed
    assert 'return "Hello, " + name' in detail["vibecli"]["greet.py"]
    assert 'print("Hello, " + name)' in detail["before"]["greet.py"]


def test_unrelated_commits_leave_the_outcome_and_the_next_run_updates_it(repo, tmp_path):
    run_id = _edit(tmp_path)
    (repo / "other.txt").write_text("x\n")
    git(repo, "add", "other.txt")
    git(repo, "commit", "-qm", "unrelated")
    git(repo, "revert", "--no-edit", "HEAD~1")
    # the next vibecli run in this repository updates outcomes before it starts
    result = edit_replay(tmp_path, "make main quiet", "greet.py",
                         answers=(answer("greet.py", "main", "def main():\n    pass\n"),))
    assert result.exit_code == 0, result.stdout
    assert _outcome(run_id)[0] == "reverted"
    assert _outcome(result.json["run_id"])[0] == "applied"


def test_checks_verdict_is_recorded(repo, tmp_path):
    result = edit_replay(tmp_path, "make greet return the greeting", "greet.py", "--test-cmd", "true",
                         answers=(RETURN_GREET,))
    assert result.exit_code == 0
    assert Logbook(paths.logbook_file()).show(result.json["run_id"])["checks"] == "passed"
