"""`vibecli undo`"""

from __future__ import annotations

from pathlib import Path

import typer

from vibecli.cli import options as o
from vibecli.cli.console import Env
from vibecli.cli.wiring import find_repo, handled, repo_lock, settings_for

app = typer.Typer(rich_markup_mode=None)


@app.command(epilog=o.EXIT_CODES_HELP)
def undo(yes: o.NeverAsks = False, json_: o.Json = False, quiet: o.Quiet = False) -> None:
    """Revert the most recent vibecli commit with a new commit (only when HEAD is one)."""
    env = Env(json=json_, quiet=quiet)
    with handled(env):
        repo = find_repo(Path.cwd())
        settings = settings_for(None, {})  # only lock_wait is read: the user's, never a project's
        with repo_lock(repo.root, settings, env):  # not in the middle of another run's edit and commit
            reverted, result = revert_head(repo)
        if env.json:
            env.emit_json(
                {"status": "reverted", "reverted": reverted.sha, "commit": result.sha, "run_id": result.run_id,
                 "files": result.files, "exit_code": 0}
            )
        else:
            env.info(describe(reverted, result))


def revert_head(repo):
    """Revert HEAD with a new commit if HEAD is vibecli's: (the reverted commit, the new one).
    What `vibecli undo` and the session's /undo do; raises Refused otherwise."""
    reverted = repo.head_vibecli_commit()
    result = repo.undo_head(model_name="")
    _mark_reverted(repo)
    return reverted, result


def _mark_reverted(repo) -> None:
    """The logbook learns at once that the run is reverted, not only at the next run in this repository."""
    from vibecli import paths
    from vibecli.cli.runner import refresh_outcomes
    from vibecli.logbook import Logbook

    if paths.logbook_file().exists():
        refresh_outcomes(Logbook(paths.logbook_file()), repo)


def describe(reverted, result) -> str:
    return f"reverted {reverted.sha[:12]} ({reverted.subject}) with {result.sha[:12]}"
