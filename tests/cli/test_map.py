"""`vibecli map`: the map a request would see, and why."""

from __future__ import annotations

import pytest

from conftest import git, run_cli

HELPERS = "def shout(text):\n    return text.upper()\n\n\ndef whisper(text):\n    return text.lower()\n"


@pytest.fixture
def two_files(repo):
    (repo / "names.py").write_text(HELPERS)
    (repo / "data.bin").write_bytes(b"\0" * 10)
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "names")
    return repo


def test_map_prints_the_definitions_of_the_files_not_named(two_files):
    result = run_cli("map", "greet.py", "--estimate")
    assert result.exit_code == 0
    assert result.stdout == "names.py:\n  def shout(text):\n  def whisper(text):\n"


def test_map_json_reports_the_budget_and_what_was_left_out(two_files):
    result = run_cli("map", "--estimate", "--tokens", "6", "--json", "--explain")
    assert result.exit_code == 0
    obj = result.json
    assert obj["tokens"] <= obj["budget"] == 6 and obj["left_out_files"] == 1
    assert obj["skipped"] == {"not source": 1}
    assert {row["path"] for row in obj["explain"]} == set(obj["shown"])


def test_map_explain_says_why_a_file_ranked(two_files):
    result = run_cli("map", "--estimate", "--explain", "-i", "make shout add an exclamation mark")
    assert result.exit_code == 0
    assert "names.py: rank" in result.stderr and "defines a mentioned name" in result.stderr
    assert "skipped: 1 not source" in result.stderr


def test_map_counts_with_the_models_tokenizer(two_files, embedded_model):
    result = run_cli("map", "--tokens", "9", "--json")
    assert result.exit_code == 0 and result.json["counter"] == "model"
    assert 0 < result.json["tokens"] <= 9


def test_map_with_a_bad_budget_is_a_usage_error(two_files):
    assert run_cli("map", "--tokens", "0").exit_code == 2
