"""`route: local|remote|auto`: the replay backend as the local side, a loopback OpenAI-compatible
server as the larger one; real git repositories; both attempts in the logbook, linked."""

from __future__ import annotations

import sqlite3
import sys

from conftest import GREET, LINT_SCRIPT, RETURN_GREET, answer, git, replay_file, run_cli
from fake_openai import FakeOpenAI, stream

from vibecli.routing import escalates, plan
from vibecli.settings import Settings

INSTRUCTION = "make greet() return the greeting instead of printing it"
RETURNED = GREET.replace('print("Hello, " + name)', 'return "Hello, " + name')
LINT = f"{sys.executable} lint.py"


def edit(tmp_path, *flags: str, answers: tuple[str, ...] = ("this is not an edit",)):
    replay = replay_file(tmp_path, *answers)
    return run_cli("edit", INSTRUCTION, "greet.py", "--backend", "replay", "--replay-file", str(replay),
                   "--max-attempts", "1", "--json", *flags)


def runs(home) -> dict[str, sqlite3.Row]:
    db = sqlite3.connect(home / "logbook.db")
    db.row_factory = sqlite3.Row
    return {r["id"]: r for r in db.execute("SELECT * FROM runs")}


def test_auto_escalates_a_rejected_answer_and_links_both_runs(repo, tmp_path, vibecli_home):
    with FakeOpenAI(stream(RETURN_GREET)) as fake:
        result = edit(tmp_path, "--route", "auto", "--endpoint", fake.url, "--endpoint-model", "big")
    assert result.exit_code == 0, result.stderr
    report = result.json
    assert report["status"] == "applied" and report["backend"] == "openai" and report["model"] == "big"
    local = report["escalated_from"]
    assert local["backend"] == "replay" and local["status"] == "rejected" and local["exit_code"] == 3
    assert (repo / "greet.py").read_text() == RETURNED
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "2"  # one commit, from the larger model
    assert "### File: greet.py" in fake.requests[0]["body"]["prompt"]
    logged = runs(vibecli_home)
    assert set(logged) == {local["run_id"], report["run_id"]}
    assert logged[local["run_id"]]["status"] == "rejected" and logged[local["run_id"]]["backend"] == "replay"
    assert logged[report["run_id"]]["escalated_from"] == local["run_id"]
    assert logged[report["run_id"]]["backend"] == "openai"


def test_auto_escalates_an_edit_whose_checks_fail_from_the_original_files(repo, tmp_path, vibecli_home):
    (repo / "lint.py").write_text(LINT_SCRIPT)
    git(repo, "add", "lint.py")
    git(repo, "commit", "-qm", "lint")
    still_prints = answer("greet.py", "greet", 'def greet(name):\n    print("Hi, " + name)\n')
    with FakeOpenAI(stream(RETURN_GREET)) as fake:
        result = edit(tmp_path, "--route", "auto", "--endpoint", fake.url, "--lint-cmd", LINT, "--max-rounds", "1",
                      "--keep-failed", answers=(still_prints,))
    assert result.exit_code == 0, result.stderr
    report = result.json
    assert report["escalated_from"]["status"] == "checks_failed" and report["backend"] == "openai"
    # the larger model saw the file as it was, not the local attempt that failed the checks
    assert 'print("Hello, " + name)' in fake.requests[0]["body"]["prompt"]
    assert "Hi, " not in fake.requests[0]["body"]["prompt"]
    assert (repo / "greet.py").read_text() == RETURNED
    assert [c["passed"] for c in report["checks"]] == [True]


def test_auto_escalates_an_answer_that_changes_nothing(repo, tmp_path):
    unchanged = answer("greet.py", "greet", 'def greet(name):\n    print("Hello, " + name)\n')
    with FakeOpenAI(stream(RETURN_GREET)) as fake:
        result = edit(tmp_path, "--route", "auto", "--endpoint", fake.url, answers=(unchanged,))
    assert result.exit_code == 0, result.stderr
    assert result.json["escalated_from"]["status"] == "no_change" and result.json["escalated_from"]["exit_code"] == 3
    assert result.json["backend"] == "openai" and (repo / "greet.py").read_text() == RETURNED


def test_auto_keeps_an_accepted_local_answer_and_asks_nobody_else(repo, tmp_path):
    with FakeOpenAI() as fake:
        result = edit(tmp_path, "--route", "auto", "--endpoint", fake.url, answers=(RETURN_GREET,))
    assert result.exit_code == 0
    assert result.json["backend"] == "replay" and result.json["escalated_from"] is None
    assert fake.requests == []


def test_local_route_never_leaves_the_local_backend(repo, tmp_path):
    with FakeOpenAI(stream(RETURN_GREET)) as fake:
        result = edit(tmp_path, "--endpoint", fake.url)
    assert result.exit_code == 3 and result.json["status"] == "rejected"
    assert fake.requests == []
    assert (repo / "greet.py").read_text() == GREET


def test_remote_route_asks_only_the_larger_backend(repo, tmp_path, vibecli_home):
    with FakeOpenAI(stream(RETURN_GREET)) as fake:
        result = edit(tmp_path, "--route", "remote", "--endpoint", fake.url)
    assert result.exit_code == 0, result.stderr
    assert result.json["backend"] == "openai" and result.json["escalated_from"] is None
    assert len(runs(vibecli_home)) == 1


