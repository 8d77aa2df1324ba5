"""Several answers to one prompt, decoded together on a llama-cpp-python `Llama`.

The prompt is evaluated once, on sequence 0, through the same chunk schedule and prompt cache
as a plain answer (`GreedyDecoder.prefill`); its KV cache is then copied to sequences 1..n-1
and every unfinished answer gets one row per `llama_decode`, one token each. Sequence 0 is the
greedy answer, the others are sampled (`sampling.sample`), each with its own random generator.

The context holds one KV stream per sequence (`kv_unified` off): each sequence's cells lie as a
lone sequence's would and its attention runs over its own stream, one query row per stream.
That, and the greedy row's place in the batch, keep the greedy answer bitwise the one that
`generate` gives at temperature 0: a matrix product over several rows does not always compute
each row as a one-row product does (ggml's repacked q4_K weights take a 4-row kernel for the
first rows of a batch and the one-row kernel for the rest), so the greedy row goes last, and
`exact_batch_sizes` checks, once per build, model and thread count, for which batch sizes the
last row is exact; at the other sizes the greedy row is decoded in a batch of its own.
Prompt-lookup drafts are not used while several answers share the batch.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from vibecli.backends.bounds import Bound
from vibecli.backends.lookup import PROBE_TEXT, GreedyDecoder, last_boundary, probe_key, remembered
from vibecli.backends.sampling import logprob, near_top, sample
from vibecli.backends.stops import StopScanner
from vibecli.core import Candidate, Candidates, Usage

RECENT = 64
"""Pieces of an answer shown to the caller's loop check (as `conversation` shows a plain answer's)."""


@dataclass
class Options:
    """What a caller asks of the answers (see `Backend.generate_many`)."""

    stop: list[str]
    max_tokens: int
    temperature: float
    top_p: float
    seeds: list[int]
    """Of the sampled answers, one each."""
    on_progress: Callable[[list[Candidate]], bool | None] | None = None
    looping: Callable[[str], bool] | None = None


def generate_many(backend, text: str, prefill: str, n: int, options: Options) -> Candidates:
    """n answers of a `LlamaCppBackend` to one prompt, decoded together."""
    if not 2 <= n <= backend.max_candidates:
        raise ValueError(f"generate_many decodes 2 to {backend.max_candidates} answers together, not {n}")
    usage = Usage()
    tokens, stop, max_tokens = backend._prepare(text, prefill, options.stop, options.max_tokens, usage, sequences=n)
    llm = backend._llm
    usage.load_s += _exact_sizes(backend, n)  # once per build, model and thread count; it empties the context
    rows = [Row(Candidate(), 0, options.top_p, None, StopScanner(stop))]
    for seq, seed in enumerate(options.seeds, 1):
        rows.append(Row(Candidate(temperature=options.temperature, seed=seed), seq, options.top_p,
                        np.random.default_rng(seed), StopScanner(stop)))
    started = time.perf_counter()
    prefix = backend._prefix
    reused = prefix.restore(llm, tokens, last_boundary(len(tokens))) if prefix is not None else None
    decoder = GreedyDecoder(llm)
    if prefix is not None:
        decoder.on_boundary = lambda boundary: prefix.checkpoint(llm, boundary)
    batch = Batch(llm, backend._exact_sizes[n], stop, max_tokens, options.looping, options.on_progress,
                  bound=Bound(max_tokens, backend.call_timeout, backend.model_name))
    decode(batch, decoder, tokens, reused, rows, usage, started)
    backend.decoder_stats["decodes"] += decoder.decodes + batch.decodes
    usage.finish = rows[0].candidate.finish
    return Candidates([row.candidate for row in rows], usage)


def _exact_sizes(backend, n: int) -> float:
    """Find (or read) the batch sizes that keep the greedy row exact here; seconds spent."""
    if n in backend._exact_sizes:
        return 0.0
    started = time.perf_counter()
    llm = backend._llm
    known = backend._probe_file.with_name("candidates-exact.json") if backend._probe_file else None
    key = f"{probe_key(llm, str(backend.model_path), str(backend.adapter) if backend.adapter else None)}:{n}"
    sizes = remembered(known, key, lambda: exact_batch_sizes(llm, n),
                       lambda value: isinstance(value, list) and all(isinstance(v, int) for v in value))
    backend._exact_sizes[n] = frozenset(sizes)
    return time.perf_counter() - started


@contextmanager
def streams(sequences: int) -> Iterator[None]:
    """Load a context with a KV stream for each of `sequences` sequences (llama-cpp-python 0.3.36
    takes neither n_seq_max nor kv_unified, so its default context parameters are wrapped)."""
    import llama_cpp

    module = llama_cpp.llama_cpp
    original = module.llama_context_default_params

    def params():
        value = original()
        value.n_seq_max = sequences
        value.kv_unified = False
        return value

    module.llama_context_default_params = params
    try:
        yield
    finally:
        module.llama_context_default_params = original


@dataclass
class Row:
    """One answer being decoded: its sequence, its sampler and its text so far."""

    candidate: Candidate
    seq: int
    top_p: float
    rng: np.random.Generator | None
    scanner: StopScanner
    pieces: list[str] = field(default_factory=list)
    token: int = -1
    """The token to feed at the next step."""
    logprob_sum: float = 0.0

    def choose(self, logits: np.ndarray) -> int:
        top, near = near_top(logits)
        if self.rng is None:
            token = int(logits.argmax())
        else:
            token = sample(logits, self.candidate.temperature, self.top_p, self.rng, top, near)
        self.logprob_sum += logprob(logits, token, top, near)
        return token


@dataclass
class Batch:
    """What `decode` needs besides the rows: the model and how to decode and detect ends."""

    llm: object
    exact_sizes: frozenset[int]
    stop: list[str]
    max_tokens: int
    looping: Callable[[str], bool] | None = None
    on_progress: Callable[[list[Candidate]], bool | None] | None = None
    decodes: int = 0
    bound: object = None
    """The call's `Bound`: its time is checked at every step (call_timeout)."""


