"""Odd input from the user and the model: huge instructions, NUL characters, bytes that are not
UTF-8, read-only, oversize, binary or special files, new folders that must not outlive a failed
create. One line, a documented exit code, and nothing of the user's touched."""

from __future__ import annotations

import os
import stat

import pytest

from harness import GREET, RETURN_GREET, Snapshot, answer, check, git

RETURNED = RETURN_GREET + '\n\ndef main():\n    greet("world")\n'
ANSWER = answer("greet.py", "greet", RETURN_GREET)


def _megabyte() -> str:
    words = ("make greet return the greeting instead of printing it " * 20_000)[:1_000_000]
    return words + "\nthe end of a very long request\n"


@pytest.mark.parametrize("how", ["stdin", "file"])
def test_a_one_megabyte_instruction_commits_with_a_clipped_subject(sandbox, how):
    text = _megabyte()
    before = Snapshot.take(sandbox)
    if how == "stdin":
        run = sandbox.edit("-", "greet.py", answers=(ANSWER,), stdin=text)
    else:
        (sandbox.scratch / "task.txt").write_text(text)
        run = sandbox.edit("greet.py", "--instruction-file", str(sandbox.scratch / "task.txt"), answers=(ANSWER,))
    check(sandbox, before, run, exit_code=0, committed=["greet.py"], commit_text={"greet.py": RETURNED})
    subject = git(sandbox.repo, "log", "-1", "--format=%s").strip()
    assert len(subject) <= 72
    assert "the end of a very long request" in git(sandbox.repo, "log", "-1", "--format=%b")


def test_an_instruction_as_long_as_one_argument_may_be(sandbox):
    before = Snapshot.take(sandbox)
    run = sandbox.edit("x" * 120_000, "greet.py", answers=(ANSWER,))
    check(sandbox, before, run, exit_code=0, committed=["greet.py"])


@pytest.mark.parametrize("how", ["stdin", "file"])
def test_a_nul_in_the_instruction_is_a_usage_error(sandbox, how):
    text = "return the greeting\0 and then rm -rf /"
    before = Snapshot.take(sandbox)
    if how == "stdin":
        run = sandbox.edit("-", "greet.py", answers=(ANSWER,), stdin=text)
    else:
        (sandbox.scratch / "task.txt").write_text(text)
        run = sandbox.edit("greet.py", "--instruction-file", str(sandbox.scratch / "task.txt"), answers=(ANSWER,))
    check(sandbox, before, run, exit_code=2)


def test_an_instruction_that_is_not_utf8_is_a_usage_error(sandbox):
    before = Snapshot.take(sandbox)
    run = sandbox.edit("return it \udcff\udcfe", "greet.py", answers=(ANSWER,))
    check(sandbox, before, run, exit_code=2)


def test_an_instruction_file_that_is_not_utf8_is_one_line(sandbox):
    (sandbox.scratch / "task.txt").write_bytes(b"return it \xff\xfe")
    before = Snapshot.take(sandbox)
    run = sandbox.edit("greet.py", "--instruction-file", str(sandbox.scratch / "task.txt"), answers=(ANSWER,))
    check(sandbox, before, run, exit_code=1)


@pytest.mark.parametrize("instruction", ["", "   ", "\n\t\n"])
def test_an_empty_instruction_is_a_usage_error(sandbox, instruction):
    before = Snapshot.take(sandbox)
    run = sandbox.edit(instruction, "greet.py", answers=(ANSWER,))
    check(sandbox, before, run, exit_code=2)


def test_a_nul_in_a_path_is_a_usage_error(sandbox):
    tasks = sandbox.scratch / "tasks.yaml"
    tasks.write_text('- instruction: return it\n  paths: ["greet.py\\0.txt"]\n')
    before = Snapshot.take(sandbox)
    run = sandbox.run("batch", str(tasks), "--backend", "replay", "--replay-file", str(sandbox.replay(ANSWER)))
    check(sandbox, before, run, exit_code=2)


@pytest.mark.parametrize("where", ["user", "project"])
def test_a_nul_in_the_model_path_is_a_usage_error(sandbox, where):
    config = 'model: "/models/a\\0b.gguf"\n'
    if where == "user":
        sandbox.home.mkdir(parents=True, exist_ok=True)
        (sandbox.home / "config.yaml").write_text(config)
    else:
        sandbox.commit({".vibecli.yaml": config})
    before = Snapshot.take(sandbox)
    # a project's model path waits for trust (an untrusted one is ignored, not checked): trusted here
    trust = ("--trust-project",) if where == "project" else ()
    run = sandbox.edit("return it", "greet.py", *trust, answers=(ANSWER,))
    check(sandbox, before, run, exit_code=2)


def test_a_read_only_target_is_refused_never_replaced(sandbox):
    target = sandbox.repo / "greet.py"
    target.chmod(0o444)
    before = Snapshot.take(sandbox)
    run = sandbox.edit("return it", "greet.py", answers=(ANSWER,))
    check(sandbox, before, run, exit_code=5)
    assert stat.S_IMODE(target.stat().st_mode) == 0o444 and target.read_text() == GREET


