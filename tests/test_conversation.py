"""Asking the model: what a backend is sent depends on what it declares it can do."""

from __future__ import annotations

import json

import pytest

from vibecli.agent import EditAgent, EditRequest
from vibecli.backends.replay import ReplayBackend
from vibecli.git import GitRepo
from vibecli.run_record import RunRecord
from vibecli.settings import Settings
from vibecli.workspace import Workspace

HEADER = "@@ replace greet.py greet"
BODY = 'def greet(name):\n    return "Hello, " + name\n```\n'


class SeesGrammars(ReplayBackend):
    """A scripted model that declares whether it takes a grammar, and keeps the grammar of each call."""

    def __init__(self, path, takes_grammar: bool):
        super().__init__(path)
        self.takes_grammar = takes_grammar
        self.grammars: list[str | None] = []

    def generate(self, prompt, **kwargs):
        self.grammars.append(kwargs.get("grammar"))
        return super().generate(prompt, **kwargs)


@pytest.mark.parametrize("takes_grammar", [False, True])
def test_the_edit_line_is_sent_a_grammar_only_where_the_backend_takes_one(repo, tmp_path, takes_grammar):
    script = tmp_path / "answers.jsonl"
    script.write_text("".join(json.dumps({"text": text}) + "\n" for text in (HEADER, BODY)))
    backend = SeesGrammars(script, takes_grammar)
    run = RunRecord(id="r1", command="edit", instruction="x", paths=["greet.py"], repo_root=str(repo))
    agent = EditAgent(backend, Workspace(repo), GitRepo.find(repo), Settings(grammar="always"), run)
    report = agent.run(EditRequest("make greet return the greeting", ["greet.py"], repo))
    # the edit line and the code are decoded apart either way; only the grammar differs
    assert report.status == "applied" and 'return "Hello, " + name' in (repo / "greet.py").read_text()
    assert [c.kind for c in run.calls] == ["header", "body"]
    header_grammar, body_grammar = backend.grammars
    assert body_grammar is None
    if takes_grammar:
        assert "greet.py" in header_grammar and "greet" in header_grammar
    else:
        assert header_grammar is None
    # the logbook records the grammar the backend was given, not one it never saw
    assert [c.grammar for c in run.calls] == backend.grammars
