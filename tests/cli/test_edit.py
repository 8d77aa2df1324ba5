"""`vibecli edit` through Typer's runner with the replay backend, against real git repositories."""

from __future__ import annotations

import json
import os
import sqlite3
import sys

from conftest import GREET, RETURN_GREET, answer, edit_replay, git, run_cli

INSTRUCTION = "make greet() return the greeting instead of printing it"


def test_applies_and_commits_only_the_changed_file(repo, tmp_path, vibecli_home):
    (repo / "notes.txt").write_text("mine\n")
    git(repo, "add", "notes.txt")  # staged by the user: must stay staged and uncommitted
    result = edit_replay(tmp_path, INSTRUCTION, "greet.py", answers=(RETURN_GREET,))
    assert result.exit_code == 0, result.stderr
    report = result.json
    assert report["status"] == "applied"
    assert report["files"] == ["greet.py"]
    assert report["backend"] == "replay" and report["attempts"] == 1
    assert set(report["tokens"]) == {"prompt", "completion"}
    assert set(report["timings"]) == {"load_s", "prompt_eval_s", "generate_s", "total_s"}
    assert (repo / "greet.py").read_text() == GREET.replace('print("Hello, " + name)', 'return "Hello, " + name')
    message = git(repo, "log", "-1", "--format=%B")
    assert message.splitlines()[0] == INSTRUCTION
    assert f"Vibecli-Run: {report['run_id']}" in message
    assert "Vibecli-Model: replay" in message
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == ["greet.py"]
    assert git(repo, "diff", "--cached", "--name-only").split() == ["notes.txt"]
    assert report["commit"] == git(repo, "rev-parse", "HEAD").strip()


def test_logbook_keeps_every_field(repo, tmp_path, vibecli_home):
    result = edit_replay(tmp_path, INSTRUCTION, "greet.py", answers=(RETURN_GREET,))
    run_id = result.json["run_id"]
    db = sqlite3.connect(vibecli_home / "logbook.db")
    db.row_factory = sqlite3.Row
    run = db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
    assert run["instruction"] == INSTRUCTION and run["status"] == "applied"
    assert run["repo_root"] == str(repo.resolve())
    assert "greet.py" in run["diff"] and run["commit_sha"] == result.json["commit"]
    call = db.execute("SELECT * FROM calls WHERE run_id = ?", (run_id,)).fetchone()
    assert "### File: greet.py" in call["prompt"] and call["output"] == RETURN_GREET.removesuffix("@@ done")
    assert '"symbol": "greet"' in call["edits"]


def test_a_logbook_that_cannot_be_written_leaves_the_edit_standing(repo, tmp_path, vibecli_home):
    from vibecli.logbook import MIGRATIONS

    vibecli_home.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(vibecli_home / "logbook.db")  # claims the latest schema, has none of its tables
    db.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")
    db.close()
    result = edit_replay(tmp_path, INSTRUCTION, "greet.py", answers=(RETURN_GREET,))
    assert result.exit_code == 0 and result.json["status"] == "applied"
    assert "this run is not in the logbook" in result.stderr and "no such table" in result.stderr
    assert result.json["commit"] == git(repo, "rev-parse", "HEAD").strip()


def test_no_log_turns_the_logbook_off(repo, tmp_path, vibecli_home, monkeypatch):
    monkeypatch.setenv("VIBECLI_NO_LOG", "1")
    assert edit_replay(tmp_path, INSTRUCTION, "greet.py", answers=(RETURN_GREET,)).exit_code == 0
    assert not (vibecli_home / "logbook.db").exists()


def test_dry_run_writes_nothing(repo, tmp_path):
    result = edit_replay(tmp_path, INSTRUCTION, "greet.py", "--dry-run", answers=(RETURN_GREET,))
    assert result.exit_code == 0
    assert result.json["dry_run"] is True and result.json["commit"] is None
    assert '+    return "Hello, " + name' in result.json["diff"]
    assert (repo / "greet.py").read_text() == GREET
    assert git(repo, "status", "--porcelain") == ""


