"""Model backends and the one factory that picks among them (through `registry`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from vibecli.errors import VibeError
from vibecli.settings import Settings, backend_settings

if TYPE_CHECKING:
    from vibecli.core import Backend


def make_backend(
    settings: Settings,
    cache_dir: Path,
    *,
    verbose: bool = False,
    assemble_progress: Callable[[int, int], None] | None = None,
    on_wait: Callable[[], None] | None = None,
    on_note: Callable[[str], None] | None = None,
) -> Backend:
    """The backend the settings name (a registered name, or a profile over one), made by its factory."""
    from vibecli.backends import registry

    settings = backend_settings(settings)
    kind = registry.get(settings.backend)
    if kind is None:  # backend_settings knows every registered name: only a profile can get here
        raise VibeError(f"unknown backend type {settings.backend!r} (known: {', '.join(registry.names())})")
    wiring = registry.Wiring(cache_dir, verbose, assemble_progress, on_wait, on_note)
    return kind.make(settings, wiring)


_held: list[int] = []
_held_dirs: set[Path] = set()


def model_lock(cache_dir: Path, on_wait: Callable[[], None] | None = None) -> None:
    """One llama.cpp process at a time: two on a small CPU thrash each other (10-20x slower).

    Held until the process exits; a second vibecli waits for it instead of fighting.
    """
    if os.environ.get("VIBECLI_NO_MODEL_LOCK") or cache_dir in _held_dirs:
        return  # a second backend in this process (train --eval: base, then adapter); flock would wait on itself
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(cache_dir / "model.lock", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise VibeError(f"cannot create the model lock in {cache_dir}: {exc.strerror}") from None
    if not _lock(fd, wait=False):
        if on_wait:
            on_wait()
        _lock(fd, wait=True)
    _held.append(fd)
    _held_dirs.add(cache_dir)


def _lock(fd: int, wait: bool) -> bool:
    """An exclusive lock on the open file: flock where there is one (POSIX), msvcrt's byte-range
    lock on Windows, which has no fcntl. False when another process holds it and `wait` is False."""
    try:
        import fcntl
    except ImportError:
        return _lock_windows(fd, wait)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    return True


def _lock_windows(fd: int, wait: bool) -> bool:
    import msvcrt
    import time

    while True:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            if not wait:
                return False
            time.sleep(0.2)
