"""Options shared by several commands, declared once; the settings' flags come from their declarations."""

from __future__ import annotations

import functools
import inspect
from typing import Annotated, Any, Callable, Optional

import typer

from vibecli.settings import DECLARED
from vibecli.settings_spec import Declared

MODEL = "Model"
OUTPUT = "Output"

Json = Annotated[bool, typer.Option("--json", help="Print exactly one JSON object on stdout.", rich_help_panel=OUTPUT)]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors (and --json output).", rich_help_panel=OUTPUT)]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Show llama.cpp's own log and more detail.", rich_help_panel=OUTPUT)]

EXIT_CODES_HELP = (
    "Exit codes: 0 applied, nothing to fix (`fix`: the checks pass) or declined at the prompt; 1 error (bad input, "
    "config, model); 2 usage; 3 not carried out: the model's answers were rejected, or changed nothing, after every "
    "attempt; 4 checks still failing; 5 refused for safety or needs confirmation; 130/143 interrupted, nothing changed (after the commit landed: 0, and the report says so). "
    "`fix --check`: 1 when it would change files."
)

CHECKS = "Checks"
EDIT = "Edit"

Yes = Annotated[bool, typer.Option("--yes", "-y", help="Never ask before writing (overrides confirm: true).", rich_help_panel=EDIT)]
NeverAsks = Annotated[bool, typer.Option("--yes", "-y", help="Accepted for scripts that pass it to every command: this one never asks before writing.", rich_help_panel=EDIT)]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Print the diff; write and commit nothing.", rich_help_panel=EDIT)]
AllowDirty = Annotated[bool, typer.Option("--allow-dirty", help="Edit files with uncommitted changes (then not committed).", rich_help_panel=EDIT)]
NoGit = Annotated[bool, typer.Option("--no-git", help="Work outside git: nothing is checked against or committed to git.", rich_help_panel=EDIT)]
InstructionFile = Annotated[Optional[str], typer.Option("--instruction-file", help="Read the instruction from this file.", rich_help_panel=EDIT)]
KeepFailed = Annotated[bool, typer.Option("--keep-failed", help="When the checks still fail, leave the last attempt uncommitted.", rich_help_panel=CHECKS)]

TrustProject = Annotated[bool, typer.Option("--trust-project", help="Trust the project's .vibecli.yaml for this run (its checks, endpoint, backends), as `vibecli trust` does for good; VIBECLI_TRUST_PROJECT=1 too.", rich_help_panel=CHECKS)]

JsonLines = Annotated[bool, typer.Option("--json-lines", help="Stream events as JSON Lines on stdout; the last is `done` with the report.", rich_help_panel=OUTPUT)]


SettingFlags = dict
"""The parameter that `takes_settings` fills: {setting key: the flag's value, or None when not given}."""


def takes_settings(command: str) -> Callable[[Callable], Callable]:
    """Give the function the flags of every setting declared for `command` (vibecli.settings), where its
    `flags` parameter stands; it receives their values in `flags`, ready for settings_for."""
    taken = {key: item for key, item in DECLARED.items() if command in item.spec.commands}

    def decorate(func: Callable) -> Callable:
        signature = inspect.signature(func, eval_str=True)
        params = list(signature.parameters.values())
        at = [p.name for p in params].index("flags")
        options = [inspect.Parameter(key, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=_default(item),
                                     annotation=_option(key)) for key, item in taken.items()]

        @functools.wraps(func)
        def run(**given: Any) -> Any:
            flags = {key: _value(item, given.pop(key)) for key, item in taken.items()}
            return func(**given, flags=flags)

        run.__signature__ = signature.replace(parameters=[*params[:at], *options, *params[at + 1:]])  # type: ignore[attr-defined]
        # evaluated once, here: Typer reads them again with get_type_hints, which would eval each string anew
        run.__annotations__ = {p.name: p.annotation for p in run.__signature__.parameters.values()}
        return run

    return decorate


@functools.lru_cache(maxsize=None)
def _option(key: str) -> Any:
    """One Typer option per setting, shared by the commands that take it (Typer copies it for each)."""
    item = DECLARED[key]
    spec = item.spec
    names = (spec.flag, spec.short) if spec.short else (spec.flag,)
    option = typer.Option(*names, help=spec.help, rich_help_panel=spec.section)
    if spec.switch is not None:
        return Annotated[bool, option]
    kind = next(t for t in item.types if t is not type(None))
    return Annotated[Optional[kind], option]  # None: not given, so the lower layers decide


def _default(item: Declared) -> Any:
    return False if item.spec.switch is not None else None


def _value(item: Declared, given: Any) -> Any:
    if item.spec.switch is not None:
        return item.spec.switch if given else None
    return given
