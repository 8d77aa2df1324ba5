"""SIGINT and SIGTERM at every moment of a run: start-up, the model, the checks, the commit, the
logbook. When nothing landed: 130 or 143, one line, the files as they were. When the commit had
landed: exit 0, and the report says so with the commit id. Never a traceback, never a silent 0."""

from __future__ import annotations

import json
import signal
import time

import pytest

from harness import RETURN_GREET, Snapshot, answer, check, git, until

SIGNALS = {"SIGINT": signal.SIGINT, "SIGTERM": signal.SIGTERM}
STARTUP_DELAYS = [0.0, 0.01, 0.03, 0.06, 0.1, 0.15, 0.2, 0.3, 0.45, 0.6, 0.8, 1.0, 1.3]


def _in_python_start_up(run) -> bool:
    """The signal hit the interpreter's own start-up (site, runpy), before vibecli's first line
    ran: Python's default applies there (its KeyboardInterrupt report, or death by the signal),
    and no program can handle a signal before it runs. vibecli's part starts within a few ms."""
    if run.killed_by is not None:
        return True
    last = run.stderr.strip().splitlines()[-1:]
    return last == ["KeyboardInterrupt"] and "/vibecli/" not in run.stderr


def _outcome(sandbox, before, run, signum: int) -> None:
    """Whichever moment it hit: either nothing landed (128 + N) or the commit did (0)."""
    if _in_python_start_up(run):
        assert run.exit_code in (1, 128 + signum)
        check(sandbox, before, None, exit_code=None)  # nothing changed, whatever Python printed
    elif run.exit_code == 0:
        check(sandbox, before, run, exit_code=0, committed=["greet.py"], commit_text={"greet.py": _returned()})
    else:
        check(sandbox, before, run, exit_code=128 + signum)


def _returned() -> str:
    return RETURN_GREET + '\n\ndef main():\n    greet("world")\n'


def _start(sandbox, *flags: str, answers=None, json_lines: bool = False):
    replay = sandbox.replay(*(answers or (answer("greet.py", "greet", RETURN_GREET),)))
    args = ["edit", "return the greeting", "greet.py", *flags, "--backend", "replay", "--replay-file", str(replay),
            "--json-lines" if json_lines else "--json"]
    return sandbox.start(*args), args


@pytest.mark.parametrize("name", sorted(SIGNALS))
@pytest.mark.parametrize("delay", STARTUP_DELAYS)
def test_a_signal_at_any_moment_of_start_up_tells_the_truth(sandbox, name, delay):
    before = Snapshot.take(sandbox)
    proc, args = _start(sandbox)
    time.sleep(delay)
    sandbox.signal(proc, SIGNALS[name])
    _outcome(sandbox, before, sandbox.finish(proc, args), SIGNALS[name])


@pytest.mark.parametrize("name", sorted(SIGNALS))
def test_a_signal_while_the_model_answers(sandbox, name):
    words = " ".join(f"w{i}" for i in range(60))
    slow = {"text": answer("greet.py", "greet", f'def greet(name):\n    """{words}"""\n    return name\n'),
            "delay": 0.05}
    before = Snapshot.take(sandbox)
    proc, args = _start(sandbox, answers=(slow,), json_lines=True)
    for line in proc.stdout:
        if json.loads(line).get("event") == "token":
            break
    sandbox.signal(proc, SIGNALS[name])
    run = sandbox.finish(proc, args)
    check(sandbox, before, run, exit_code=128 + SIGNALS[name])


@pytest.mark.parametrize("name", sorted(SIGNALS))
@pytest.mark.parametrize("outcome", ["pass", "fail"])
def test_a_signal_during_the_checks_puts_the_files_back(sandbox, name, outcome):
    started = sandbox.scratch / "started"
    status = 0 if outcome == "pass" else 1
    before = Snapshot.take(sandbox)
    proc, args = _start(sandbox, "--test-cmd", f"touch {started}; sleep 30; exit {status}")
    sandbox.wait_for(started, proc)
    sandbox.signal(proc, SIGNALS[name])
    run = sandbox.finish(proc, args)
    check(sandbox, before, run, exit_code=128 + SIGNALS[name])


def test_two_interrupts_in_a_row_cannot_cut_the_clean_up_short(sandbox):
    started = sandbox.scratch / "started"
    before = Snapshot.take(sandbox)
    proc, args = _start(sandbox, "--test-cmd", f"touch {started}; sleep 30")
    sandbox.wait_for(started, proc)
    for _ in range(3):
        sandbox.signal(proc, signal.SIGINT)
        time.sleep(0.005)
    sandbox.signal(proc, signal.SIGTERM)
    run = sandbox.finish(proc, args)
    check(sandbox, before, run, exit_code=130)


@pytest.mark.parametrize("name", sorted(SIGNALS))
def test_a_signal_during_the_commit_hook_leaves_head_and_the_files_as_they_were(sandbox, name):
    started = sandbox.scratch / "hook"
    sandbox.hook("pre-commit", f"touch {started}\nsleep 30\n")
    before = Snapshot.take(sandbox)
    proc, args = _start(sandbox)
    sandbox.wait_for(started, proc)
    sandbox.signal(proc, SIGNALS[name])
    run = sandbox.finish(proc, args)
    check(sandbox, before, run, exit_code=128 + SIGNALS[name])


