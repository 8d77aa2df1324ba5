"""The CLI's environment: streams, colour, JSON mode. Nothing below the CLI prints."""

from __future__ import annotations

import json
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

from rich.console import Console
from rich.text import Text

from vibecli.core import EXIT_USAGE, Report, VibeError


@dataclass
class Env:
    json: bool = False
    json_lines: bool = False
    quiet: bool = False
    verbose: bool = False
    out: Console = field(default_factory=lambda: Console(highlight=False, soft_wrap=True))
    err: Console = field(default_factory=lambda: Console(stderr=True, highlight=False, soft_wrap=True))

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
        self.err.print(Text(f"vibecli: {_label(exc)}: {exc.message}"), style="red" if self.err.is_terminal else None)

    def info(self, message: str) -> None:
        if not self.quiet and not self.machine:
            self.err.print(Text(message))

    def diff(self, text: str) -> None:
        for line in text.splitlines():
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
            self.status = self.env.err.status("Starting")
            self.status.__enter__()
        return self

    def __exit__(self, *exc):
        if self.status is not None:
            self.status.__exit__(*exc)
            self.status = None

    def phase(self, text: str) -> None:
        self.label = text
        self.first_token_at = 0.0
        if self.status is not None:
            self.status.update(text)

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
        self.status.update(f"{self.label}: {count} tokens{rate}")

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
