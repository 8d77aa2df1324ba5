"""Every run, appended to SQLite: the start of the data flywheel. Schema changes are migrations.

What a run records in memory (`run_record.py`) is stored here when the run ends, and read back
by `vibecli log`, the outcomes and `vibecli data export`."""

from __future__ import annotations

import json
import sqlite3
import time
from contextlib import closing
from pathlib import Path
from typing import Callable

from vibecli.core import EXIT_USAGE, VibeError
from vibecli.run_record import RunRecord

MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = []


def migration(fn: Callable[[sqlite3.Connection], None]):
    MIGRATIONS.append(fn)
    return fn


@migration
def m001_runs(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE runs (
            id TEXT PRIMARY KEY,
            started_at REAL NOT NULL,
            repo_root TEXT,
            command TEXT NOT NULL,
            instruction TEXT NOT NULL,
            paths TEXT NOT NULL,
            model TEXT,
            model_sha256 TEXT,
            backend TEXT,
            settings TEXT,
            status TEXT NOT NULL,
            exit_code INTEGER NOT NULL,
            message TEXT,
            files TEXT NOT NULL,
            diff TEXT,
            commit_sha TEXT,
            prompt_tokens INTEGER,
            completion_tokens INTEGER,
            load_s REAL, prompt_eval_s REAL, generate_s REAL, total_s REAL
        )"""
    )
    db.execute(
        """CREATE TABLE calls (
            run_id TEXT NOT NULL REFERENCES runs(id),
            number INTEGER NOT NULL,
            attempt INTEGER NOT NULL,
            kind TEXT NOT NULL,
            temperature REAL,
            prompt TEXT NOT NULL,
            grammar TEXT,
            output TEXT NOT NULL,
            edits TEXT,
            error TEXT,
            finish TEXT,
            prompt_tokens INTEGER, completion_tokens INTEGER,
            prompt_eval_s REAL, generate_s REAL,
            PRIMARY KEY (run_id, number)
        )"""
    )
    db.execute("CREATE INDEX runs_started ON runs(started_at)")


def _add_column(db: sqlite3.Connection, table: str, column: str, kind: str) -> None:
    """ALTER TABLE ADD COLUMN, unless a logbook half-migrated by an older vibecli (whose migrations
    were not atomic) has it already."""
    if column not in {row[1] for row in db.execute(f"PRAGMA table_info({table})")}:
        db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")


@migration
def m002_escalated_from(db: sqlite3.Connection) -> None:
    """Under `route: auto`, the run id of the local attempt that a larger backend's run took over from."""
    _add_column(db, "runs", "escalated_from", "TEXT")


@migration
def m003_outcomes(db: sqlite3.Connection) -> None:
    """What became of each run, kept up to date from git history (vibecli.outcomes)."""
    _add_column(db, "runs", "checks", "TEXT")  # passed, failed, or NULL: none configured
    _add_column(db, "runs", "outcome", "TEXT")  # see OUTCOMES
    _add_column(db, "runs", "outcome_detail", "TEXT")  # JSON: by, commit, diff, files before/after
    _add_column(db, "runs", "outcome_head", "TEXT")  # HEAD when the outcome was last checked
    _add_column(db, "runs", "outcome_at", "REAL")
    db.execute("UPDATE runs SET outcome = CASE WHEN status = 'applied' THEN 'applied' ELSE status END")


@migration
def m004_candidates(db: sqlite3.Connection) -> None:
    """Every candidate of a run's attempts (`candidates` > 1) with its verdict: preference pairs."""
    db.execute(
        """CREATE TABLE IF NOT EXISTS candidates (
            run_id TEXT NOT NULL REFERENCES runs(id),
            attempt INTEGER NOT NULL,
            idx INTEGER NOT NULL,
            seed INTEGER,
            temperature REAL,
            logprob REAL,
            finish TEXT,
            output TEXT NOT NULL,
            edits TEXT,
            verdict TEXT NOT NULL,
            reason TEXT,
            diff TEXT,
            PRIMARY KEY (run_id, attempt, idx)
        )"""
    )


@migration
def m005_fixer(db: sqlite3.Connection) -> None:
    """The fixer (ruff's fixes, a rename) whose change a run tried before the model, as JSON."""
    _add_column(db, "runs", "fixer", "TEXT")


OUTCOMES = ("applied", "reverted", "amended", "no_change", "declined", "rejected", "checks_failed", "refused", "error")
"""`applied` stays until git history shows the change `reverted` (vibecli undo, a revert commit, or
the files restored by hand) or `amended` by a human; the others are a run's final status."""
_RUN_COLUMNS = (
    "id, started_at, repo_root, command, instruction, paths, model, model_sha256, backend, settings, status, "
    "exit_code, message, files, diff, commit_sha, prompt_tokens, completion_tokens, load_s, prompt_eval_s, "
    "generate_s, total_s, escalated_from"
)
_RUN_VALUES = ", ".join("?" for _ in _RUN_COLUMNS.split(", "))


def _run_matches(run_id: str, instruction: str, files: str, needle: str) -> bool:
    # files are JSON: decoded, so that a name with quotes or non-ASCII letters is found as typed
    if needle in run_id.casefold() or needle in instruction.casefold():
        return True
    try:
        return any(needle in f.casefold() for f in json.loads(files))
    except (ValueError, TypeError, AttributeError):
        return False


def _checks_verdict(report) -> str | None:
    checks = getattr(report, "checks", None) or []
    if not checks:
        return None
    last_round = max(c.get("round", 0) for c in checks)
    return "passed" if all(c.get("passed") for c in checks if c.get("round", 0) == last_round) else "failed"


BUSY_TIMEOUT_S = 2.0
"""How long a run waits for a logbook another process holds; then it goes on unlogged, with a note."""


class Logbook:
    def __init__(self, path: Path, busy_timeout: float = BUSY_TIMEOUT_S):
        self.path = path
        self.busy_timeout = busy_timeout
        self.unavailable: str | None = None
        """Why the logbook could not be used: a run tries once, not at every step."""

    def _connect(self) -> sqlite3.Connection:
        if self.unavailable:
            raise VibeError(self.unavailable)
        try:
            return self._open()
        except VibeError as exc:
            self.unavailable = exc.message
            raise

    def _open(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=self.busy_timeout)
        except (OSError, sqlite3.Error) as exc:
            raise VibeError(f"cannot open the logbook {self.path}: {exc}") from None
        db.row_factory = sqlite3.Row
        try:
            self._migrate(db)
        except sqlite3.OperationalError as exc:
            db.close()
            raise VibeError(f"cannot use the logbook {self.path}: {exc}") from None
        except sqlite3.DatabaseError as exc:
            db.close()
            raise VibeError(f"the logbook {self.path} is unreadable: {exc}") from None
        return db

    @staticmethod
    def _migrate(db: sqlite3.Connection) -> None:
        """Each migration and its version bump in one transaction: a run killed between them leaves
        the schema as it was (sqlite's own statements, DDL included, are transactional; Python's
        sqlite3 would commit each ALTER alone, so the transaction is explicit)."""
        if db.execute("PRAGMA user_version").fetchone()[0] >= len(MIGRATIONS):
            return
        previous, db.isolation_level = db.isolation_level, None
        try:
            while True:
                db.execute("BEGIN IMMEDIATE")  # another run may migrate at the same moment
                try:
                    version = db.execute("PRAGMA user_version").fetchone()[0]
                    if version >= len(MIGRATIONS):
                        db.execute("COMMIT")
                        return
                    MIGRATIONS[version](db)
                    db.execute(f"PRAGMA user_version = {version + 1}")
                    db.execute("COMMIT")
                except BaseException:
                    if db.in_transaction:
                        db.execute("ROLLBACK")
                    raise
        finally:
            db.isolation_level = previous

    def record(self, run: RunRecord, report) -> None:
        try:
            self._record(run, report)
        except (sqlite3.Error, UnicodeError) as exc:
            self.unavailable = f"cannot write to the logbook {self.path}: {exc}"
            raise VibeError(self.unavailable) from None

    def _record(self, run: RunRecord, report) -> None:
        usage = report.usage
        with closing(self._connect()) as db, db:
            db.execute(
                f"INSERT OR REPLACE INTO runs ({_RUN_COLUMNS}) VALUES ({_RUN_VALUES})",
                (
                    run.id, run.started_at, run.repo_root, run.command, run.instruction, json.dumps(run.paths),
                    run.model, run.model_sha256, run.backend, json.dumps(run.settings), report.status,
                    report.exit_code, report.message, json.dumps(report.files), report.diff, report.commit,
                    usage.prompt_tokens, usage.completion_tokens, usage.load_s, usage.prompt_eval_s,
                    usage.generate_s, report.total_s, run.escalated_from,
                ),
            )
            db.execute(
                "UPDATE runs SET checks = ?, outcome = ?, outcome_at = ?, fixer = ? WHERE id = ?",
                (_checks_verdict(report), report.status, time.time(),
                 json.dumps(report.fixer) if getattr(report, "fixer", None) else None, run.id),
            )
            db.executemany(
                "INSERT OR REPLACE INTO calls VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [
                    (
                        run.id, a.number, a.attempt, a.kind, a.temperature, a.prompt, a.grammar, a.output,
                        json.dumps(a.edits) if a.edits is not None else None, a.error, a.finish, a.prompt_tokens,
                        a.completion_tokens, a.prompt_eval_s, a.generate_s,
                    )
                    for a in run.calls
                ],
            )
            db.executemany(
                "INSERT OR REPLACE INTO candidates VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                [
                    (
                        run.id, c.attempt, c.index, c.seed, c.temperature, c.logprob, c.finish, c.output,
                        json.dumps(c.edits) if c.edits is not None else None, c.verdict, c.reason, c.diff,
                    )
                    for c in run.candidates
                ],
            )

    def recent(self, limit: int = 20, search: str | None = None, usage_errors: bool = False) -> list[dict]:
        """The newest runs first. `search`: only runs whose instruction, files or id contain it (any case).
        A usage error (exit 2: the request was malformed, nothing was asked of the model) is listed only
        with `usage_errors`."""
        where, args = [], []
        if not usage_errors:
            where.append(f"exit_code != {EXIT_USAGE}")
        if search:
            where.append("run_matches(id, instruction, files, ?)")
            args.append(search.casefold())
        query = (
            "SELECT id, started_at, status, outcome, exit_code, instruction, files, commit_sha, model, total_s "
            f"FROM runs {'WHERE ' + ' AND '.join(where) if where else ''} ORDER BY started_at DESC LIMIT ?"
        )
        with closing(self._connect()) as db:
            db.create_function("run_matches", 4, _run_matches, deterministic=True)
            rows = db.execute(query, (*args, limit)).fetchall()
        return [dict(r) for r in rows]

    def show(self, run_id: str) -> dict:
        with closing(self._connect()) as db:
            rows = db.execute(
                "SELECT * FROM runs WHERE substr(id, 1, ?) = ? ORDER BY started_at", (len(run_id), run_id)
            ).fetchall()
            if not rows:
                raise VibeError(f"no run with id {run_id} in the logbook")
            if len(rows) > 1:
                raise VibeError(f"run id {run_id} is ambiguous: {', '.join(r['id'] for r in rows)}")
            run = dict(rows[0])
            run["calls"] = [
                dict(a) for a in db.execute("SELECT * FROM calls WHERE run_id = ? ORDER BY number", (run["id"],))
            ]
        return run

    def pending_outcomes(self, repo_root: str, head: str) -> list[dict]:
        """Committed runs in this repository whose outcome may still change and was last checked before HEAD moved."""
        try:
            with closing(self._connect()) as db:
                rows = db.execute(
                    "SELECT id, commit_sha, files FROM runs WHERE repo_root = ? AND commit_sha IS NOT NULL "
                    "AND outcome = 'applied' AND (outcome_head IS NULL OR outcome_head != ?) ORDER BY started_at",
                    (repo_root, head),
                ).fetchall()
        except sqlite3.Error as exc:
            self.unavailable = f"cannot read the logbook {self.path}: {exc}"
            raise VibeError(self.unavailable) from None
        return [dict(r) for r in rows]

    def set_outcomes(self, updates: list[tuple[str, str | None, dict | None]], head: str) -> None:
        """(run id, new outcome or None for unchanged, detail) for each run checked against `head`."""
        try:
            with closing(self._connect()) as db, db:
                for run_id, outcome, detail in updates:
                    if outcome is None:
                        db.execute("UPDATE runs SET outcome_head = ? WHERE id = ?", (head, run_id))
                    else:
                        db.execute(
                            "UPDATE runs SET outcome = ?, outcome_detail = ?, outcome_head = ?, outcome_at = ? WHERE id = ?",
                            (outcome, json.dumps(detail), head, time.time(), run_id),
                        )
        except sqlite3.Error as exc:
            self.unavailable = f"cannot write to the logbook {self.path}: {exc}"
            raise VibeError(self.unavailable) from None

    def runs_with_calls(self, since: float | None = None, repo_root: str | None = None) -> list[dict]:
        """Every run (oldest first) with its calls, for `vibecli data export`."""
        query, args = "SELECT * FROM runs WHERE 1=1", []
        if since is not None:
            query += " AND started_at >= ?"
            args.append(since)
        if repo_root is not None:
            query += " AND repo_root = ?"
            args.append(repo_root)
        with closing(self._connect()) as db:
            runs = [dict(r) for r in db.execute(query + " ORDER BY started_at", args)]
            for run in runs:
                run["calls"] = [
                    dict(a) for a in db.execute("SELECT * FROM calls WHERE run_id = ? ORDER BY number", (run["id"],))
                ]
                run["candidates"] = [dict(c) for c in db.execute(
                    "SELECT * FROM candidates WHERE run_id = ? ORDER BY attempt, idx", (run["id"],))]
        return runs
