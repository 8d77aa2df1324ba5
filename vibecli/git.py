"""Everything vibecli asks of git. The only module that imports GitPython."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import git

from vibecli import interrupts
from vibecli.core import GIT_ENV, Refused, VibeError

RUN_TRAILER = "Vibecli-Run"
MODEL_TRAILER = "Vibecli-Model"
UNDO_TRAILER = "Vibecli-Undo"
_FALLBACK_IDENTITY = ("-c", "user.name=vibecli", "-c", "user.email=vibecli@localhost")
_IN_PROGRESS = {"MERGE_HEAD": "a merge", "CHERRY_PICK_HEAD": "a cherry-pick", "REVERT_HEAD": "a revert",
                "rebase-merge": "a rebase", "rebase-apply": "a rebase or git am"}


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
        kwargs["env"] = {**(kwargs.get("env") or {}), **GIT_ENV}
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
            return cls(_Repo.init(folder))
        except git.exc.GitError as exc:
            raise _error("init", exc) from None

    def commit_all(self, message: str) -> str:
        """Add every file (as .gitignore allows) and commit; the sha."""
        try:
            self._git("add", "--all")
            self._interruptible(["commit", "--quiet", "--no-edit", "-F", "-"], stdin=message)
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
        found, entries = set(), iter(out.split("\0"))
        for entry in entries:
            if len(entry) > 3:
                found.add(entry[3:])
                if "R" in entry[:2] or "C" in entry[:2]:
                    found.add(next(entries, ""))  # a rename's or copy's source follows it
        return sorted(found - {""})

    def operation_in_progress(self) -> str | None:
        """A merge, rebase, cherry-pick or revert under way (a commit now would become part of it)."""
        git_dir = Path(self.repo.git_dir)
        return next((what for name, what in _IN_PROGRESS.items() if (git_dir / name).exists()), None)

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
        """Commit these paths as the work tree holds them now; see commit_files."""
        return self.commit_files({p: (self.root / p).read_bytes() for p in relpaths}, message)

    def commit_files(self, files: dict[str, bytes], message: str) -> str:
        """Commit exactly these bytes at these paths, whatever the work tree holds by then; whatever
        else is staged stays staged and uncommitted. As `git commit --only` does, git's index is
        locked throughout and the commit is made from a temporary index (HEAD plus these files),
        so the user's hooks run and see what is committed. Returns the new commit's sha."""
        busy = self.operation_in_progress()
        if busy:
            raise Refused(f"{busy} is in progress in this repository; vibecli does not commit in the middle of it")
        index = self._index_path()
        lock = self._lock_index(index)
        scratch = Path(tempfile.mkdtemp(prefix="vibecli-index-"))
        try:
            return self._commit_locked(files, message, index, lock, scratch / "index")
        finally:
            lock.unlink(missing_ok=True)
            shutil.rmtree(scratch, ignore_errors=True)

    def _commit_locked(self, files: dict[str, bytes], message: str, index: Path, lock: Path, temp: Path) -> str:
        head = self.head_sha()
        temp_env = {"GIT_INDEX_FILE": str(temp)}
        try:
            if head is None:
                self._run(["read-tree", "--empty"], env=temp_env)
            else:
                if index.exists():
                    shutil.copyfile(index, temp)  # its cached file stats spare git re-reading the work tree
                try:
                    self._run(["read-tree", "-m", head], env=temp_env)
                except git.exc.GitCommandError:  # an index with conflicts: start from HEAD alone
                    temp.unlink(missing_ok=True)
                    self._run(["read-tree", head], env=temp_env)
            modes = self._modes(list(files), temp_env)
            entries = "".join(f"{modes.get(p, '100644')} {self._blob(p, data)}\t{p}\0" for p, data in files.items())
            self._run(["update-index", "-z", "--index-info"], env=temp_env, stdin=entries)
            edit_msg = Path(self.repo.git_dir) / "COMMIT_EDITMSG"
            saved = edit_msg.read_bytes() if edit_msg.is_file() else None
            try:
                self._interruptible(["commit", "--quiet", "--no-edit", "-F", "-"], stdin=message, env=temp_env)
            finally:
                with interrupts.deferred():
                    if self.head_sha() != head:  # landed (even if a signal cut git short after): the index follows
                        self._index_follows(index, lock, temp_env, list(files))
                    else:  # git keeps the message of a commit that did not happen: as it was, then
                        _put_back(edit_msg, saved)
            return self.head_sha() or ""
        except git.exc.GitCommandError as exc:
            raise _error("commit", exc) from None
        except OSError as exc:
            raise VibeError(f"git commit failed: {exc.strerror or exc}") from None

    def _index_path(self) -> Path:
        try:
            found = Path(self._git("rev-parse", "--git-path", "index"))
        except git.exc.GitCommandError as exc:
            raise _error("rev-parse", exc) from None
        return found if found.is_absolute() else self.root / found

    @staticmethod
    def _lock_index(index: Path) -> Path:
        """Take git's own index lock, as git commit does: no other git command changes the index meanwhile."""
        lock = index.with_name(index.name + ".lock")
        try:
            os.close(os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            raise VibeError(f"git's index is locked ({lock} exists): another git command is running, or one "
                            "crashed and left it; nothing was committed") from None
        except OSError as exc:
            raise VibeError(f"cannot lock git's index ({lock}): {exc.strerror}; nothing was committed") from None
        return lock

    def _modes(self, relpaths: list[str], env: dict) -> dict[str, str]:
        out = self._run(["ls-files", "--stage", "-z", "--", *relpaths], env=env)
        modes = {}
        for line in filter(None, out.split("\0")):
            meta, path = line.split("\t", 1)
            modes[path] = meta.split()[0]
        return modes

    def _blob(self, relpath: str, data: bytes) -> str:
        """Store the bytes as git add would (the path's attributes and filters apply); the blob id."""
        return self._run(["hash-object", "-w", "--stdin", f"--path={relpath}"], stdin=data).strip()

    def _index_follows(self, index: Path, lock: Path, temp_env: dict, relpaths: list[str]) -> None:
        """After the commit: the real index's entries for the committed paths become the committed ones,
        written under the lock and renamed into place (what git commit --only does)."""
        info = []
        for line in filter(None, self._run(["ls-files", "--stage", "-z", "--", *relpaths], env=temp_env).split("\0")):
            meta, path = line.split("\t", 1)
            mode, blob, _stage = meta.split()
            info.append(f"{mode} {blob}\t{path}\0")
        if index.exists():
            shutil.copyfile(index, lock)
        self._run(["update-index", "-z", "--index-info"], env={"GIT_INDEX_FILE": str(lock)}, stdin="".join(info))
        os.replace(lock, index)

    def _run(self, args: list[str], env: dict | None = None, stdin: str | bytes | None = None) -> str:
        """A quick plumbing command; raises git.exc.GitCommandError."""
        data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
        proc = subprocess.run(["git", *args], cwd=self.root, env={**os.environ, **GIT_ENV, **(env or {})},
                              input=data if data is not None else b"", capture_output=True)
        if proc.returncode != 0:
            raise git.exc.GitCommandError(["git", *args], proc.returncode, proc.stderr.decode("utf-8", "replace"))
        return proc.stdout.decode("utf-8", "surrogateescape")

    def head_sha(self) -> str | None:
        return self.repo.head.commit.hexsha if self.has_head() else None

    def _interruptible(self, args: list[str], stdin: str = "", env: dict | None = None) -> None:
        """Run git so that an interrupt stops it too: SIGTERM lets git remove its lock files,
        and the user's hooks (which run inside `git commit`) stop with it. `stdin`: the commit
        message (never an argument: a long one would not fit the command line)."""
        command = ["git", *self._identity(), *args]
        proc = None
        try:
            with interrupts.deferred():  # a signal while it starts must find it started, to stop it
                proc = subprocess.Popen(
                    command, cwd=self.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.PIPE,
                    text=True, errors="replace", start_new_session=True, env={**os.environ, **GIT_ENV, **(env or {})},
                )
            out, err = proc.communicate(stdin)
        except BaseException:
            if proc is not None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
                proc.wait()
            raise
        if proc.returncode != 0:
            raise git.exc.GitCommandError(["git", *args], proc.returncode, err, out)

    def tracked_files(self) -> list[str]:
        try:
            return [p for p in self._git("ls-files", "-z").split("\0") if p]
        except git.exc.GitCommandError as exc:
            raise _error("ls-files", exc) from None

    def work_files(self) -> list[str]:
        """The work tree's files as a copy of it needs them: tracked, and untracked but not ignored."""
        try:
            listed = self._run(["ls-files", "-z", "--cached", "--others", "--exclude-standard"])
        except git.exc.GitCommandError as exc:
            raise _error("ls-files", exc) from None
        return list(dict.fromkeys(p for p in listed.split("\0") if p))

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
            self._interruptible(["commit", "--quiet", "-F", "-", "--only", "--", *target.files], stdin=message)
        except git.exc.GitCommandError as exc:
            raise _error("revert", exc) from None
        return VibeCommit(self.repo.head.commit.hexsha, target.run_id, target.subject, target.files)

    def diff_between(self, old: str, new: str, relpaths: list[str]) -> str:
        try:
            return self._git("diff", "--no-color", old, new, "--", *relpaths)
        except git.exc.GitCommandError as exc:
            raise _error("diff", exc) from None


def _put_back(path: Path, data: bytes | None) -> None:
    try:
        if data is None:
            path.unlink(missing_ok=True)
        elif not path.is_file() or path.read_bytes() != data:
            path.write_bytes(data)
    except OSError:
        pass  # git's scratch file: not worth failing the clean-up for


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