def test_no_commit_leaves_the_change_in_the_work_tree(repo, tmp_path):
    result = edit_replay(tmp_path, INSTRUCTION, "greet.py", "--no-commit", answers=(RETURN_GREET,))
    assert result.exit_code == 0 and result.json["commit"] is None
    assert git(repo, "status", "--porcelain").strip() == "M greet.py"
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "1"


SAME = answer("greet.py", "greet", 'def greet(name):\n    print("Hello, " + name)\n')


def test_an_answer_still_unchanged_after_every_attempt_is_exit_3_no_change(repo, tmp_path):
    result = edit_replay(tmp_path, INSTRUCTION, "greet.py", answers=(SAME, SAME, SAME))
    assert result.exit_code == 3 and result.json["status"] == "no_change" and result.json["attempts"] == 3
    assert result.json["exit_code"] == 3 and result.json["files"] == [] and result.json["commit"] is None
    assert result.stderr == "vibecli: no change: the model's answers changed nothing in 3 attempt(s); nothing was written\n"
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "1" and git(repo, "status", "--porcelain") == ""
    run = run_cli("log", "show", result.json["run_id"], "--json").json
    assert (run["status"], run["exit_code"], run["outcome"]) == ("no_change", 3, "no_change")


def test_a_dry_run_keeps_its_meaning(repo, tmp_path):
    changed = edit_replay(tmp_path, INSTRUCTION, "greet.py", "--dry-run", answers=(RETURN_GREET,))
    assert changed.exit_code == 0 and changed.json["status"] == "applied" and changed.json["dry_run"] is True
    unchanged = edit_replay(tmp_path, INSTRUCTION, "greet.py", "--dry-run", answers=(SAME, SAME, SAME))
    assert unchanged.exit_code == 3 and unchanged.json["status"] == "no_change"  # nothing would be carried out
    assert git(repo, "status", "--porcelain") == ""


def test_a_change_declined_at_the_prompt_is_the_users_choice_exit_0(repo, tmp_path):
    import pexpect

    replay = tmp_path / "answers.jsonl"
    replay.write_text(json.dumps({"text": RETURN_GREET}) + "\n")
    env = {**{k: v for k, v in os.environ.items() if k != "CI"}, "NO_COLOR": "1", "VIBECLI_CONFIRM": "1"}
    child = pexpect.spawn(sys.executable, ["-m", "vibecli", "edit", INSTRUCTION, "greet.py", "--backend", "replay",
                                           "--replay-file", str(replay)], cwd=str(repo), env=env, encoding="utf-8",
                          timeout=60)
    child.expect(r"Apply this change\?")
    child.sendline("n")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0 and "declined: not applied: declined at the prompt" in child.before
    assert (repo / "greet.py").read_text() == GREET and git(repo, "status", "--porcelain") == ""


def test_an_unchanged_answer_then_a_change_lands_the_change(repo, tmp_path):
    result = edit_replay(tmp_path, INSTRUCTION, "greet.py", answers=(SAME, RETURN_GREET))
    assert result.exit_code == 0 and result.json["status"] == "applied" and result.json["attempts"] == 2
    calls = run_cli("log", "show", result.json["run_id"], "--json").json["calls"]
    assert "repeats the code unchanged" in calls[0]["error"]


def test_garbage_answers_exit_3_and_leave_the_file_byte_identical(repo, tmp_path):
    before = (repo / "greet.py").read_bytes()
    result = edit_replay(tmp_path, INSTRUCTION, "greet.py", answers=("Sure! Here is the code you asked for.",) * 3)
    assert result.exit_code == 3
    assert result.json["status"] == "rejected" and result.json["attempts"] >= 2
    assert "rejected" in result.stderr and "Traceback" not in result.stderr
    assert (repo / "greet.py").read_bytes() == before
    assert git(repo, "status", "--porcelain") == ""


