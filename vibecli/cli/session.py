"""The interactive session: the files in play, one model for every request, and the slash commands.

Each plain line is an edit request run through the same job as `vibecli edit` (runner.run_job):
the same validation, commit rules and logbook entry. The backend is made once and handed to
every job, so the model stays loaded between requests.
"""

from __future__ import annotations

import difflib
import glob
import os
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from vibecli.cli.console import Env, visible
from vibecli.cli.runner import Job, Place, run_job, show, summary
from vibecli.core import Usage, VibeError

RUN_OUTPUT_CHARS = 3000
"""How much of a /run command's output goes with the next request (its end, where errors are)."""
MAX_FOLDER_FILES = 50


@dataclass(frozen=True)
class Command:
    name: str
    args: str
    help: str
    run: Callable[["Session", str], bool | None]
    """Returns False to end the session."""


class Session:
    def __init__(self, env: Env, place: Place, settings, backend, *, yes: bool = False, allow_dirty: bool = False):
        from vibecli import paths
        from vibecli.cli.terminal import Terminal
        from vibecli.workspace import Workspace

        self.env = env
        self.place = place
        self.settings = settings
        self.backend = backend
        self.backends = {settings: backend}
        """run_job's model cache: the session's one backend, whatever /commit or /no-commit changed."""
        self.yes = yes
        self.allow_dirty = allow_dirty
        self.workspace = Workspace(place.root)
        self.files: dict[str, None] = {}
        """Repository-relative paths in play, in the order they were added."""
        self.pending_output = ""
        """A /run command's output, to go with the next request."""
        self.last_diff = ""
        self.requests = 0
        self.usage = Usage()
        self.review: str | None = None
        self._tracked: list[str] | None = None
        self.terminal = Terminal(
            env, paths.history_file(place.root), lambda: [c.name for c in COMMANDS], lambda: list(self.files),
            self.tracked,
        )

    # -- the loop

    def loop(self) -> None:
        self.env.info(self._banner())
        from vibecli import interrupts

        while True:
            interrupts.new_run()  # at the prompt, a signal is the session's again, whatever the last request did
            try:
                line = self.terminal.read_line(self._prompt()).strip()
            except KeyboardInterrupt:
                continue  # Ctrl-C at the prompt drops the line, as a shell does
            except EOFError:
                return
            if not line:
                continue
            if line.startswith("/"):
                if not self.command(line):
                    return
            else:
                self.request(line)

    def _prompt(self) -> str:
        return "vibecli> " if self.settings.commit else "vibecli (no-commit)> "

    def _banner(self) -> str:
        commit = "on" if self.settings.commit else "off"
        confirm = "on" if self.settings.confirm and not self.yes else "off"
        return (f"vibecli session in {self.place.root} · model {self.backend.model_name} · adapter {self._adapter()} · "
                f"commit {commit} · review {confirm}\n"
                "Type a change to make, or /help. Ctrl-C cancels a request; Ctrl-D or /exit ends.")

    def _adapter(self) -> str:
        from vibecli.adapters import label

        return label(self.backend.adapter)

    # -- requests

    def request(self, text: str) -> None:
        instruction: str | None = text
        while instruction:
            instruction = self._request_once(instruction)

    def _request_once(self, text: str) -> str | None:
        """Run one request; returns the revised instruction when the review asked to edit it."""
        instruction = f"{text}\n\n{self.pending_output}" if self.pending_output else text
        job = Job("chat", instruction, self._targets(), {}, allow_dirty=self.allow_dirty or not self.settings.commit,
                  yes=self.yes)
        self.backends.setdefault(self.settings, self.backend)
        self.review = None
        try:
            report = run_job(self.env, job, self.place, self.settings, self.backends, self._review)
        except KeyboardInterrupt:
            self.env.info("cancelled: the files and the index are as they were")
            return None
        except VibeError as exc:
            self.env.error(exc)
            return None
        self.pending_output = ""
        self._tracked = None  # the request may have created a file
        self.requests += 1
        self.usage.add(report.usage)
        if report.files and report.exit_code == 0 and report.status == "applied":
            self.last_diff = report.diff
        if self.review is None:
            show(self.env, report, False)
        elif report.exit_code:
            self.env.error(VibeError.from_report(report), emit_json=False)
        else:
            self.env.info(summary(report))  # the diff was shown at the review
        if self.review != "edit":
            return None
        try:
            return self.terminal.read_line("instruction> ", default=text).strip() or None
        except (KeyboardInterrupt, EOFError):
            return None

    def _review(self) -> bool:
        self.review = self.terminal.choose("Apply this change?", ["apply", "edit the instruction", "skip"])
        return self.review == "apply"

    def _targets(self) -> list[str]:
        return [os.path.relpath(self.place.root / p, self.place.cwd) for p in self.files]

    def tracked(self) -> list[str]:
        if self._tracked is None:
            try:
                self._tracked = self.place.repo.tracked_files()
            except VibeError:
                self._tracked = []
        return self._tracked

    # -- commands

    def command(self, line: str) -> bool:
        """Run a slash command; False when the session ends."""
        name, _, args = line.partition(" ")
        found = BY_NAME.get(name)
        if found is None:
            close = difflib.get_close_matches(name, [c.name for c in COMMANDS], n=1, cutoff=0.5)
            hint = f"; did you mean {close[0]}?" if close else ""
            self.env.info(f"unknown command {name}{hint} (/help lists them)")
            return True
        try:
            return found.run(self, args.strip()) is not False
        except KeyboardInterrupt:
            self.env.info("cancelled")
        except VibeError as exc:
            self.env.error(exc)
        return True

    def add(self, args: str) -> None:
        if not args:
            self.env.info("usage: /add PATH... (files, folders or globs)")
            return
        added = []
        for given in args.split():
            for path in self._expand(given):
                try:
                    relpath = self.workspace.user_path(path, self.place.cwd)
                except VibeError as exc:
                    self.env.error(exc)
                    continue
                if not self.workspace.absolute(relpath).is_file():
                    self.env.info(f"{path}: no such file")
                    continue
                if relpath not in self.files:
                    self.files[relpath] = None
                    added.append(relpath)
        self._list_files(f"added {len(added)}; " if added else "")

    def _expand(self, given: str) -> list[str]:
        """A glob's matches; a folder's tracked files; otherwise the path itself."""
        if glob.has_magic(given):
            matches = sorted(glob.glob(given, root_dir=self.place.cwd, recursive=True))
            if not matches:
                self.env.info(f"{given}: matches no file")
            return [m for m in matches if (self.place.cwd / m).is_file()]
        folder = self.place.cwd / given
        if folder.is_dir():
            prefix = Path(os.path.relpath(folder, self.place.root)).as_posix().rstrip("/") + "/"
            inside = [p for p in self.tracked() if prefix == "./" or p.startswith(prefix)]
            if len(inside) > MAX_FOLDER_FILES:
                self.env.info(f"{given}: {len(inside)} tracked files; add at most {MAX_FOLDER_FILES} at once")
                return []
            return [os.path.relpath(self.place.root / p, self.place.cwd) for p in inside]
        return [given]

    def drop(self, args: str) -> None:
        if not args:
            self.files.clear()
        for given in args.split():
            try:
                relpath = self.workspace.user_path(given, self.place.cwd)
            except VibeError:
                relpath = given
            if self.files.pop(relpath, "missing") == "missing":
                self.env.info(f"{given}: not in play")
        self._list_files()

    def list_files(self, args: str) -> None:
        self._list_files()

    def _list_files(self, prefix: str = "") -> None:
        if self.files:
            self.env.info(f"{prefix}files in play: {' '.join(self._targets())}")
        else:
            self.env.info(f"{prefix}no files in play: each request edits the files `vibecli edit` would find "
                          "for it (/add puts files in play)")

    def diff(self, args: str) -> None:
        if self.last_diff:
            self.env.diff(self.last_diff)
        else:
            self.env.info("no change applied in this session yet")

    def repo_map(self, args: str) -> None:
        """The repo map the next request would see: the files in play are shown whole, so left out."""
        from vibecli import paths
        from vibecli.context.cache import cache_file
        from vibecli.context.repomap import RepoContext

        if self.settings.map_tokens <= 0:
            self.env.info("map_tokens is 0: requests carry no repo map")
            return
        count = self.backend.count_tokens
        context = RepoContext(self.place.root, cache_file(paths.cache_dir(), self.place.root), self.settings.max_file_bytes)
        found = context.render(list(self.files), args, self.settings.map_tokens, count)
        self.env.out.print(found.text, end="", markup=False, highlight=False)
        self.env.info(f"{found.tokens} of {found.budget} tokens; {len(found.files)} files shown, {found.left_out} "
                      f"left out; {found.definitions} of {found.definitions_total} definitions")

    def undo(self, args: str) -> None:
        from vibecli.cli.undo import describe, revert_head

        self.env.info(describe(*revert_head(self.place.repo)))
        self._tracked = None

    def set_commit(self, on: bool) -> None:
        self.settings = replace(self.settings, commit=on)
        self.env.info("each applied change is committed" if on else
                      "applied changes stay in the work tree, uncommitted (/commit turns commits back on)")

    def model(self, args: str) -> None:
        b, u = self.backend, self.usage
        where = b.model_location
        sha = f", sha256 {b.model_sha256[:12]}" if b.model_sha256 else ""
        self.env.info(f"model: {b.model_name} ({b.name}{sha}) {where}")
        self.env.info(f"adapter: {self._adapter()}")
        if not self.requests:
            self.env.info("no request yet: the model loads with the first one and stays loaded")
            return
        loaded = f"loaded once in {u.load_s:.1f}s" if u.load_s else "loaded"
        prompt_rate = f" ({u.prompt_tokens / u.prompt_eval_s:.0f} tok/s)" if u.prompt_eval_s else ""
        rate = f" ({u.completion_tokens / u.generate_s:.1f} tok/s)" if u.generate_s else ""
        self.env.info(f"{loaded} · {self.requests} request(s) · {u.prompt_tokens} prompt tokens{prompt_rate} · "
                      f"{u.completion_tokens} generated{rate}")

    def run_command(self, args: str) -> None:
        if not args:
            self.env.info("usage: /run COMMAND (its output can go with your next request)")
            return
        output, code = _run_shell(args, self.place.cwd, self.env)
        if not output.strip():
            self.env.info(f"exit code {code}, no output")
            return
        choice = self.terminal.choose(f"exit code {code}. Send the output with your next request?", ["yes", "no"])
        if choice == "yes":
            tail = output[-RUN_OUTPUT_CHARS:]
            self.pending_output = f"The output of `{args}` (exit code {code}):\n```\n{tail.rstrip()}\n```"
            self.env.info("the output goes with your next request")

    def help(self, args: str) -> None:
        width = max(len(f"{c.name} {c.args}") for c in COMMANDS)
        lines = [f"  {f'{c.name} {c.args}'.ljust(width)}  {c.help}" for c in COMMANDS]
        self.env.info("Type a change to make in plain language: it is handled as `vibecli edit` would "
                      "(checked, written, committed), on the files in play.\n" + "\n".join(lines)
                      + "\nCtrl-C cancels a request and leaves the files as they were; Ctrl-D ends the session.")


