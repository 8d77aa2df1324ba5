"""The adversarial suite's harness: a repository full of the user's own work, vibecli run as a
user runs it (a real process, no terminal, CI set), and the promises checked from outside.

Every case builds a `Sandbox`, takes a `Snapshot`, runs vibecli, takes another and asks the
`Verdict` what changed. The promises (see docs/security.md):

- nothing outside the repository changes, except vibecli's own user dir (`home`);
- under `.git/` nothing changes but git's own record of vibecli's commit (objects, the branch
  ref and its log, the index entries of the committed paths, COMMIT_EDITMSG, ORIG_HEAD);
- the user's staged, unstaged and untracked work is intact;
- HEAD is unchanged, or one new commit on top of it holds exactly the request's files;
- no lock or temporary file is left behind; no traceback; the documented exit code.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import stat
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Collection

GREET = 'def greet(name):\n    print("Hello, " + name)\n\n\ndef main():\n    greet("world")\n'
RETURN_GREET = 'def greet(name):\n    return "Hello, " + name\n'

USER_UNSTAGED = {"util.py": "def double(x):\n    return 2 * x\n# the user's unsaved idea\n"}
USER_STAGED = {"staged.py": "VALUE = 2  # staged by the user\n"}
USER_UNTRACKED = {"scratch.py": "print('untracked, the user is trying something')\n", "notes.txt": "todo\n"}
COMMITTED = {
    "greet.py": GREET,
    "util.py": "def double(x):\n    return 2 * x\n",
    "staged.py": "VALUE = 1\n",
    "pkg/__init__.py": "",
    "pkg/core.py": "def core():\n    return 1\n",
}

# files git or vibecli may leave behind that betray an interrupted or broken run
LEFTOVER_SUFFIXES = (".vibecli", ".lock", ".orig", ".rej")
# under .git/: what git itself writes for a commit
GIT_OWN = ("objects/", "refs/heads/", "logs/", "COMMIT_EDITMSG", "ORIG_HEAD", "index")


LOGBOOK_LOCKER = """
import pathlib, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
pathlib.Path(sys.argv[2]).touch()
time.sleep(float(sys.argv[3]))
"""


def until(marker: Path) -> str:
    """Shell that waits until the test creates `marker`: a check or hook that holds its run (and
    the repository's lock) for exactly as long as the test needs; under load a fixed sleep can end
    before the other process even starts."""
    return f"while [ ! -f {marker} ]; do sleep 0.02; done"


def git(cwd: Path, *args: str, check: bool = True) -> str:
    env = {**os.environ, "GIT_LITERAL_PATHSPECS": "1"}
    return subprocess.run(["git", *args], cwd=cwd, check=check, capture_output=True, text=True, env=env).stdout


def answer(path: str, symbol: str | None, code: str, op: str = "replace", fence: str = "python") -> str:
    head = f"@@ {op} {path}" + (f" {symbol}" if symbol else "")
    return f"{head}\n```{fence}\n{code}```\n@@ done"


def _digest(path: Path) -> str:
    if path.is_symlink():
        return "link:" + os.readlink(path)
    mode = path.lstat().st_mode
    if not stat.S_ISREG(mode):  # a fifo, a socket, a device: never read (a fifo would block)
        return f"special:{stat.S_IFMT(mode):o}"
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files(root: Path, skip: tuple[Path, ...] = ()) -> dict[str, str]:
    out = {}
    if not root.exists():
        return out
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames if here / d not in skip]
        for name in filenames:
            path = here / name
            out[path.relative_to(root).as_posix()] = _digest(path)
        for name in dirnames:
            path = here / name
            if path.is_symlink():
                out[path.relative_to(root).as_posix()] = _digest(path)
            elif not any(path.iterdir()):
                out[path.relative_to(root).as_posix() + "/"] = "empty dir"
    return out


@dataclass
class Snapshot:
    head: str | None
    tree: dict[str, str]
    """Every file of the work tree (outside .git) and its digest."""
    index: dict[str, str]
    """`git ls-files --stage`: path -> mode, blob."""
    git_dir: dict[str, str]
    outside: dict[str, str]
    """Files beside the repository (outside it and outside vibecli's home)."""
    modes: dict[str, int] = field(default_factory=dict)

    @classmethod
    def take(cls, sandbox: "Sandbox") -> "Snapshot":
        root = sandbox.repo
        head = git(root, "rev-parse", "--verify", "-q", "HEAD", check=False).strip() or None
        index = {}
        for line in git(root, "ls-files", "--stage", "-z").split("\0"):
            if line:
                meta, path = line.split("\t", 1)
                index[path] = meta
        tree = _files(root, skip=(root / ".git",))
        modes = {p: (root / p).lstat().st_mode for p in tree if not p.endswith("/")}
        return cls(head, tree, index, _files(root / ".git"), _files(sandbox.base, skip=(root, sandbox.home, sandbox.scratch)), modes)


@dataclass
class Run:
    args: list[str]
    exit_code: int
    """As a shell reports it: 128 + N for a process a signal ended before it could handle it."""
    stdout: str
    stderr: str
    seconds: float
    killed_by: int | None = None
    """The signal that ended the process before any handler of vibecli's ran (nothing could be printed)."""

    @classmethod
    def of(cls, args: list[str], returncode: int, stdout: str, stderr: str, seconds: float) -> "Run":
        if returncode < 0:
            return cls(args, 128 - returncode, stdout, stderr, seconds, killed_by=-returncode)
        return cls(args, returncode, stdout, stderr, seconds)

    @property
    def json(self) -> dict:
        lines = [line for line in self.stdout.splitlines() if line.strip()]
        assert lines, f"no JSON on stdout; stderr: {self.stderr}"
        return json.loads(lines[-1])


class Sandbox:
    """A folder with a git repository full of the user's work, a canary beside it, and vibecli's home."""

    def __init__(self, base: Path, home: Path, *, user_work: bool = True):
        self.base = base
        self.home = home
        self.repo = base / "repo"
        self.repo.mkdir(parents=True)
        (base / "outside").mkdir(exist_ok=True)
        (base / "outside" / "canary.py").write_text("SECRET = 'outside the repository'\n")
        git(self.repo, "init", "-q", "-b", "main")
        git(self.repo, "config", "user.name", "User")
        git(self.repo, "config", "user.email", "user@example.com")
        git(self.repo, "config", "commit.gpgsign", "false")
        self.write(COMMITTED)
        git(self.repo, "add", "-A")
        git(self.repo, "commit", "-q", "-m", "initial")
        if user_work:
            self.write(USER_UNSTAGED)
            self.write(USER_STAGED)
            git(self.repo, "add", "--", *USER_STAGED)
            self.write(USER_UNTRACKED)
        self.scratch = base / "harness"
        """The harness's own files (scripted answers, markers): not part of any promise."""
        self.scratch.mkdir(exist_ok=True)
        self.answers_file = self.scratch / "answers.jsonl"

    def write(self, files: dict[str, str | bytes]) -> None:
        for rel, text in files.items():
            path = self.repo / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                path.write_bytes(text)
            else:
                path.write_text(text)

    def commit(self, files: dict[str, str | bytes], message: str = "more") -> None:
        """Commit these files (and only these), leaving the user's work as it is."""
        self.write(files)
        git(self.repo, "add", "--", *files)
        git(self.repo, "commit", "-q", "-m", message, "--only", "--", *files)

    def replay(self, *answers: str | dict) -> Path:
        lines = [a if isinstance(a, dict) else {"text": a} for a in answers]
        self.answers_file.write_text("".join(json.dumps(line) + "\n" for line in lines))
        return self.answers_file

    def environ(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("VIBECLI_", "GIT_"))}
        env.update({"VIBECLI_HOME": str(self.home), "CI": "true", "NO_COLOR": "1", "PYTHONDONTWRITEBYTECODE": "1"})
        env.update(extra)
        return env

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "vibecli", *args]

    def run(self, *args: str, timeout: float = 120, cwd: Path | None = None, stdin: str | bytes | None = None,
            preexec=None, **env: str) -> Run:
        """`preexec`: run in the child before vibecli starts (resource limits, for faults)."""
        started = time.perf_counter()
        data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
        proc = subprocess.run(self.command(*args), cwd=cwd or self.repo, env=self.environ(**env), timeout=timeout,
                              capture_output=True, input=data, stdin=None if data is not None else subprocess.DEVNULL,
                              preexec_fn=preexec)
        return Run.of(list(args), proc.returncode, proc.stdout.decode("utf-8", "replace"),
                      proc.stderr.decode("utf-8", "replace"), time.perf_counter() - started)

    def edit(self, instruction: str, *paths_and_flags: str, answers: tuple = (), replay: Path | None = None,
             after: tuple[str, ...] = (), **kwargs) -> Run:
        """`vibecli edit` on scripted answers (the replay backend), with --json. `after`: paths given
        after `--` (names that start with `-`)."""
        replay = replay or self.replay(*answers)
        tail = ["--", *after] if after else []
        return self.run("edit", instruction, *paths_and_flags, "--backend", "replay", "--replay-file", str(replay),
                        "--json", *tail, **kwargs)

    def replay_file(self, name: str, *answers: str | dict) -> Path:
        """Scripted answers in a file of their own (for runs that go at the same time)."""
        path = self.scratch / name
        lines = [a if isinstance(a, dict) else {"text": a} for a in answers]
        path.write_text("".join(json.dumps(line) + "\n" for line in lines))
        return path

    def edit_args(self, instruction: str, *paths_and_flags: str, replay: Path) -> list[str]:
        return ["edit", instruction, *paths_and_flags, "--backend", "replay", "--replay-file", str(replay), "--json"]

    def start(self, *args: str, **env: str) -> subprocess.Popen:
        """vibecli in the background, in its own process group (to signal it as a terminal would)."""
        return subprocess.Popen(self.command(*args), cwd=self.repo, env=self.environ(**env), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, errors="replace",
                                start_new_session=True)

    @staticmethod
    def finish(proc: subprocess.Popen, args: list[str], timeout: float = 120) -> Run:
        started = time.perf_counter()
        out, err = proc.communicate(timeout=timeout)
        return Run.of(args, proc.returncode, out, err, time.perf_counter() - started)

    def hook(self, name: str, script: str) -> None:
        """A git hook of the user's (`pre-commit`, `post-commit`, ...): a shell script."""
        path = self.repo / ".git" / "hooks" / name
        path.write_text("#!/bin/sh\n" + script)
        path.chmod(0o755)

    def wait_for(self, marker: Path, proc: subprocess.Popen | None = None, timeout: float = 60) -> None:
        """Until `marker` exists (a check, hook or scripted step reached its moment)."""
        deadline = time.monotonic() + timeout
        while not marker.exists():
            if proc is not None and proc.poll() is not None:
                raise AssertionError(f"vibecli ended (exit {proc.returncode}) before {marker.name}: "
                                     f"{proc.stderr.read() if proc.stderr else ''}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{marker.name} never appeared")
            time.sleep(0.01)

    def commit_text(self, sha: str, relpath: str) -> str | None:
        out = subprocess.run(["git", "show", f"{sha}:{relpath}"], cwd=self.repo, capture_output=True)
        return out.stdout.decode("utf-8", "replace") if out.returncode == 0 else None

    def lock_logbook(self, seconds: float) -> subprocess.Popen:
        """Another process holds vibecli's logbook (an exclusive SQLite transaction) for `seconds`."""
        self.home.mkdir(parents=True, exist_ok=True)
        held = self.scratch / "logbook-held"
        held.unlink(missing_ok=True)
        proc = subprocess.Popen([sys.executable, "-c", LOGBOOK_LOCKER, str(self.home / "logbook.db"), str(held),
                                 str(seconds)])
        self.wait_for(held, proc)
        return proc

    def rescued(self) -> list[Path]:
        """The patch files vibecli saved its version in, when someone else changed a file meanwhile."""
        return sorted((self.home / "rescued").glob("*.patch")) if (self.home / "rescued").is_dir() else []

    @staticmethod
    def signal(proc: subprocess.Popen, signum: int = signal.SIGINT) -> None:
        try:
            os.killpg(proc.pid, signum)
        except ProcessLookupError:
            pass


