"""`vibecli data export --logbook A --logbook B`: the logbooks of several machines as one data set,
each run once and each example once."""

from __future__ import annotations

import json
import shutil

from conftest import answer, edit_replay, git, run_cli


def _machine(tmp_path, monkeypatch, name: str, repo, instruction: str, new_body: str):
    """A run on `name`'s own vibecli home; returns that machine's logbook file."""
    home = tmp_path / name
    monkeypatch.setenv("VIBECLI_HOME", str(home))
    change = answer("greet.py", "greet", new_body)
    result = edit_replay(tmp_path, instruction, "greet.py", "--no-commit", answers=(change,))
    assert result.exit_code == 0, result.stdout
    git(repo, "checkout", "--", "greet.py")
    return home / "logbook.db"


def _export(tmp_path, *logbooks) -> tuple[list[dict], dict]:
    out = tmp_path / "merged.jsonl"
    flags = [arg for book in logbooks for arg in ("--logbook", str(book))]
    result = run_cli("data", "export", "--out", str(out), "--json", *flags)
    assert result.exit_code == 0, result.stdout + result.stderr
    return [json.loads(line) for line in out.read_text().splitlines()], result.json


def test_logbooks_of_several_machines_merge_each_run_and_example_once(repo, tmp_path, monkeypatch):
    first = _machine(tmp_path, monkeypatch, "laptop", repo, "make greet return the greeting",
                     'def greet(name):\n    return "Hello, " + name\n')
    second = _machine(tmp_path, monkeypatch, "ci", repo, "greet in French",
                      'def greet(name):\n    print("Bonjour, " + name)\n')
    third = _machine(tmp_path, monkeypatch, "desktop", repo, "make greet return the greeting",
                     'def greet(name):\n    return "Hello, " + name\n')  # the laptop's example again
    copy = tmp_path / "laptop-copy.db"
    shutil.copy(first, copy)  # the same logbook reached us twice
    rows, summary = _export(tmp_path, first, second, third, copy)
    assert summary["runs"] == 3  # the copy's run is the laptop's run
    assert summary["examples"] == 2 and summary["duplicates"] == 1
    assert sorted("Bonjour" in row["answer"] for row in rows) == [False, True]
    alone, _ = _export(tmp_path, second)
    assert len(alone) == 1 and "Bonjour" in alone[0]["answer"]


def test_a_logbook_that_is_not_there_is_a_usage_error(tmp_path):
    result = run_cli("data", "export", "--logbook", str(tmp_path / "none.db"))
    assert result.exit_code == 2 and "--logbook" in result.stderr
    assert not (tmp_path / "none.db").exists()
