"""The command line. Nothing imports this package; it wires everything together."""

from __future__ import annotations

from typing import Annotated

import typer

from vibecli import __version__
from vibecli.cli import batch, chat, data, edit, fix, log, map, model, new, symbols, train, trust, undo
from vibecli.cli.options import EXIT_CODES_HELP

app = typer.Typer(  # plain help: rich help formatting costs ~0.1 s of every `--help` (issue 7: under 0.3 s)
    rich_markup_mode=None,
    name="vibecli",
    help="A local-first coding agent: a small local model edits your code through checked patches and commits it.",
    epilog=EXIT_CODES_HELP,
    add_completion=True,
    pretty_exceptions_enable=False,
)
app.add_typer(edit.app)
app.add_typer(fix.app)
app.add_typer(batch.app)
app.add_typer(undo.app)
app.add_typer(symbols.app)
app.add_typer(map.app)
app.add_typer(new.app)
app.add_typer(log.app, name="log")
app.add_typer(model.app, name="model")
app.add_typer(chat.app)
app.add_typer(data.app, name="data")
app.add_typer(train.app)
app.add_typer(trust.app)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"vibecli {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def root(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")] = False,
) -> None:
    """vibecli"""
    if ctx.invoked_subcommand is None:
        chat.without_command(ctx)  # a session at a terminal; elsewhere the help and exit 2


def main() -> None:
    from vibecli import interrupts

    interrupts.install()  # done already by the console entry (launch.main); here for other callers
    app(prog_name="vibecli")
