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
