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
