"""Everything vibecli asks of git. The only module that imports GitPython."""

from __future__ import annotations

import os
import re
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

import git

from vibecli.core import Refused, VibeError

RUN_TRAILER = "Vibecli-Run"
MODEL_TRAILER = "Vibecli-Model"
UNDO_TRAILER = "Vibecli-Undo"
_FALLBACK_IDENTITY = ("-c", "user.name=vibecli", "-c", "user.email=vibecli@localhost")


def _error(action: str, exc: git.exc.GitError) -> VibeError:
    detail = getattr(exc, "stderr", "") or str(exc)
    detail = " ".join(str(detail).replace("stderr:", "").split())[:300]
    return VibeError(f"git {action} failed: {detail}")


class _Git(git.cmd.Git):
    """GitPython keeps `git cat-file` running to read objects. In our process group, a Ctrl-C
    at the terminal (sent to the whole group) kills it, and the cleanup after that Ctrl-C (is
    HEAD still where it was?) then fails before the files are put back. Its own session keeps
    it out of the terminal's signals; GitPython still ends it with the repository."""

    def execute(self, command, *args, **kwargs):
        if kwargs.get("as_process"):
            kwargs.setdefault("start_new_session", True)
        return super().execute(command, *args, **kwargs)


class _Repo(git.Repo):
    GitCommandWrapperType = _Git


@dataclass(frozen=True)
class VibeCommit:
    sha: str
    run_id: str
    subject: str
    files: list[str]