def decode(batch: Batch, decoder: GreedyDecoder, tokens: Sequence[int], reused: int | None, rows: list[Row],
           usage: Usage, started: float) -> None:
    """Evaluate `tokens` once on sequence 0 (the context holds its first `reused`), copy it to
    every row's sequence, then decode all rows together until each has ended; fills each row's
    candidate and `usage` (`started`: when the prompt's evaluation began, its cache lookup included)."""
    import llama_cpp

    llm = batch.llm
    end = decoder.prefill(tokens, reused)
    decoder._decode(list(tokens[end:]), [len(tokens) - end - 1])
    first = _logits(llm, len(tokens) - end - 1)
    usage.prompt_eval_s = time.perf_counter() - started
    generating = time.perf_counter()
    for row in rows:
        if row.seq:
            llm._ctx.kv_cache_seq_cp(0, row.seq, -1, -1)
    live = list(rows)
    try:
        for row in live:
            _take(batch, row, row.choose(first), llm, llama_cpp)
        position = len(tokens)
        while True:
            if batch.bound is not None:
                batch.bound.check_time()
            usage.completion_tokens = sum(r.candidate.tokens for r in rows)
            if batch.on_progress is not None and batch.on_progress([r.candidate for r in rows]):
                break
            for row in live:
                if row.candidate.finish and row.seq:
                    llm._ctx.kv_cache_seq_rm(row.seq, -1, -1)  # its stream no longer widens the attention
            live = [r for r in live if not r.candidate.finish]
            if not live:
                break
            for group in _groups(live, batch.exact_sizes):
                _decode_rows(llm, group, position)
                batch.decodes += 1
                for index, row in enumerate(group):
                    _take(batch, row, row.choose(_logits(llm, index)), llm, llama_cpp)
            position += 1
    finally:
        for row in rows:
            if not row.candidate.finish:
                row.candidate.finish = "cancelled"
                _end(row)
            if row.seq:
                llm._ctx.kv_cache_seq_rm(row.seq, -1, -1)
        usage.completion_tokens = sum(r.candidate.tokens for r in rows)
        usage.generate_s = time.perf_counter() - generating


def _groups(live: list[Row], exact_sizes: frozenset[int]) -> list[list[Row]]:
    """The batches of one step: the sampled rows, then the greedy row last, in one batch where
    that keeps the greedy row exact and in a batch of its own where it would not."""
    greedy = [r for r in live if r.seq == 0]
    sampled = [r for r in live if r.seq != 0]
    if not greedy or not sampled or len(live) in exact_sizes:
        return [sampled + greedy]
    return [sampled, greedy]


def _take(batch: Batch, row: Row, token: int, llm, llama_cpp) -> None:
    """Add a token to a row's answer, as the single stream does (`LlamaCppBackend._decode`)."""
    candidate = row.candidate
    candidate.tokens += 1
    row.token = token
    if llama_cpp.llama_vocab_is_eog(llm._model.vocab, token):
        candidate.finish = "eog"
        _end(row)
        return
    out = row.scanner.feed(llm.detokenize([token]))
    if out:
        row.pieces.append(out)
        candidate.text += out
    if row.scanner.stopped:
        candidate.finish = "stop"
    elif batch.looping is not None and out and batch.looping("".join(row.pieces[-RECENT:])):
        candidate.finish = "loop"
    elif candidate.tokens >= batch.max_tokens:
        candidate.finish = "length"
    if candidate.finish:
        _end(row)