def test_syntax_error_goes_back_to_the_model_and_the_retry_lands(repo, tmp_path):
    broken = answer("greet.py", "greet", 'def greet(name):\n    return ("Hello, " + name\n')
    result = edit_replay(tmp_path, INSTRUCTION, "greet.py", "--grammar", "off", answers=(broken, RETURN_GREET))
    assert result.exit_code == 0, result.stderr
    assert result.json["attempts"] == 2
    assert 'return "Hello, " + name' in (repo / "greet.py").read_text()


def test_a_lazy_miss_is_decoded_again_under_the_grammar(repo, tmp_path):
    # free answer names a made-up symbol; the constrained retry is an edit line, then the code
    made_up = answer("greet.py", "say_hello", 'def greet(name):\n    return "Hello, " + name\n')
    result = edit_replay(
        tmp_path, INSTRUCTION, "greet.py",
        answers=(made_up, "@@ replace greet.py greet", 'def greet(name):\n    return "Hello, " + name\n```\n'),
    )
    assert result.exit_code == 0, result.stderr
    assert result.json["attempts"] == 2
    assert 'return "Hello, " + name' in (repo / "greet.py").read_text()


def test_create_a_new_file(repo, tmp_path):
    created = answer("util/helpers.py", None, "def double(x):\n    return 2 * x\n", op="create")
    result = edit_replay(tmp_path, "add a helpers module with double()", "greet.py", answers=(created,))
    assert result.exit_code == 0, result.stderr
    assert (repo / "util" / "helpers.py").read_text() == "def double(x):\n    return 2 * x\n"
    assert git(repo, "status", "--porcelain") == ""


def test_model_answer_writing_into_git_dir_is_refused(repo, tmp_path):
    evil = answer(".git/hooks/pre-commit", None, "echo pwned\n", op="create")
    result = edit_replay(tmp_path, INSTRUCTION, "greet.py", answers=(evil,))
    assert result.exit_code == 5 and result.json["status"] == "refused"
    assert not (repo / ".git" / "hooks" / "pre-commit").exists()
    assert (repo / "greet.py").read_text() == GREET


def test_model_answer_leaving_the_repository_is_refused(repo, tmp_path):
    evil = answer("../escaped.py", None, "x = 1\n", op="create")
    result = edit_replay(tmp_path, INSTRUCTION, "greet.py", answers=(evil,))
    assert result.exit_code == 5
    assert not (repo.parent / "escaped.py").exists()


def test_model_answer_through_a_symlink_is_refused(repo, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (repo / "link").symlink_to(outside, target_is_directory=True)
    evil = answer("link/planted.py", None, "x = 1\n", op="create")
    result = edit_replay(tmp_path, INSTRUCTION, "greet.py", answers=(evil,))
    assert result.exit_code == 5
    assert not (outside / "planted.py").exists()


def test_user_path_outside_the_repository_is_refused(repo, tmp_path):
    (tmp_path / "x.py").write_text("x = 1\n")
    for given in ("../x.py", str(tmp_path / "x.py")):
        result = edit_replay(tmp_path, INSTRUCTION, given, answers=(RETURN_GREET,))
        assert result.exit_code == 5, given
        assert "outside the repository" in result.stderr
    assert (tmp_path / "x.py").read_text() == "x = 1\n"


def test_user_path_through_a_symlink_that_leaves_is_refused(repo, tmp_path):
    (tmp_path / "real.py").write_text("def greet(name):\n    pass\n")
    (repo / "sneaky.py").symlink_to(tmp_path / "real.py")
    result = edit_replay(tmp_path, INSTRUCTION, "sneaky.py", answers=(RETURN_GREET,))
    assert result.exit_code == 5 and "symbolic link" in result.stderr


def test_not_a_git_repository(tmp_path, monkeypatch):
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "greet.py").write_text(GREET)
    monkeypatch.chdir(plain)
    result = edit_replay(tmp_path, INSTRUCTION, "greet.py", answers=(RETURN_GREET,))
    assert result.exit_code == 1 and "not inside a git work tree" in result.stderr
    assert (plain / "greet.py").read_text() == GREET


