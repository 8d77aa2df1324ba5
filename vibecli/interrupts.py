"""What SIGINT and SIGTERM do at each moment of a run, so that the exit status tells the truth.

- Before a run has anything to undo (start-up, parsing the command line, after an error): the
  process ends at once, one line, 130 or 143.
- While a run may have something to undo (`undoable()`): the signal is raised where the
  program is (KeyboardInterrupt, or core.Terminated for SIGTERM) so that the clean-up runs.
  Only the first one is raised: a second signal must not cut the clean-up short, so it is noted.
- Once the run's result has landed (`landed()`: a commit, or files left on purpose): nothing is
  undone any more; the signal is noted and reported, and the exit status is the run's.

Imported by the console entry before anything heavy: only the standard library at module level.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager

NAMES = {signal.SIGINT: "SIGINT", signal.SIGTERM: "SIGTERM"}


class _State:
    installed = False
    depth = 0
    """How many `undoable()` scopes are open."""
    raised = False
    """A signal was raised into the program and its clean-up is under way."""
    landed: str | None = None
    """What landed (a commit id, or "the edit"), once the run's result stands."""
    received: list[int] = []
    reported = False
    deferring = 0
    """How many `deferred()` steps are open."""
    pending: int | None = None
    """A signal that arrived during a deferred step."""


_state = _State()


def install() -> None:
    """SIGINT and SIGTERM handled as above; idempotent. Called first thing by the console entry."""
    if _state.installed:
        return
    _state.installed = True
    for signum in NAMES:
        signal.signal(signum, _on_signal)


def _on_signal(signum: int, frame) -> None:
    if _state.deferring:
        _state.pending = _state.pending or signum
        return
    _state.received.append(signum)
    if _state.landed is not None or _state.raised:
        return  # noted: the result stands, or the clean-up of the first signal must finish
    if _state.depth:
        _state.raised = True
        # an object the interrupt cut short in its constructor may fail in its destructor later
        # (GitPython's config reader does): Python's "Exception ignored" report of that is noise
        sys.unraisablehook = _quiet
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        from vibecli.errors import Terminated

        raise Terminated(128 + signum)
    _write_line(f"vibecli: error: {_verb(signum)}; nothing was changed\n")
    os._exit(128 + signum)


def _quiet(unraisable) -> None:
    pass


def _verb(signum: int) -> str:
    return "interrupted" if signum == signal.SIGINT else "terminated"


def _write_line(text: str) -> None:
    try:
        os.write(2, text.encode("utf-8", "replace"))
    except OSError:
        pass


@contextmanager
def undoable() -> Iterator[None]:
    """A stretch of work that cleans up after itself: signals are raised into it."""
    _state.depth += 1
    try:
        yield
    finally:
        _state.depth -= 1


@contextmanager
def deferred() -> Iterator[None]:
    """A short step that must not be cut in two (git's index after a commit): a signal that comes
    during it takes effect at its end."""
    _state.deferring += 1
    try:
        yield
    finally:
        _state.deferring -= 1
        if not _state.deferring and _state.pending is not None:
            signum, _state.pending = _state.pending, None
            _on_signal(signum, None)


def new_run() -> None:
    """A run starts (the session and batch run several): nothing landed, nothing pending."""
    _state.raised = False
    _state.landed = None
    _state.received = []
    _state.reported = False


def settled() -> None:
    """The interrupt was dealt with (the session is back at its prompt): signals are raised again."""
    _state.raised = False


def raised_signal() -> int | None:
    """The signal that was raised into the program, if one was."""
    return _state.received[0] if _state.raised and _state.received else None


def landed(what: str) -> None:
    """The run's result stands (`what`: the commit id, or a phrase); later signals are only noted."""
    _state.landed = what


def late_signal() -> str | None:
    """The name of a signal received after the result landed and not yet reported; marks it reported."""
    if _state.landed is None or not _state.received or _state.reported:
        return None
    _state.reported = True
    return NAMES.get(_state.received[0], str(_state.received[0]))


def closing() -> None:
    """At exit, once the exit status is decided: a signal can no longer change it (the interpreter's
    own clean-up would otherwise die of it, reporting a signal where the run had finished), and
    one line for a signal that came after the result landed and that no report mentioned."""
    for signum in NAMES:  # ignored, not blocked: a block holds for this thread only, and Python's
        signal.signal(signum, signal.SIG_IGN)  # own shutdown would put back the default (death by the signal)
    name = late_signal()
    if name:
        sys.stderr.flush()
        _write_line(f"vibecli: note: {name} arrived after {_state.landed} had landed; it stands\n")
