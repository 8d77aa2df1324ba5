"""The shared vocabulary: the generic `generate_many` (one call per answer) and candidate seeds."""

from __future__ import annotations

import pytest

from vibecli.core import Backend, Generation, Usage, candidate_seeds


class Scripted(Backend):
    """A backend whose answer names the temperature and seed it was asked with."""

    name = "scripted"
    model_name = "scripted"
    model_sha256 = ""

    def __init__(self, seed: int = 0):
        self.seed = seed
        self.calls: list[dict] = []

    def generate(self, prompt, *, grammar=None, stop=None, max_tokens=512, temperature=None, seed=None, **extra):
        self.calls.append({"temperature": temperature, "seed": seed, "grammar": grammar, **extra})
        words = [f"t={temperature}", f"s={seed}", "END", "tail"]
        usage = Usage(prompt_tokens=10)

        def pieces():
            for count, word in enumerate(words, 1):
                usage.completion_tokens = count
                if stop and word in stop:
                    usage.finish = "stop"
                    return
                yield word + " "
            usage.finish = "eog"

        return Generation(pieces(), usage)


def test_the_fallback_asks_once_per_answer_greedy_first_then_each_seed():
    backend = Scripted(seed=7)
    result = backend.generate_many("p", 3, stop=["END"], temperature=0.5)
    assert [c.text for c in result.candidates] == ["t=0.0 s=None ", "t=0.5 s=8 ", "t=0.5 s=9 "]
    assert [(c.temperature, c.seed, c.finish) for c in result.candidates] == [
        (0.0, None, "stop"), (0.5, 8, "stop"), (0.5, 9, "stop")]
    assert all(c.tokens == 3 and c.logprob is None for c in result.candidates)
    assert result.usage.prompt_tokens == 30 and result.usage.completion_tokens == 9  # every call evaluates the prompt
    assert result.usage.finish == "stop" and len(backend.calls) == 3


def test_the_fallback_stops_when_the_caller_says_so_and_marks_loops():
    backend = Scripted()
    seen = []

    def progress(candidates):
        seen.append([c.tokens for c in candidates])
        return candidates[1].tokens >= 1

    result = backend.generate_many("p", 3, seeds=[4, 5], on_progress=progress)
    assert [c.finish for c in result.candidates] == ["eog", "cancelled", "cancelled"]
    assert len(backend.calls) == 2 and seen[0] == [1, 0, 0]
    looped = Scripted().generate_many("p", 2, looping=lambda text: "s=" in text)
    assert [c.finish for c in looped.candidates] == ["loop", "loop"]


def test_seeds_are_distinct_and_one_per_sampled_answer():
    assert candidate_seeds(10, 4) == [11, 12, 13]
    assert candidate_seeds(10, 1) == []
    assert candidate_seeds(0, 3, [5, 9]) == [5, 9]
    for bad in ([5], [5, 5], [1, 2, 3]):
        with pytest.raises(ValueError, match="distinct seeds"):
            candidate_seeds(0, 3, bad)
