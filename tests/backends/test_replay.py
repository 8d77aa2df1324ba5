"""The replay backend: scripted answers, optionally streamed slowly."""

from __future__ import annotations

import json
import time

import pytest

from vibecli.backends.replay import ReplayBackend
from vibecli.core import VibeError


def _script(tmp_path, *objects) -> ReplayBackend:
    path = tmp_path / "answers.jsonl"
    path.write_text("".join(json.dumps(o) + "\n" for o in objects))
    return ReplayBackend(path)


def test_an_answer_without_delay_comes_in_one_piece(tmp_path):
    generation = _script(tmp_path, {"text": "one two three"}).generate("prompt")
    assert list(generation) == ["one two three"]
    assert generation.usage.completion_tokens == 3 and generation.usage.finish == "eog"


def test_a_delay_streams_word_by_word_and_counts_as_it_goes(tmp_path):
    generation = _script(tmp_path, {"text": "one two\nthree @@ done", "delay": 0.05}).generate("p", stop=["@@ done"])
    started = time.perf_counter()
    pieces, counts = [], []
    for piece in generation:
        pieces.append(piece)
        counts.append(generation.usage.completion_tokens)
    assert time.perf_counter() - started >= 0.15
    assert "".join(pieces) == "one two\nthree "
    assert counts == [1, 2, 3] and generation.usage.finish == "stop"


def test_a_generation_closed_midway_is_cancelled(tmp_path):
    generation = _script(tmp_path, {"text": "a b c d", "delay": 0.01}).generate("p")
    pieces = iter(generation)
    assert next(pieces) == "a "
    pieces.close()
    assert generation.usage.finish == "cancelled" and generation.usage.completion_tokens == 1


@pytest.mark.parametrize("delay", [-1, "slow", True])
def test_a_bad_delay_is_a_one_line_error(tmp_path, delay):
    with pytest.raises(VibeError, match="'delay' must be a number of seconds"):
        _script(tmp_path, {"text": "x", "delay": delay})


def test_a_candidates_line_scripts_every_answer_of_one_call(tmp_path):
    backend = _script(tmp_path, {"candidates": ["one @@ done", {"text": "two", "logprob": -0.5}, "three"]},
                      {"text": "next call"})
    result = backend.generate_many("p", 2, stop=["@@ done"], temperature=0.7, seeds=[11])
    first, second = result.candidates
    assert (first.text, first.finish, first.seed, first.temperature) == ("one ", "stop", None, 0.0)
    assert (second.text, second.finish, second.logprob, second.seed, second.temperature) == ("two", "eog", -0.5, 11, 0.7)
    assert result.usage.completion_tokens == 2 and result.usage.finish == "stop"
    assert list(backend.generate("p2")) == ["next call"] and backend.prompts == ["p", "p2"]


def test_without_a_candidates_line_a_call_takes_consecutive_lines(tmp_path):
    backend = _script(tmp_path, {"text": "a"}, {"text": "b"}, {"text": "c"})
    result = backend.generate_many("p", 3)
    assert [c.text for c in result.candidates] == ["a", "b", "c"]
    assert [c.seed for c in result.candidates] == [None, 1, 2] and backend.prompts == ["p"]
    with pytest.raises(VibeError, match="no scripted answer left"):
        backend.generate("again")


def test_a_call_that_asks_for_more_answers_than_scripted_is_a_clear_error(tmp_path):
    with pytest.raises(VibeError, match="asked for 3 answers; its line scripts 2"):
        _script(tmp_path, {"candidates": ["a", "b"]}).generate_many("p", 3)
    with pytest.raises(VibeError, match="asked for 3 answers; the script has 2 left"):
        _script(tmp_path, {"text": "a"}, {"text": "b"}).generate_many("p", 3)


def test_generate_takes_the_first_scripted_candidate_and_loops_are_marked(tmp_path):
    backend = _script(tmp_path, {"candidates": ["first", "second"]}, {"candidates": ["x\n" * 8, "fine"]})
    assert list(backend.generate("p")) == ["first"]
    result = backend.generate_many("p", 2, looping=lambda text: text.count("x\n") > 5)
    assert [c.finish for c in result.candidates] == ["loop", "eog"]


@pytest.mark.parametrize("candidates", [[], "text", [3], [{"text": "a", "logprob": "high"}], [{"logprob": 1}]])
def test_a_bad_candidates_line_is_a_one_line_error(tmp_path, candidates):
    with pytest.raises(VibeError, match="candidate"):
        _script(tmp_path, {"candidates": candidates})
