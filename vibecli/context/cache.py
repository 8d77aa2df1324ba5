"""Per-file tags cached on disk, keyed by path, size, mtime and content hash.

One SQLite file per repository in the user cache. A file whose size and mtime match is not
read at all; one whose mtime moved but whose bytes hash the same is not parsed again. SQLite's
WAL mode and busy timeout make two vibecli processes safe together: the last writer wins with
rows that are equally valid. A cache that cannot be opened or read is rebuilt, never an error.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from vibecli.context.tags import FileTags, extract

_SCHEMA = ("CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, size INT, mtime_ns INT, sha TEXT, "
           "status TEXT, names TEXT, refs TEXT, defs TEXT, terms TEXT, chars INT)")


def extractor_version() -> str:
    """Changes whenever what extract() produces may change: the queries and this package's version."""
    from vibecli import __version__
    from vibecli.context.tags import EXTRACTOR_VERSION

    digest = hashlib.sha1(f"{__version__} {EXTRACTOR_VERSION} {_SCHEMA}".encode())
    for folder in (Path(__file__).parent / "queries", Path(__file__).parent.parent / "edits" / "queries"):
        for path in sorted(folder.glob("*.scm")):
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def cache_file(cache_dir: Path, root: Path) -> Path:
    key = hashlib.sha1(str(root.resolve()).encode()).hexdigest()[:16]
    return cache_dir / "repomap" / f"{root.name or 'root'}-{key}.sqlite"


class TagCache:
    def __init__(self, path: Path | None):
        self.path = path
        self.db: sqlite3.Connection | None = None
        self.parsed = 0
        """Files read and parsed in this scan."""
        self.rehashed = 0
        """Files whose mtime moved but whose bytes did not: hashed, not parsed."""
        if path is not None:
            self.db = _open(path)

    def update(self, root: Path, files: dict[str, tuple[int, int]]) -> dict[str, FileTags]:
        """Tags of every listed file, reading only files that changed since the cache saw them."""
        rows = self._rows()
        out: dict[str, FileTags] = {}
        writes = []
        for relpath, (size, mtime) in files.items():
            row = rows.get(relpath)
            if row and row[0] == size and row[1] == mtime:
                out[relpath] = FileTags.from_columns(*row[3:])
                continue
            try:
                data = (root / relpath).read_bytes()
            except OSError:
                out[relpath] = FileTags("unreadable")
                continue
            sha = hashlib.sha1(data).hexdigest()
            if row and row[2] == sha:
                self.rehashed += 1
                tags = FileTags.from_columns(*row[3:])
            else:
                self.parsed += 1
                tags = extract(relpath, data)
            out[relpath] = tags
            writes.append((relpath, size, mtime, sha, *tags.columns()))
        gone = [(p,) for p in rows if p not in files]
        self._write(writes, gone)
        return out

    def _rows(self) -> dict[str, tuple]:
        if self.db is None:
            return {}
        try:
            return {r[0]: r[1:] for r in self.db.execute("SELECT * FROM files")}
        except sqlite3.DatabaseError:
            self.db = _reset(self.path)
            return {}

    def _write(self, writes: list[tuple], gone: list[tuple]) -> None:
        if self.db is None or not (writes or gone):
            return
        try:
            with self.db:
                self.db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", writes)
                self.db.executemany("DELETE FROM files WHERE path = ?", gone)
        except sqlite3.DatabaseError:
            pass  # a cache that cannot be written costs time on the next run, nothing else


def _open(path: Path) -> sqlite3.Connection | None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, timeout=30, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        version = extractor_version()
        row = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        if row is None or row[0] != version:
            with db:  # another vibecli, or another layout of the rows: start afresh
                db.execute("DROP TABLE IF EXISTS files")
                db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (version,))
        db.execute(_SCHEMA)
        return db
    except (sqlite3.DatabaseError, OSError):
        return _reset(path)


def _reset(path: Path | None) -> sqlite3.Connection | None:
    """A corrupt cache file is moved aside once and started afresh; if that fails, no cache."""
    if path is None:
        return None
    try:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        db = sqlite3.connect(path, timeout=30, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(_SCHEMA)
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (extractor_version(),))
        return db
    except (sqlite3.DatabaseError, OSError):
        return None
