"""Every registered backend does what the `Backend` base class promises, made by name through the
registry: replay from a script, openai against a loopback server, llama with the real model."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import replay_file
from fake_openai import FakeOpenAI, stream

from vibecli.backends import make_backend, registry
from vibecli.core import SECTION_STOPS, Backend, Generation
from vibecli.settings import Settings

ANSWER = "alpha beta"
RAN_ON = ANSWER + "\n### Request: more"
"""An answer that runs on into a new part of the prompt: every backend ends it at the marker."""


@contextlib.contextmanager
def replay(tmp_path: Path) -> Iterator[Settings]:
    yield Settings(backend="replay", replay_file=str(replay_file(tmp_path, RAN_ON, RAN_ON, RAN_ON)))


@contextlib.contextmanager
def openai(tmp_path: Path) -> Iterator[Settings]:
    # the answer split where a stop string spans two chunks
    chunks = ("alpha ", "beta\n#", "## Request: more")
    with FakeOpenAI(*[stream(*chunks)] * 3) as fake:
        yield Settings(backend="openai", endpoint=fake.url)


@contextlib.contextmanager
def llama(tmp_path: Path) -> Iterator[Settings]:
    yield Settings(backend="llama", max_tokens=16)


SETUPS = {"replay": replay, "openai": openai, "llama": pytest.param(llama, marks=pytest.mark.model)}
SCRIPTED = {"replay", "openai"}


def test_every_registered_backend_has_a_conformance_setup():
    assert set(SETUPS) == set(registry.names())


@pytest.mark.parametrize("setup", list(SETUPS.values()), ids=list(SETUPS))
def test_backend_conforms(setup, tmp_path):
    with setup(tmp_path) as settings:
        backend = make_backend(settings, tmp_path / "cache")
        assert isinstance(backend, Backend) and backend.name == settings.backend
        assert backend.model_name and isinstance(backend.model_location, str)
        assert backend.max_candidates >= 1
        assert backend.context_length is None or backend.context_length > 0
        assert isinstance(backend.takes_prefill, bool) and isinstance(backend.takes_grammar, bool)
        count = backend.count_tokens("def f(x):\n    return x\n")
        assert isinstance(count, int) and 0 < count < 30

        generation = backend.generate("Say hello.\n### Answer:\n", stop=list(SECTION_STOPS), max_tokens=16,
                                      temperature=0.0)
        assert isinstance(generation, Generation)
        pieces = list(generation)
        text = "".join(pieces)
        assert all(isinstance(p, str) for p in pieces)
        assert not any(stop in text for stop in SECTION_STOPS)
        assert generation.usage.finish in ("stop", "eog", "length")
        assert 0 < generation.usage.completion_tokens <= 16
        if settings.backend in SCRIPTED:
            assert text == ANSWER and generation.usage.finish == "stop"

        many = backend.generate_many("Say hello.\n### Answer:\n", 2, stop=list(SECTION_STOPS), max_tokens=16)
        assert len(many.candidates) == 2
        assert many.candidates[0].seed is None and many.candidates[1].seed is not None
        for candidate in many.candidates:
            assert not any(stop in candidate.text for stop in SECTION_STOPS)
            if settings.backend in SCRIPTED:
                assert candidate.text == ANSWER
