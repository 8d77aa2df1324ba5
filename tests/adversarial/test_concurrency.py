"""Runs at the same time, and a user who saves while vibecli works: no lost or mixed commit, every
commit holds exactly its run's text, and a save of the user's is never overwritten nor committed
as vibecli's (exit 5, vibecli's version in a patch file)."""

from __future__ import annotations

import json
import sys

import pytest

from harness import GREET, Snapshot, answer, check, git, until

TAIL = '\n\ndef main():\n    greet("world")\n'
TEXTS = {
    "a": 'def greet(name):\n    return "Hello, " + name\n',
    "b": 'def greet(name):\n    return "Hi, " + name + "!"\n',
}
USER_SAVE = GREET + "# the user's own line, saved while vibecli worked\n"
TRIES = 20


def _start_pair(sandbox, delay: float = 0.01):
    procs = {}
    for key in ("a", "b"):
        replay = sandbox.replay_file(f"{key}.jsonl", {"text": answer("greet.py", "greet", TEXTS[key]), "delay": delay})
        args = sandbox.edit_args(f"greet as {key}", "greet.py", replay=replay)
        procs[key] = (sandbox.start(*args), args)
    return {key: sandbox.finish(proc, args) for key, (proc, args) in procs.items()}


@pytest.mark.parametrize("attempt", range(TRIES))
def test_two_runs_on_one_file_at_once(sandbox, attempt):
    before = Snapshot.take(sandbox)
    runs = _start_pair(sandbox)
    landed = {k: r for k, r in runs.items() if r.exit_code == 0}
    check(sandbox, before, None, exit_code={0, 5}, commits=[["greet.py"]] * len(landed), runs=list(runs.values()))
    assert landed, "neither run landed"
    for key, run in runs.items():
        assert "index.lock" not in run.stderr
        if key in landed:  # its commit holds exactly its own text, whichever went first
            assert sandbox.commit_text(run.json["commit"], "greet.py") == TEXTS[key] + TAIL
    last = git(sandbox.repo, "log", "-1", "--format=%B")
    winner = next(k for k, r in landed.items() if r.json["run_id"] in last)
    assert (sandbox.repo / "greet.py").read_text() == TEXTS[winner] + TAIL


@pytest.mark.parametrize("attempt", range(3))
def test_two_runs_on_different_files_at_once(sandbox, attempt):
    before = Snapshot.take(sandbox)
    core = "def core():\n    return 2\n"
    jobs = {"greet.py": answer("greet.py", "greet", TEXTS["a"]), "pkg/core.py": answer("pkg/core.py", "core", core)}
    procs = []
    for number, (path, text) in enumerate(jobs.items()):
        replay = sandbox.replay_file(f"{number}.jsonl", {"text": text, "delay": 0.01})
        args = sandbox.edit_args("change it", path, replay=replay)
        procs.append((sandbox.start(*args), args))
    runs = [sandbox.finish(p, a) for p, a in procs]
    log = git(sandbox.repo, "log", "--format=%B")  # newest first
    oldest_first = sorted(runs, key=lambda r: log.find(r.json["run_id"]), reverse=True)
    check(sandbox, before, None, exit_code=0, commits=[r.json["files"] for r in oldest_first], runs=runs)
    assert sandbox.commit_text("HEAD", "pkg/core.py") == core


def _save_during_check(sandbox, exit_status: int, *flags: str):
    started, saved = sandbox.scratch / "started", sandbox.scratch / "saved"
    check_cmd = f"touch {started}; {until(saved)}; exit {exit_status}"
    replay = sandbox.replay_file("a.jsonl", answer("greet.py", "greet", TEXTS["a"]), answer("greet.py", "greet", TEXTS["b"]))
    args = sandbox.edit_args("return it", "greet.py", "--test-cmd", check_cmd, *flags, replay=replay)
    proc = sandbox.start(*args)
    sandbox.wait_for(started, proc)
    (sandbox.repo / "greet.py").write_text(USER_SAVE)
    saved.touch()
    return sandbox.finish(proc, args)


@pytest.mark.parametrize("exit_status, flags", [(0, ()), (1, ("--max-rounds", "1")), (1, ("--max-rounds", "2"))])
def test_a_save_of_the_users_during_the_checks_is_kept_and_never_committed(clean_sandbox, exit_status, flags):
    sandbox = clean_sandbox
    before = Snapshot.take(sandbox)
    run = _save_during_check(sandbox, exit_status, *flags)
    check(sandbox, before, run, exit_code=5, written={"greet.py": USER_SAVE})
    patches = sandbox.rescued()
    assert len(patches) == 1 and str(patches[0]) in run.stderr
    assert '+    return "Hello, " + name' in patches[0].read_text()


