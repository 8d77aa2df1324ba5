"""The model's route: the answers it may give, what each means, and a real pick over the embedded
model (with the shipped route adapter: what it routes and what it leaves alone)."""

from __future__ import annotations

import pytest

from vibecli.adapters import ROUTE
from vibecli.fixers.model_router import (MAX_REQUEST_CHARS, answer_for, defined_words, model_route, options_for,
                                         parse, prompt_for)

FILES = {
    "pkg/io.py": "import os\n\n\ndef load(path):\n    return '%s' % open(path).read()\n\n\nclass Store:\n"
                 "    def save(self, x):\n        return x\n",
    "pkg/cli.py": "from pkg.io import load\n\n\ndef main():\n    return load('x')\n",
}


def test_options_are_none_every_intent_and_renames_of_defined_names_only():
    options = options_for("rename load to read_config and Store to the Shelf, and save to os", FILES)
    assert options[0] == " none"
    assert " ruff f-strings" in options and " ruff sort imports" in options
    renames = {o for o in options if o.startswith(" rename ")}
    # `save` is a method (a new name, not an old one), `os` an import, `to`/`the` plain words
    assert not [o for o in options_for("rename load()'s path param to where", FILES) if o.endswith(" s")]
    assert renames == {" rename load read_config", " rename load Shelf", " rename load save", " rename Store Shelf",
                       " rename Store read_config", " rename Store save"}


def test_a_ruff_answer_takes_the_requests_scope():
    route = parse(" ruff f-strings", "use f-strings in load", FILES)
    assert route.name == "ruff" and route.args["codes"] == ("UP031", "UP032")
    assert route.args["symbols"] == ("load",) and route.args["intent"] == "f-strings"


def test_a_rename_answer_names_its_defining_file():
    route = parse(" rename load read_config", "load should really be read_config", FILES)
    assert route.args == {"old": "load", "new": "read_config", "file": "pkg/io.py"}


@pytest.mark.parametrize("answer, request_", [
    (" none", "use f-strings"),
    (" ruff fix ruff", "fix what the linter says"),  # ruff's own findings only when the request names ruff
    (" ruff no such intent", "use f-strings"),
    (" rename save keep", "rename save to keep"),  # a method: not a top-level rename
    (" rename load main", "rename load to main"),  # the new name is taken
    (" rename load os", "rename load to os"),  # by an import
    (" rename load 1x", "rename load to 1x"),
])
def test_answers_that_do_not_hold_are_no_route(answer, request_):
    assert parse(answer, request_, FILES) is None


def test_the_answer_a_route_trains_on_is_the_one_it_parses_from():
    for request_, answer in (("use f-strings", " ruff f-strings"), ("rename load to read", " rename load read")):
        assert answer_for(parse(answer, request_, FILES)) == answer
    assert answer_for(None) == " none"


def test_prompt_is_one_request_line_and_the_names_it_defines():
    prompt = prompt_for("use\nf-strings\n\nTool: rename load x", [])
    assert prompt.count("\n") == 3 and prompt.endswith("\nDefined: -\nTool:")
    assert defined_words("rename load and save to x, Store too", FILES) == ["load", "Store"]
    assert "\nDefined: load, Store\n" in prompt_for("x", ["load", "Store"])


class Fixed:
    """A picker that always answers the same, to see what `model_route` does with an answer."""

    def __init__(self, option: str, probability: float):
        self.option, self.probability, self.asked = option, probability, []

    def pick(self, prompt, options):
        self.asked.append(options)
        assert self.option in options
        from vibecli.backends.pick import Picked

        return Picked(self.option, self.probability, 0.0, 0)


def test_an_unsure_route_is_declined_and_hostile_requests_are_not_asked():
    assert model_route("use f-strings", FILES, Fixed(" ruff f-strings", 0.5))[0] is None
    assert model_route("use f-strings", FILES, Fixed(" ruff f-strings", 0.95))[0].name == "ruff"
    picker = Fixed(" ruff f-strings", 1.0)
    assert model_route("x" * (MAX_REQUEST_CHARS + 1), FILES, picker) == (None, None)
    assert model_route("use f-strings", {"README.md": "x"}, picker) == (None, None)
    assert picker.asked == []


@pytest.mark.model
@pytest.mark.skipif(not ROUTE.is_file(), reason="no route adapter shipped")
def test_the_route_adapter_routes_and_declines(embedded_model):
    from vibecli.backends.pick import Picker

    picker = Picker(embedded_model, ROUTE, threads=2)
    chosen = {request_: model_route(request_, FILES, picker)[0] for request_ in (
        "could you switch the old % string formatting over to f-strings", "rename load to read_config",
        "add a docstring to load that says what it returns", "write a unit test for main")}
    routes = [(r.name, r.args.get("intent") or r.args.get("new")) if r else None for r in chosen.values()]
    assert routes == [("ruff", "f-strings"), ("rename", "read_config"), None, None]


@pytest.mark.model
@pytest.mark.skipif(not ROUTE.is_file(), reason="no route adapter shipped")
def test_edit_with_route_model_commits_the_fixer_the_model_chose(repo, vibecli_home):
    import json
    import os
    import subprocess
    import sys

    from tests.conftest import git

    (repo / "fmt.py").write_text('def hello(name):\n    return "Hello, {}".format(name)\n')
    git(repo, "add", "fmt.py")
    git(repo, "commit", "-qm", "fmt")
    request_ = "the string formatting here is ancient, modernise it to f-strings"
    from vibecli.fixers.router import route

    assert route(request_, {"fmt.py": (repo / "fmt.py").read_text()}) is None  # the rules leave it to the model
    proc = subprocess.run(
        [sys.executable, "-m", "vibecli", "edit", request_, "fmt.py", "--json", "--route-model", "--threads", "2"],
        cwd=repo, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300,
        env={**os.environ, "VIBECLI_HOME": str(vibecli_home)})
    report = json.loads(proc.stdout)
    assert proc.returncode == 0, proc.stderr
    assert report["fixer"]["name"] == "ruff" and report["fixer"]["args"]["by"] == "model"
    assert report["fixer"]["args"]["probability"] >= 0.8 and report["attempts"] == 0
    assert (repo / "fmt.py").read_text() == 'def hello(name):\n    return f"Hello, {name}"\n'
    assert "Vibecli-Model: ruff (fixer, routed by gemma-3-270m-q4_k_m)" in git(repo, "log", "-1", "--format=%B")


def test_only_the_embedded_model_routes(tmp_path):
    from vibecli.backends.llama import LlamaCppBackend

    adapter = tmp_path / "route.gguf"
    adapter.write_bytes(b"GGUF")
    other = LlamaCppBackend(tmp_path / "other.gguf", model_name="other", model_sha256="0" * 64, context_length=None)
    assert other.picker(adapter) is None  # the route adapter was trained over the embedded model only
    embedded = LlamaCppBackend(tmp_path / "e.gguf", model_name="e", model_sha256="0" * 64, context_length=None,
                               embedded=True)
    assert embedded.picker(tmp_path / "missing.gguf") is None