class GitRepo:
    def __init__(self, repo: git.Repo):
        self.repo = repo
        self.root = Path(repo.working_tree_dir).resolve()

    @classmethod
    def find(cls, cwd: Path) -> "GitRepo":
        try:
            repo = _Repo(cwd, search_parent_directories=True)
        except (git.exc.InvalidGitRepositoryError, git.exc.NoSuchPathError):
            raise VibeError(f"not inside a git work tree: {cwd} (run `git init`, or pass --no-git)") from None
        if repo.bare or repo.working_tree_dir is None:
            raise VibeError(f"{cwd} is in a bare git repository; vibecli needs a work tree")
        return cls(repo)

    @classmethod
    def init(cls, folder: Path) -> "GitRepo":
        """A new repository in `folder` (which must exist)."""
        try:
            return cls(git.Repo.init(folder))
        except git.exc.GitError as exc:
            raise _error("init", exc) from None

    def commit_all(self, message: str) -> str:
        """Add every file (as .gitignore allows) and commit; the sha."""
        try:
            self._git("add", "--all")
            self._interruptible(["commit", "--quiet", "--no-edit", "-m", message])
            return self.repo.head.commit.hexsha
        except git.exc.GitCommandError as exc:
            raise _error("commit", exc) from None

    def _git(self, *args: str) -> str:
        return self.repo.git.execute(["git", *args], with_extended_output=False, strip_newline_in_stdout=True)

    def dirty(self, relpaths: list[str]) -> list[str]:
        """The given paths that differ from HEAD in the index or work tree, or are untracked."""
        if not relpaths:
            return []
        try:
            out = self._git("status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *relpaths)
        except git.exc.GitCommandError as exc:
            raise _error("status", exc) from None
        entries = [e for e in out.split("\0") if e]
        return sorted({e[3:] for e in entries if len(e) > 3})

    def has_head(self) -> bool:
        try:
            self.repo.head.commit
        except ValueError:
            return False
        return True

    def _identity(self) -> tuple[str, ...]:
        reader = self.repo.config_reader()
        has = reader.has_option("user", "name") and reader.has_option("user", "email")
        return () if has else _FALLBACK_IDENTITY

    def commit_paths(self, relpaths: list[str], message: str) -> str:
        """Commit exactly these paths; whatever else is staged stays staged and uncommitted."""
        try:
            untracked = [p for p in relpaths if not self._tracked(p)]
            if untracked:
                self._git("add", "--", *untracked)
            self._interruptible(["commit", "--quiet", "--no-edit", "-m", message, "--only", "--", *relpaths])
            return self.repo.head.commit.hexsha
        except git.exc.GitCommandError as exc:
            raise _error("commit", exc) from None

    def head_sha(self) -> str | None:
        return self.repo.head.commit.hexsha if self.has_head() else None

    def _interruptible(self, args: list[str]) -> None:
        """Run git so that an interrupt stops it too: SIGTERM lets git remove its lock files,
        and the user's hooks (which run inside `git commit`) stop with it."""
        proc = subprocess.Popen(
            ["git", *self._identity(), *args], cwd=self.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL, text=True, errors="replace", start_new_session=True,
        )
        try:
            out, err = proc.communicate()
        except BaseException:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            proc.wait()
            raise
        if proc.returncode != 0:
            raise git.exc.GitCommandError(["git", *args], proc.returncode, err, out)

    def forget_added(self, relpath: str) -> None:
        """Unstage a file vibecli added for a commit that did not happen."""
        try:
            if self._tracked(relpath) and not self._in_head(relpath):
                self._git("rm", "--cached", "--quiet", "--force", "--", relpath)
        except git.exc.GitCommandError as exc:
            raise _error("rm --cached", exc) from None

    def _in_head(self, relpath: str) -> bool:
        return self.has_head() and _exists_in(self.repo.head.commit, relpath)

    def tracked_files(self) -> list[str]:
        try:
            return [p for p in self._git("ls-files", "-z").split("\0") if p]
        except git.exc.GitCommandError as exc:
            raise _error("ls-files", exc) from None

    def _tracked(self, relpath: str) -> bool:
        return bool(self._git("ls-files", "--", relpath))

    def head_vibecli_commit(self) -> VibeCommit | None:
        if not self.has_head():
            return None
        commit = self.repo.head.commit
        trailers = parse_trailers(commit.message)
        if RUN_TRAILER not in trailers:
            return None
        return VibeCommit(commit.hexsha, trailers[RUN_TRAILER], commit.summary, sorted(commit.stats.files))

    def undo_head(self, model_name: str) -> VibeCommit:
        """Revert HEAD with a new commit, if HEAD is vibecli's and its files are as it left them."""
        target = self.head_vibecli_commit()
        if target is None:
            raise Refused("HEAD is not a vibecli commit (no Vibecli-Run trailer); nothing to undo")
        head = self.repo.head.commit
        if not head.parents:
            raise Refused("HEAD is the repository's first commit; vibecli will not revert it")
        changed = self.dirty(target.files)
        if changed:
            raise Refused(f"{', '.join(changed)} changed since vibecli's commit; commit or restore it first")
        parent = head.parents[0]
        try:
            for path in target.files:
                if _exists_in(parent, path):
                    self._git("checkout", parent.hexsha, "--", path)
                else:
                    self._git("rm", "--quiet", "--", path)
            message = (
                f'Revert "{target.subject}"\n\nThis reverts commit {target.sha}.\n\n'
                f"{UNDO_TRAILER}: {target.run_id}\n"
            )
            self.repo.git.execute(
                ["git", *self._identity(), "commit", "--quiet", "-m", message, "--only", "--", *target.files]
            )
        except git.exc.GitCommandError as exc:
            raise _error("revert", exc) from None
        return VibeCommit(self.repo.head.commit.hexsha, target.run_id, target.subject, target.files)

    def diff_between(self, old: str, new: str, relpaths: list[str]) -> str:
        try:
            return self._git("diff", "--no-color", old, new, "--", *relpaths)
        except git.exc.GitCommandError as exc:
            raise _error("diff", exc) from None


def _exists_in(commit, path: str) -> bool:
    try:
        commit.tree / path
    except KeyError:
        return False
    return True


_TRAILER = re.compile(r"^([A-Za-z0-9-]+): (.+)$")


def parse_trailers(message: str) -> dict[str, str]:
    last = message.strip().split("\n\n")[-1]
    return {m.group(1): m.group(2).strip() for line in last.splitlines() if (m := _TRAILER.match(line))}


def commit_message(instruction: str, body: str, model: str, run_id: str) -> str:
    first = " ".join(instruction.split())
    subject = first if len(first) <= 72 else first[:69].rsplit(" ", 1)[0][:69] + "..."
    return f"{subject}\n\n{body.strip()}\n\n{MODEL_TRAILER}: {model}\n{RUN_TRAILER}: {run_id}\n"


@dataclass(frozen=True)
class LaterCommit:
    """A commit after a vibecli commit, as outcome tracking reads it."""

    sha: str
    message: str
    files: list[str]
    trailers: dict[str, str]


def commits_after(repo: GitRepo, sha: str, limit: int = 200) -> list[LaterCommit] | None:
    """The first-parent commits after `sha` up to HEAD, oldest first; None when `sha` is not
    an ancestor of HEAD (another branch, or history rewritten)."""
    try:
        repo._git("merge-base", "--is-ancestor", sha, "HEAD")
    except git.exc.GitCommandError:
        return None
    try:
        out = repo._git("log", "--first-parent", "--reverse", f"--max-count={limit}", "--name-only",
                        "--format=%x00%H%x01%B%x01", f"{sha}..HEAD")
    except git.exc.GitCommandError as exc:
        raise _error("log", exc) from None
    commits = []
    for chunk in out.split("\x00")[1:]:
        head, message, names = (chunk.split("\x01") + ["", ""])[:3]
        files = [n for n in names.split("\n") if n.strip()]
        commits.append(LaterCommit(head.strip(), message, files, parse_trailers(message)))
    return commits


def file_at(repo: GitRepo, sha: str, relpath: str) -> str | None:
    """A file's text in a commit; None when it is not there (or is not text)."""
    try:
        blob = repo.repo.commit(sha).tree / relpath
        return blob.data_stream.read().decode("utf-8")
    except (KeyError, ValueError, UnicodeDecodeError, git.exc.GitError):
        return None


def parent_of(repo: GitRepo, sha: str) -> str | None:
    try:
        parents = repo.repo.commit(sha).parents
    except (ValueError, git.exc.GitError):
        return None
    return parents[0].hexsha if parents else None