def test_no_git_edits_outside_git(tmp_path, monkeypatch):
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "greet.py").write_text(GREET)
    monkeypatch.chdir(plain)
    result = edit_replay(tmp_path, INSTRUCTION, "greet.py", "--no-git", answers=(RETURN_GREET,))
    assert result.exit_code == 0 and result.json["commit"] is None
    assert 'return "Hello, " + name' in (plain / "greet.py").read_text()


def test_empty_instruction_is_a_usage_error(repo, tmp_path):
    result = edit_replay(tmp_path, "   ", "greet.py", answers=(RETURN_GREET,))
    assert result.exit_code == 2 and "instruction is empty" in result.stderr


def test_binary_file_is_refused_with_one_line(repo, tmp_path):
    (repo / "blob.py").write_bytes(b"\x00\x01\x02binary")
    git(repo, "add", "blob.py")
    git(repo, "commit", "-qm", "blob")
    result = edit_replay(tmp_path, INSTRUCTION, "blob.py", answers=(RETURN_GREET,))
    assert result.exit_code == 1 and "binary" in result.stderr
    assert (repo / "blob.py").read_bytes() == b"\x00\x01\x02binary"


def test_non_utf8_file_is_refused(repo, tmp_path):
    (repo / "latin.py").write_bytes("s = 'caf\xe9'\n".encode("latin-1"))
    git(repo, "add", "latin.py")
    git(repo, "commit", "-qm", "latin")
    result = edit_replay(tmp_path, INSTRUCTION, "latin.py", answers=(RETURN_GREET,))
    assert result.exit_code == 1 and "not UTF-8" in result.stderr


def test_file_over_the_size_limit_is_refused(repo, tmp_path):
    (repo / "big.py").write_text("x = 1\n" * 200_000)
    git(repo, "add", "big.py")
    git(repo, "commit", "-qm", "big")
    result = edit_replay(tmp_path, INSTRUCTION, "big.py", answers=(RETURN_GREET,))
    assert result.exit_code == 1 and "over the limit" in result.stderr


def test_dirty_file_is_refused_unless_allowed(repo, tmp_path):
    (repo / "greet.py").write_text(GREET + "\n# my work in progress\n")
    result = edit_replay(tmp_path, INSTRUCTION, "greet.py", answers=(RETURN_GREET,))
    assert result.exit_code == 5 and "uncommitted changes" in result.stderr
    assert (repo / "greet.py").read_text().endswith("# my work in progress\n")
    allowed = edit_replay(tmp_path, INSTRUCTION, "greet.py", "--allow-dirty", answers=(RETURN_GREET,))
    assert allowed.exit_code == 0 and allowed.json["commit"] is None
    text = (repo / "greet.py").read_text()
    assert 'return "Hello, " + name' in text and text.endswith("# my work in progress\n")


def test_unknown_config_key_names_file_and_key(repo, tmp_path):
    (repo / ".vibecli.yaml").write_text("max_tokenz: 5\n")
    result = edit_replay(tmp_path, INSTRUCTION, "greet.py", answers=(RETURN_GREET,))
    assert result.exit_code == 1
    assert ".vibecli.yaml" in result.stderr and "max_tokenz" in result.stderr


def test_files_found_from_the_instruction_when_none_named(repo, tmp_path):
    result = edit_replay(tmp_path, INSTRUCTION, answers=(RETURN_GREET,))
    assert result.exit_code == 0, result.stderr
    assert result.json["files"] == ["greet.py"]


def test_plain_output_is_a_diff_and_a_summary(repo, tmp_path):
    from conftest import replay_file

    replay = replay_file(tmp_path, RETURN_GREET)
    result = run_cli("edit", INSTRUCTION, "greet.py", "--backend", "replay", "--replay-file", str(replay))
    assert result.exit_code == 0
    assert '+    return "Hello, " + name' in result.stdout
    assert "\x1b[" not in result.stdout  # not a terminal: no colour codes
    assert "applied" in result.stderr


