"""The edit loop with real files and a real git repository, and a scripted backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import GREET, RETURN_GREET
from vibecli.agent import EditAgent, EditRequest
from vibecli.backends.replay import ReplayBackend
from vibecli.core import Refused
from vibecli.git import GitRepo
from vibecli.run_record import RunRecord
from vibecli.settings import Settings
from vibecli.workspace import Workspace


class EditsWhileAnswering(ReplayBackend):
    """A scripted model during whose answer someone saves the file (an editor, a formatter)."""

    def __init__(self, path: Path, victim: Path):
        super().__init__(path)
        self.victim = victim

    def generate(self, prompt, **kwargs):
        self.victim.write_text(GREET + "# saved meanwhile\n")
        return super().generate(prompt, **kwargs)


def test_a_file_changed_on_disk_during_generation_is_not_clobbered(repo, tmp_path):
    replay = tmp_path / "a.jsonl"
    replay.write_text('{"text": %s}\n' % __import__("json").dumps(RETURN_GREET))
    agent = EditAgent(
        EditsWhileAnswering(replay, repo / "greet.py"), Workspace(repo), GitRepo.find(repo), Settings(),
        RunRecord(id="r1", command="edit", instruction="x", paths=["greet.py"], repo_root=str(repo)),
    )
    with pytest.raises(Refused, match="changed on disk"):
        agent.run(EditRequest("return it", ["greet.py"], repo))
    assert (repo / "greet.py").read_text() == GREET + "# saved meanwhile\n"


def test_auto_format_asks_for_whole_small_files_and_anchored_edits_in_large_ones(tmp_path):
    from vibecli.conversation import SMALL_FILE_LINES, resolve_format
    from vibecli.edits.fileio import SourceFile

    def source(lines: int) -> SourceFile:
        return SourceFile("a.py", tmp_path / "a.py", "x = 1\n" * lines, "\n", False, 0o644, "")

    assert resolve_format("auto", {"a.py": source(SMALL_FILE_LINES)}) == "whole"
    assert resolve_format("auto", {"a.py": source(8), "b.py": source(SMALL_FILE_LINES + 1)}) == "symbol"
    assert resolve_format("search", {"a.py": source(8)}) == "search"


def test_auto_format_prompt_teaches_whole_files_for_a_small_file(repo, tmp_path):
    replay = tmp_path / "a.jsonl"
    replay.write_text('{"text": %s}\n' % __import__("json").dumps(RETURN_GREET))
    backend = ReplayBackend(replay)
    agent = EditAgent(
        backend, Workspace(repo), GitRepo.find(repo), Settings(),
        RunRecord(id="r2", command="edit", instruction="x", paths=["greet.py"], repo_root=str(repo)),
    )
    report = agent.run(EditRequest("return it", ["greet.py"], repo))
    assert report.status == "applied"  # an anchored answer is still welcome under auto
    assert "@@ rewrite PATH" in backend.prompts[0] and "@@ replace PATH NAME" not in backend.prompts[0]


def _with_helpers(repo: Path) -> None:
    (repo / "names.py").write_text("def shout(text):\n    return text.upper()\n\n\ndef whisper(text):\n    return text.lower()\n")
    import subprocess

    subprocess.run(["git", "add", "names.py"], cwd=repo, check=True)
    subprocess.run(["git", "commit", "-qm", "names"], cwd=repo, check=True)


def _agent(repo: Path, backend, settings: Settings = Settings()):
    from vibecli.context.repomap import RepoContext

    run = RunRecord(id="r3", command="edit", instruction="x", paths=[], repo_root=str(repo))
    return EditAgent(backend, Workspace(repo), GitRepo.find(repo), settings, run, context=RepoContext(repo, None))


def test_without_paths_the_repo_map_chooses_the_file_and_says_why(repo, tmp_path):
    _with_helpers(repo)
    replay = tmp_path / "a.jsonl"
    replay.write_text('{"text": %s}\n' % __import__("json").dumps(RETURN_GREET))
    backend = ReplayBackend(replay)
    report = _agent(repo, backend, Settings(auto_files=1)).run(EditRequest("make greet return the greeting", [], repo))
    assert report.status == "applied" and report.files == ["greet.py"]
    assert report.context["chosen"][0]["path"] == "greet.py" and "defines greet" in report.context["chosen"][0]["why"]
    assert "### File: greet.py" in backend.prompts[0] and "### File: names.py" not in backend.prompts[0]


def test_the_prompt_carries_the_map_of_the_other_files_within_its_budget(repo, tmp_path):
    _with_helpers(repo)
    replay = tmp_path / "a.jsonl"
    replay.write_text('{"text": %s}\n' % __import__("json").dumps(RETURN_GREET))
    backend = ReplayBackend(replay)
    report = _agent(repo, backend).run(EditRequest("return it", ["greet.py"], repo))
    assert "names.py:\n  def shout(text):\n  def whisper(text):\n" in backend.prompts[0]
    shown = report.context["map"]
    assert shown["shown"] == ["names.py"] and 0 < shown["tokens"] <= shown["budget"] == 1024


def test_no_map_when_map_tokens_is_0(repo, tmp_path):
    _with_helpers(repo)
    replay = tmp_path / "a.jsonl"
    replay.write_text('{"text": %s}\n' % __import__("json").dumps(RETURN_GREET))
    backend = ReplayBackend(replay)
    report = _agent(repo, backend, Settings(map_tokens=0)).run(EditRequest("return it", ["greet.py"], repo))
    assert "names.py" not in backend.prompts[0] and "map" not in report.context


def test_a_small_context_cuts_the_map_and_says_so(repo, tmp_path):
    _with_helpers(repo)
    replay = tmp_path / "a.jsonl"
    replay.write_text('{"text": %s}\n' % __import__("json").dumps(RETURN_GREET))

    def run(context_length: int | None):
        backend = ReplayBackend(replay)
        backend.context_length = context_length
        report = _agent(repo, backend).run(EditRequest("return it", ["greet.py"], repo, dry_run=True))
        return backend, report

    _, report = run(None)
    whole, base, answer = report.context["map"]["tokens"], report.context["prompt_tokens"], report.context["answer_tokens"]
    _, report = run(base + 2 * answer + 64 + whole - 3)  # room for all but the last few tokens of the map
    assert report.context["map"]["tokens"] <= report.context["map"]["budget"] < whole
    _, report = run(100)
    assert report.context["map"]["left_out"] == "no room left in the context"
