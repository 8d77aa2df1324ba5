"""The backend registry: a backend is one module and one entry, usable by name everywhere."""

from __future__ import annotations

import pytest
from conftest import GREET, RETURN_GREET, git, run_cli

from vibecli.backends import make_backend, registry
from vibecli.core import Backend, Generation, Usage, VibeError, estimate_tokens
from vibecli.settings import Settings, backend_settings


class Toy(Backend):
    """A backend that declares nothing beyond its name and `generate`: every default applies."""

    name = "toy"

    def __init__(self, answers: list[str]):
        self.model_name = "toy-model"
        self.answers = answers
        self.prompts: list[str] = []

    def generate(self, prompt, *, grammar=None, stop=None, max_tokens=512, temperature=None, seed=None) -> Generation:
        self.prompts.append(prompt)
        text = self.answers.pop(0)
        return Generation(iter([text]), Usage(prompt_tokens=1, completion_tokens=len(text.split()), finish="eog"))


@pytest.fixture
def toy():
    made: list[Toy] = []

    def factory(settings, wiring) -> Toy:
        made.append(Toy([RETURN_GREET]))
        return made[-1]

    registry.register("toy", factory)
    yield made
    registry.unregister("toy")


def test_a_backend_registered_by_a_test_runs_an_edit_by_name(repo, toy):
    result = run_cli("edit", "make greet() return the greeting", "greet.py", "--backend", "toy", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json["status"] == "applied" and result.json["backend"] == "toy"
    assert result.json["model"] == "toy-model"
    assert (repo / "greet.py").read_text() == GREET.replace('print("Hello, " + name)', 'return "Hello, " + name')
    assert "Vibecli-Model: toy-model" in git(repo, "log", "-1", "--format=%B")
    assert len(toy) == 1 and "greet.py" in toy[0].prompts[0]


def test_a_profile_may_take_a_registered_type(tmp_path, toy):
    settings = Settings(backend="mine", backends=(("mine", (("type", "toy"), ("seed", 7))),))
    assert backend_settings(settings).backend == "toy" and backend_settings(settings).seed == 7
    assert isinstance(make_backend(settings, tmp_path), Toy)


def test_a_backend_without_count_tokens_gets_the_default():
    toy = Toy(["first answer", "second"])
    text = "def f(x):\n    return x * 2\n"
    assert toy.count_tokens(text) == estimate_tokens(text) == len(text.encode()) // 2 + len(text.encode()) % 2
    assert toy.context_length is None and toy.takes_prefill is False and toy.takes_grammar is False
    assert toy.adapter is None and toy.max_candidates == 1 and toy.model_location == ""
    many = toy.generate_many("p", 2)  # the generic generate_many: one generate call per answer
    assert [c.text for c in many.candidates] == ["first answer", "second"]
    assert [c.seed for c in many.candidates] == [None, 1] and many.usage.completion_tokens == 3


def test_the_unknown_backend_error_lists_the_registry(toy):
    with pytest.raises(VibeError) as caught:
        backend_settings(Settings(backend="nope"))
    assert caught.value.message == "unknown backend 'nope' (known: llama, replay, openai, toy)"


def test_a_registered_backend_says_what_it_needs(tmp_path):
    registry.register("needy", "tests.nowhere:make", needs=(("endpoint", "--endpoint URL"),))
    try:
        with pytest.raises(VibeError, match=r"^the needy backend of 'big' needs --endpoint URL$"):
            backend_settings(Settings(backend="big", backends=(("big", (("type", "needy"),)),)))
        with pytest.raises(VibeError, match=r"^the needy backend needs --endpoint URL$"):
            backend_settings(Settings(backend="needy"))
    finally:
        registry.unregister("needy")


def test_only_registered_local_backends_count_as_local():
    assert [name for name in registry.names() if registry.is_local(name)] == ["llama", "replay"]
    assert not registry.is_local("toy") and not registry.is_local(None)
