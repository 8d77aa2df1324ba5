"""One vibecli run at a time in a repository: a lock held from reading the files to the commit.

The lock is a file in vibecli's user data dir named after the repository's root (never a file
inside the repository or its .git/), locked with flock (msvcrt on Windows), so that a crashed
run never leaves it held. A run started by one that holds it (`vibecli fix` in a git hook that
vibecli's commit runs) goes on under its parent's lock instead of waiting for it.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from vibecli.core import VibeError

HELD_ENV = "VIBECLI_REPO_LOCK"
"""Set while the lock is held, for the processes the run starts (checks, git and its hooks)."""
_POLL_S = 0.05


class RepoLock:
    def __init__(self, root: Path, folder: Path, wait_s: float, on_wait: Callable[[int], None] | None = None):
        key = hashlib.sha256(str(root.resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:16]
        self.root = root
        self.path = folder / f"{root.name[:40]}-{key}.lock"
        self.wait_s = wait_s
        self.on_wait = on_wait
        self._fd: int | None = None
        self._inherited = False
        self._previous_env: str | None = None

    def __enter__(self) -> "RepoLock":
        if os.environ.get(HELD_ENV) == self.path.name:
            self._inherited = True
            return self
        self._fd = self._open()
        try:
            self._acquire()
        except BaseException:
            os.close(self._fd)
            self._fd = None
            raise
        self._previous_env = os.environ.get(HELD_ENV)
        os.environ[HELD_ENV] = self.path.name
        return self

    def __exit__(self, *exc) -> None:
        if self._inherited or self._fd is None:
            return
        if self._previous_env is None:
            os.environ.pop(HELD_ENV, None)
        else:
            os.environ[HELD_ENV] = self._previous_env
        _unlock(self._fd)
        os.close(self._fd)
        self._fd = None

    def _open(self) -> int:
        """The lock file; in the system's temporary folder when the user data dir cannot take it."""
        for path in (self.path, Path(tempfile.gettempdir()) / "vibecli-locks" / self.path.name):
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError as exc:
                error = exc
                continue
            self.path = path
            return fd
        raise VibeError(f"cannot make the repository lock {self.path}: {error.strerror}")

    def _acquire(self) -> None:
        if _try_lock(self._fd):
            return
        if self.on_wait is not None:
            self.on_wait(int(self.wait_s))
        deadline = time.monotonic() + self.wait_s
        while time.monotonic() < deadline:
            time.sleep(_POLL_S)
            if _try_lock(self._fd):
                return
        raise VibeError(f"another vibecli run has held {self.root} for over {self.wait_s:.0f} s "
                        f"(lock_wait); try again when it is done")


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError as exc:
        raise VibeError(f"cannot lock the repository: {exc.strerror}") from None
    return True


def _unlock(fd: int) -> None:
    if sys.platform == "win32":
        import msvcrt

        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        except OSError:
            pass
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)
