"""Faults in the middle of a run: a full disk, a read-only file system, permission errors, a file
size limit, git's index held by another git, no git at all. Every write, restore and commit
failure leaves the files exactly as they were, prints one line and exits 1."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest

from harness import RETURN_GREET, Sandbox, Snapshot, answer, check

ROOT = os.geteuid() == 0


ROOMY = ("--max-tokens", "400000")
"""Every backend cuts an answer at max_tokens (32 characters a token at most), and vibecli asks for
about what rewriting the files shown takes: a big answer needs both room and a big file shown."""


def _big_module(kilobytes: int) -> str:
    """Valid Python that does not compress well (git's objects are compressed)."""
    noise = os.urandom(kilobytes * 512).hex()
    lines = [f'    "{noise[i:i + 64]}"' for i in range(0, len(noise), 64)]
    return "def greet(name):\n    return (\n" + "\n".join(lines) + "\n    )\n"


def _mount(args: list[str]) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"mount is not permitted here: {done.stderr.strip()}")


@pytest.fixture
def tmpfs_sandbox(tmp_path, vibecli_home):
    """The repository on a 4 MB tmpfs of its own (its home, vibecli's, stays on the big disk)."""
    if not ROOT or shutil.which("mount") is None:
        pytest.skip("a tmpfs of its own needs root and mount")
    base = tmp_path / "box"
    base.mkdir()
    _mount(["-t", "tmpfs", "-o", "size=4m", "tmpfs", str(base)])
    try:
        yield Sandbox(base, vibecli_home)
    finally:
        subprocess.run(["umount", "-l", str(base)], check=False)


def _fill(sandbox: Sandbox, leave: int) -> None:
    """A ballast file (outside the repository, on its file system) that leaves `leave` bytes free."""
    ballast = sandbox.scratch / "ballast"
    ballast.unlink(missing_ok=True)
    stat = os.statvfs(sandbox.repo)
    free = stat.f_bavail * stat.f_frsize
    with open(ballast, "wb") as handle:
        handle.write(b"\0" * max(free - leave, 0))


def test_a_full_disk_at_the_write_fails_in_one_line(tmpfs_sandbox):
    sandbox = tmpfs_sandbox
    sandbox.commit({"greet.py": _big_module(256)})
    big = _big_module(256)
    replay = sandbox.replay(answer("greet.py", "greet", big))
    _fill(sandbox, 64 * 1024)
    before = Snapshot.take(sandbox)
    run = sandbox.edit("make it big", "greet.py", *ROOMY, replay=replay)
    check(sandbox, before, run, exit_code=1)
    assert "No space left" in run.stderr


def test_a_full_disk_at_the_commit_puts_the_file_back(tmpfs_sandbox):
    sandbox = tmpfs_sandbox
    sandbox.commit({"greet.py": _big_module(200)})
    big = _big_module(200)
    replay = sandbox.replay(answer("greet.py", "greet", big))
    _fill(sandbox, len(big) + 48 * 1024)  # room for the file, not for git's copy of it
    before = Snapshot.take(sandbox)
    run = sandbox.edit("make it big", "greet.py", *ROOMY, replay=replay)
    check(sandbox, before, run, exit_code=1)
    assert "commit" in run.stderr


def test_a_disk_that_fills_during_the_checks_still_gets_its_files_back(tmpfs_sandbox):
    """Putting a file back must not need free space: the original is kept, not rewritten."""
    sandbox = tmpfs_sandbox
    filler = sandbox.scratch / "filler"
    fill = f"cat /dev/zero > {filler} 2>/dev/null; exit 0"
    before = Snapshot.take(sandbox)
    run = sandbox.edit("return it", "greet.py", "--test-cmd", fill, answers=(answer("greet.py", "greet", RETURN_GREET),))
    check(sandbox, before, run, exit_code=1)


@contextmanager
def _read_only(path: Path):
    _mount(["--bind", str(path), str(path)])
    try:
        _mount(["-o", "remount,bind,ro", str(path)])
        yield
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


@pytest.mark.skipif(not ROOT, reason="a read-only bind mount needs root")
def test_a_read_only_work_tree_fails_in_one_line(sandbox):
    before = Snapshot.take(sandbox)
    with _read_only(sandbox.repo):
        run = sandbox.edit("return it", "greet.py", answers=(answer("greet.py", "greet", RETURN_GREET),))
    check(sandbox, before, run, exit_code=1)
    assert "Read-only file system" in run.stderr


@pytest.mark.skipif(not ROOT, reason="a read-only bind mount needs root")
def test_a_read_only_object_store_fails_the_commit_and_puts_the_file_back(sandbox):
    before = Snapshot.take(sandbox)
    with _read_only(sandbox.repo / ".git" / "objects"):
        run = sandbox.edit("return it", "greet.py", answers=(answer("greet.py", "greet", RETURN_GREET),))
    check(sandbox, before, run, exit_code=1)


@contextmanager
def _no_writes(*paths: Path):
    """Writes into these files or folders fail: immutable for root (chattr +i), read-only otherwise."""
    if ROOT:
        done = subprocess.run(["chattr", "+i", *map(str, paths)], capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"chattr is not supported here: {done.stderr.strip()}")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", *map(str, paths)], check=False)
        return
    modes = {p: p.stat().st_mode for p in paths}
    for p in paths:
        p.chmod(modes[p] & ~0o222)
    try:
        yield
    finally:
        for p, mode in modes.items():
            p.chmod(mode)


