"""`vibecli chat`, and `vibecli` with no command: an interactive session at the terminal."""

from __future__ import annotations

import os
import signal
import sys

import typer

from vibecli.cli import options as o
from vibecli.cli.console import Env
from vibecli.cli.wiring import backend_for, handled, settings_for
from vibecli.core import UsageError, VibeError

app = typer.Typer(rich_markup_mode=None)

EXIT_HANGUP = 129
"""128 + SIGHUP: the terminal went away."""


@app.command(epilog=o.EXIT_CODES_HELP)
@o.takes_settings("chat")
def chat(
    flags: o.SettingFlags = None,
    yes: o.Yes = False,
    allow_dirty: o.AllowDirty = False,
    trust_project: o.TrustProject = False,
    verbose: o.Verbose = False,
) -> None:
    """Open a session (the default command): each line is an edit request, the model stays loaded.

    Needs a terminal; /help inside lists the commands (/add, /drop, /undo, /run, ...).
    """
    env = Env(verbose=verbose)
    if not can_ask():
        with handled(env):
            raise UsageError("the session needs a terminal (standard input is not one, or CI is set); "
                             "use `vibecli edit` in scripts")
    open_session(env, flags, yes=yes, allow_dirty=allow_dirty, trust_project=trust_project)


def without_command(ctx: typer.Context) -> None:
    """`vibecli` alone: a session at a terminal; elsewhere the help, exit 2 (it never reads a pipe)."""
    if not can_ask():
        typer.echo(ctx.get_help())
        raise typer.Exit(2)
    open_session(Env(), {})


def can_ask() -> bool:
    return sys.stdin.isatty() and not os.environ.get("CI")


class HangUp(SystemExit):
    """SIGHUP: the terminal is gone. Raised where the program is, so a request in flight is undone.
    A SystemExit for the reason given at core.Terminated: it must get out of an asyncio callback."""


def _hang_up(signum, frame) -> None:
    # nobody is there to read; writing to the lost terminal would fail with EIO
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)
    raise HangUp()


def open_session(env: Env, flags: dict, *, yes: bool = False, allow_dirty: bool = False,
                 trust_project: bool = False) -> None:
    from vibecli.cli.runner import locate
    from vibecli.cli.session import Session

    hangup = getattr(signal, "SIGHUP", None)  # none on Windows
    previous = signal.signal(hangup, _hang_up) if hangup else None
    try:
        with handled(env):
            try:
                place = locate(False)
            except VibeError as exc:  # the session has no --no-git
                raise VibeError(exc.message.replace(", or pass --no-git", "")) from None
            settings = settings_for(place.root, flags, env, trust_project)
            backend = backend_for(settings, env)
            Session(env, place, settings, backend, yes=yes, allow_dirty=allow_dirty).loop()
    except HangUp:
        raise typer.Exit(EXIT_HANGUP) from None
    finally:
        if hangup:
            signal.signal(hangup, previous)
