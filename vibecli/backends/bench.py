"""`vibecli model bench`: what the current model costs on this machine.

Prompt evaluation and generation speed, the memory the process takes, and the prompt cache
(how fast a prompt comes back from it, and its hit rate over past runs).
"""

from __future__ import annotations

import sys
import time
from dataclasses import asdict, dataclass

from vibecli.backends.kv_cache import LlamaPrefixStore
from vibecli.backends.llama import LlamaCppBackend
from vibecli.backends.lookup import CHUNK, DRAFT_MAX, GreedyDecoder, batch_invariant, check_costs, last_boundary


@dataclass
class BenchResult:
    model: str
    threads: int | None
    gpu_layers: int
    load_s: float
    prompt_tokens: int
    prompt_eval_tok_s: float
    gen_tokens: int
    gen_tok_s: float
    peak_rss_mb: float
    kv_mb_per_1k_tokens: float
    cache_restore_s: float | None
    """Seconds to restore the bench prompt from the prompt cache into a fresh context."""
    cache_hit_rate: float | None
    """Hits / lookups over every run recorded in the prompt cache's folder, this one included."""
    cache_lookups: int
    cache_size_mb: float
    lookup_exact: bool
    """Whether prompt-lookup drafts leave greedy answers bitwise unchanged on this build (`lookup: auto` uses them then)."""
    check_row_cost: float
    """What each further row of a draft check costs, in one-token decodes (the batch of DRAFT_MAX + 1 rows)."""
    lookup_ceiling: float
    """The most prompt lookup could speed generation up here: drafts that are always right, in the
    batch size that gives the most tokens per second (see `check_costs`)."""

    def to_json(self) -> dict:
        return asdict(self)


def bench_text(tokens_wanted: int) -> str:
    """Deterministic Python source, about `tokens_wanted` tokens long."""
    parts, i = [], 0
    while len("".join(parts)) < tokens_wanted * 3:
        parts.append(
            f"def step_{i}(values, factor={i + 1}):\n"
            f'    """Scale the values by {i + 1} and keep the positive ones."""\n'
            f"    return [v * factor for v in values if v * factor > 0]\n\n\n"
        )
        i += 1
    return "".join(parts)


def run_bench(backend: LlamaCppBackend, prompt_tokens: int, gen_tokens: int) -> BenchResult:
    text = bench_text(prompt_tokens)
    load_s = backend._load(backend._context_for(len(text), gen_tokens + prompt_tokens))
    llm = backend._llm
    exact = batch_invariant(llm)
    tokens = llm.tokenize(text.encode(), add_bos=True, special=False)[:prompt_tokens]
    llm._ctx.kv_cache_seq_rm(0, 0, -1)
    llm.n_tokens = 0
    started = time.perf_counter()
    gen = GreedyDecoder(llm).tokens(tokens, lookup=False, reused=0)
    next(gen)  # the whole prompt, in the usual chunks, and the first token
    prompt_s = time.perf_counter() - started
    kv_bytes = _seq_state_bytes(llm)
    started = time.perf_counter()
    for _ in range(gen_tokens):
        next(gen)  # end-of-text is not special here: this measures speed, not answers
    gen_s = time.perf_counter() - started
    gen.close()
    costs = check_costs(llm, tokens, DRAFT_MAX + 1)
    cache = backend.prompt_cache
    restore_s = None
    if cache is not None:
        store = LlamaPrefixStore(cache, CHUNK)
        end = last_boundary(len(tokens))
        llm._ctx.kv_cache_seq_rm(0, 0, -1)
        llm.n_tokens = 0
        if store.plan(tokens, end):  # no entry for this prompt yet: evaluate it again, writing one
            decoder = GreedyDecoder(llm)
            decoder.on_boundary = lambda n: store.checkpoint(llm, n)
            decoder.prefill(tokens, 0)
            llm._ctx.kv_cache_seq_rm(0, 0, -1)
            llm.n_tokens = 0
        started = time.perf_counter()
        if store.restore(llm, tokens, end):
            restore_s = time.perf_counter() - started
    totals = cache.totals() if cache is not None else {"lookups": 0, "hits": 0}
    return BenchResult(
        model=backend.model_name,
        threads=backend.threads,
        gpu_layers=backend.gpu_layers,
        load_s=round(load_s, 3),
        prompt_tokens=len(tokens),
        prompt_eval_tok_s=round(len(tokens) / prompt_s, 1),
        gen_tokens=gen_tokens,
        gen_tok_s=round(gen_tokens / gen_s, 1),
        peak_rss_mb=round(_peak_rss_mb(), 1),
        kv_mb_per_1k_tokens=round(kv_bytes / len(tokens) * 1000 / 2**20, 2),
        cache_restore_s=None if restore_s is None else round(restore_s, 4),
        cache_hit_rate=round(totals["hits"] / totals["lookups"], 3) if totals["lookups"] else None,
        cache_lookups=totals["lookups"],
        cache_size_mb=round(cache.size_bytes() / 2**20, 1) if cache is not None else 0.0,
        lookup_exact=exact,
        check_row_cost=round(row_cost(costs), 3),
        lookup_ceiling=round(ceiling(costs), 3),
    )


def row_cost(costs: list[float]) -> float:
    """What each row past the first adds to a checking batch of len(costs) rows, in one-token decodes."""
    n = len(costs)
    return (costs[-1] - costs[0]) / (n - 1) / costs[0] if n > 1 else 0.0


def ceiling(costs: list[float]) -> float:
    """Generation speed-up of always-right drafts, in the best batch size of those measured
    (costs[n - 1]: seconds for a checking batch of n rows, `lookup.check_costs`)."""
    return max(n * costs[0] / cost for n, cost in enumerate(costs, 1))


def _seq_state_bytes(llm) -> int:
    import llama_cpp

    return llama_cpp.llama_state_seq_get_size(llm._ctx.ctx, 0)


def _peak_rss_mb() -> float:
    try:
        import resource
    except ImportError:  # Windows
        return _peak_working_set_mb()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


def _peak_working_set_mb() -> float:
    """Windows' peak working set of this process (PROCESS_MEMORY_COUNTERS, psapi)."""
    import ctypes
    from ctypes import wintypes

    size = ctypes.c_size_t

    class Counters(ctypes.Structure):
        _fields_ = [("cb", wintypes.DWORD), ("PageFaultCount", wintypes.DWORD), ("PeakWorkingSetSize", size),
                    ("WorkingSetSize", size), ("QuotaPeakPagedPoolUsage", size), ("QuotaPagedPoolUsage", size),
                    ("QuotaPeakNonPagedPoolUsage", size), ("QuotaNonPagedPoolUsage", size), ("PagefileUsage", size),
                    ("PeakPagefileUsage", size)]

    counters = Counters(cb=ctypes.sizeof(Counters))
    process = ctypes.windll.kernel32.GetCurrentProcess()
    if not ctypes.windll.psapi.GetProcessMemoryInfo(process, ctypes.byref(counters), counters.cb):
        return 0.0
    return counters.PeakWorkingSetSize / 2**20