def _run_shell(command: str, cwd: Path, env: Env) -> tuple[str, int]:
    """Run through the shell, showing the output as it comes; Ctrl-C stops the command."""
    proc = subprocess.Popen(command, shell=True, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, text=True, errors="replace")
    lines = []
    try:
        for line in proc.stdout:
            lines.append(line)
            env.err.out(visible(line), end="", highlight=False)
        return "".join(lines), proc.wait()
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    finally:
        proc.stdout.close()


COMMANDS = [
    Command("/add", "PATH...", "put files in play (globs and folders too); requests edit them", Session.add),
    Command("/drop", "[PATH...]", "take files out of play (all of them without PATH)", Session.drop),
    Command("/files", "", "list the files in play", Session.list_files),
    Command("/map", "[REQUEST]", "the repo map the next request would see (ranked for REQUEST if given)",
            Session.repo_map),
    Command("/diff", "", "show the last change applied in this session", Session.diff),
    Command("/undo", "", "revert the last vibecli commit with a new commit (as `vibecli undo`)", Session.undo),
    Command("/commit", "", "commit each applied change (the default)", lambda s, a: s.set_commit(True)),
    Command("/no-commit", "", "leave applied changes in the work tree, uncommitted", lambda s, a: s.set_commit(False)),
    Command("/model", "", "the model that is loaded, and its speed so far", Session.model),
    Command("/run", "COMMAND", "run a shell command; its output can go with the next request", Session.run_command),
    Command("/help", "", "this list", Session.help),
    Command("/exit", "", "end the session (or Ctrl-D)", lambda s, a: False),
]
BY_NAME = {c.name: c for c in COMMANDS} | {"/quit": COMMANDS[-1]}
