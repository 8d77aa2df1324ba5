"""Several answers from one prompt evaluation on the embedded model (`LlamaCppBackend.generate_many`).
Slow: marked `model`, run serially."""

from __future__ import annotations

import pytest

from vibecli.backends.kv_cache import PromptCache

pytestmark = pytest.mark.model

CODE = '''def load_rows(path, limit=None):
    """Read a CSV file into a list of dicts, skipping blank lines."""
    rows = []
    with open(path, newline="") as handle:
        header = handle.readline().strip().split(",")
        for line in handle:
            if not line.strip():
                continue
            values = line.strip().split(",")
            rows.append(dict(zip(header, values)))
    return rows
'''
PROMPT = f"### File: rows.py\n```python\n{CODE}```\n### Request: add a `limit` that stops after that many rows\n### Answer:\n```python\n"
OTHER = "### File: shapes.py\n```python\nclass Square:\n    def __init__(self, side):\n        self.side = side\n```\n### Request: add an area method\n### Answer:\n```python\n"
STOP = ["\n```"]


def _backend(model, **kwargs):
    from vibecli.backends.llama import LlamaCppBackend

    kwargs.setdefault("sequences", 4)
    return LlamaCppBackend(model, model_name="g", model_sha256="", context_length=2048, threads=2, **kwargs)


@pytest.fixture(scope="module")
def backend(embedded_model):
    return _backend(embedded_model)


def _plain(backend, prompt=PROMPT, max_tokens=48) -> str:
    return "".join(backend.generate(prompt, max_tokens=max_tokens, stop=STOP, temperature=0.0))


@pytest.mark.parametrize("n", [2, 4])
def test_the_first_answer_is_the_plain_greedy_answer(backend, n):
    for prompt in (PROMPT, OTHER):
        result = backend.generate_many(prompt, n, max_tokens=48, stop=STOP, temperature=1.0)
        greedy = result.candidates[0]
        assert greedy.text == _plain(backend, prompt) and greedy.seed is None and greedy.temperature == 0.0
        assert greedy.logprob is not None and greedy.logprob < 0
        assert len(result.candidates) == n


def test_the_greedy_answer_stays_exact_where_its_row_shares_no_batch(embedded_model):
    backend = _backend(embedded_model)
    result = backend.generate_many(PROMPT, 3, max_tokens=40, stop=STOP, temperature=1.0)
    backend._exact_sizes[3] = frozenset()  # every step decodes the greedy row in a batch of its own
    apart = backend.generate_many(PROMPT, 3, max_tokens=40, stop=STOP, temperature=1.0)
    assert apart.candidates[0].text == result.candidates[0].text == _plain(backend, max_tokens=40)


def test_sampled_answers_differ_and_the_same_seeds_give_them_again(backend):
    first = backend.generate_many(PROMPT, 4, max_tokens=40, stop=STOP, temperature=1.2, seeds=[3, 4, 5])
    again = backend.generate_many(PROMPT, 4, max_tokens=40, stop=STOP, temperature=1.2, seeds=[3, 4, 5])
    other = backend.generate_many(PROMPT, 4, max_tokens=40, stop=STOP, temperature=1.2, seeds=[6, 7, 8])
    texts = [c.text for c in first.candidates]
    assert texts == [c.text for c in again.candidates]
    assert [c.logprob for c in first.candidates] == [c.logprob for c in again.candidates]
    assert len(set(texts)) > 1 and texts[1:] != [c.text for c in other.candidates][1:]
    assert [c.seed for c in first.candidates] == [None, 3, 4, 5]
    assert all(c.temperature == 1.2 for c in first.candidates[1:])


def test_n_1_is_the_plain_path(backend):
    result = backend.generate_many(PROMPT, 1, max_tokens=32, stop=STOP)
    (only,) = result.candidates
    assert only.text == _plain(backend, max_tokens=32) and only.logprob is None
    assert result.usage.prompt_tokens > 50 and result.usage.completion_tokens == only.tokens


def test_each_answer_ends_on_its_own_stop_string_or_length(backend):
    result = backend.generate_many(PROMPT, 4, max_tokens=24, stop=["\n"], temperature=1.5, seeds=[1, 2, 3])
    for candidate in result.candidates:
        assert "\n" not in candidate.text and 0 < candidate.tokens <= 24
        assert candidate.finish in ("stop", "eog", "length")
        if candidate.finish == "length":
            assert candidate.tokens == 24
    assert result.usage.completion_tokens == sum(c.tokens for c in result.candidates)
    long = backend.generate_many(PROMPT, 3, max_tokens=6, stop=STOP, temperature=1.5)
    assert all(c.finish == "length" and c.tokens == 6 for c in long.candidates)


def test_progress_is_reported_and_the_caller_can_end_every_answer(backend):
    counts: list[list[int]] = []

    def progress(candidates):
        counts.append([c.tokens for c in candidates])
        return sum(c.tokens for c in candidates) >= 12

    result = backend.generate_many(PROMPT, 3, max_tokens=48, stop=STOP, on_progress=progress)
    assert counts[0] == [1, 1, 1] and counts[1] == [2, 2, 2]
    assert [c.finish for c in result.candidates] == ["cancelled"] * 3
    assert all(c.tokens == 4 for c in result.candidates)
    assert _plain(backend) == backend.generate_many(PROMPT, 2, max_tokens=48, stop=STOP).candidates[0].text


def test_the_callers_loop_check_ends_an_answer(backend):
    result = backend.generate_many(PROMPT, 2, max_tokens=48, stop=STOP, looping=lambda text: len(text) >= 10)
    assert [c.finish for c in result.candidates] == ["loop", "loop"]
    assert all(10 <= len(c.text) < 60 for c in result.candidates)


def test_the_prompt_cache_serves_the_shared_prompt(embedded_model, tmp_path):
    long_prompt = PROMPT.replace("### Request", CODE.replace("load_rows", "load_more") + "### Request")
    first = _backend(embedded_model, prompt_cache=PromptCache(tmp_path, "m", 1 << 30))
    wrote = first.generate_many(long_prompt, 3, max_tokens=24, stop=STOP)
    assert first.prompt_cache.stats.writes >= 1
    second = _backend(embedded_model, prompt_cache=PromptCache(tmp_path, "m", 1 << 30))  # as in a new process
    read = second.generate_many(long_prompt, 3, max_tokens=24, stop=STOP)
    assert second.prompt_cache.stats.hits == 1 and second.prompt_cache.stats.restored_tokens >= 128
    assert [c.text for c in read.candidates] == [c.text for c in wrote.candidates]
    assert read.candidates[0].text == _plain(_backend(embedded_model, sequences=1), long_prompt, max_tokens=24)


def test_more_answers_than_the_context_holds_reloads_it(embedded_model):
    backend = _backend(embedded_model, sequences=1)
    plain = _plain(backend, max_tokens=24)
    result = backend.generate_many(PROMPT, 3, max_tokens=24, stop=STOP)
    assert backend.sequences == 3 and result.usage.load_s > 0
    assert result.candidates[0].text == plain
    with pytest.raises(ValueError, match="2 to 16"):
        backend.generate_many(PROMPT, 17, max_tokens=8)
