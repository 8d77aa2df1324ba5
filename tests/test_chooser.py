"""Several candidates an attempt (`--candidates N`): validation, the structural guard, selection by
the checks (each in a copy of the tree) or by agreement, and what the report and logbook keep."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import GREET, answer, git, run_cli

RUFF = f"{sys.executable} -m ruff check --no-cache --isolated --select T20 ."
"""Real ruff as the lint check: it flags every print()."""
LOSER_MARK = "checked-and-failed.txt"
# a check that leaves a file in its working folder when it fails: the user's tree must never get it
MARKING_RUFF = f"{RUFF} || (echo failed > {LOSER_MARK}; exit 1)"

PRINTS = answer("greet.py", "greet", 'def greet(name):\n    print("Hi, " + name)\n')
RETURNS = answer("greet.py", "greet", 'def greet(name):\n    return "Hello, " + name\n')
RETURNS_SPACED = answer("greet.py", "greet", 'def greet( name ):\n    return ("Hello, " + name)\n')
RETURNS_OTHER = answer("greet.py", "greet", 'def greet(name):\n    return "Hey, " + name\n')


def _script(tmp_path, *calls: list) -> str:
    """A replay file whose each line scripts the candidates of one call."""
    path = tmp_path / "candidates.jsonl"
    path.write_text("".join(json.dumps({"candidates": c}) + "\n" for c in calls))
    return str(path)


def _edit(tmp_path, instruction: str, *flags: str, calls: list[list]):
    return run_cli("edit", instruction, "greet.py", "--backend", "replay", "--replay-file", _script(tmp_path, *calls),
                   "--json", *flags)


def test_the_first_candidate_to_pass_the_checks_wins_when_greedy_fails(repo, tmp_path):
    calls = [[PRINTS, {"text": RETURNS_OTHER, "logprob": -0.9}, {"text": RETURNS, "logprob": -0.2}]]
    result = _edit(tmp_path, "greet without printing", "--candidates", "3", "--lint-cmd", MARKING_RUFF, calls=calls)
    assert result.exit_code == 0, result.stdout
    report = result.json
    assert '"Hello, " + name' in (repo / "greet.py").read_text() and "print" not in (repo / "greet.py").read_text()
    got = report["candidates"]
    assert (got["asked"], got["valid"], got["distinct"]) == (3, 3, 3)
    # greedy first, then by log-probability: RETURNS (-0.2) is tried before RETURNS_OTHER (-0.9)
    assert (got["checked"], got["passed"]) == (2, 1)
    assert got["winner"] == {"attempt": 1, "index": 2}
    assert "pass the checks" in got["why"]
    verdicts = {c["index"]: c["verdict"] for c in got["list"]}
    assert verdicts == {0: "failed", 1: "valid", 2: "chosen"}
    assert 'print("Hi, " + name)' in got["list"][0]["diff"] and "T201" in got["list"][0]["reason"]
    assert not (repo / LOSER_MARK).exists()  # the losing candidate's check wrote only in its own copy
    assert git(repo, "status", "--porcelain") == ""
    assert report["checks"][-1]["passed"] is True  # the winner's checks, run again in the user's tree


def test_when_none_passes_the_closest_goes_to_the_next_round_and_the_tree_stays_untouched(repo, tmp_path):
    calls = [[PRINTS, PRINTS.replace("Hi", "Yo")], [RETURNS, PRINTS]]
    result = _edit(tmp_path, "greet without printing", "--candidates", "2", "--lint-cmd", MARKING_RUFF, calls=calls)
    assert result.exit_code == 0, result.stdout
    report = result.json
    assert report["rounds"] == 2 and report["attempts"] == 2
    assert [c["passed"] for c in report["checks"]] == [False, True]
    assert not (repo / LOSER_MARK).exists()
    shown = run_cli("log", "show", report["run_id"], "--json").json["calls"][1]["prompt"]
    assert "the checks failed" in shown and "T201" in shown


def test_without_checks_the_candidates_that_agree_win(repo, tmp_path):
    calls = [[RETURNS_OTHER, {"text": RETURNS, "logprob": -0.8}, {"text": RETURNS_SPACED, "logprob": -0.9}]]
    report = _edit(tmp_path, "return the greeting", "--candidates", "3", calls=calls).json
    assert report["status"] == "applied"
    assert report["candidates"]["winner"]["index"] == 1  # same syntax tree as index 2: two of three agree
    assert "2 of 3" in report["candidates"]["why"]
    assert '"Hello, " + name' in (repo / "greet.py").read_text()


def test_select_greedy_and_no_agreement_keep_the_greedy_answer(repo, tmp_path):
    calls = [[RETURNS_OTHER, RETURNS, RETURNS_SPACED]]
    report = _edit(tmp_path, "return the greeting", "--candidates", "3", "--select", "greedy", calls=calls).json
    assert report["candidates"]["winner"]["index"] == 0 and "greedy" in report["candidates"]["why"]
    git(repo, "reset", "-q", "--hard", "HEAD~1")
    calls = [[RETURNS_OTHER, {"text": RETURNS, "logprob": -0.1}, PRINTS]]
    report = _edit(tmp_path, "return the greeting", "--candidates", "3", calls=calls).json
    assert report["candidates"]["winner"]["index"] == 0 and "no two candidates agree" in report["candidates"]["why"]


def test_identical_results_are_merged_and_counted(repo, tmp_path):
    calls = [[RETURNS, RETURNS, RETURNS + "\n", "not an answer at all"]]
    report = _edit(tmp_path, "return the greeting", "--candidates", "4", "--lint-cmd", RUFF, calls=calls).json
    got = report["candidates"]
    assert (got["asked"], got["valid"], got["distinct"], got["checked"]) == (4, 3, 1, 0)
    assert got["why"] == "the only valid result"
    assert [c["verdict"] for c in got["list"]] == ["chosen", "chosen", "chosen", "invalid"]
    assert got["list"][3]["reason"] and got["list"][3]["diff"] == ""


def test_the_structural_guard_rejects_a_deleted_class_and_says_why_on_retry(repo, tmp_path):
    (repo / "shapes.py").write_text("class Square:\n    def area(self):\n        return 1\n\n\n"
                                    "class Circle:\n    def area(self):\n        return 3\n\n    def old(self):\n"
                                    "        return 0\n")
    git(repo, "add", "shapes.py")
    git(repo, "commit", "-qm", "shapes")
    wrecked = answer("shapes.py", None, "class Square:\n    def area(self):\n        return 1\n", op="rewrite")
    kept = answer("shapes.py", None, "class Square:\n    def area(self):\n        return 1\n\n\n"
                  "class Circle:\n    def area(self):\n        return 3\n", op="rewrite")
    replay = tmp_path / "a.jsonl"
    replay.write_text("".join(json.dumps({"text": t}) + "\n" for t in (wrecked, kept)))
    result = run_cli("edit", "remove the old method", "shapes.py", "--backend", "replay", "--replay-file", str(replay),
                     "--json")
    assert result.exit_code == 0, result.stdout
    assert "class Circle" in (repo / "shapes.py").read_text() and "def old" not in (repo / "shapes.py").read_text()
    calls = run_cli("log", "show", result.json["run_id"], "--json").json["calls"]
    assert "deletes or renames Circle, Circle.area" in calls[0]["error"]
    assert "deletes or renames Circle, Circle.area" in calls[1]["prompt"]


def test_a_candidate_that_uses_a_name_nothing_defines_is_invalid(repo, tmp_path):
    # what the embedded model answered to the README's own request: main() printing an unbound `name`
    unbound = answer("greet.py", "main", 'def main():\n    print("Hello, " + name)\n')
    calls = [[unbound, {"text": unbound, "logprob": -0.3}, {"text": RETURNS, "logprob": -0.9}]]
    report = _edit(tmp_path, "make greet() return the greeting instead of printing it", "--candidates", "3",
                   calls=calls).json
    assert report["status"] == "applied"
    got = report["candidates"]
    assert [c["verdict"] for c in got["list"]] == ["invalid", "invalid", "chosen"]
    assert "uses name in greet.py" in got["list"][0]["reason"]
    assert '"Hello, " + name' in (repo / "greet.py").read_text() and 'greet("world")' in (repo / "greet.py").read_text()


def test_a_candidate_naming_git_or_a_protected_path_is_refused_like_a_single_answer(repo, tmp_path):
    for hostile in (answer(".git/config", None, "[core]\n", op="create"),
                    answer(".github/workflows/x.yml", None, "on: push\n", op="create")):
        result = _edit(tmp_path, "return the greeting", "--candidates", "2", calls=[[RETURNS, hostile]])
        assert result.exit_code == 5, result.stdout
        assert result.json["status"] == "refused"
        assert (repo / "greet.py").read_text() == GREET
        assert not (repo / ".github").exists()
        assert git(repo, "status", "--porcelain") == ""
        assert result.json["candidates"]["list"][1]["verdict"] == "refused"


def test_the_logbook_keeps_every_candidate_and_export_gives_pairs(repo, tmp_path):
    calls = [[PRINTS, {"text": RETURNS, "logprob": -0.2}]]
    result = _edit(tmp_path, "greet without printing", "--candidates", "2", "--lint-cmd", RUFF, calls=calls)
    assert result.exit_code == 0, result.stdout
    from vibecli import paths
    from vibecli.logbook import Logbook

    runs = Logbook(paths.data_dir() / "logbook.db").runs_with_calls()
    rows = runs[-1]["candidates"]
    assert [(r["idx"], r["verdict"]) for r in rows] == [(0, "failed"), (1, "chosen")]
    assert "T201" in rows[0]["reason"] and rows[1]["diff"].startswith("--- a/greet.py")
    out, pairs = tmp_path / "examples.jsonl", tmp_path / "pairs.jsonl"
    assert run_cli("data", "export", "--out", str(out), "--pairs", str(pairs)).exit_code == 0
    found = [json.loads(line) for line in pairs.read_text().splitlines()]
    mine = [p for p in found if p["meta"]["source"] == "candidates"]
    assert len(mine) == 1
    assert "return" in mine[0]["chosen"] and "print" in mine[0]["rejected"]
    assert "greet without printing" in mine[0]["prompt"]


@pytest.mark.model
def test_two_candidates_on_the_embedded_model_land_or_reject_cleanly(repo, vibecli_home):
    proc = subprocess.run(
        [sys.executable, "-m", "vibecli", "edit", "make greet() return the greeting instead of printing it",
         "greet.py", "--json", "--candidates", "2", "--threads", "2", "--max-attempts", "1", "--max-tokens", "96"],
        cwd=repo, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300,
        env={**os.environ, "VIBECLI_HOME": str(vibecli_home)},
    )
    assert proc.returncode in (0, 3), proc.stderr
    assert "Traceback" not in proc.stderr
    report = json.loads(proc.stdout)
    got = report["candidates"]
    assert got["asked"] == 2 and [c["index"] for c in got["list"]] == [0, 1]
    assert got["list"][0]["seed"] is None and got["list"][1]["seed"] is not None
    assert all(c["logprob"] is not None and c["logprob"] <= 0 for c in got["list"])
    if report["status"] == "applied":
        assert got["winner"]["index"] in (0, 1) and got["valid"] >= 1
    else:
        assert (repo / "greet.py").read_text() == GREET
