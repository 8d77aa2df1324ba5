"""`vibecli new`: the choice, the fill and the edit through the replay backend; bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import git, replay_file, run_cli

NODE_FILL = ' {"project_name": "notes-service", "entity": "note", "port": 4000}'
# real edits on the generated src/app.js: a clearer 404 (the scaffold's tests still pass), and
# notes with a created-at time (which breaks the scaffold's test that compares a note exactly)
NODE_EDIT = (
    "@@ search src/app.js\n```javascript\n"
    '    if (!notes.has(id)) return send(res, 404, { error: "note not found" });\n'
    "```\n```javascript\n"
    '    if (!notes.has(id)) return send(res, 404, { error: `no note with id ${parts[1]}` });\n'
    "```\n@@ done"
)
BREAKING_EDIT = (
    "@@ search src/app.js\n```javascript\n"
    "        const note = { id: nextId++, title: data.title.trim() };\n"
    "```\n```javascript\n"
    "        const note = { id: nextId++, title: data.title.trim(), createdAt: new Date().toISOString() };\n"
    "```\n@@ done"
)


def new(tmp_path: Path, *args: str, answers: tuple[str, ...] = ("unused",)) -> "Result":  # noqa: F821
    replay = replay_file(tmp_path, *answers)
    return run_cli("new", *args, "--backend", "replay", "--replay-file", str(replay), "--json")


@pytest.fixture
def work(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def test_list_shows_every_scaffold(work):
    plain = run_cli("new", "--list")
    assert plain.exit_code == 0
    for name in ("python-cli", "fastapi-sqlite", "flask-webapp", "static-site", "python-lib", "node-service"):
        assert name in plain.stdout
    listed = run_cli("new", "--list", "--json").json["scaffolds"]
    assert {s["name"] for s in listed} >= {"python-cli", "node-service"}
    assert all(s["source"] == "shipped" and s["test"] for s in listed)


def test_choose_fill_render_commit_test_and_edit(work, tmp_path):
    result = new(tmp_path, "a Node service that keeps notes", "--test",
                 answers=(" a Node.js service", NODE_FILL, NODE_EDIT))
    assert result.exit_code == 0, result.stderr
    report = result.json
    target = work / "notes-service"
    assert report["scaffold"] == "node-service" and report["status"] == "created"
    assert report["dir"] == str(target)
    assert report["variables"] == {"project_name": "notes-service", "entity": "note", "port": 4000}
    assert report["test_command"] == "node --test" and report["notes"] == []
    assert [t["passed"] for t in report["tests"]] == [True]
    # two commits: the scaffold as generated, then the edit (checked by the scaffold's tests)
    assert len(report["commits"]) == 2
    assert git(target, "rev-list", "HEAD").split() == report["commits"][::-1]
    assert report["edit"]["status"] == "applied" and report["edit"]["files"] == ["src/app.js"]
    assert [c["name"] for c in report["edit"]["checks"]] == ["test"] and report["edit"]["checks"][0]["passed"]
    assert "no note with id" in (target / "src" / "app.js").read_text()
    assert "PORT || 4000" in (target / "src" / "index.js").read_text()
    first = git(target, "log", "-1", "--format=%B", report["commits"][0])
    assert "node-service" in first and f"Vibecli-Run: {report['run_id']}" in first
    assert git(target, "status", "--porcelain") == ""
    # the choice and the fill are in the logbook, as the edit is
    runs = {r["id"]: r for r in run_cli("log", "--json").json["runs"]}
    assert set(runs) == {report["run_id"], report["edit"]["run_id"]}
    shown = run_cli("log", "show", report["run_id"], "--json").json
    assert shown["command"] == "new" and shown["status"] == "created"
    assert [c["kind"] for c in shown["calls"]] == ["choose", "fill"]
    assert shown["calls"][0]["grammar"] is None  # the replay backend takes no grammar: none is claimed


def test_an_edit_that_breaks_the_scaffolds_tests_is_not_committed(work, tmp_path):
    result = new(tmp_path, "notes with a time", "--scaffold", "node-service", "--test",
                 answers=(NODE_FILL, BREAKING_EDIT, BREAKING_EDIT, BREAKING_EDIT))
    assert result.exit_code == 4, result.stderr
    report = result.json
    assert report["status"] == "checks_failed" and len(report["commits"]) == 1
    assert report["edit"]["rounds"] == 3 and not any(c["passed"] for c in report["edit"]["checks"])
    target = work / "notes-service"
    assert "createdAt" not in (target / "src" / "app.js").read_text()
    assert git(target, "status", "--porcelain") == ""


def test_scaffold_given_skips_the_choice_and_no_edit_skips_the_edit(work, tmp_path):
    result = new(tmp_path, "a tool", "--scaffold", "python-cli", "--no-edit",
                 answers=(' {"project_name": "word-count", "title": "Word Count"}',))
    assert result.exit_code == 0, result.stderr
    assert result.json["variables"] == {"project_name": "word-count", "title": "Word Count"}
    assert len(result.json["commits"]) == 1 and result.json["edit"] is None and result.json["tests"] is None
    assert (work / "word-count" / "src" / "word_count" / "cli.py").is_file()


def test_var_and_dir_fix_variables_and_defaults_needs_no_model(work, tmp_path):
    result = run_cli("new", "a page", "--scaffold", "static-site", "--no-edit", "--defaults", "--dir", "site",
                     "--var", "title=Hello There", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json["variables"] == {"project_name": "site", "title": "Hello There"}
    assert result.json["model"] is None
    assert "<h1>Hello There</h1>" in (work / "site" / "index.html").read_text()


def test_an_invalid_project_name_is_sanitized_and_said_so(work, tmp_path):
    result = run_cli("new", "a page", "--scaffold", "static-site", "--no-edit", "--defaults",
                     "--dir", "My Site!", "--json")
    assert result.exit_code == 0
    assert result.json["variables"]["project_name"] == "my-site"
    assert result.json["notes"] == ["project name 'My Site!' is not a valid name; using 'my-site'"]
    assert (work / "My Site!" / "index.html").is_file()
    plain = run_cli("new", "a page", "--scaffold", "static-site", "--no-edit", "--defaults", "--dir", "Other App")
    assert "note: project name 'Other App' is not a valid name; using 'other-app'" in plain.stderr


def test_a_model_value_that_is_not_valid_falls_back_and_is_said(work, tmp_path):
    fill = ' {"project_name": "Book API!", "title": "Books", "entity": "2 many"}'
    result = new(tmp_path, "books", "--scaffold", "fastapi-sqlite", "--no-edit", answers=(fill,))
    assert result.exit_code == 0, result.stderr
    assert result.json["variables"] == {"project_name": "book-api", "title": "Books", "entity": "x_2_many"}
    assert len(result.json["notes"]) == 2


def test_a_non_empty_target_is_refused_and_nothing_written(work, tmp_path):
    (work / "taken").mkdir()
    (work / "taken" / "mine.txt").write_text("keep me")
    result = new(tmp_path, "a page", "--scaffold", "static-site", "--no-edit", "--dir", "taken")
    assert result.exit_code == 5 and result.json["status"] == "refused"
    assert "exists and is not empty" in result.json["message"]
    assert [p.name for p in (work / "taken").iterdir()] == ["mine.txt"]
    # the same when the folder comes from the model's project name
    (work / "homepage").mkdir()
    (work / "homepage" / "index.html").write_text("mine")
    again = new(tmp_path, "my homepage", "--scaffold", "static-site", "--no-edit",
                answers=(' {"project_name": "homepage", "title": "Home"}',))
    assert again.exit_code == 5
    assert (work / "homepage" / "index.html").read_text() == "mine"
    assert sorted(p.name for p in work.iterdir()) == ["homepage", "taken"]


def test_usage_errors(work, tmp_path):
    assert run_cli("new").exit_code == 2
    assert run_cli("new", "   ").exit_code == 2
    unknown = run_cli("new", "x", "--scaffold", "rails-app")
    assert unknown.exit_code == 2 and "no scaffold named 'rails-app'" in unknown.stderr
    bad_var = run_cli("new", "x", "--scaffold", "static-site", "--defaults", "--no-edit", "--var", "colour=red")
    assert bad_var.exit_code == 2 and "has no variable colour" in bad_var.stderr
    bad_value = run_cli("new", "x", "--scaffold", "node-service", "--defaults", "--no-edit", "--var", "port=http")
    assert bad_value.exit_code == 2 and "port='http': must be an integer" in bad_value.stderr
    assert not any(work.iterdir())


def user_scaffold(folder: Path, name: str = "mine", yaml_extra: str = "", template: str = "# {{ project_name }}\n",
                  test: str = "true") -> Path:
    root = folder / name
    (root / "template").mkdir(parents=True)
    (root / "template" / "README.md.jinja").write_text(template)
    (root / "scaffold.yaml").write_text(
        f"name: {name}\ndescription: My own scaffold.\nvariables:\n  project_name: {{type: name, default: mine}}\n"
        f"test: {json.dumps(test)}\n{yaml_extra}"
    )
    return root


def test_user_scaffolds_from_the_user_dir_and_scaffolds_dir(work, tmp_path, vibecli_home):
    user_scaffold(vibecli_home / "scaffolds", "from-home")
    user_scaffold(tmp_path / "extra", "from-flag")
    listed = {s["name"]: s for s in run_cli("new", "--list", "--scaffolds-dir", str(tmp_path / "extra"),
                                            "--json").json["scaffolds"]}
    assert listed["from-home"]["source"] == "user" and listed["from-flag"]["source"] == "--scaffolds-dir"
    made = run_cli("new", "x", "--scaffold", "from-flag", "--scaffolds-dir", str(tmp_path / "extra"), "--defaults",
                   "--no-edit", "--dir", "p")
    assert made.exit_code == 0 and (work / "p" / "README.md").read_text() == "# p\n"


def test_a_malformed_scaffold_is_one_error_naming_file_and_field(work, tmp_path):
    root = user_scaffold(tmp_path / "extra", yaml_extra="")
    (root / "scaffold.yaml").write_text((root / "scaffold.yaml").read_text().replace("type: name", "type: slug"))
    result = run_cli("new", "--list", "--scaffolds-dir", str(tmp_path / "extra"))
    assert result.exit_code == 1
    assert f"{root / 'scaffold.yaml'}: variables.project_name.type: must be one of" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_template_that_fails_to_render_leaves_nothing(work, tmp_path):
    user_scaffold(tmp_path / "extra", template="{{ project_name }} {{ missing_variable }}\n")
    result = run_cli("new", "x", "--scaffold", "mine", "--scaffolds-dir", str(tmp_path / "extra"), "--defaults",
                     "--no-edit", "--dir", "sub/p", "--json")
    assert result.exit_code == 1
    assert "README.md.jinja: cannot render: 'missing_variable' is undefined" in result.json["message"]
    assert list(work.iterdir()) == []


def test_the_scaffolds_own_tests_failing_is_exit_4_with_the_project_kept(work, tmp_path):
    user_scaffold(tmp_path / "extra", test="echo 'FAILED tests/test_x.py::test_y - boom'; exit 1")
    result = run_cli("new", "x", "--scaffold", "mine", "--scaffolds-dir", str(tmp_path / "extra"), "--defaults",
                     "--no-edit", "--test", "--dir", "p", "--json")
    assert result.exit_code == 4
    report = result.json
    assert report["status"] == "checks_failed" and "its test step failed" in report["message"]
    assert report["tests"][0]["problems"] == ["tests/test_x.py: test_y boom"]
    assert len(report["commits"]) == 1 and (work / "p" / "README.md").is_file()


def test_a_rejected_edit_keeps_the_generated_project(work, tmp_path):
    garbage = "I would write a nice app."
    result = new(tmp_path, "a page", "--scaffold", "static-site", "--defaults", "--dir", "site",
                 "--max-attempts", "1", answers=(garbage, garbage))
    assert result.exit_code == 3, result.stderr
    report = result.json
    assert report["status"] == "rejected" and len(report["commits"]) == 1
    assert "the project is as generated" in report["message"]
    assert git(work / "site", "rev-list", "--count", "HEAD").strip() == "1"
    assert git(work / "site", "status", "--porcelain") == ""
