"""The speed paths of the llama backend change nothing in the output: a prompt restored from
the on-disk cache and prompt-lookup decoding both give the greedy tokens of a plain run."""

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


def test_prompt_lookup_gives_the_same_greedy_output(embedded_model):
    plain, _ = _run(_backend(embedded_model, lookup=False))
    fast = _backend(embedded_model, lookup=True)
    drafted, usage = _run(fast)
    assert drafted == plain and usage.completion_tokens > 20
    assert fast.decoder_stats["accepted"] > 0  # drafts were really taken
    assert fast.decoder_stats["decodes"] < usage.completion_tokens


def test_a_prompt_restored_from_disk_gives_the_same_output(embedded_model, tmp_path):
    plain, _ = _run(_backend(embedded_model, lookup=False))
    first = _backend(embedded_model, lookup=False, prompt_cache=PromptCache(tmp_path, "m", 1 << 30))
    assert _run(first)[0] == plain and first.prompt_cache.stats.writes == 1
    # a new context, as in a new process, over the same files with another request
    second = _backend(embedded_model, lookup=False, prompt_cache=PromptCache(tmp_path, "m", 1 << 30))
    other = PROMPT.replace("rename `rows` to `records`", "add a docstring line about limit")
    restored, usage = _run(second, other)
    stats = second.prompt_cache.stats
    assert stats.hits == 1 and usage.prompt_tokens - 20 < stats.restored_tokens < usage.prompt_tokens
    assert restored == _run(_backend(embedded_model, lookup=False), other)[0]
    # the exact prompt again: everything restored, the same answer
    third = _backend(embedded_model, lookup=True, prompt_cache=PromptCache(tmp_path, "m", 1 << 30))
    assert _run(third)[0] == plain and third.prompt_cache.stats.restored_tokens >= usage.prompt_tokens - 20