@dataclass
class Verdict:
    before: Snapshot
    after: Snapshot
    sandbox: Sandbox
    run: Run | None = None

    def problems(self, *, exit_code: int | Collection[int] | None, committed: list[str] | None = None,
                 written: dict[str, str] | None = None, commits: list[list[str]] | None = None,
                 commit_text: dict[str, str] | None = None, runs: list[Run] = ()) -> list[str]:
        """Every broken promise, as a list of lines (empty: all kept).

        `exit_code`: the one expected, or the ones allowed.
        `committed`: the files the one new commit must hold exactly (None: HEAD must not move).
        `commits`: several new commits, oldest first, each holding exactly its files (runs at once).
        `commit_text`: path -> the text the (last) new commit must hold for it.
        `written`: files expected to differ from `before` in the work tree without a commit
        (`--no-commit`, `--allow-dirty`): path -> expected text.
        `runs`: more runs of the case (runs at once), held to the same exit codes and output rules.
        """
        found: list[str] = []
        b, a, root = self.before, self.after, self.sandbox.repo
        for run in [r for r in (self.run, *runs) if r is not None]:
            found += _run_problems(run, exit_code)
        if a.outside != b.outside:
            found.append(f"changed outside the repository: {_changed(b.outside, a.outside)}")
        changed_paths: set[str] = set()
        if committed is not None:
            commits = [committed]
        if not commits:
            if a.head != b.head:
                found.append(f"HEAD moved from {b.head} to {a.head}")
        else:
            found += self._new_commits(commits)
            changed_paths = {p for files in commits for p in files}
        for rel, text in (commit_text or {}).items():
            if a.head and self.sandbox.commit_text(a.head, rel) != text:
                found.append(f"the commit's {rel} is not the request's text: {self.sandbox.commit_text(a.head, rel)!r}")
        expected_tree = dict(b.tree)
        for rel in changed_paths:
            if (root / rel).exists():
                expected_tree[rel] = a.tree.get(rel, "missing")
            else:
                expected_tree.pop(rel, None)
        for rel, text in (written or {}).items():
            expected_tree[rel] = hashlib.sha256(text.encode()).hexdigest()
        if a.tree != expected_tree:
            found.append(f"work tree differs: {_changed(expected_tree, a.tree)}")
        other_index_before = {p: m for p, m in b.index.items() if p not in changed_paths}
        other_index_after = {p: m for p, m in a.index.items() if p not in changed_paths}
        if other_index_after != other_index_before:
            found.append(f"the index changed beyond the commit: {_changed(other_index_before, other_index_after)}")
        for rel in changed_paths:
            if rel in b.index and rel not in a.index:
                found.append(f"{rel} left the index")
        git_changes = _changed_keys(b.git_dir, a.git_dir)
        foreign = [p for p in git_changes if not (commits and p.startswith(GIT_OWN))]
        if not commits:
            # a run that committed nothing may still refresh the index's stat cache; its entries are compared above
            foreign = [p for p in foreign if p != "index" and not p.startswith("objects/")]
        if foreign:
            found.append(f"changed under .git/: {sorted(foreign)[:10]}")
        leftovers = [p for p in a.tree if p not in b.tree and p.endswith(LEFTOVER_SUFFIXES)]
        leftovers += [p for p in a.git_dir if p.endswith(".lock") and p not in b.git_dir]
        if leftovers:
            found.append(f"left behind: {leftovers}")
        for rel, mode in b.modes.items():
            if rel in a.modes and rel not in changed_paths and a.modes[rel] != mode:
                found.append(f"{rel}: mode {oct(mode)} became {oct(a.modes[rel])}")
        return found

    def _new_commits(self, commits: list[list[str]]) -> list[str]:
        b, a, root = self.before, self.after, self.sandbox.repo
        if a.head == b.head:
            return ["no new commit"]
        shas = git(root, "rev-list", "--first-parent", f"--max-count={len(commits) + 1}", a.head).split()
        if len(shas) < len(commits) or (shas[len(commits)] if len(shas) > len(commits) else "") != (b.head or ""):
            return [f"HEAD {a.head} is not {len(commits)} commit(s) on top of {b.head}"]
        found = []
        for sha, files in zip(reversed(shas[: len(commits)]), commits):
            names = [n for n in git(root, "diff-tree", "--no-commit-id", "--name-only", "-r", "-z", "--root", sha)
                     .split("\0") if n]
            if sorted(names) != sorted(files):
                found.append(f"the commit holds {sorted(names)}, expected {sorted(files)} ({sha[:12]})")
        return found


