"""The edit loop with real files and a real git repository, and a scripted backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import GREET, RETURN_GREET
from vibecli.agent import EditAgent, EditRequest
from vibecli.backends.replay import ReplayBackend
from vibecli.core import Refused
from vibecli.git import GitRepo
from vibecli.logbook import RunRecord
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
