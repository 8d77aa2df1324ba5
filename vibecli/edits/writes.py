"""The files one run writes, and how they are put back.

What is on disk decides, never what vibecli believes it did: before each write the file must
still be as vibecli last saw it, and a restore puts back only files that still hold vibecli's
bytes. A file someone else saved meanwhile is theirs: it is kept, and nothing more is written.

An existing file keeps its original inode under a hard link beside it while the run may undo
the write, so putting it back is a rename: it needs no free space, and mode, owner and bytes
come back exactly (where links are not supported, the bytes are written back instead).
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from vibecli.core import Refused, VibeError
from vibecli.edits.apply import Change
from vibecli.edits.diff import unified_diff
from vibecli.edits.fileio import write_atomic

SUFFIX = ".vibecli"
"""Of every file vibecli keeps beside a target for a moment (temporary files, originals)."""


class Conflict(Refused):
    """Someone else changed a target file while vibecli worked on it."""

    def __init__(self, message: str, paths: list[str]):
        super().__init__(message)
        self.paths = paths


@dataclass
class _Entry:
    change: Change
    data: bytes
    digest: str
    backup: Path | None = None
    folders: list[Path] = field(default_factory=list)
    """Folders made for a new file, outermost first."""


def _disk_digest(path: Path) -> str | None:
    """sha256 of the file's bytes; None when there is no file; "?" when it cannot be read."""
    try:
        if path.is_symlink() or (path.exists() and not path.is_file()):
            return "?"
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None
    except OSError:
        return "?"


def _original_digest(change: Change) -> str | None:
    return change.source.digest if change.source.exists else None


class WriteSet:
    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.entries: dict[str, _Entry] = {}
        """Every file a write was started for and not yet settled (committed or put back)."""
        self.last: list[Change] = []
        """The latest changes asked to be written: vibecli's version, should it have to be rescued."""

    # -- writing

    def write(self, changes: list[Change]) -> None:
        """Write every change, or raise with nothing more written (the caller puts back what landed)."""
        self.last = changes
        for change in changes:
            if len(change.source.encode(change.new_text)) > self.max_bytes:
                raise Refused(f"{change.relpath}: the new text is over max_file_bytes ({self.max_bytes}); "
                              "nothing was written")
        moved = [c.relpath for c in changes if _disk_digest(c.source.path) != self._expected(c)]
        if moved:
            raise Conflict(f"{', '.join(moved)} changed on disk while vibecli worked", moved)
        for change in changes:
            self._write_one(change)

    def _expected(self, change: Change) -> str | None:
        entry = self.entries.get(change.relpath)
        return entry.digest if entry else _original_digest(change)

    def _write_one(self, change: Change) -> None:
        data = change.source.encode(change.new_text)
        entry = _Entry(change, data, hashlib.sha256(data).hexdigest())
        # recorded before the write: what is on disk says later whether it landed (a signal can
        # land between the rename and any bookkeeping after it)
        self.entries[change.relpath] = entry
        path = change.source.path
        try:
            if change.source.exists:
                entry.backup = _link_beside(path)
                write_atomic(change.source, change.new_text)
            else:
                entry.folders = _make_folders(path.parent)
                _create(path, data)
        except FileExistsError:
            raise Conflict(f"{change.relpath} appeared on disk while vibecli worked", [change.relpath]) from None
        except OSError as exc:
            raise VibeError(f"cannot write {change.relpath}: {exc.strerror or exc}; the files are as they were") \
                from None

    # -- after the write

    def moved(self) -> list[str]:
        """Files that no longer hold vibecli's bytes (someone saved over them)."""
        return [rel for rel, e in self.entries.items() if _disk_digest(e.change.source.path) != e.digest]

    def settle(self) -> None:
        """The writes stand (committed, or left on purpose): the originals kept for a restore go."""
        for entry in self.entries.values():
            _unlink(entry.backup)
        self.entries.clear()

    def restore(self) -> list[str]:
        """Put back every file that holds vibecli's bytes; returns those someone else changed (kept)."""
        kept, failed = [], []
        for rel, entry in reversed(list(self.entries.items())):
            path = entry.change.source.path
            on_disk = _disk_digest(path)
            try:
                if on_disk == entry.digest:
                    self._put_back(entry)
                elif on_disk == _original_digest(entry.change):
                    _remove_empty(entry.folders)  # the write never landed
                else:
                    kept.append(rel)
                _unlink(entry.backup)
            except OSError as exc:
                failed.append(f"{rel} ({exc.strerror or exc})")
        self.entries.clear()
        if failed:
            raise VibeError(f"could not put back {', '.join(failed)}: it holds vibecli's version")
        return sorted(kept)

    @staticmethod
    def _put_back(entry: _Entry) -> None:
        source = entry.change.source
        if not source.exists:
            source.path.unlink(missing_ok=True)
            _remove_empty(entry.folders)
            return
        if entry.backup is not None:
            os.replace(entry.backup, source.path)
            entry.backup = None
        else:
            write_atomic(source, source.text)


def _link_beside(path: Path) -> Path | None:
    """A hard link to the file as it is, beside it; None where the file system has no links."""
    backup = path.with_name(f".{path.name}.{secrets.token_hex(4)}{SUFFIX}")
    try:
        os.link(path, backup)
    except OSError:
        return None
    return backup


def _make_folders(folder: Path) -> list[Path]:
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    made = []
    try:
        for new in reversed(missing):
            new.mkdir()
            made.append(new)
    except OSError:
        for new in reversed(made):
            new.rmdir()
        raise
    return made


def _create(path: Path, data: bytes) -> None:
    """A new file, whole or not at all, and never over a file that appeared meanwhile."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}{SUFFIX}")
    try:
        _write_new(tmp, data)
        try:
            os.link(tmp, path)  # atomic, and fails when the name is taken
        except FileExistsError:
            raise
        except OSError:  # no hard links on this file system
            try:
                _write_new(path, data)
            except FileExistsError:
                raise
            except OSError:
                _unlink(path)
                raise
    finally:
        _unlink(tmp)


def _write_new(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _remove_empty(folders: list[Path]) -> None:
    for folder in reversed(folders):
        try:
            folder.rmdir()
        except OSError:
            return  # something else is in it now


def _unlink(path: Path | None) -> None:
    if path is not None:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass


def rescue_patch(changes: list[Change], folder: Path, run_id: str) -> Path:
    """vibecli's version of the files, as a patch against the files it read (`git apply` takes it)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{run_id}.patch"
    text = "".join(unified_diff(c.relpath, c.source.text, c.new_text, c.source.exists) for c in changes)
    path.write_text(text, encoding="utf-8")
    return path
