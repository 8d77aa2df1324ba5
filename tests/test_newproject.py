"""`vibecli new` below the CLI: the grammars, the prompts, settling values; one run of the real model."""

from __future__ import annotations

import json

import pytest
from conftest import run_cli
from edits.grammar_check import grammar_accepts

from vibecli.core import UsageError
from vibecli.newproject import choice_grammar, choice_prompt, fill_grammar, fill_prompt, labels_of, settle_values
from vibecli.paths import package_data
from vibecli.scaffolds.spec import discover

SCAFFOLDS = discover([(package_data("scaffolds"), "shipped")])


@pytest.fixture(scope="module")
def vocab_llm(embedded_model):
    import llama_cpp

    from vibecli.backends.llama_lib import quiet_stderr

    with quiet_stderr(True):
        llm = llama_cpp.Llama(str(embedded_model), vocab_only=True, verbose=False)
    yield llm
    llm.close()


def test_the_choice_grammar_allows_exactly_the_labels(vocab_llm):
    labels = list(labels_of(list(SCAFFOLDS.values())))
    grammar = choice_grammar(labels)
    for label in labels:
        assert grammar_accepts(vocab_llm, grammar, " " + label)
    assert not grammar_accepts(vocab_llm, grammar, " a Rails app")
    assert not grammar_accepts(vocab_llm, grammar, " a REST API and more")


def test_the_fill_grammar_allows_only_valid_typed_json(vocab_llm):
    scaffold = SCAFFOLDS["node-service"]
    grammar = fill_grammar(list(scaffold.variables))
    good = {"project_name": "notes-api", "entity": "note_item", "port": 8080}
    assert grammar_accepts(vocab_llm, grammar, " " + json.dumps(good))
    for bad in ({**good, "project_name": "Notes API"}, {**good, "port": "8080"}, {**good, "entity": "2x"},
                {"entity": "note", "project_name": "a", "port": 1}):
        assert not grammar_accepts(vocab_llm, grammar, " " + json.dumps(bad)), bad
    titled = SCAFFOLDS["flask-webapp"]
    grammar = fill_grammar(list(titled.variables))
    text = " " + json.dumps({"project_name": "club", "title": "Club: RSVP (2026)!", "entity": "event"})
    assert grammar_accepts(vocab_llm, grammar, text)
    assert not grammar_accepts(vocab_llm, grammar, text.replace("Club", 'Cl\\"ub'))


def test_every_example_is_valid_as_written():
    """The few-shot examples teach only values that the validators (and the grammar) accept."""
    for scaffold in SCAFFOLDS.values():
        for example in scaffold.examples:
            settled = settle_values(scaffold, {}, example.variables)
            assert settled.notes == [] and settled.values == {**{v.name: v.default for v in scaffold.variables},
                                                                **example.variables}


def test_prompts_end_where_the_answer_starts():
    prompt = choice_prompt(list(SCAFFOLDS.values()), "a  thing\nwith lines")
    assert prompt.endswith("Request: a thing with lines\nKind:")
    assert prompt.count("Kind: a REST API") == 2  # every scaffold's examples, taken in turn
    fill = fill_prompt(SCAFFOLDS["python-cli"], list(SCAFFOLDS["python-cli"].variables), "a tool")
    assert fill.endswith("Request: a tool\nVariables:")
    assert 'Variables: {"project_name": "wordcount", "title": "Word Count"}' in fill


def test_settle_values_order_and_errors():
    scaffold = SCAFFOLDS["node-service"]
    settled = settle_values(scaffold, {"port": "5000"}, {"port": 1, "entity": "task"})
    assert settled.values == {"project_name": "items-service", "entity": "task", "port": 5000}
    with pytest.raises(UsageError, match="port='x'"):
        settle_values(scaffold, {"port": "x"}, {})
    settled = settle_values(scaffold, {}, {"port": 99999})
    assert settled.values["port"] == 3000 and "must be at most 65535" in settled.notes[0]


def test_a_backend_without_grammars_is_asked_and_recorded_without_them(tmp_path):
    """An OpenAI-style server that drops grammars: the record must not claim one was used, and a
    fill that is not JSON is not asked again (the same greedy question gives the same answer)."""
    from vibecli.backends.replay import ReplayBackend
    from vibecli.newproject import ProjectModel
    from vibecli.run_record import RunRecord

    script = tmp_path / "answers.jsonl"
    script.write_text(json.dumps({"text": " a Node.js service"}) + "\n" + json.dumps({"text": "no JSON here"}) + "\n")
    backend = ReplayBackend(script)
    assert not backend.takes_grammar
    run = RunRecord(id="r", command="new", instruction="a service", paths=[], repo_root=None)
    model = ProjectModel(backend, run, grammar_mode="always")
    scaffolds = list(SCAFFOLDS.values())
    chosen = model.choose(scaffolds, "a small node service")
    assert chosen is SCAFFOLDS["node-service"]
    assert model.fill(chosen, list(chosen.variables), "a small node service") == {}
    assert [(c.kind, c.grammar) for c in run.calls] == [("choose", None), ("fill", None)]
    assert run.calls[-1].error == "not one JSON object"


@pytest.mark.model
def test_the_embedded_model_chooses_and_fills(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("new", "a Node.js service that keeps a list of reminders", "--no-edit", "--json")
    assert result.exit_code == 0, result.stderr
    report = result.json
    scaffold = SCAFFOLDS[report["scaffold"]]
    assert report["model"] == "gemma-3-270m-q4_k_m" and len(report["commits"]) == 1
    assert settle_values(scaffold, report["variables"], {}).values == report["variables"]
    assert (tmp_path / report["variables"]["project_name"] / "README.md").is_file()
    # measured with this prompt: the embedded model picks the Node scaffold for this sentence
    assert report["scaffold"] == "node-service"