def test_a_save_during_the_model_is_kept_and_vibecli_s_version_rescued(clean_sandbox):
    sandbox = clean_sandbox
    words = " ".join(f"w{i}" for i in range(40))
    slow = {"text": answer("greet.py", "greet", f'def greet(name):\n    """{words}"""\n    return name\n'), "delay": 0.05}
    args = ["edit", "doc it", "greet.py", "--backend", "replay", "--replay-file", str(sandbox.replay(slow)),
            "--json-lines"]
    before = Snapshot.take(sandbox)
    proc = sandbox.start(*args)
    for line in proc.stdout:
        if json.loads(line).get("event") == "token":
            break  # the model is answering
    (sandbox.repo / "greet.py").write_text(USER_SAVE)
    run = sandbox.finish(proc, args)
    check(sandbox, before, run, exit_code=5, written={"greet.py": USER_SAVE})
    assert len(sandbox.rescued()) == 1


def test_a_save_during_the_commit_stays_in_the_work_tree_and_out_of_the_commit(clean_sandbox):
    sandbox = clean_sandbox
    started, saved = sandbox.scratch / "hook", sandbox.scratch / "saved"
    sandbox.hook("pre-commit", f"touch {started}\n{until(saved)}\n")
    replay = sandbox.replay(answer("greet.py", "greet", TEXTS["a"]))
    args = sandbox.edit_args("return it", "greet.py", replay=replay)
    before = Snapshot.take(sandbox)
    proc = sandbox.start(*args)
    sandbox.wait_for(started, proc)
    (sandbox.repo / "greet.py").write_text(USER_SAVE)
    saved.touch()
    run = sandbox.finish(proc, args)
    check(sandbox, before, run, exit_code=0, committed=["greet.py"], commit_text={"greet.py": TEXTS["a"] + TAIL})
    assert (sandbox.repo / "greet.py").read_text() == USER_SAVE
    assert "greet.py" in git(sandbox.repo, "diff", "--name-only")  # the save shows as the user's change


def test_a_run_that_waits_too_long_for_another_gives_up_in_one_line(sandbox):
    started, release = sandbox.scratch / "started", sandbox.scratch / "release"
    first_args = sandbox.edit_args("return it", "greet.py", "--test-cmd", f"touch {started}; {until(release)}",
                                   replay=sandbox.replay_file("a.jsonl", answer("greet.py", "greet", TEXTS["a"])))
    before = Snapshot.take(sandbox)
    first = sandbox.start(*first_args)
    sandbox.wait_for(started, first)
    second = sandbox.edit("return it", "pkg/core.py", replay=sandbox.replay_file("b.jsonl", "unused"),
                          VIBECLI_LOCK_WAIT="1")
    release.touch()
    assert "waiting for it" in second.stderr
    first_run = sandbox.finish(first, first_args)
    check(sandbox, before, second, exit_code={0, 1}, committed=["greet.py"], runs=[first_run])
    assert (second.exit_code, first_run.exit_code) == (1, 0)
    assert "lock_wait" in second.stderr


def test_a_vibecli_run_inside_vibecli_s_own_commit_hook_does_not_wait_for_its_parent(sandbox):
    inner = sandbox.replay_file("inner.jsonl", answer("greet.py", "greet", TEXTS["b"]))
    sandbox.hook("pre-commit", f"exec {sys.executable} -m vibecli edit 'check' greet.py --dry-run --allow-dirty --backend replay "
                               f"--replay-file {inner} -q\n")
    before = Snapshot.take(sandbox)
    run = sandbox.edit("return it", "greet.py", answers=(answer("greet.py", "greet", TEXTS["a"]),),
                       VIBECLI_LOCK_WAIT="3")
    check(sandbox, before, run, exit_code=0, committed=["greet.py"], commit_text={"greet.py": TEXTS["a"] + TAIL})


def test_undo_waits_for_a_run_in_progress_then_reverts_its_commit(sandbox):
    started, release = sandbox.scratch / "started", sandbox.scratch / "release"
    args = sandbox.edit_args("return it", "greet.py", "--test-cmd", f"touch {started}; {until(release)}",
                             replay=sandbox.replay_file("a.jsonl", answer("greet.py", "greet", TEXTS["a"])))
    before = Snapshot.take(sandbox)
    proc = sandbox.start(*args)
    sandbox.wait_for(started, proc)
    # without the lock undo would say "HEAD is not a vibecli commit"; the run goes on once undo waits
    undo_proc = sandbox.start("undo", "--json", VIBECLI_LOCK_WAIT="60")
    waiting = undo_proc.stderr.readline()
    release.touch()
    undo = sandbox.finish(undo_proc, ["undo", "--json"])
    edit = sandbox.finish(proc, args)
    check(sandbox, before, undo, exit_code=0, commits=[["greet.py"], ["greet.py"]], runs=[edit])
    assert "waiting for it" in waiting
    assert undo.json["reverted"] == edit.json["commit"]
    assert (sandbox.repo / "greet.py").read_text() == GREET