def test_file_mode_and_crlf_line_endings_survive(repo, tmp_path):
    (repo / "greet.py").write_bytes(GREET.replace("\n", "\r\n").encode())
    os.chmod(repo / "greet.py", 0o755)
    git(repo, "add", "greet.py")
    git(repo, "commit", "-qm", "crlf")
    result = edit_replay(tmp_path, INSTRUCTION, "greet.py", answers=(RETURN_GREET,))
    assert result.exit_code == 0, result.stderr
    data = (repo / "greet.py").read_bytes()
    assert b'return "Hello, " + name\r\n' in data and b"\n" not in data.replace(b"\r\n", b"")
    assert os.stat(repo / "greet.py").st_mode & 0o777 == 0o755


def test_a_looping_answer_is_cut_short_and_decoded_again_under_the_grammar(repo, tmp_path):
    looping = "@@ replace greet.py greet\n```python\ndef greet(name):\n" + '    print("Hello")\n' * 12
    result = edit_replay(
        tmp_path, INSTRUCTION, "greet.py",
        answers=(looping, "@@ replace greet.py greet", 'def greet(name):\n    return "Hello, " + name\n```\n'),
    )
    assert result.exit_code == 0, result.stderr
    assert 'return "Hello, " + name' in (repo / "greet.py").read_text()
    calls = run_cli("log", "show", result.json["run_id"], "--json").json["calls"]
    assert [(c["kind"], c["finish"]) for c in calls] == [("answer", "loop"), ("header", "eog"), ("body", "stop")]


def test_search_format_through_the_cli(repo, tmp_path):
    search = (
        '@@ search greet.py\n```python\n    print("Hello, " + name)\n```\n'
        '```python\n    return "Hello, " + name\n```\n@@ done'
    )
    result = edit_replay(tmp_path, INSTRUCTION, "greet.py", "--format", "search", answers=(search,))
    assert result.exit_code == 0, result.stderr
    assert 'return "Hello, " + name' in (repo / "greet.py").read_text()


def test_an_operation_outside_the_format_is_not_accepted(repo, tmp_path):
    # a replace answer under --format whole is a miss; nothing more is scripted, so exit 3
    result = edit_replay(tmp_path, INSTRUCTION, "greet.py", "--format", "whole", answers=(RETURN_GREET,))
    assert result.exit_code == 3
    assert (repo / "greet.py").read_text() == GREET


def test_edit_a_go_file(repo, tmp_path):
    (repo / "shapes.go").write_text("package shapes\n\ntype Sq struct{ S int }\n\nfunc (s Sq) Perimeter() int {\n\treturn s.S * 3\n}\n")
    git(repo, "add", "shapes.go")
    git(repo, "commit", "-qm", "go")
    fixed = "@@ replace shapes.go Sq.Perimeter\n```go\nfunc (s Sq) Perimeter() int {\n\treturn s.S * 4\n}\n```\n@@ done"
    result = edit_replay(tmp_path, "fix the perimeter", "shapes.go", answers=(fixed,))
    assert result.exit_code == 0, result.stderr
    assert "\treturn s.S * 4\n" in (repo / "shapes.go").read_text()


def test_ctrl_c_at_a_terminal_during_the_checks_puts_the_files_back(repo, tmp_path, vibecli_home):
    """A terminal's Ctrl-C reaches the whole process group, git's helper processes included."""
    import sys
    import time

    import pexpect

    from conftest import replay_file

    marker = tmp_path / "checking"
    env = {**{k: v for k, v in os.environ.items() if k != "CI"}, "VIBECLI_HOME": str(vibecli_home)}
    child = pexpect.spawn(sys.executable, ["-m", "vibecli", "edit", INSTRUCTION, "greet.py", "--backend", "replay",
                                           "--replay-file", str(replay_file(tmp_path, RETURN_GREET)),
                                           "--test-cmd", f"touch {marker} && sleep 30"],
                          cwd=str(repo), env=env, encoding="utf-8", timeout=60)
    deadline = time.time() + 30
    while not marker.exists() and time.time() < deadline:
        time.sleep(0.05)
    assert 'return "Hello, " + name' in (repo / "greet.py").read_text()  # written, being checked
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130, child.before
    assert (repo / "greet.py").read_text() == GREET
    assert git(repo, "status", "--porcelain") == ""
