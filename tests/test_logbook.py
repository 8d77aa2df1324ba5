"""Logbook migrations on a real SQLite file."""

from __future__ import annotations

import sqlite3

from vibecli.core import Report
from vibecli.logbook import MIGRATIONS, Logbook
from vibecli.run_record import RunRecord


def test_a_version_1_logbook_gains_escalated_from_and_keeps_its_runs(tmp_path):
    path = tmp_path / "logbook.db"
    db = sqlite3.connect(path)
    MIGRATIONS[0](db)
    db.execute("PRAGMA user_version = 1")
    db.execute("INSERT INTO runs (id, started_at, command, instruction, paths, status, exit_code, files) "
               "VALUES ('old', 1.0, 'edit', 'x', '[]', 'applied', 0, '[]')")
    db.commit()
    db.close()
    book = Logbook(path)
    run = RunRecord(id="new", command="edit", instruction="y", paths=[], repo_root=None, escalated_from="old")
    book.record(run, Report(run_id="new", status="applied"))
    assert book.show("old")["escalated_from"] is None
    assert book.show("new")["escalated_from"] == "old"
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_a_migration_that_fails_halfway_leaves_the_schema_as_it_was(tmp_path, monkeypatch):
    import pytest

    from vibecli import logbook
    from vibecli.core import VibeError

    path = tmp_path / "logbook.db"
    db = sqlite3.connect(path)
    MIGRATIONS[0](db)
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()

    def breaks(db):
        db.execute("ALTER TABLE runs ADD COLUMN escalated_from TEXT")
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(logbook, "MIGRATIONS", [MIGRATIONS[0], breaks, *MIGRATIONS[2:]])
    with pytest.raises(VibeError):
        Logbook(path).recent()
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA user_version").fetchone()[0] == 1
        assert "escalated_from" not in {r[1] for r in check.execute("PRAGMA table_info(runs)")}
