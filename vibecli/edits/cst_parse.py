"""LibCST's parser, safe on a hostile file.

LibCST's native parser recurses once per level of an expression's nesting, and it nests what
Python's own parser keeps flat (`a or a or a ...`, 20,000 terms in a 100 kB file). On an ordinary
thread that overflows the native stack and the process dies of SIGSEGV: no exception, no message,
nothing to catch. A repository's files are untrusted input, so every parse of one runs here, on
one long-lived thread whose stack (1 GiB, reserved, committed only as used) holds the deepest
nesting a file under `MAX_BYTES` can have (measured: a 1 MB file of one `or` chain parses, in 7.6 s).
"""

from __future__ import annotations

import queue
import threading

MAX_BYTES = 1_000_000
"""Larger texts are not parsed (the default `max_file_bytes` for edits is the same)."""
STACK_BYTES = 1 << 30

_jobs: queue.SimpleQueue = queue.SimpleQueue()
_worker: threading.Thread | None = None
_starting = threading.Lock()


def parse_module(text: str):
    """The LibCST module of `text`; None when it does not parse, is larger than `MAX_BYTES`, or the
    system will not give a thread that stack."""
    if len(text) > MAX_BYTES or not _started():
        return None
    parsed: list = []
    done = threading.Event()
    _jobs.put((text, parsed, done))
    done.wait()
    return parsed[0] if parsed else None


def _started() -> bool:
    """One long-lived parser thread (a thread per parse doubled the time of a small file's parse);
    started again after a fork, which leaves the child without it."""
    global _worker
    with _starting:
        if _worker is not None and _worker.is_alive():
            return True
        try:
            old = threading.stack_size(STACK_BYTES)
        except (ValueError, RuntimeError):  # no room for it here: no parse, rather than a crash
            return False
        try:
            _worker = threading.Thread(target=_serve, name="vibecli-libcst", daemon=True)
            _worker.start()
        finally:
            threading.stack_size(old)
        return True


def _serve() -> None:
    import libcst as cst

    while True:
        text, parsed, done = _jobs.get()
        try:
            parsed.append(cst.parse_module(text))
        except Exception:  # anything the parser raises on a file means "not parsed"; the thread must live on
            pass
        finally:
            done.set()