def _end(row: Row) -> None:
    rest = row.scanner.flush()
    if rest:
        row.pieces.append(rest)
        row.candidate.text += rest
    if row.candidate.tokens:
        row.candidate.logprob = row.logprob_sum / row.candidate.tokens


def _decode_rows(llm, rows: list[Row], position: int) -> None:
    """One token for each row's sequence, all at `position`, logits for every row."""
    import llama_cpp

    batch = llm._batch.batch
    batch.n_tokens = len(rows)
    for i, row in enumerate(rows):
        batch.token[i] = row.token
        batch.pos[i] = position
        batch.seq_id[i][0] = row.seq
        batch.n_seq_id[i] = 1
        batch.logits[i] = True
    status = llama_cpp.llama_decode(llm._ctx.ctx, batch)
    if status != 0:
        raise RuntimeError(f"llama_decode returned {status}")
    llm._requires_eval = True  # llama-cpp-python must not sample from logits it did not ask for
    for row in rows:
        if row.seq == 0:  # sequence 0 is what llama-cpp-python's bookkeeping describes
            llm.input_ids[position] = row.token
            llm.n_tokens = position + 1


def _logits(llm, index: int) -> np.ndarray:
    """The logits of the index-th row of the last batch: a view, valid until the next decode."""
    import llama_cpp

    return np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(llm._ctx.ctx, index), shape=(llm.n_vocab(),))


def exact_batch_sizes(llm, most: int) -> list[int]:
    """The batch sizes from 2 to `most` at which the last row of a batch of different sequences
    gets bitwise the logits a one-token batch gives it. Empties the context. About 0.1 s per size
    on the embedded model, 2 cores."""
    decoder = GreedyDecoder(llm)
    tokens = llm.tokenize((PROBE_TEXT * 2).encode("utf-8"))
    head, steps = tokens[:24], tokens[24:27]
    others = tokens[27 : 27 + most]

    def reset() -> None:
        decoder._truncate(0)
        for seq in range(1, most):
            llm._ctx.kv_cache_seq_rm(seq, -1, -1)
        decoder._decode(head, [])

    try:
        reset()
        alone = []
        for token in steps:
            decoder._decode([token], [0])
            alone.append(_logits(llm, 0).copy())
        exact = []
        for size in range(2, most + 1):
            reset()
            for seq in range(1, size):
                llm._ctx.kv_cache_seq_cp(0, seq, -1, -1)
            same = True
            for step, token in enumerate(steps):
                rows = [Row(Candidate(), seq, 1.0, None, StopScanner([]), token=others[seq - 1])
                        for seq in range(1, size)]
                rows.append(Row(Candidate(), 0, 1.0, None, StopScanner([]), token=token))
                _decode_rows(llm, rows, len(head) + step)
                same = same and np.array_equal(_logits(llm, size - 1), alone[step])
            if same:
                exact.append(size)
        return exact
    finally:
        reset()
        decoder._truncate(0)


def row_costs(llm, tokens: Sequence[int], most: int, context: int = 512, reps: int = 5) -> list[float]:
    """Median seconds to decode one token in each of n sequences at once, logits for every row,
    after `context` tokens of `tokens` in each, for n = 1..most: what a step of n candidates
    costs (`lookup.check_costs` measures n rows of one sequence). Needs a context with `most`
    sequences; empties it."""
    decoder = GreedyDecoder(llm)
    context = min(context, len(tokens) - 1, decoder.n_ctx - 1)
    decoder._truncate(0)
    decoder.prefill(list(tokens[: context + 1]))  # the chunks up to `context`: the schedule of every prompt
    if llm.n_tokens < context:
        decoder._decode(list(tokens[llm.n_tokens : context]), [])
    for seq in range(1, most):
        llm._ctx.kv_cache_seq_rm(seq, -1, -1)
        llm._ctx.kv_cache_seq_cp(0, seq, -1, -1)
    times: list[list[float]] = [[] for _ in range(most)]
    try:
        for _ in range(reps):  # sizes interleaved, so that a busy moment touches all of them alike
            for n in range(1, most + 1):
                rows = [Row(Candidate(), seq, 1.0, None, StopScanner([]), token=tokens[context]) for seq in range(n)]
                started = time.perf_counter()
                _decode_rows(llm, rows, context)
                times[n - 1].append(time.perf_counter() - started)
                for seq in range(n):
                    llm._ctx.kv_cache_seq_rm(seq, context, -1)
                llm.n_tokens = context
    finally:
        for seq in range(1, most):
            llm._ctx.kv_cache_seq_rm(seq, -1, -1)
        decoder._truncate(0)
    return [sorted(t)[len(t) // 2] for t in times]