def _run_problems(run: Run, exit_code: int | Collection[int] | None) -> list[str]:
    found = []
    allowed = {exit_code} if isinstance(exit_code, int) else set(exit_code or ())
    if allowed and run.exit_code not in allowed:
        found.append(f"exit {run.exit_code}, expected {sorted(allowed)}; stderr: {run.stderr.strip()[-500:]}")
    for stream in (run.stdout, run.stderr):
        if "Traceback (most recent call last)" in stream:
            found.append("a traceback: " + stream.strip()[-800:])
    if run.exit_code != 0 and run.killed_by is None:
        # (a process a signal ended before vibecli's handlers were in place cannot print anything)
        errors = [line for line in run.stderr.splitlines() if line.startswith("vibecli:")]
        if not errors:
            found.append(f"a failure without a `vibecli: ...` line on stderr: {run.stderr.strip()[-300:]!r}")
    return found


def _changed_keys(old: dict, new: dict) -> list[str]:
    return sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))


def _changed(old: dict, new: dict) -> str:
    keys = _changed_keys(old, new)
    return ", ".join(f"{k} ({'added' if k not in old else 'removed' if k not in new else 'changed'})"
                     for k in keys[:12]) + (" ..." if len(keys) > 12 else "")


def check(sandbox: Sandbox, before: Snapshot, run: Run | None, **expected) -> None:
    """Assert every promise; the message lists each broken one."""
    verdict = Verdict(before, Snapshot.take(sandbox), sandbox, run)
    problems = verdict.problems(**expected)
    assert not problems, "\n".join(problems)
