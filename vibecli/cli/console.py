"""The CLI's environment: streams, colour, JSON mode. Nothing below the CLI prints."""

from __future__ import annotations

import json
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

from rich.console import Console, RenderHook
from rich.segment import Segment
from rich.text import Text

from vibecli.core import EXIT_USAGE, Report, VibeError

_BIDI = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
"""Marks and overrides that reorder how a line reads (the "Trojan Source" characters)."""
_ESCAPES = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))} | {c: f"\\u{c:04x}" for c in _BIDI}
_ONE_LINE = str.maketrans(_ESCAPES)
_LAYOUT = str.maketrans({k: v for k, v in _ESCAPES.items() if k not in (0x0A, 0x09)})


def visible(text: str, *, lines: bool = True) -> str:
    """Text from a model, a file or a check, safe to show on a terminal: every control character
    (C0, DEL, C1: ESC starts the sequences that set a window title, write the clipboard or clear
    the screen) and every bidi override is shown as its escape (`\\x1b`, `\\u202e`). `lines`
    keeps newlines and tabs where the layout needs them; without it the text stays one line."""
    return text.translate(_LAYOUT if lines else _ONE_LINE)


class _Visible:
    """A renderable whose text segments pass through `visible` (Rich's own control segments do not)."""

    def __init__(self, renderable):
        self.renderable = renderable

    def __rich_console__(self, console, options):
        for segment in console.render(self.renderable, options):
            yield segment if segment.control else Segment(visible(segment.text), segment.style)


class _VisibleHook(RenderHook):
    """On every console of the CLI, so that nothing printed through Rich reaches a terminal raw."""

    def process_renderables(self, renderables):
        return [_Visible(r) for r in renderables]


def safe_console(**kwargs) -> Console:
    console = Console(highlight=False, soft_wrap=True, **kwargs)
    console.push_render_hook(_VisibleHook())
    return console


@dataclass
class Env:
    json: bool = False
    json_lines: bool = False
    quiet: bool = False
    verbose: bool = False
    out: Console = field(default_factory=safe_console)
    err: Console = field(default_factory=lambda: safe_console(stderr=True))

    @property
    def interactive(self) -> bool:
        return self.err.is_terminal and not self.json and not self.json_lines and not self.quiet

    @property
    def machine(self) -> bool:
        """Output is for a program: one JSON object, or JSON Lines."""
        return self.json or self.json_lines

    def emit_json(self, obj: dict) -> None:
        sys.stdout.write(json.dumps(obj, indent=None, sort_keys=False) + "\n")
        sys.stdout.flush()

    def error(self, exc: VibeError, emit_json: bool = True) -> None:
        if self.machine and emit_json:
            report = Report(run_id="", status=exc.status, message=exc.message, exit_code=exc.exit_code)
            self.emit_json({"event": "done", "report": report.to_json()} if self.json_lines else report.to_json())
        line = visible(f"vibecli: {_label(exc)}: {exc.message}", lines=False)
        self.err.print(Text(line), style="red" if self.err.is_terminal else None)

    def note(self, message: str) -> None:
        """`vibecli: note: ...` on stderr, also beside --json (a program reads stdout), not with --quiet."""
        if not self.quiet:
            self.err.print(Text(visible(f"vibecli: note: {message}", lines=False)))

    def info(self, message: str) -> None:
        if not self.quiet and not self.machine:
            self.err.print(Text(visible(message)))

    def write(self, text: str) -> None:
        """Plain text on stdout as it is (a map, a listing), its control characters made visible."""
        self.out.file.write(visible(text))
        self.out.file.flush()

    def show(self, text: str) -> None:
        """One or more lines on stdout (no markup, no highlighting)."""
        self.out.print(Text(visible(text)))

    def diff(self, text: str) -> None:
        for line in visible(text).split("\n")[: -1 if text.endswith("\n") else None]:
            style = None
            if line.startswith(("+++", "---")):
                style = "bold"
            elif line.startswith("+"):
                style = "green"
            elif line.startswith("-"):
                style = "red"
            elif line.startswith("@@"):
                style = "cyan"
            self.out.print(Text(line, style=style or ""))


def _label(exc: VibeError) -> str:
    if exc.exit_code == EXIT_USAGE:
        return "usage"
    return {"refused": "refused", "rejected": "rejected", "no_change": "no change"}.get(exc.status, "error")


class LiveProgress:
    """A spinner on stderr with live tokens/s; silent when stderr is not a terminal."""

    def __init__(self, env: Env):
        self.env = env
        self.status = None
        self.label = ""
        self.first_token_at = 0.0

    def __enter__(self):
        if self.env.interactive:
            self.status = self.env.err.status(Text("Starting"))
            self.status.__enter__()
        return self

    def __exit__(self, *exc):
        if self.status is not None:
            self.status.__exit__(*exc)
            self.status = None

    def phase(self, text: str) -> None:
        self.label = visible(text, lines=False)
        self.first_token_at = 0.0
        if self.status is not None:
            # as Text: Rich reads a plain string as markup (a check's `[/]` would raise, `[link=...]` link)
            self.status.update(Text(self.label))

    @contextmanager
    def paused(self) -> Iterator[None]:
        """No spinner while a question waits for its answer."""
        if self.status is None:
            yield
            return
        self.status.stop()
        try:
            yield
        finally:
            self.status.start()

    def tokens(self, count: int) -> None:
        if self.status is None:
            return
        now = time.perf_counter()
        if not self.first_token_at:
            self.first_token_at = now
        elapsed = now - self.first_token_at
        rate = f", {(count - 1) / elapsed:.1f} tok/s" if elapsed > 0.2 and count > 1 else ""
        self.status.update(Text(f"{self.label}: {count} tokens{rate}"))

    def event(self, event: str, **data) -> None:
        pass


class JsonLinesProgress:
    """`--json-lines`: every step as one JSON object a line, token counts every 16 tokens."""

    def __init__(self, env: Env):
        self.env = env
        self.last = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None

    def phase(self, text: str) -> None:
        self.last = 0

    def tokens(self, count: int) -> None:
        if count - self.last >= 16:
            self.last = count
            self.event("token", count=count)

    def event(self, event: str, **data) -> None:
        self.env.emit_json({"event": event, "time": round(time.time(), 3), **data})