def test_a_target_over_max_file_bytes_is_refused_before_the_model(sandbox):
    sandbox.commit({"big.py": "X = 1\n" * 400})
    before = Snapshot.take(sandbox)
    run = sandbox.edit("shrink it", "big.py", answers=(ANSWER,), VIBECLI_MAX_FILE_BYTES="1000")
    check(sandbox, before, run, exit_code=1)


@pytest.mark.parametrize("target, op", [("greet.py", "rewrite"), ("pkg/big.py", "create")])
def test_an_answer_over_max_file_bytes_is_never_written(sandbox, target, op):
    # distinct lines (a repeated one reads as a model looping), within the answer budget of a small file
    big = "def greet(name):\n    return (\n" + "".join(f'        "{i:04d}"\n' for i in range(120)) + "    )\n"
    before = Snapshot.take(sandbox)
    run = sandbox.edit("make it big", "greet.py", answers=(answer(target, None, big, op=op),),
                       VIBECLI_MAX_FILE_BYTES="600")
    check(sandbox, before, run, exit_code=3)  # a model's error: it goes back to the model, then exit 3
    assert "max_file_bytes" in run.stderr


def test_an_answer_with_a_nul_in_its_code_is_rejected(sandbox):
    before = Snapshot.take(sandbox)
    bad = answer("greet.py", "greet", 'def greet(name):\n    return "\0"\n')
    run = sandbox.edit("return it", "greet.py", "--max-attempts", "1", answers=(bad,))
    check(sandbox, before, run, exit_code=3)


@pytest.mark.parametrize("failure", ["checks", "rejected-second-file"])
def test_a_failed_create_leaves_no_empty_folders(sandbox, failure):
    create = answer("new/deeper/deepest/helper.py", None, "X = 1\n", op="create")
    before = Snapshot.take(sandbox)
    if failure == "checks":
        run = sandbox.edit("add a helper", "greet.py", "--test-cmd", "false", "--max-rounds", "1", answers=(create,))
        check(sandbox, before, run, exit_code=4)
    else:  # the same answer also plants a protected file: refused whole
        both = create.replace("@@ done", "") + answer(".envrc", None, "x\n", op="create")
        run = sandbox.edit("add a helper", "greet.py", answers=(both,))
        check(sandbox, before, run, exit_code=5)
    assert not (sandbox.repo / "new").exists()


SPECIAL = {
    "a folder": lambda repo: None,
    "binary": lambda repo: (repo / "data.py").write_bytes(b"\x00\x01\x02"),
    "not utf-8": lambda repo: (repo / "data.py").write_bytes("caf\xe9 = 1\n".encode("latin-1")),
    "a fifo": lambda repo: os.mkfifo(repo / "data.py"),
    "missing": lambda repo: None,
}


@pytest.mark.parametrize("kind", sorted(SPECIAL))
def test_a_target_that_is_not_a_text_file_is_one_line(sandbox, kind):
    SPECIAL[kind](sandbox.repo)
    name = {"a folder": "pkg", "missing": "nope.py"}.get(kind, "data.py")
    before = Snapshot.take(sandbox)
    run = sandbox.edit("change it", name, answers=(ANSWER,), timeout=60)
    check(sandbox, before, run, exit_code=1)


def test_a_fifo_elsewhere_in_the_repository_does_not_hang_the_run(sandbox):
    os.mkfifo(sandbox.repo / "pipe.py")
    before = Snapshot.take(sandbox)
    run = sandbox.edit("return it", "greet.py", answers=(ANSWER,), timeout=60)
    check(sandbox, before, run, exit_code=0, committed=["greet.py"])


def test_the_same_file_named_twice_is_one_target(sandbox):
    before = Snapshot.take(sandbox)
    run = sandbox.edit("return it", "greet.py", "./greet.py", str(sandbox.repo / "greet.py"), answers=(ANSWER,))
    check(sandbox, before, run, exit_code=0, committed=["greet.py"], commit_text={"greet.py": RETURNED})


def test_crlf_line_endings_and_a_bom_survive_into_the_commit(sandbox):
    sandbox.commit({"win.py": b"\xef\xbb\xbfdef greet(name):\r\n    print(name)\r\n"})
    before = Snapshot.take(sandbox)
    run = sandbox.edit("return it", "win.py", answers=(answer("win.py", "greet", RETURN_GREET),))
    check(sandbox, before, run, exit_code=0, committed=["win.py"])
    committed = sandbox.commit_text("HEAD", "win.py")
    assert committed.replace("\r\n", "\n") == "\ufeff" + RETURN_GREET and "\r\n" in committed


@pytest.mark.parametrize("how", ["absolute", "from inside"])
def test_a_repository_reached_through_a_link_takes_its_paths(sandbox, how):
    """A linked folder above the repository (`/tmp` on macOS, a linked home) is the same repository;
    a link inside it is still refused (test_paths)."""
    linked = sandbox.scratch / "linked"
    linked.symlink_to(sandbox.repo, target_is_directory=True)
    before = Snapshot.take(sandbox)
    if how == "absolute":
        run = sandbox.edit("return it", str(linked / "greet.py"), answers=(ANSWER,))
    else:
        run = sandbox.edit("return it", "../greet.py", answers=(ANSWER,), cwd=linked / "pkg")
    check(sandbox, before, run, exit_code=0, committed=["greet.py"], commit_text={"greet.py": RETURNED})
