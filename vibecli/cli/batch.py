"""`vibecli batch TASKS.yaml`: several requests in order, one commit each."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from vibecli.cli import options as o
from vibecli.cli.console import Env
from vibecli.cli.runner import Job, locate, run_job
from vibecli.cli.wiring import handled, settings_for
from vibecli.core import SCHEMA_VERSION, VibeError

app = typer.Typer(rich_markup_mode=None)


@app.command(epilog=o.EXIT_CODES_HELP)
@o.takes_settings("batch")
def batch(
    tasks_file: Annotated[Path, typer.Argument(metavar="TASKS.yaml", help="A list of {instruction, paths} mappings.")],
    keep_going: Annotated[bool, typer.Option("--keep-going", help="Run the rest after a task fails.")] = False,
    flags: o.SettingFlags = None,
    yes: o.NeverAsks = False,
    trust_project: o.TrustProject = False,
    json_: o.Json = False,
    quiet: o.Quiet = False,
) -> None:
    """Run the edits of TASKS.yaml in order, one commit each; stop at the first failure unless --keep-going.

    TASKS.yaml is a list like `- {instruction: "rename x to y", paths: [a.py]}`. The model is loaded once.
    """
    env = Env(json=json_, quiet=quiet)
    reports = []
    with handled(env):
        tasks = _read_tasks(tasks_file)
        place = locate(False)
        settings = settings_for(place.root, flags, env, trust_project)
        backends: dict = {}  # one model load for every task
        for number, task in enumerate(tasks, 1):
            job = Job("batch", task["instruction"], task["paths"], flags, yes=True)
            report = run_job(env, job, place, settings, backends)
            reports.append(report)
            env.info(f"[{number}/{len(tasks)}] {report.status}: {task['instruction'][:60]} ({report.message})")
            if report.exit_code != 0 and not keep_going:
                break
    failed = next((r for r in reports if r.exit_code != 0), None)
    code = failed.exit_code if failed else 0
    if env.json:
        env.emit_json({"schema_version": SCHEMA_VERSION, "status": "failed" if failed else "done", "exit_code": code,
                       "tasks": len(tasks), "results": [r.to_json() for r in reports]})
    elif failed:
        env.error(VibeError.from_report(failed), emit_json=False)
    raise typer.Exit(code)


def _read_tasks(path: Path) -> list[dict]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise VibeError(f"cannot read {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise VibeError(f"{path}: not valid YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, list) or not data:
        raise VibeError(f"{path}: must be a non-empty list of tasks")
    tasks = []
    for number, item in enumerate(data, 1):
        if not isinstance(item, dict) or not isinstance(item.get("instruction"), str):
            raise VibeError(f"{path}: task {number} needs an 'instruction' string")
        unknown = set(item) - {"instruction", "paths"}
        if unknown:
            raise VibeError(f"{path}: task {number} has unknown key '{sorted(unknown)[0]}' (known: instruction, paths)")
        paths = item.get("paths") or []
        if isinstance(paths, str):
            paths = [paths]
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            raise VibeError(f"{path}: task {number}: 'paths' must be a list of file paths")
        tasks.append({"instruction": item["instruction"], "paths": paths})
    return tasks
