"""The speed paths of the llama backend change nothing in the output: a prompt restored from
the on-disk cache and prompt-lookup decoding both give the greedy tokens of a plain run, and
`lookup: auto` drafts only where the build's batches compute what single tokens do."""

from __future__ import annotations

import json
import os

import pytest

from vibecli.backends.kv_cache import PromptCache
from vibecli.backends.lookup import last_boundary

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
            if limit is not None and len(rows) >= limit:
                break
    return rows
'''
PROMPT = f"### File: rows.py\n```python\n{CODE}```\n### Request: rename `rows` to `records`\n### Answer:\n```python\n"


def _backend(model, **kwargs):
    from vibecli.backends.llama import LlamaCppBackend

    return LlamaCppBackend(model, model_name="g", model_sha256="", context_length=2048, threads=2, **kwargs)


def _run(backend, prompt=PROMPT, max_tokens=48):
    gen = backend.generate(prompt, max_tokens=max_tokens, stop=["\n```"])
    return "".join(gen), gen.usage


FIXED_COSTS = [1.0, 1.5, 1.9, 2.3, 2.7, 3.1, 3.5]
"""A checking-cost table for tests: draft lengths that do not depend on this machine's timings."""


@pytest.fixture(scope="module")
def exact_build(embedded_model) -> bool:
    """Whether this llama.cpp build computes batches bitwise as it does single tokens."""
    from vibecli.backends.lookup import batch_invariant

    backend = _backend(embedded_model, lookup="off")
    backend._load(1024)
    return batch_invariant(backend._llm)


def test_prompt_lookup_gives_the_same_greedy_output(embedded_model, exact_build):
    plain, _ = _run(_backend(embedded_model, lookup=False))
    fast = _backend(embedded_model, lookup=True, draft_costs=FIXED_COSTS)
    drafted, usage = _run(fast)
    assert fast.decoder_stats["accepted"] > 0  # drafts were really taken
    assert fast.decoder_stats["decodes"] < usage.completion_tokens
    if exact_build:
        assert drafted == plain and usage.completion_tokens > 20
    else:
        # batches round differently from single tokens here (README, Speed): the answer may part
        # from plain decoding on a near tie, so `auto` leaves drafts off; forced on, it is still
        # the same answer every time
        again = _backend(embedded_model, lookup=True, draft_costs=FIXED_COSTS)
        assert _run(again)[0] == drafted and usage.completion_tokens > 20


def test_a_prompt_restored_from_disk_gives_the_same_output(embedded_model, tmp_path):
    plain, _ = _run(_backend(embedded_model, lookup=False))
    first = _backend(embedded_model, lookup=False, prompt_cache=PromptCache(tmp_path, "m", 1 << 30))
    assert _run(first)[0] == plain and first.prompt_cache.stats.writes == 1
    # a new context, as in a new process, over the same files with another request
    second = _backend(embedded_model, lookup=False, prompt_cache=PromptCache(tmp_path, "m", 1 << 30))
    other = PROMPT.replace("rename `rows` to `records`", "add a docstring line about limit")
    restored, usage = _run(second, other)
    stats = second.prompt_cache.stats
    # restored up to the last chunk boundary before the request: that entry is a prefix of both
    assert stats.hits == 1 and stats.restored_tokens == last_boundary(usage.prompt_tokens) > 0
    assert restored == _run(_backend(embedded_model, lookup=False), other)[0]
    # the exact prompt again: everything restored, the same answer (with drafts where they are exact)
    third = _backend(embedded_model, lookup="auto", prompt_cache=PromptCache(tmp_path, "m", 1 << 30))
    assert _run(third)[0] == plain and third.prompt_cache.stats.restored_tokens == last_boundary(usage.prompt_tokens)


def _head() -> str:
    """About 750 tokens of real code shared by the prompts below: longer than gemma 3's 512-token
    attention window, which is what makes a restored state unsafe to cut short."""
    import inspect
    import textwrap

    return "".join(f"```python\n{inspect.getsource(f)}```\n" for f in (textwrap.wrap, textwrap.dedent, textwrap.indent))


def test_prompts_that_share_a_long_head_give_the_same_output_after_one_another(embedded_model, tmp_path):
    """Each prompt, after others were cached, answers as it does with no cache at all; from the
    second on, the head the prompts share comes from disk."""
    head = _head()
    prompts = [head + PROMPT.replace("rename `rows` to `records`", request) for request in (
        "rename `rows` to `records`", "add a docstring line about limit", "skip lines that start with `#` as well")]
    plain = [_run(_backend(embedded_model, lookup=False), prompt, 64)[0] for prompt in prompts]

    def cached():  # a new process, as it were, over the same cache
        return _backend(embedded_model, lookup=False, prompt_cache=PromptCache(tmp_path, "m", 1 << 30))

    answers, restored = [], []
    for prompt in prompts:
        backend = cached()
        answer, usage = _run(backend, prompt, 64)
        answers.append(answer)
        restored.append(backend.prompt_cache.stats.restored_tokens)
        assert usage.prompt_tokens > 800
    assert answers == plain
    # the first prompt's boundary a chunk before its end is a prefix of the others
    assert restored[0] == 0 and restored[1] >= 640 and restored[2] >= 640
    again = []
    for prompt in prompts:  # now each restores the entry of its own last boundary
        backend = cached()
        again.append(_run(backend, prompt, 64)[0])
        assert backend.prompt_cache.stats.restored_tokens >= 768
    assert again == plain
    # in the same process, a prompt that parts from the restored entry before its end: the
    # restored state is not cut short in memory either (evaluated afresh instead)
    other = head + "### Request: say which of these three functions is the longest\n### Answer:\n"
    assert backend._prefix._floor[1] >= 768 > len(backend._llm.tokenize(head.encode()))
    assert _run(backend, other, 64)[0] == _run(_backend(embedded_model, lookup=False), other, 64)[0]


COPY_PROMPTS = [
    PROMPT,
    PROMPT.replace("rename `rows` to `records`", "stop at `limit` rows with `>` instead of `>=`"),
    PROMPT.replace("rename `rows` to `records`", "skip lines that start with `#` as well"),
]


def test_auto_drafts_exactly_when_the_probe_finds_batches_exact(embedded_model, tmp_path, monkeypatch):
    from vibecli.backends import lookup

    verdicts = tmp_path / "lookup-exact.json"
    auto = _backend(embedded_model, lookup="auto", probe_file=verdicts)
    answers = [_run(auto, prompt, 64)[0] for prompt in COPY_PROMPTS]
    exact = auto.lookup_exact
    assert isinstance(exact, bool) and auto.drafts == exact
    # set it where llama.cpp was built without llamafile (scripts/install-llama): there auto must draft
    assert exact or os.environ.get("EXPECT_EXACT_LOOKUP") != "1"
    assert json.loads(verdicts.read_text()) == {lookup.probe_key(auto._llm, str(embedded_model), None): exact}
    assert (auto.decoder_stats["drafted"] > 0) == exact
    # whichever the verdict, auto's answers are plain greedy decoding's, token for token
    plain = _backend(embedded_model, lookup="off")
    assert answers == [_run(plain, prompt, 64)[0] for prompt in COPY_PROMPTS]
    assert plain.lookup_exact is None and plain.decoder_stats["drafted"] == 0
    # a second process reads the verdict instead of probing again
    monkeypatch.setattr(lookup, "batch_invariant", lambda llm: pytest.fail("probed again"))
    again = _backend(embedded_model, lookup="auto", probe_file=verdicts)
    _run(again, PROMPT, 4)
    assert again.lookup_exact == exact


def test_the_probe_matches_what_batches_really_compute(embedded_model):
    """The verdict, against a longer text than the probe's own: where it says exact, a batch of
    DRAFT_MAX + 1 tokens gives bitwise the logits of one-token decodes; where it says not, they differ."""
    import llama_cpp
    import numpy as np

    from vibecli.backends.lookup import DRAFT_MAX, GreedyDecoder, batch_invariant

    backend = _backend(embedded_model, lookup="off")
    backend._load(1024)
    llm = backend._llm
    exact = batch_invariant(llm)
    decoder = GreedyDecoder(llm)
    tokens = llm.tokenize(CODE.encode())
    head, rows = tokens[:40], tokens[40 : 40 + DRAFT_MAX + 1]

    def logits(batches):
        decoder._truncate(0)
        decoder._decode(head, [])
        out = []
        for batch in batches:
            decoder._decode(batch, list(range(len(batch))))
            out += [np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(decoder.ctx, i), shape=(decoder.n_vocab,)).copy()
                    for i in range(len(batch))]
        return np.array(out)

    assert np.array_equal(logits([[t] for t in rows]), logits([rows])) == exact


def test_check_costs_time_every_batch_size_and_leave_the_context_empty(embedded_model):
    from vibecli.backends.bench import bench_text, ceiling, row_cost
    from vibecli.backends.lookup import check_costs

    backend = _backend(embedded_model, lookup="off")
    backend._load(1024)
    llm = backend._llm
    tokens = llm.tokenize(bench_text(200).encode())
    costs = check_costs(llm, tokens, 3, context=64, reps=1)
    assert len(costs) == 3 and all(c > 0 for c in costs)
    assert llm.n_tokens == 0
    assert ceiling(costs) >= 1.0 and row_cost(costs) == (costs[2] - costs[0]) / 2 / costs[0]
    # the context is usable afterwards: a plain run gives what a fresh backend gives
    assert _run(backend, PROMPT, 8)[0] == _run(_backend(embedded_model, lookup="off"), PROMPT, 8)[0]


def test_checking_costs_are_measured_once_and_read_back(embedded_model, tmp_path, monkeypatch):
    from vibecli.backends import lookup

    verdicts = tmp_path / "lookup-exact.json"
    first = _backend(embedded_model, lookup="on", probe_file=verdicts)
    answer, usage = _run(first, PROMPT, 16)
    costs = first.draft_costs
    assert len(costs) == lookup.DRAFT_MAX + 1 and costs[0] == 1.0 and all(c > 0 for c in costs)
    assert json.loads((tmp_path / "lookup-costs.json").read_text()) == {
        lookup.probe_key(first._llm, str(embedded_model), None): costs}
    monkeypatch.setattr(lookup, "relative_costs", lambda llm: pytest.fail("measured again"))
    again = _backend(embedded_model, lookup="on", probe_file=verdicts)
    assert _run(again, PROMPT, 16)[0] == answer and again.draft_costs == costs
    # plain decoding never measures them
    plain = _backend(embedded_model, lookup="off", probe_file=verdicts)
    _run(plain, PROMPT, 4)
    assert plain.draft_costs is None
