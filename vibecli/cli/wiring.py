"""The only place that wires concrete classes together."""

from __future__ import annotations

import os
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import typer

from vibecli import paths
from vibecli.cli.console import Env, visible
from vibecli.core import Terminated, VibeError
from vibecli.settings import Settings
from vibecli.settings_load import load_settings


def new_run_id() -> str:
    return uuid.uuid4().hex[:12]


def settings_for(project_root: Path | None, flags: dict[str, Any], env: Env | None = None,
                 trust_project: bool = False) -> Settings:
    """The settings of every layer; `env` hears what a project file tried that was left out."""
    def note(line: str) -> None:
        print(f"vibecli: note: {visible(line)}", file=sys.stderr)

    return load_settings(user_file=paths.user_config_file(), project_root=project_root, environ=os.environ, flags=flags,
                         trust_project=trust_project, on_note=env.note if env is not None else note)


def repo_lock(root: Path, settings: Settings, env: Env):
    """The lock that serializes vibecli's runs in one repository (vibecli.repolock)."""
    from vibecli.repolock import RepoLock

    def waiting(seconds: int) -> None:
        if not env.quiet:
            print(f"vibecli: note: another vibecli run is working in {root}; waiting for it (up to {seconds} s)",
                  file=sys.stderr)

    return RepoLock(root, paths.data_dir() / "locks", settings.lock_wait, waiting)


def find_repo(cwd: Path):
    try:
        from vibecli.git import GitRepo
    except ImportError:  # GitPython refuses to load without a git it can run
        raise VibeError("git cannot be run: install it or put it on PATH (or pass --no-git)") from None
    return GitRepo.find(cwd)


def backend_for(settings: Settings, env: Env, cache: dict | None = None):
    """The backend for these settings; with a cache (a batch), made once and reused."""
    if cache is None:
        return _make_backend(settings, env)
    if settings not in cache:
        cache[settings] = _make_backend(settings, env)
    return cache[settings]


def _make_backend(settings: Settings, env: Env):
    from vibecli.backends import make_backend

    bar = _AssembleBar(env)
    try:
        return make_backend(
            settings,
            paths.cache_dir(),
            verbose=env.verbose,
            assemble_progress=bar.update,
            on_wait=lambda: env.info("Waiting for another vibecli run to finish with the model..."),
            on_note=lambda note: env.info(f"note: {note}"),
        )
    finally:
        bar.close()


class _AssembleBar:
    """A Rich progress bar for the first-use assembly of the embedded model."""

    def __init__(self, env: Env):
        self.env = env
        self.progress = None
        self.task = None

    def update(self, done: int, total: int) -> None:
        if not self.env.interactive:
            return
        if self.progress is None:
            from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn

            self.progress = Progress(
                TextColumn("Assembling the embedded model"), BarColumn(), DownloadColumn(), console=self.env.err
            )
            self.progress.start()
            self.task = self.progress.add_task("assemble", total=total)
        self.progress.update(self.task, completed=done)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()


@contextmanager
def handled(env: Env) -> Iterator[None]:
    """Turn expected failures into one line and an exit code; never a traceback. A signal inside
    is raised where the program is, so that whatever was started is undone (vibecli.interrupts)."""
    from vibecli import interrupts

    try:
        with interrupts.undoable():
            yield
    except VibeError as exc:
        env.error(exc)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        env.error(_interrupted("interrupted", 130))
        interrupts.settled()
        raise typer.Exit(130) from None
    except Terminated:
        env.error(_interrupted("terminated", 143))
        interrupts.settled()
        raise typer.Exit(143) from None


def _interrupted(verb: str, code: int) -> VibeError:
    error = VibeError(f"{verb}; the files are as they were")
    error.exit_code = code  # the --json report says what the process exits with
    return error
