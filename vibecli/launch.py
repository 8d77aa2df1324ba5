"""The console script's entry: a fast path for `vibecli fix` when there is nothing to fix.

A pre-commit hook runs `vibecli fix` on every commit, and most commits have nothing for it
to fix. That answer should cost about what the linter costs, so it is reached here without
importing Typer, Rich or GitPython (together ~0.15 s). Anything this path does not
understand, and every failing check, goes to the full command line, which reruns the checks
and does the real work.
"""

from __future__ import annotations

import os
import sys

# the flags of `fix` this path understands; any other argument sends the run to the full CLI
_VALUE_FLAGS = {"--lint-cmd": "lint_cmd", "--test-cmd": "test_cmd"}
_SWITCHES = {"--check", "--quiet", "-q", "--no-commit", "--allow-dirty", "--keep-failed", "--trust-project", "--yes", "-y"}


def main() -> None:
    # first, before any heavy import: a signal at start-up ends the run at once with one line
    from vibecli import interrupts

    interrupts.install()
    try:
        if sys.argv[1:2] == ["fix"]:
            with interrupts.undoable():  # its checks run in their own process groups: stop them too
                code = nothing_to_fix(sys.argv[2:])
            if code is not None:
                sys.exit(code)
        if sys.argv[1:2] == ["map"]:  # a map of an unchanged repository: see vibecli.quickmap
            from vibecli.quickmap import remembered_map

            if remembered_map(sys.argv[2:]) == 0:
                sys.exit(0)
        from vibecli.cli import main as full

        full()
    except (KeyboardInterrupt, SystemExit) as exc:
        signum = interrupts.raised_signal()
        if signum is None:
            raise
        verb = "interrupted" if isinstance(exc, KeyboardInterrupt) else "terminated"
        print(f"vibecli: error: {verb}; nothing was changed", file=sys.stderr)
        sys.exit(128 + signum)
    finally:
        interrupts.closing()


def nothing_to_fix(args: list[str]) -> int | None:
    """0 when the configured checks all pass; None when the full command line must decide."""
    flags, quiet, trust_project = _parse(args)
    if flags is None:
        return None
    from pathlib import Path

    root = _work_tree(Path.cwd())
    if root is None:
        return None
    from vibecli import paths
    from vibecli.checks import run_check
    from vibecli.errors import VibeError
    from vibecli.settings_load import load_settings

    notes: list[str] = []
    try:
        # the same rule as the full command line: an untrusted project's checks are not run
        settings = load_settings(user_file=paths.user_config_file(), project_root=root, environ=os.environ, flags=flags,
                                 trust_project=trust_project, on_note=notes.append)
    except VibeError:
        return None  # the full command line reports it
    if notes:
        return None  # and says which keys of the project's file it left out
    commands = [(n, c) for n, c in (("lint", settings.lint_cmd), ("test", settings.test_cmd)) if c]
    if not commands:
        return None
    for name, command in commands:
        if not run_check(name, command, root, settings.check_timeout).passed:
            return None
    if not quiet:
        print("no_change: the checks pass: nothing to fix", file=sys.stderr)
    return 0


def _parse(args: list[str]) -> tuple[dict | None, bool, bool]:
    """The settings the flags give, --quiet, --trust-project."""
    flags: dict[str, str] = {}
    quiet = trust_project = False
    it = iter(args)
    for arg in it:
        name, eq, value = arg.partition("=")
        if name in _VALUE_FLAGS:
            value = value if eq else next(it, None)
            if value is None:
                return None, False, False
            flags[_VALUE_FLAGS[name]] = value
        elif arg in _SWITCHES:
            quiet = quiet or arg in ("--quiet", "-q")
            trust_project = trust_project or arg == "--trust-project"
        elif arg.startswith("-"):
            return None, False, False  # --json, --help, model options ...: the full command line
    return flags, quiet, trust_project


def _work_tree(start):
    if os.environ.get("GIT_DIR") or os.environ.get("GIT_WORK_TREE"):
        return None  # git's own rules decide; leave it to GitPython
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None
