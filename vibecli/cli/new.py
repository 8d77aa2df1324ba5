"""`vibecli new DESCRIPTION`: a working, tested project from a sentence."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from vibecli import paths
from vibecli.cli import options as o
from vibecli.cli.console import Env, LiveProgress
from vibecli.cli.runner import Job, Place, run_job
from vibecli.cli.wiring import backend_for, handled, new_run_id, settings_for
from vibecli.core import EXIT_CHECKS, EXIT_ERROR, EXIT_OK, SCHEMA_VERSION, Refused, Report, UsageError, VibeError

app = typer.Typer(rich_markup_mode=None)
NEW = "New project"

EDIT_INSTRUCTION = "Change this new project's code so that it does what this request says: {description}"

ScaffoldName = Annotated[Optional[str], typer.Option("--scaffold", help="Use this scaffold; the model does not choose.", rich_help_panel=NEW)]
Dir = Annotated[Optional[str], typer.Option("--dir", help="Where to create the project (default: ./PROJECT_NAME); must be missing or empty.", rich_help_panel=NEW)]
Var = Annotated[Optional[List[str]], typer.Option("--var", help="KEY=VALUE: set a scaffold variable (repeatable); the model fills the rest.", rich_help_panel=NEW)]
Defaults = Annotated[bool, typer.Option("--defaults", help="Use the scaffold's defaults for variables not given with --var (no model call to fill them).", rich_help_panel=NEW)]
NoEdit = Annotated[bool, typer.Option("--no-edit", help="Skip the edit that shapes the project to the description.", rich_help_panel=NEW)]
Test = Annotated[bool, typer.Option("--test", help="Run the scaffold's install and test commands after generating (exit 4 when the tests fail); the edit is then checked by the tests.", rich_help_panel=NEW)]
List_ = Annotated[bool, typer.Option("--list", help="List the scaffolds and exit.", rich_help_panel=NEW)]
ScaffoldsDir = Annotated[Optional[List[str]], typer.Option("--scaffolds-dir", help="A folder of extra scaffolds (repeatable); they override shipped and user scaffolds of the same name.", rich_help_panel=NEW)]


def load_scaffolds(extra: list[str]) -> dict:
    from vibecli.scaffolds.spec import discover

    folders = [(paths.package_data("scaffolds"), "shipped"), (paths.user_scaffolds_dir(), "user")]
    folders += [(Path(d).expanduser(), "--scaffolds-dir") for d in extra]
    for folder, source in folders:
        if source == "--scaffolds-dir" and not folder.is_dir():
            raise UsageError(f"--scaffolds-dir {folder}: not a folder")
    return discover(folders)


def parse_vars(items: list[str]) -> dict:
    given = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--var {item!r}: write KEY=VALUE")
        given[key.strip()] = value
    return given


@app.command(epilog=o.EXIT_CODES_HELP)
@o.takes_settings("new")
def new(
    description: Annotated[Optional[str], typer.Argument(help="The app to build, in one sentence.")] = None,
    scaffold: ScaffoldName = None,
    dir_: Dir = None,
    var: Var = None,
    defaults: Defaults = False,
    no_edit: NoEdit = False,
    test: Test = False,
    list_: List_ = False,
    scaffolds_dir: ScaffoldsDir = None,
    flags: o.SettingFlags = None,
    yes: o.NeverAsks = False,
    json_: o.Json = False,
    quiet: o.Quiet = False,
    verbose: o.Verbose = False,
) -> None:
    """Create a project from a scaffold the model picks, shaped to DESCRIPTION, with git commits."""
    env = Env(json=json_, quiet=quiet, verbose=verbose)
    with handled(env):
        scaffolds = load_scaffolds(scaffolds_dir or [])
        if list_:
            show_list(env, scaffolds)
            return
        if not description or not description.strip():
            raise UsageError("describe the app to build, in one sentence (or pass --list)")
        if scaffold is not None and scaffold not in scaffolds:
            raise UsageError(f"no scaffold named {scaffold!r} (known: {', '.join(sorted(scaffolds))})")
        settings = settings_for(None, flags)
        result = NewProject(env, settings, scaffolds, description.strip()).run(
            scaffold, dir_, parse_vars(var or []), defaults, not no_edit, test)
    show(env, result)
    raise typer.Exit(result["exit_code"])


def show_list(env: Env, scaffolds: dict) -> None:
    if env.json:
        env.emit_json({"scaffolds": [s.to_json() for s in scaffolds.values()]})
        return
    width = max((len(n) for n in scaffolds), default=0)
    for scaffold in scaffolds.values():
        source = "" if scaffold.source == "shipped" else f" ({scaffold.source}: {scaffold.folder})"
        env.out.print(f"{scaffold.name:<{width}}  {scaffold.description}{source}", highlight=False, markup=False)


class NewProject:
    """One `vibecli new` run: choose, fill, render and commit, test, edit."""

    def __init__(self, env: Env, settings, scaffolds: dict, description: str):
        self.env = env
        self.settings = settings
        self.scaffolds = scaffolds
        self.description = description
        self.backend = None
        self.started = time.perf_counter()
        from vibecli.run_record import RunRecord

        self.run_record = RunRecord(id=new_run_id(), command="new", instruction=description, paths=[],
                                    repo_root=None)
        self.result = {
            "schema_version": SCHEMA_VERSION, "status": "error", "scaffold": None, "dir": None, "variables": {},
            "notes": [], "commits": [], "files": [], "test_command": None, "install_commands": [], "tests": None,
            "edit": None, "run_id": self.run_record.id, "model": None, "message": "", "exit_code": EXIT_ERROR,
        }

    def model(self):
        if self.backend is None:
            self.backend = backend_for(self.settings, self.env)
            self.run_record.model, self.run_record.backend = self.backend.model_name, self.backend.name
            self.run_record.model_sha256 = self.backend.model_sha256
            self.result["model"] = self.backend.model_name
        return self.backend

    def run(self, scaffold_name: str | None, dir_: str | None, given: dict, defaults: bool, edit: bool,
            test: bool) -> dict:
        try:
            self._run(scaffold_name, dir_, given, defaults, edit, test)
        except VibeError as exc:
            if not self.result["commits"]:
                raise
            # the project exists and is committed: say so along with what went wrong after
            self._finish(exc.status, exc.exit_code, f"{self.result['message']}; then: {exc.message}")
        finally:
            self.result["timings"] = {"total_s": round(time.perf_counter() - self.started, 3)}
            self._log()
        return self.result

    def _run(self, scaffold_name, dir_, given, defaults, edit, test) -> None:
        from vibecli.newproject import ProjectModel, create_project, settle_values
        from vibecli.scaffolds.render import is_empty_or_missing

        target = Path(dir_).expanduser() if dir_ else None
        if target is not None:
            self._refuse_unless_empty(target)
            given = {"project_name": target.absolute().name, **given}
        ask = ProjectModel(self.backend, self.run_record, self.settings.grammar)
        with LiveProgress(self.env) as progress:
            if scaffold_name is None:
                progress.phase("Choosing a scaffold")
                ask.backend = self.model()
                chosen = ask.choose(list(self.scaffolds.values()), self.description)
                self.env.info(f"scaffold: {chosen.name} (chosen by the model)")
            else:
                chosen = self.scaffolds[scaffold_name]
            self.result["scaffold"] = chosen.name
            unknown = [k for k in given if chosen.variable(k) is None]
            if unknown:
                raise UsageError(f"the scaffold {chosen.name} has no variable {', '.join(unknown)} "
                                 f"(it has {', '.join(v.name for v in chosen.variables)})")
            free = [v for v in chosen.variables if v.name not in given]
            proposed = {}
            if free and not defaults:
                progress.phase("Filling the scaffold's variables")
                ask.backend = self.model()
                proposed = ask.fill(chosen, free, self.description)
            filled = settle_values(chosen, given, proposed)
        self.result.update(variables=filled.values, notes=filled.notes, test_command=chosen.test,
                           install_commands=list(chosen.install))
        for note in filled.notes:
            self.env.info(f"note: {note}")
        target = target or Path(filled.values["project_name"])
        self.result["dir"] = str(target.absolute())
        if not is_empty_or_missing(target):
            self._refuse_unless_empty(target)
        model_name = self.backend.model_name if self.backend else "none"
        repo, sha, files = create_project(chosen, filled.values, self.description, target.absolute(), model_name,
                                          self.run_record.id)
        self.run_record.repo_root = str(target.absolute())
        self.result.update(commits=[sha], files=files)
        self._finish("created", EXIT_OK, f"created {target} ({chosen.name}), commit {sha[:12]}")
        if test and not self._test(chosen, target.absolute()):
            return
        if edit:
            self._edit(chosen, filled.values, target.absolute(), repo, test)

    def _refuse_unless_empty(self, target: Path) -> None:
        from vibecli.scaffolds.render import is_empty_or_missing

        if not is_empty_or_missing(target):
            raise Refused(f"{target} exists and is not empty; give another --dir (nothing was written)")

    def _test(self, chosen, root: Path) -> bool:
        from vibecli.newproject import install_and_test

        with LiveProgress(self.env) as progress:
            results = install_and_test(chosen, root, self.settings.check_timeout, progress)
        self.result["tests"] = [r.to_json(0) for r in results]
        failed = next((r for r in results if not r.passed), None)
        if failed is None:
            self.env.info(f"the scaffold's tests pass: {chosen.test}" if chosen.test else "installed")
            return True
        code = EXIT_CHECKS if failed.name == "test" else EXIT_ERROR
        status = "checks_failed" if failed.name == "test" else "error"
        self._finish(status, code, f"the project is in {root}, committed, but its {failed.name} step failed: "
                                   f"{failed.feedback(600)}")
        return False

    def _edit(self, chosen, values: dict, root: Path, repo, test: bool) -> None:
        from vibecli.newproject import edit_targets

        targets = edit_targets(chosen, values, self.description)
        if not targets:
            self.result["notes"].append(f"the scaffold {chosen.name} names no file to edit; no edit made")
            return
        backend = self.model()
        edit_settings = replace(self.settings, test_cmd=chosen.test if test else None, lint_cmd=None, commit=True)
        job = Job("new", EDIT_INSTRUCTION.format(description=self.description), targets, {}, yes=True)
        report: Report = run_job(self.env, job, Place(root, repo, root), edit_settings, {edit_settings: backend})
        self.result["edit"] = report.to_json()
        if report.commit:
            self.result["commits"].append(report.commit)
            self._finish("created", EXIT_OK, f"created {root} ({chosen.name}) and shaped it to the description: "
                                             f"commits {self.result['commits'][0][:12]}, {report.commit[:12]}")
        elif report.exit_code == EXIT_OK:
            self.result["message"] += f"; the edit changed nothing ({report.message})"
        else:
            self._finish(report.status, report.exit_code,
                         f"created {root} ({chosen.name}), commit {self.result['commits'][0][:12]}; the edit that "
                         f"shapes it to the description failed, the project is as generated: {report.message}")

    def _finish(self, status: str, exit_code: int, message: str) -> None:
        self.result.update(status=status, exit_code=exit_code, message=message)

    def _log(self) -> None:
        if not self.settings.log or not self.run_record.calls:
            return
        from vibecli.logbook import Logbook

        report = Report(run_id=self.run_record.id, status=self.result["status"], files=self.result["files"],
                        commit=(self.result["commits"] or [None])[0], message=self.result["message"],
                        exit_code=self.result["exit_code"])
        report.total_s = time.perf_counter() - self.started
        try:
            Logbook(paths.logbook_file()).record(self.run_record, report)
        except VibeError as exc:
            if not self.result["commits"]:
                raise
            # the project exists: a logbook that cannot be written must not hide it
            self.result["notes"].append(f"not recorded in the logbook: {exc.message}")
            self.env.info(f"note: not recorded in the logbook: {exc.message}")


def show(env: Env, result: dict) -> None:
    if env.json:
        env.emit_json(result)
    if result["exit_code"] != EXIT_OK:
        error = VibeError(result["message"])
        error.exit_code, error.status = result["exit_code"], result["status"]
        env.error(error, emit_json=False)
        return
    if env.json or env.quiet:
        return
    env.info(result["message"])
    steps = [f"cd {result['dir']}", *result["install_commands"], *([result["test_command"]] if result["test_command"] else [])]
    env.out.print("next:\n  " + "\n  ".join(steps), highlight=False, markup=False)
