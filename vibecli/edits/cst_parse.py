"""LibCST's parser, safe on a hostile file.

LibCST's native parser recurses once per level of an expression's nesting, and it nests what
Python's own parser keeps flat (`a or a or a ...`, 20,000 terms in a 100 kB file). On an ordinary
thread that overflows the native stack and the process dies of SIGSEGV: no exception, no message,
nothing to catch. A repository's files are untrusted input, so every parse of one runs here, on a
thread whose stack (1 GiB, reserved, committed only as used) holds the deepest nesting a file
under `MAX_BYTES` can have (measured: a 1 MB file of one `or` chain parses, in 7.6 s).
"""

from __future__ import annotations

import threading

MAX_BYTES = 1_000_000
"""Larger texts are not parsed (the default `max_file_bytes` for edits is the same)."""
STACK_BYTES = 1 << 30


def parse_module(text: str):
    """The LibCST module of `text`; None when it does not parse, is larger than `MAX_BYTES`, or the
    system will not give a thread that stack."""
    import libcst as cst

    if len(text) > MAX_BYTES:
        return None
    parsed = []

    def run() -> None:
        try:
            parsed.append(cst.parse_module(text))
        except (cst.ParserSyntaxError, RecursionError, MemoryError, ValueError):
            pass

    try:
        old = threading.stack_size(STACK_BYTES)
    except (ValueError, RuntimeError):  # no room for it here: no parse, rather than a crash
        return None
    try:
        thread = threading.Thread(target=run, name="vibecli-libcst", daemon=True)
        thread.start()
    finally:
        threading.stack_size(old)
    thread.join()
    return parsed[0] if parsed else None
