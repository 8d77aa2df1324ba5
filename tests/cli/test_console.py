"""Nothing that came from a model, a file or a check reaches a terminal raw."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console
from rich.table import Table
from rich.text import Text

from vibecli.cli.console import Env, safe_console, visible
from vibecli.core import VibeError

HOSTILE = {
    "osc52 clipboard": "\x1b]52;c;ZWNobyBwd25lZA==\x07",
    "osc0 title": "\x1b]0;owned\x07",
    "csi clear": "\x1b[2J\x1b[H",
    "c1 csi": "\x9b31m",
    "bidi override": "\u202eevil\u202c",
    "bidi isolate": "\u2066x\u2069",
    "carriage return": "safe\rEVIL",
    "del and nul": "a\x7f\x00b",
}
RAW = set(range(0x20)) - {0x0A, 0x09} | set(range(0x7F, 0xA0)) | {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F),
                                                                    *range(0x2066, 0x206A)}


def raw_controls(text: str) -> list[str]:
    return [hex(ord(c)) for c in text if ord(c) in RAW]


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_visible_leaves_no_control_character(name):
    shown = visible(f"before {HOSTILE[name]} after\nnext\tline")
    assert raw_controls(shown) == [] and "\n" in shown and "\t" in shown
    assert "\n" not in visible("a\nb", lines=False) and "\\x0a" in visible("a\nb", lines=False)


def test_escapes_are_readable():
    assert visible("\x1b[2J") == "\\x1b[2J"
    assert visible("\u202e") == "\\u202e"
    assert visible("plain text, ünïcode, emoji 🙂") == "plain text, ünïcode, emoji 🙂"


def _env() -> tuple[Env, io.StringIO, io.StringIO]:
    out, err = io.StringIO(), io.StringIO()
    return Env(out=safe_console(file=out), err=safe_console(file=err)), out, err


def test_every_env_method_and_direct_console_print_is_made_visible():
    env, out, err = _env()
    bad = "".join(HOSTILE.values())
    env.diff(f"--- a/x\n+++ b/x\n+{bad}\n-{bad}\n")
    env.show(bad)
    env.write(bad + "\n")
    env.info(bad)
    env.note(bad)
    env.error(VibeError(f"line one {bad}\nline two"))
    table = Table("a", "b")
    table.add_row(bad, Text(bad))
    env.out.print(table)
    env.out.print(bad, markup=False)
    env.err.out(bad)
    for stream in (out.getvalue(), err.getvalue()):
        assert raw_controls(stream) == []
    errors = [line for line in err.getvalue().splitlines() if line.startswith("vibecli: error:")]
    assert len(errors) == 1 and errors[0].endswith("\\x0aline two")  # one line


def test_json_stays_exact(capsys):
    env = Env(json=True)
    env.emit_json({"answer": "\x1b]0;t\x07\u202e"})
    assert json.loads(capsys.readouterr().out) == {"answer": "\x1b]0;t\x07\u202e"}


def test_a_plain_rich_console_would_have_let_it_through():
    # why the hook exists: Rich drops BEL and CR but passes ESC and bidi overrides
    buffer = io.StringIO()
    Console(file=buffer).print(Text("\x1b]52;c;x\x07\u202e"))
    assert "\x1b" in buffer.getvalue() and "\u202e" in buffer.getvalue()


def test_the_spinner_shows_a_check_command_as_text_not_markup():
    # a check command, a scaffold step, a model's name: Rich would read a plain string as markup
    # (`[/]` raises, `[link=...]` writes a hyperlink)
    from vibecli.cli.console import LiveProgress

    err = io.StringIO()
    env = Env(err=safe_console(file=err, force_terminal=True, width=400))
    command = "echo [/] [link=https://evil.example]x[/link] [bold]" + HOSTILE["osc0 title"]
    with LiveProgress(env) as progress:
        assert progress.status is not None
        progress.phase(f"Running the lint check: {command}")
        progress.tokens(1)
    shown = err.getvalue()
    assert "[/] [link=https://evil.example]x[/link] [bold]" in shown
    assert "\x1b]8;" not in shown and "\x1b]0;" not in shown and "\\x1b]0;owned\\x07" in shown
