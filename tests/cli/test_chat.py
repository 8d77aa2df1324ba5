"""The interactive session, driven as a user drives it: in a pseudo-terminal (pexpect), against
real temporary git repositories, with the replay backend (and once with the embedded model)."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pexpect
import pytest

from conftest import GREET, RETURN_GREET, git

PROMPT = r"vibecli( \(no-commit\))?>"
RETURNS = 'return "Hello, " + name'
RETURNS_SHOWN = re.escape(RETURNS)


class Session:
    """A vibecli session in a pseudo-terminal."""

    def __init__(self, repo: Path, home: Path, *args: str, env: dict | None = None):
        environ = {**os.environ, "VIBECLI_HOME": str(home), "PROMPT_TOOLKIT_NO_CPR": "1", "NO_COLOR": "1",
                   "TERM": "xterm-256color", **(env or {})}
        environ.pop("CI", None)
        self.child = pexpect.spawn(sys.executable, ["-m", "vibecli", *args], cwd=str(repo), env=environ,
                                   encoding="utf-8", timeout=60, dimensions=(50, 200))
        self.transcript = ""

    def expect(self, pattern) -> str:
        try:
            self.child.expect(pattern)
        finally:
            after = self.child.after if isinstance(self.child.after, str) else ""
            self.transcript += (self.child.before or "") + after
        return self.child.before

    def prompt(self) -> None:
        self.expect(PROMPT)

    def line(self, text: str, *expected: str) -> None:
        """Type a line and Enter; wait for each expected text, then for the next prompt."""
        self.child.send(text + "\r")
        for pattern in expected:
            self.expect(pattern)
        self.prompt()

    def end(self) -> int:
        self.child.sendeof()
        self.expect(pexpect.EOF)
        self.child.close()
        return self.child.exitstatus


def start(repo: Path, home: Path, *args: str, env: dict | None = None) -> Session:
    session = Session(repo, home, *args, env=env)
    session.prompt()
    return session


def slow(text: str, delay: float = 0.5) -> dict:
    return {"text": text, "delay": delay}


def script(tmp_path: Path, *answers) -> str:
    path = tmp_path / "answers.jsonl"
    path.write_text("".join(json.dumps(a if isinstance(a, dict) else {"text": a}) + "\n" for a in answers))
    return str(path)


def replay(tmp_path: Path, *answers) -> tuple[str, ...]:
    return "chat", "--backend", "replay", "--replay-file", script(tmp_path, *answers)


def runs(home: Path) -> list[sqlite3.Row]:
    db = sqlite3.connect(home / "logbook.db")
    db.row_factory = sqlite3.Row
    return db.execute("SELECT * FROM runs ORDER BY started_at").fetchall()


def test_no_command_without_a_terminal_prints_the_help_and_exits_2(repo, vibecli_home):
    for args in ([], ["chat"]):
        proc = subprocess.run([sys.executable, "-m", "vibecli", *args], cwd=repo, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=60)
        assert proc.returncode == 2, args
        assert "Traceback" not in proc.stderr
    assert "Usage" in subprocess.run([sys.executable, "-m", "vibecli"], cwd=repo, capture_output=True, text=True,
                                     stdin=subprocess.DEVNULL, timeout=60).stdout
    assert "the session needs a terminal" in proc.stderr


def test_ci_set_at_a_terminal_still_never_waits_for_input(repo, vibecli_home):
    child = pexpect.spawn(sys.executable, ["-m", "vibecli"], cwd=str(repo), encoding="utf-8", timeout=60,
                          env={**os.environ, "VIBECLI_HOME": str(vibecli_home), "CI": "true"})
    child.expect("Usage")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2


def test_outside_a_git_repository_is_one_line_exit_1(tmp_path, vibecli_home):
    child = pexpect.spawn(sys.executable, ["-m", "vibecli"], cwd=str(tmp_path), encoding="utf-8", timeout=60,
                          env={**{k: v for k, v in os.environ.items() if k != "CI"}, "VIBECLI_HOME": str(vibecli_home)})
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert "vibecli: error: not inside a git work tree" in child.before and "--no-git" not in child.before
    assert "Traceback" not in child.before


def test_help_does_not_import_prompt_toolkit():
    code = "import sys, vibecli.cli; assert 'prompt_toolkit' not in sys.modules and 'pexpect' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_banner_names_the_model_and_the_adapter_in_effect(repo, tmp_path, vibecli_home, embedded_model):
    """The model is not loaded for the banner: the name and the adapter are known before."""
    shown = {
        (): r"model gemma-3-270m-q4_k_m · adapter gemma-3-270m-edit-1 \(shipped\) · commit on",
        ("--adapter", "none"): r"model gemma-3-270m-q4_k_m · adapter none · commit on",
        replay(tmp_path, RETURN_GREET): r"model replay · adapter none · commit on",
    }
    for args, banner in shown.items():
        s = Session(repo, vibecli_home, *(args if args and args[0] == "chat" else ("chat", *args)))
        s.expect(banner)
        s.prompt()
        s.line("/model", "adapter: " + banner.split(" · adapter ")[1].split(" · ")[0])
        assert s.end() == 0


def test_requests_and_commands_in_one_session(repo, tmp_path, vibecli_home):
    s = start(repo, vibecli_home, *replay(tmp_path, RETURN_GREET, RETURN_GREET))
    s.line("/files", "no files in play")
    s.line("/add greet.py nothere.py", "nothere.py: no such file", "files in play: greet.py")
    s.line("make greet return the greeting", RETURNS_SHOWN, "applied: committed")
    first = git(repo, "rev-parse", "HEAD").strip()
    assert "Vibecli-Run:" in git(repo, "log", "-1", "--format=%B")
    s.line("/diff", RETURNS_SHOWN)
    s.line("/ad x", r"unknown command /ad; did you mean /add\?")
    s.line("/undo", f"reverted {first[:12]}")
    assert (repo / "greet.py").read_text() == GREET
    s.line("/no-commit", "uncommitted")
    s.line("make greet return the greeting", "written; not committed")
    assert git(repo, "status", "--porcelain").strip() == "M greet.py"
    s.line("/commit", "committed")
    s.line("/model", r"model: replay \(replay\)", r"2 request\(s\)")
    s.line("/drop", "no files in play")
    s.line("/help", "/add PATH", "/map", "/undo", "/run COMMAND")
    assert s.end() == 0
    logged = runs(vibecli_home)
    assert [(r["command"], r["status"]) for r in logged] == [("chat", "applied"), ("chat", "applied")]
    assert logged[0]["commit_sha"] == first and logged[1]["commit_sha"] is None


def test_history_is_kept_per_repository_and_paths_complete(repo, tmp_path, vibecli_home):
    (repo / "src").mkdir()
    (repo / "src" / "shop.py").write_text("X = 1\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "shop")
    s = start(repo, vibecli_home)  # `vibecli` alone
    s.child.send("/ad\t")  # the command completes
    s.child.send(" src/sh\t")  # and so does the path
    s.line("", "files in play: src/shop.py")
    s.line("/files", "files in play: src/shop.py")
    assert s.end() == 0
    history = list((vibecli_home / "history").iterdir())
    assert len(history) == 1 and "/add src/shop.py" in history[0].read_text()
    s = start(repo, vibecli_home)
    s.child.send("\x1b[A")  # Up: the last line of the last session in this repository
    s.line("", "no files in play")  # /files, in a session that has none yet
    assert s.end() == 0


def test_ctrl_c_during_generation_cancels_only_that_request(repo, tmp_path, vibecli_home):
    s = start(repo, vibecli_home, *replay(tmp_path, slow(RETURN_GREET), RETURN_GREET))
    s.line("/add greet.py", "files in play")
    s.child.send("make greet return the greeting\r")
    s.expect(r"\d+ tokens")  # generating
    s.child.sendintr()
    s.expect("cancelled: the files and the index are as they were")
    s.prompt()
    assert (repo / "greet.py").read_text() == GREET
    assert git(repo, "status", "--porcelain") == "" and git(repo, "rev-list", "--count", "HEAD").strip() == "1"
    s.line("make greet return the greeting", "applied: committed")  # the session goes on
    assert s.end() == 0


def _checking(repo: Path, tmp_path: Path, home: Path) -> tuple[Session, Path]:
    """A session whose request is in its test check (the file written, not committed yet)."""
    marker = tmp_path / "checking"
    s = start(repo, home, *replay(tmp_path, RETURN_GREET, RETURN_GREET), "--test-cmd", f"touch {marker} && sleep 30")
    s.line("/add greet.py", "files in play")
    s.child.send("make greet return the greeting\r")
    deadline = time.time() + 30
    while not marker.exists() and time.time() < deadline:
        time.sleep(0.05)
    assert RETURNS in (repo / "greet.py").read_text()
    return s, marker


def test_ctrl_c_during_the_checks_puts_the_files_back_and_the_session_goes_on(repo, tmp_path, vibecli_home):
    s, marker = _checking(repo, tmp_path, vibecli_home)
    s.child.sendintr()  # to the terminal's whole foreground group, as a user's Ctrl-C
    s.expect("cancelled")
    s.prompt()
    assert (repo / "greet.py").read_text() == GREET
    assert git(repo, "status", "--porcelain") == ""
    s.line("/files", "files in play: greet.py")
    assert s.end() == 0


def test_a_lost_terminal_ends_the_session_and_puts_the_files_back(repo, tmp_path, vibecli_home):
    s, _ = _checking(repo, tmp_path, vibecli_home)
    s.child.ptyproc.fileobj.close()  # the terminal goes away: the kernel sends SIGHUP
    deadline = time.time() + 30
    while s.child.ptyproc.isalive() and time.time() < deadline:
        time.sleep(0.05)
    assert s.child.ptyproc.exitstatus == 129
    assert (repo / "greet.py").read_text() == GREET
    assert git(repo, "status", "--porcelain") == ""


def test_sighup_at_the_prompt_ends_the_session(repo, vibecli_home):
    s = start(repo, vibecli_home)
    s.child.kill(signal.SIGHUP)
    s.expect(pexpect.EOF)
    s.child.close()
    assert s.child.exitstatus == 129


def test_review_applies_skips_or_edits_the_instruction(repo, tmp_path, vibecli_home):
    s = start(repo, vibecli_home, *replay(tmp_path, RETURN_GREET, RETURN_GREET, RETURN_GREET), "--confirm")
    s.line("/add greet.py", "files in play")
    s.child.send("make greet return\r")
    s.expect(RETURNS_SHOWN)
    s.expect(r"Apply this change\? \[a\]pply, \[e\]dit the instruction, \[s\]kip")
    s.line("s", "declined: not applied")
    assert (repo / "greet.py").read_text() == GREET
    s.child.send("make greet return\r")
    s.expect(r"\[s\]kip")
    s.child.send("e\r")
    s.expect("instruction>")
    s.child.send(" it\r")  # the old instruction is there to edit: "make greet return it"
    s.expect(r"\[s\]kip")
    s.line("a", "applied: committed")
    assert RETURNS in (repo / "greet.py").read_text()
    assert git(repo, "log", "-1", "--format=%s").strip() == "make greet return it"
    assert s.end() == 0


def test_run_output_goes_with_the_next_request(repo, tmp_path, vibecli_home):
    s = start(repo, vibecli_home, *replay(tmp_path, RETURN_GREET))
    s.child.send("/run echo some-failure-output\r")
    s.expect("some-failure-output")
    s.expect("Send the output with your next request")
    s.line("y", "goes with your next request")
    s.line("fix it in greet.py", "applied: committed")
    assert s.end() == 0
    (run,) = runs(vibecli_home)
    assert run["instruction"].startswith("fix it in greet.py\n\nThe output of `echo some-failure-output`")
    assert "some-failure-output" in run["instruction"]


@pytest.mark.model
def test_the_embedded_model_stays_loaded_and_survives_a_ctrl_c(repo, vibecli_home, embedded_model):
    s = start(repo, vibecli_home, "chat", "--threads", "2", "--max-attempts", "1")
    s.line("/add greet.py", "files in play")
    request = "make greet return the greeting instead of printing it"
    s.child.send(request + "\r")
    s.expect(r"applied: |vibecli: (rejected|no change): ")  # one real request, whatever the small model answers
    s.prompt()
    compile((repo / "greet.py").read_text(), "greet.py", "exec")  # never an invalid file
    assert git(repo, "status", "--porcelain") == ""  # committed, or nothing written
    s.child.send(request + "\r")
    s.expect(r"\d+ tokens")  # llama.cpp is generating
    s.child.sendintr()
    s.expect("cancelled: the files and the index are as they were")
    s.prompt()
    assert git(repo, "status", "--porcelain") == ""
    s.child.send(request + "\r")  # the model, interrupted midway, still answers
    s.expect(r"applied: |vibecli: (rejected|no change): ")
    s.prompt()
    s.line("/model", "model: gemma-3-270m-q4_k_m", r"loaded once in [\d.]+s · 2 request\(s\)")
    assert s.end() == 0
    first, second = runs(vibecli_home)  # the cancelled request left no run
    assert first["backend"] == "llama" and first["load_s"] > 0
    assert second["load_s"] == 0 and second["completion_tokens"] > 0  # the model stayed loaded


def test_map_shows_what_the_next_request_would_see(repo, tmp_path, vibecli_home):
    (repo / "names.py").write_text("def shout(text):\n    return text.upper()\n")
    session = start(repo, vibecli_home, *replay(tmp_path, "unused"))
    session.line("/map", "names.py:", "def shout", "tokens;")
    session.line("/add greet.py")
    session.line("/map make shout louder", "names.py:", r"1 files shown")
    assert session.end() == 0


SIGNAL_IN_A_CALLBACK = """
import asyncio, os, signal, sys
from vibecli import interrupts
from vibecli.cli.chat import HangUp, _hang_up
from vibecli.core import Terminated

interrupts.install()
signal.signal(signal.SIGHUP, _hang_up)

async def main():
    # the signal lands while the event loop runs a callback, as it can while prompt_toolkit waits for a line
    asyncio.get_running_loop().call_soon(os.kill, os.getpid(), getattr(signal, sys.argv[1]))
    await asyncio.sleep(10)

try:
    with interrupts.undoable():  # as inside a session: a signal is raised where the program is
        asyncio.run(main())
except HangUp:
    os._exit(129)
except Terminated:
    os._exit(143)
os._exit(3)
"""


@pytest.mark.parametrize("name, code", [("SIGHUP", 129), ("SIGTERM", 143)])
def test_a_signal_inside_an_event_loop_callback_is_not_swallowed(name, code):
    # asyncio logs and drops any other exception raised in a callback; the session then hung at its prompt
    done = subprocess.run([sys.executable, "-c", SIGNAL_IN_A_CALLBACK, name], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == code, done.stderr  # 3: the loop went on
