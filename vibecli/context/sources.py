"""Which files of a repository the map reads: git's view (tracked and untracked, not ignored),
source files only, and never a symlink, a vendored folder or a huge file."""

from __future__ import annotations

import os
import stat
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from vibecli.core import GIT_ENV
from vibecli.edits import languages

VENDORED = frozenset({
    "node_modules", "bower_components", "vendor", "vendored", "_vendor", "third_party", "third-party",
    "site-packages", ".venv", "venv", "__pycache__", ".git", ".hg", ".svn", ".tox", ".mypy_cache",
})


@dataclass
class Listing:
    files: dict[str, tuple[int, int]] = field(default_factory=dict)
    """relpath -> (size, mtime in ns) of every source file to read."""
    skipped: Counter[str] = field(default_factory=Counter)
    """Why files were left out: `vendored`, `symlink`, `huge`, `not source`, `missing`."""
    git: bool = True


def list_sources(root: Path, max_file_bytes: int) -> Listing:
    names = _git_files(root)
    listing = Listing(git=names is not None)
    base = str(root)
    for relpath in names if names is not None else _walk(root):
        parts = relpath.split("/")
        if VENDORED.intersection(parts[:-1]):
            listing.skipped["vendored"] += 1
            continue
        spec = languages.language_for(relpath)
        if spec is None or not spec.addressable:
            listing.skipped["not source"] += 1
            continue
        try:
            st = os.lstat(os.path.join(base, relpath))  # a str join: Path objects cost ~10 us each here
        except OSError:
            listing.skipped["missing"] += 1  # deleted in the work tree, still in the index
            continue
        if stat.S_ISLNK(st.st_mode):
            listing.skipped["symlink"] += 1
        elif not stat.S_ISREG(st.st_mode):
            listing.skipped["not a file"] += 1
        elif st.st_size > max_file_bytes:
            listing.skipped["huge"] += 1
        else:
            listing.files[relpath] = (st.st_size, st.st_mtime_ns)
    return listing


def work_tree_root(cwd: Path) -> Path | None:
    """The top folder of the git work tree that holds `cwd`; None outside one (or without git)."""
    try:
        proc = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=cwd, capture_output=True, check=False,
                              stdin=subprocess.DEVNULL)
    except OSError:
        return None
    top = proc.stdout.decode("utf-8", errors="surrogateescape").strip()
    return Path(top) if proc.returncode == 0 and top else None


def _git_files(root: Path) -> list[str] | None:
    try:
        proc = subprocess.run(
            ["git", "-c", "core.quotePath=false", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root, capture_output=True, check=False, stdin=subprocess.DEVNULL, env={**os.environ, **GIT_ENV},
        )
    except OSError:
        return None
    if proc.returncode != 0:
        return None
    return list(dict.fromkeys(p for p in proc.stdout.decode("utf-8", errors="surrogateescape").split("\0") if p))


def _walk(root: Path) -> list[str]:
    """Outside git: every file below root, not following symlinks, skipping dot and vendored folders."""
    out = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in VENDORED)
        base = Path(folder).relative_to(root)
        out.extend((base / f).as_posix() for f in sorted(files))
    return out


def recently_changed(root: Path, commits: int = 20) -> list[str]:
    """Files touched by the last few commits and not yet committed, most recent first."""
    found: list[str] = []
    for args in (["diff", "--name-only", "-z", "HEAD"], ["log", f"-n{commits}", "--name-only", "--format=", "-z"]):
        try:
            proc = subprocess.run(["git", *args], cwd=root, capture_output=True, check=False, stdin=subprocess.DEVNULL,
                                  env={**os.environ, **GIT_ENV})
        except OSError:
            return found
        if proc.returncode != 0:
            continue
        for path in proc.stdout.decode("utf-8", errors="surrogateescape").replace("\n", "\0").split("\0"):
            if path:
                found.append(path)
    return list(dict.fromkeys(found))
