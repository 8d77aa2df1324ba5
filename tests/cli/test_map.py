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


def _map(*args: str) -> tuple[str, set[str]]:
    """`vibecli map` as a user's shell runs it: its output and the modules it imported."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "vibecli", "map", *args], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    return done.stdout, imported


HEAVY = {"llama_cpp", "numpy", "git", "typer", "rich", "pydantic", "tree_sitter"}


def test_a_map_of_an_unchanged_repository_loads_no_vocabulary(two_files, embedded_model):
    first, imported = _map("greet.py")
    assert "llama_cpp" in imported  # counted with the model's own tokenizer
    again, imported = _map("greet.py")
    assert again == first and not HEAVY & imported  # the remembered map: no vocabulary, no full command line
    json_map = run_cli("map", "greet.py", "--json").json
    assert json_map["map"] == first and json_map["counter"] == "model" and json_map["scan"]["files"] == 2
    # another request over the same texts: mapped again, counted from the kept counts
    other, imported = _map("greet.py", "-i", "shout")
    assert "llama_cpp" not in imported and "numpy" in imported and other == first


def test_a_changed_file_is_mapped_afresh(two_files):
    before, _ = _map("greet.py", "--estimate")
    assert "def whisper(text):" in before
    (two_files / "names.py").write_text(HELPERS.replace("whisper", "murmur"))
    after, imported = _map("greet.py", "--estimate")
    assert "def murmur(text):" in after and "whisper" not in after and "numpy" in imported
    untracked = two_files / "more.py"
    untracked.write_text("def sing():\n    return 1\n")
    assert "def sing():" in _map("greet.py", "--estimate")[0]
    assert run_cli("map", "greet.py", "--estimate").stdout == _map("greet.py", "--estimate")[0]


def test_every_part_of_the_request_keys_the_remembered_map(two_files):
    plain, _ = _map("--estimate")
    named, _ = _map("greet.py", "--estimate")
    small, _ = _map("--estimate", "--tokens", "6")
    assert len({plain, named, small}) == 3 and "greet.py:" in plain and "greet.py:" not in named
    assert _map("--estimate")[0] == plain and _map("greet.py", "--estimate")[0] == named
    assert _map("--estimate", "--tokens=6")[0] == small
