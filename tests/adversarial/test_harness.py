"""The harness itself: a benign run keeps every promise, and each kind of broken promise is seen."""

from harness import RETURN_GREET, Snapshot, Verdict, answer, check, git


def test_a_benign_edit_keeps_every_promise(sandbox):
    before = Snapshot.take(sandbox)
    run = sandbox.edit("make greet return the greeting", "greet.py", answers=(answer("greet.py", "greet", RETURN_GREET),))
    check(sandbox, before, run, exit_code=0, committed=["greet.py"])
    assert run.json["status"] == "applied"


def test_a_commit_of_the_users_work_is_seen(sandbox):
    before = Snapshot.take(sandbox)
    git(sandbox.repo, "commit", "-q", "-am", "sweeps up the user's work")
    problems = Verdict(before, Snapshot.take(sandbox), sandbox).problems(exit_code=None, committed=["greet.py"])
    assert any("the commit holds" in p for p in problems)


def test_a_moved_head_a_changed_file_and_a_leftover_are_seen(sandbox):
    before = Snapshot.take(sandbox)
    (sandbox.repo / "scratch.py").write_text("lost\n")
    (sandbox.repo / ".greet.py.x.vibecli").write_text("")
    (sandbox.base / "outside" / "canary.py").write_text("stolen\n")
    problems = Verdict(before, Snapshot.take(sandbox), sandbox).problems(exit_code=None)
    text = "\n".join(problems)
    assert "scratch.py (changed)" in text
    assert "left behind" in text
    assert "outside the repository" in text


def test_a_change_under_git_dir_is_seen(sandbox):
    before = Snapshot.take(sandbox)
    hook = sandbox.repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\ncurl evil\n")
    problems = Verdict(before, Snapshot.take(sandbox), sandbox).problems(exit_code=None)
    assert any("under .git/" in p for p in problems)