def test_a_refusal_is_not_escalated(repo, tmp_path):
    (repo / "greet.py").write_text(GREET + "# mine\n")
    with FakeOpenAI(stream(RETURN_GREET)) as fake:
        result = edit(tmp_path, "--route", "auto", "--endpoint", fake.url)
    assert result.exit_code == 5 and fake.requests == []
    assert (repo / "greet.py").read_text() == GREET + "# mine\n"


def test_remote_failure_is_one_line_after_the_local_rejection(repo, tmp_path):
    with FakeOpenAI() as fake:  # every request gets a 500
        result = run_cli("edit", INSTRUCTION, "greet.py", "--backend", "replay", "--replay-file",
                         str(replay_file(tmp_path, "not an edit")), "--max-attempts", "1", "--route", "auto",
                         "--endpoint", fake.url)
    assert result.exit_code == 1
    first, error = result.stderr.strip().split("\n")  # the escalation note, then one error line
    assert first.startswith("replay answer rejected") and "asking openai" in first
    assert error.startswith("vibecli: error: ") and "server error 500, still after 2 retries" in error
    assert (repo / "greet.py").read_text() == GREET


def test_profiles_from_the_project_config_and_the_key_kept_out_of_the_logbook(repo, tmp_path, vibecli_home,
                                                                              monkeypatch):
    monkeypatch.setenv("BIG_KEY", "sk-very-secret-123")
    with FakeOpenAI(stream(RETURN_GREET)) as fake:
        (repo / ".vibecli.yaml").write_text(
            "route: auto\nremote: big\n"
            f"backends:\n  big:\n    type: openai\n    endpoint: {fake.url}\n    endpoint_model: qwen-coder\n"
            "    api_key_env: BIG_KEY\n"
        )
        git(repo, "add", ".vibecli.yaml")
        git(repo, "commit", "-qm", "config")
        assert run_cli("trust").exit_code == 0  # a project's profiles reach a network: the user trusts the file
        result = edit(tmp_path)
    assert result.exit_code == 0, result.stderr
    assert result.json["backend"] == "openai" and result.json["model"] == "qwen-coder"
    assert fake.requests[0]["headers"]["Authorization"] == "Bearer sk-very-secret-123"
    assert b"sk-very-secret-123" not in (vibecli_home / "logbook.db").read_bytes()
    run = runs(vibecli_home)[result.json["run_id"]]
    assert '"api_key_env": "BIG_KEY"' in run["settings"]


def test_config_errors_are_one_line(repo):
    result = run_cli("edit", INSTRUCTION, "greet.py", "--route", "auto", "--json")
    assert result.exit_code == 1 and "needs --endpoint URL" in result.json["message"]
    result = run_cli("edit", INSTRUCTION, "greet.py", "--route", "sideways", "--json")  # a bad flag: usage, exit 2
    assert result.exit_code == 2 and "--route must be one of local, remote, auto" in result.json["message"]
    result = run_cli("edit", INSTRUCTION, "greet.py", "--backend", "nope", "--json")
    assert result.exit_code == 2 and "--backend must name a backend or a profile" in result.json["message"]
    (repo / ".vibecli.yaml").write_text("backend: nope\n")
    result = run_cli("edit", INSTRUCTION, "greet.py", "--json", "--trust-project")  # in a file: exit 1
    assert result.exit_code == 1 and "unknown backend 'nope'" in result.json["message"]


def test_plan_and_the_escalation_rule():
    settings = Settings(backend="llama", endpoint="http://127.0.0.1:1/v1", route="auto")
    sides = plan(settings)
    assert [(s.label, s.settings.backend) for s in sides] == [("local", "llama"), ("remote", "openai")]
    from vibecli.core import Report

    assert all(escalates(Report(run_id="x", status=s)) for s in ("rejected", "no_change", "checks_failed"))
    assert not any(escalates(Report(run_id="x", status=s)) for s in ("applied", "declined", "refused", "error"))


def test_json_lines_announce_the_escalation(repo, tmp_path):
    import json

    with FakeOpenAI(stream(RETURN_GREET)) as fake:
        result = run_cli("edit", INSTRUCTION, "greet.py", "--backend", "replay", "--replay-file",
                         str(replay_file(tmp_path, "not an edit")), "--max-attempts", "1", "--route", "auto",
                         "--endpoint", fake.url, "--json-lines")
    events = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    escalated = [e for e in events if e["event"] == "escalated"]
    assert escalated == [{"event": "escalated", "from_run": escalated[0]["from_run"], "from_backend": "replay",
                          "status": "rejected", "to_backend": "openai"}]
    assert events[-1]["event"] == "done" and events[-1]["report"]["backend"] == "openai"


def test_batch_routes_each_task(repo, tmp_path):
    (repo / "tasks.yaml").write_text(f"- instruction: {INSTRUCTION}\n  paths: [greet.py]\n")
    with FakeOpenAI(stream(RETURN_GREET)) as fake:
        result = run_cli("batch", "tasks.yaml", "--backend", "replay", "--replay-file",
                         str(replay_file(tmp_path, "not an edit")), "--max-attempts", "1", "--route", "auto",
                         "--endpoint", fake.url, "--endpoint-model", "big", "--json")
    assert result.exit_code == 0, result.stderr
    (only,) = result.json["results"]
    assert only["backend"] == "openai" and only["escalated_from"]["backend"] == "replay"
    assert (repo / "greet.py").read_text() == RETURNED
