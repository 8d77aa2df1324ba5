"""`vibecli data export`: real (replayed) runs in real git repositories, exported from the logbook."""

from __future__ import annotations

import json

from conftest import RETURN_GREET, answer, edit_replay, git, run_cli
from vibecli.prompts import edit_prompt

BROKEN = "@@ replace greet.py nosuch\n```python\ndef nosuch():\n    pass\n```\n@@ done"


def _export(tmp_path, *flags: str) -> tuple[list[dict], list[dict], dict]:
    out, pairs = tmp_path / "ex.jsonl", tmp_path / "pairs.jsonl"
    result = run_cli("data", "export", "--out", str(out), "--pairs", str(pairs), "--json", *flags)
    assert result.exit_code == 0, result.stdout + result.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    pair_rows = [json.loads(line) for line in pairs.read_text().splitlines()]
    return rows, pair_rows, result.json


def test_an_applied_run_exports_its_first_prompt_and_its_answer_in_vibecli_format(repo, tmp_path):
    result = edit_replay(tmp_path, "make greet return the greeting", "greet.py", "--format", "symbol", "--grammar", "off",
                         answers=(BROKEN, RETURN_GREET))
    assert result.exit_code == 0, result.stdout
    rows, pairs, summary = _export(tmp_path)
    assert summary["examples"] == 1 and summary["runs"] == 1
    row = rows[0]
    assert row["answer"] == RETURN_GREET
    # exactly the prompt vibecli rendered for the first attempt
    from vibecli.edits.apply import symbol_table
    from vibecli.edits.fileio import read_source

    source = read_source(repo / "greet.py", "greet.py", 10**6)
    text = git(repo, "show", "HEAD~1:greet.py")
    shown = [{"path": "greet.py", "language": "python", "text": text, "symbols": symbol_table({"greet.py": source})["greet.py"]}]
    assert row["prompt"] == edit_prompt("symbol", shown, "make greet return the greeting", [])
    # the rejected first answer is the worse half of a preference pair
    assert len(pairs) == 1 and pairs[0]["chosen"] == RETURN_GREET and "nosuch" in pairs[0]["rejected"]


def test_a_human_amendment_becomes_the_answer_and_vibecli_s_answer_the_rejected_one(repo, tmp_path):
    assert edit_replay(tmp_path, "make greet return the greeting", "greet.py", answers=(RETURN_GREET,)).exit_code == 0
    text = (repo / "greet.py").read_text().replace('"Hello, " + name', 'f"Hello, {name}!"')
    (repo / "greet.py").write_text(text)
    git(repo, "commit", "-qam", "f-string")
    # the next run updates outcomes
    assert edit_replay(tmp_path, "make main quiet", "greet.py",
                       answers=(answer("greet.py", "main", "def main():\n    pass\n"),)).exit_code == 0
    rows, pairs, summary = _export(tmp_path)
    assert summary["corrected"] == 1
    human = next(r for r in rows if r["meta"]["source"] == "human")
    assert human["answer"].startswith("@@ replace greet.py greet\n")
    assert 'return f"Hello, {name}!"' in human["answer"]
    assert any(p["chosen"] == human["answer"] and p["rejected"] == RETURN_GREET for p in pairs)
    rows, _, summary = _export(tmp_path, "--no-corrected")
    assert summary["corrected"] == 0
    assert any(r["answer"] == RETURN_GREET for r in rows)


def test_reverted_runs_are_left_out_and_kept_only_needs_later_history(repo, tmp_path):
    assert edit_replay(tmp_path, "make greet return the greeting", "greet.py", answers=(RETURN_GREET,)).exit_code == 0
    assert run_cli("undo").exit_code == 0
    second = edit_replay(tmp_path, "make greet return the greeting", "greet.py", answers=(RETURN_GREET,))
    assert second.exit_code == 0
    rows, _, summary = _export(tmp_path)
    assert summary["by_outcome"]["reverted"] == 1
    assert [r["meta"]["run_id"] for r in rows] == [second.json["run_id"]]
    # nothing has landed on top of the second run yet: not known to be kept
    _, _, summary = _export(tmp_path, "--kept-only")
    assert summary["examples"] == 0 and summary["filtered"] == 2
    # a later commit on top, seen by an outcome update: now kept
    (repo / "other.txt").write_text("x\n")
    git(repo, "add", "other.txt")
    git(repo, "commit", "-qm", "unrelated")
    from vibecli import paths
    from vibecli.git import GitRepo
    from vibecli.logbook import Logbook
    from vibecli.outcomes import update_outcomes

    update_outcomes(Logbook(paths.logbook_file()), GitRepo.find(repo))
    rows, _, summary = _export(tmp_path, "--kept-only")
    assert [r["meta"]["run_id"] for r in rows] == [second.json["run_id"]]


def test_since_and_repo_filter_runs(repo, tmp_path):
    assert edit_replay(tmp_path, "make greet return the greeting", "greet.py", answers=(RETURN_GREET,)).exit_code == 0
    assert _export(tmp_path, "--since", "1h")[2]["examples"] == 1
    assert _export(tmp_path, "--since", "2999-01-01")[2]["runs"] == 0
    assert _export(tmp_path, "--repo", str(repo))[2]["runs"] == 1
    assert _export(tmp_path, "--repo", str(tmp_path))[2]["runs"] == 0
    bad = run_cli("data", "export", "--since", "yesterday")
    assert bad.exit_code == 2 and "--since" in bad.stderr


def test_secrets_are_scrubbed_and_duplicates_dropped(repo, tmp_path):
    (repo / "settings.py").write_text('API_KEY = "sk-abcdefghijklmnopqrstuvwx1234"\n\n\ndef url():\n    return "x"\n')
    git(repo, "add", "settings.py")
    git(repo, "commit", "-qm", "settings")
    new_url = answer("settings.py", "url", 'def url():\n    return "https://api.example.com"\n')
    for _ in range(2):
        result = edit_replay(tmp_path, "point url at the api", "settings.py", "--no-commit", answers=(new_url,))
        assert result.exit_code == 0, result.stdout
        git(repo, "checkout", "--", "settings.py")
    rows, _, summary = _export(tmp_path)
    assert summary["examples"] == 1 and summary["duplicates"] == 1
    assert summary["secrets"] >= 1
    assert "sk-abcdefghijklmnopqrstuvwx1234" not in rows[0]["prompt"]
    assert "<redacted>" in rows[0]["prompt"]


def test_export_to_standard_output_with_an_empty_logbook(tmp_path):
    result = run_cli("data", "export")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "0 examples" in result.stderr