def test_a_folder_that_refuses_new_files_fails_the_create_and_leaves_no_folders(sandbox):
    before = Snapshot.take(sandbox)
    with _no_writes(sandbox.repo / "pkg"):
        run = sandbox.edit("add a helper", "greet.py",
                           answers=(answer("pkg/sub/deeper/helper.py", None, "X = 1\n", op="create"),))
    check(sandbox, before, run, exit_code=1)


def test_a_second_file_that_cannot_be_written_puts_the_first_back(sandbox):
    before = Snapshot.take(sandbox)
    two = answer("greet.py", "greet", RETURN_GREET).replace("@@ done", "") + answer(
        "pkg/new.py", None, "X = 1\n", op="create")
    with _no_writes(sandbox.repo / "pkg"):
        run = sandbox.edit("return it and add a helper", "greet.py", answers=(two,))
    check(sandbox, before, run, exit_code=1)


def test_an_object_store_that_refuses_writes_fails_the_commit_and_puts_the_file_back(sandbox):
    objects = sandbox.repo / ".git" / "objects"
    before = Snapshot.take(sandbox)
    with _no_writes(objects, *[p for p in objects.iterdir() if p.is_dir()]):
        run = sandbox.edit("return it", "greet.py", answers=(answer("greet.py", "greet", RETURN_GREET),))
    check(sandbox, before, run, exit_code=1)


def _file_size_limit(limit: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@pytest.mark.parametrize("target, op", [("greet.py", "rewrite"), ("new/dir/big.py", "create")])
def test_a_file_size_limit_fails_the_write_in_one_line(sandbox, target, op):
    sandbox.commit({"greet.py": _big_module(64)})
    big = _big_module(64)
    sandbox.replay(answer(target, None, big, op=op))
    before = Snapshot.take(sandbox)
    run = sandbox.edit("make it big", "greet.py", *ROOMY, replay=sandbox.answers_file, preexec=_file_size_limit(32 * 1024))
    check(sandbox, before, run, exit_code=1)
    assert "File too large" in run.stderr


def test_a_held_index_lock_is_one_line_and_nothing_changes(sandbox):
    (sandbox.repo / ".git" / "index.lock").write_text("")
    before = Snapshot.take(sandbox)
    run = sandbox.edit("return it", "greet.py", answers=(answer("greet.py", "greet", RETURN_GREET),))
    check(sandbox, before, run, exit_code=1)
    assert "index.lock" in run.stderr
    assert (sandbox.repo / ".git" / "index.lock").exists()  # another git's lock is not vibecli's to remove


def test_an_index_lock_taken_during_the_checks_fails_the_commit_and_puts_the_file_back(sandbox):
    lock = sandbox.repo / ".git" / "index.lock"
    before = Snapshot.take(sandbox)
    run = sandbox.edit("return it", "greet.py", "--test-cmd", f"touch {lock}",
                       answers=(answer("greet.py", "greet", RETURN_GREET),))
    lock.unlink()  # the other git's, taken by the check
    check(sandbox, before, run, exit_code=1)


def test_a_merge_in_progress_is_refused_before_the_model_runs(sandbox):
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=sandbox.repo, capture_output=True, text=True).stdout
    (sandbox.repo / ".git" / "MERGE_HEAD").write_text(head)
    before = Snapshot.take(sandbox)
    run = sandbox.edit("return it", "greet.py", answers=(answer("greet.py", "greet", RETURN_GREET),))
    check(sandbox, before, run, exit_code=5)
    assert "merge" in run.stderr


def test_no_git_on_the_path_is_one_line(sandbox):
    before = Snapshot.take(sandbox)
    run = sandbox.edit("return it", "greet.py", answers=(answer("greet.py", "greet", RETURN_GREET),),
                       PATH="/nonexistent")
    check(sandbox, before, run, exit_code=1)


def test_a_user_data_dir_that_cannot_be_written_costs_only_the_logbook(sandbox):
    """The repository lock moves to the system's temporary folder; the edit goes on."""
    not_a_folder = sandbox.scratch / "home"
    not_a_folder.write_text("a file where vibecli's user dir should be")
    before = Snapshot.take(sandbox)
    run = sandbox.edit("return it", "greet.py", answers=(answer("greet.py", "greet", RETURN_GREET),),
                       VIBECLI_HOME=str(not_a_folder))
    check(sandbox, before, run, exit_code=0, committed=["greet.py"])
    assert "not in the logbook" in run.stderr


def test_a_pre_commit_hook_that_rejects_the_commit_puts_everything_back(sandbox):
    """git keeps the message of the commit that did not happen (COMMIT_EDITMSG): put back too."""
    sandbox.hook("pre-commit", "echo 'the user hook says no' >&2\nexit 1\n")
    before = Snapshot.take(sandbox)
    run = sandbox.edit("return it", "greet.py", answers=(answer("greet.py", "greet", RETURN_GREET),))
    check(sandbox, before, run, exit_code=1)
    assert "the user hook says no" in run.stderr
