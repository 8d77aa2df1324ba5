"""Per-file tags cached on disk, keyed by path, size, mtime and content hash; and token counts.

One SQLite file per repository in the user cache. A file whose size and mtime match is not
read at all; one whose mtime moved but whose bytes hash the same is not parsed again. SQLite's
WAL mode and busy timeout make two vibecli processes safe together: the last writer wins with
rows that are equally valid. A cache that cannot be opened or read is rebuilt, never an error.

The token counts of the map texts a tokenizer was asked about are kept too, by tokenizer and
text hash: counting with the model's own vocabulary means loading it (0.66 s for the embedded
model's 262k tokens), and a map of an unchanged repository asks about the same texts again.
So are the last few whole maps, by the state of the files and the request (RepoMap.remembered_build).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from pathlib import Path
from typing import Callable

from vibecli.context.tags import FileTags, extract

_SCHEMA = ("CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, size INT, mtime_ns INT, sha TEXT, "
           "status TEXT, names TEXT, refs TEXT, defs TEXT, terms TEXT, chars INT)")
_COUNTS = ("CREATE TABLE IF NOT EXISTS counts (counter TEXT, sha TEXT, tokens INT, added REAL, "
           "PRIMARY KEY (counter, sha))")
MAX_COUNTS = 20_000
"""Token counts kept per repository; past this, the oldest tenth goes. A map asks about ~15 texts."""
_MAPS = "CREATE TABLE IF NOT EXISTS maps (key TEXT PRIMARY KEY, map TEXT, added REAL)"
MAX_MAPS = 64
"""Whole maps remembered per repository (by the files' state and the request), newest kept."""


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

    def counter(self, name: str, load: Callable[[], Callable[[str], int]]) -> Callable[[str], int]:
        """A token counter that answers from the counts kept under `name` (the tokenizer's identity),
        and calls `load()` for the real counter only on the first text it has not seen."""
        real: list[Callable[[str], int]] = []

        def count(text: str) -> int:
            sha = hashlib.sha1(text.encode("utf-8", errors="surrogatepass")).hexdigest()
            known = self._count(name, sha)
            if known is not None:
                return known
            if not real:
                real.append(load())
            tokens = real[0](text)
            self._keep_count(name, sha, tokens)
            return tokens

        return count

    def _count(self, name: str, sha: str) -> int | None:
        if self.db is None:
            return None
        try:
            row = self.db.execute("SELECT tokens FROM counts WHERE counter = ? AND sha = ?", (name, sha)).fetchone()
        except sqlite3.DatabaseError:
            return None
        return row[0] if row else None

    def _keep_count(self, name: str, sha: str, tokens: int) -> None:
        if self.db is None:
            return
        try:
            with self.db:
                self.db.execute("INSERT OR REPLACE INTO counts VALUES (?, ?, ?, ?)", (name, sha, tokens, time.time()))
                if self.db.execute("SELECT count(*) FROM counts").fetchone()[0] > MAX_COUNTS:
                    self.db.execute("DELETE FROM counts WHERE rowid IN (SELECT rowid FROM counts ORDER BY added "
                                    "LIMIT ?)", (MAX_COUNTS // 10,))
        except sqlite3.DatabaseError:
            pass  # counted again next time

    def recall(self, key: str) -> dict | None:
        """A map remembered under `key` (RepoMap.remembered_build), or None."""
        if self.db is None:
            return None
        try:
            row = self.db.execute("SELECT map FROM maps WHERE key = ?", (key,)).fetchone()
            return json.loads(row[0]) if row else None
        except (sqlite3.DatabaseError, ValueError):
            return None

    def remember(self, key: str, value: dict) -> None:
        if self.db is None:
            return
        try:
            with self.db:
                self.db.execute("INSERT OR REPLACE INTO maps VALUES (?, ?, ?)", (key, json.dumps(value), time.time()))
                self.db.execute("DELETE FROM maps WHERE key NOT IN (SELECT key FROM maps ORDER BY added DESC LIMIT ?)",
                                (MAX_MAPS,))
        except sqlite3.DatabaseError:
            pass  # built again next time

    def _rows(self) -> dict[str, tuple]:
        if self.db is None:
            return {}
        try:
            return {r[0]: r[1:] for r in self.db.execute("SELECT * FROM files")}
        except sqlite3.OperationalError:
            self.db = None  # busy or locked beyond the timeout: this run goes without the cache
            return {}
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
                db.execute("DROP TABLE IF EXISTS counts")
                db.execute("DROP TABLE IF EXISTS maps")
                db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (version,))
        db.execute(_SCHEMA)
        db.execute(_COUNTS)
        db.execute(_MAPS)
        return db
    except sqlite3.OperationalError:
        return None  # busy, locked or unreadable: never delete what another process may be using
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
        db.execute(_COUNTS)
        db.execute(_MAPS)
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (extractor_version(),))
        return db
    except (sqlite3.DatabaseError, OSError):
        return None