@pytest.mark.parametrize("name", sorted(SIGNALS))
def test_a_signal_after_the_commit_landed_says_so_and_exits_0(sandbox, name):
    started = sandbox.scratch / "hook"
    sandbox.hook("post-commit", f"touch {started}\nsleep 30\n")
    before = Snapshot.take(sandbox)
    proc, args = _start(sandbox)
    sandbox.wait_for(started, proc)
    sandbox.signal(proc, SIGNALS[name])
    run = sandbox.finish(proc, args)
    check(sandbox, before, run, exit_code=0, committed=["greet.py"], commit_text={"greet.py": _returned()})
    report = run.json
    head = git(sandbox.repo, "rev-parse", "HEAD").strip()
    assert report["commit"] == head and head[:12] in report["message"] and "interrupted" in report["message"]


@pytest.mark.parametrize("name", sorted(SIGNALS))
def test_a_signal_while_the_logbook_is_busy_at_the_start(sandbox, name):
    locker = sandbox.lock_logbook(6)
    try:
        before = Snapshot.take(sandbox)
        proc, args = _start(sandbox)
        time.sleep(1.2)  # start-up, or the wait for the logbook
        sandbox.signal(proc, SIGNALS[name])
        run = sandbox.finish(proc, args)
    finally:
        locker.kill()
        locker.wait()
    _outcome(sandbox, before, run, SIGNALS[name])


@pytest.mark.parametrize("name", sorted(SIGNALS))
def test_a_signal_while_the_logbook_records_a_landed_commit(sandbox, name):
    """The post-commit hook has another process take the logbook, so recording the run waits."""
    started = sandbox.scratch / "hook"
    held = sandbox.scratch / "logbook-held"
    locker = f"{json.dumps(__import__('sys').executable)} -c {json.dumps(_LOCKER)} {sandbox.home / 'logbook.db'} {held}"
    sandbox.hook("post-commit", f"({locker} >/dev/null 2>&1 &)\nwhile [ ! -f {held} ]; do sleep 0.01; done\ntouch {started}\n")
    before = Snapshot.take(sandbox)
    proc, args = _start(sandbox)
    sandbox.wait_for(started, proc)
    time.sleep(0.3)
    sandbox.signal(proc, SIGNALS[name])
    run = sandbox.finish(proc, args)
    check(sandbox, before, run, exit_code=0, committed=["greet.py"])
    assert run.json["commit"] == git(sandbox.repo, "rev-parse", "HEAD").strip()
    assert name in run.stderr and "landed" in run.stderr


_LOCKER = ("import pathlib, sqlite3, sys, time; db = sqlite3.connect(sys.argv[1], isolation_level=None); "
           "db.execute('BEGIN EXCLUSIVE'); pathlib.Path(sys.argv[2]).touch(); time.sleep(4)")


@pytest.mark.parametrize("name", sorted(SIGNALS))
def test_a_signal_while_waiting_for_another_run(sandbox, name):
    started, release = sandbox.scratch / "started", sandbox.scratch / "release"
    first_replay = sandbox.replay_file("first.jsonl", answer("pkg/core.py", "core", "def core():\n    return 2\n"))
    # the first run holds the lock until the second has been signalled (a fixed sleep can end first under load)
    first_args = sandbox.edit_args("change core", "pkg/core.py", "--test-cmd",
                                   f"touch {started}; {until(release)}",
                                   replay=first_replay)
    before = Snapshot.take(sandbox)
    first = sandbox.start(*first_args)
    sandbox.wait_for(started, first)
    proc, args = _start(sandbox)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not list((sandbox.home / "locks").glob("*.lock")):
        time.sleep(0.01)
    time.sleep(0.8)  # well into its wait for the lock
    sandbox.signal(proc, SIGNALS[name])
    run = sandbox.finish(proc, args)
    release.touch()
    first_run = sandbox.finish(first, first_args)
    check(sandbox, before, run, exit_code={0, 128 + SIGNALS[name]}, committed=["pkg/core.py"], runs=[first_run])
    assert (run.exit_code, first_run.exit_code) == (128 + SIGNALS[name], 0)


@pytest.mark.parametrize("name", sorted(SIGNALS))
def test_a_signal_during_fix_s_quick_check_stops_the_check_too(sandbox, name):
    """`fix` with nothing to fix answers before the full command line loads; its check runs in
    its own process group, and must not outlive the interrupted run."""
    started, pid_file = sandbox.scratch / "started", sandbox.scratch / "pid"
    args = ["fix", "--lint-cmd", f"echo $$ > {pid_file}; touch {started}; sleep 30"]
    before = Snapshot.take(sandbox)
    proc = sandbox.start(*args)
    sandbox.wait_for(started, proc)
    sandbox.signal(proc, SIGNALS[name])
    run = sandbox.finish(proc, args)
    check(sandbox, before, run, exit_code=128 + SIGNALS[name])
    stat = f"/proc/{pid_file.read_text().strip()}/stat"
    deadline = time.monotonic() + 5  # the kernel ends a killed group at once; a busy machine takes it a moment to reap

    def gone() -> bool:
        try:
            with open(stat) as handle:
                return handle.read().split()[2] == "Z"
        except FileNotFoundError:
            return True

    while not gone() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert gone(), "the check outlived the interrupted run"
