"""Greedy decoding on a llama-cpp-python `Llama`, with optional prompt-lookup (n-gram) drafts.

Edited code is mostly code the prompt already holds. After each token, the earlier place
whose text matches the end of the text so far the furthest back is found (`NgramDrafter`); the
tokens that followed it there are a draft, and the model checks the current token and the draft
in one batch, with logits requested only for those positions (`logits_all=True` would make
prompt evaluation about three times slower on a 262k vocabulary). The longest run of draft
tokens that greedy decoding would have chosen anyway is kept, plus the model's own next token.
How long a draft is weighs the running odds of its tokens being right against what a checking
batch of that size costs on this machine (`draft_length`, `check_costs`).

That gives exactly the tokens of plain greedy decoding only if a batch of up to DRAFT_MAX + 1
tokens computes bitwise the logits that one-token batches compute. `batch_invariant()` checks
that on the running build (see DRAFT_MAX for when it holds), and `lookup: auto`, the default,
uses drafts only where it does.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence

from vibecli.backends.kv_cache import common_prefix

NGRAM_MIN = 2
"""A draft needs the text's last 2 tokens to have occurred before."""
MATCH_MAX = 64
"""How far back a candidate occurrence is compared with the text's end."""
CANDIDATES = 256
"""Of the occurrences of the last NGRAM_MIN tokens, the latest this many are compared."""
DRAFT_MAX = 6
"""Draft tokens checked per step: a checking batch has at most 7 tokens.

Measured on llama-cpp-python 0.3.36's CPU backend (tests/backends/test_llama_speed.py, README
*Speed*): a batch gives bitwise the logits of one-token batches when (1) llama.cpp is built
without llamafile (`CMAKE_ARGS="-DGGML_LLAMAFILE=OFF"`; its tinyBLAS takes every batch of two
or more, `sgemm.cpp`: `if (n < 2) return false`), (2) weights are not repacked (on such a
build vibecli loads models with `use_extra_bufts` off; repacked q4_K takes a 4-row gemm from 4
rows on), and (3) the batch has fewer than 8 rows (ggml's tiled K-quant matmul, `tiled.cpp`,
takes over from 8: "Profitable at rows >= 8"). Flash attention, which has a split-KV path for
one query row, is off. Under those, every batch size runs the same per-row dot products."""

DRAFT_COST = 0.6
"""What one more row in a checking batch costs, in one-token decodes, until this machine's own
costs are measured (`check_costs`): 0.4-0.6 on the embedded model, 2 cores, mostly the
262k x 640 output layer that every checked row needs."""


def linear_costs(cost: float = DRAFT_COST, most: int = DRAFT_MAX) -> list[float]:
    """Checking-batch costs, relative to a one-token decode, for batches of 1..most + 1 rows."""
    return [1.0 + cost * k for k in range(most + 1)]


def draft_length(acceptance: float, costs: Sequence[float] | None = None, most: int = DRAFT_MAX) -> int:
    """The draft length with the most expected tokens per unit of decoding time, when each draft
    token is right with probability `acceptance` given that the ones before it were and a batch
    of k + 1 rows costs costs[k] one-token decodes: 0 (no draft) when drafts are mostly wrong.
    On llamafile's tinyBLAS, batches of an odd size cost about what the next even size does,
    which a measured table (`check_costs`) knows and a line would not."""
    costs = linear_costs() if costs is None else costs
    best, best_rate, expected = 0, 1.0, 1.0
    for k in range(1, min(most, len(costs) - 1) + 1):
        expected += acceptance ** k
        rate = expected / costs[k]
        if rate > best_rate:
            best, best_rate = k, rate
    return best


CHUNK = 128
"""Prompts are evaluated in chunks that start at multiples of this, whatever part of them was
reused: llama.cpp's float results depend on the shape of a batch, so a fixed schedule is what
makes a prompt restored from the cache give the same tokens as one evaluated afresh. (The
final chunk, up to CHUNK tokens, is evaluated again on an exact hit.)"""


def last_boundary(n_tokens: int) -> int:
    """Where the prefill of a prompt this long stops: the last chunk boundary before its last token."""
    return (n_tokens - 1) // CHUNK * CHUNK


class NgramDrafter:
    """Proposes what followed the earlier occurrence that matches the text's end the longest.

    Every earlier place where the last NGRAM_MIN tokens occurred is a candidate; the one whose
    preceding tokens go on matching the text's end the furthest (up to MATCH_MAX) wins, the latest
    on a tie. In a file of look-alike functions that is the function being copied, not merely
    the last one with the same line (which a fixed 2-4 token n-gram would take)."""

    def __init__(self, tokens: Sequence[int], *, n_min: int = NGRAM_MIN, draft_max: int = DRAFT_MAX,
                 match_max: int = MATCH_MAX, candidates: int = CANDIDATES):
        self.tokens: list[int] = list(tokens)
        self.n_min, self.draft_max, self.match_max, self.candidates = n_min, draft_max, match_max, candidates
        self._seen: dict[tuple[int, ...], list[int]] = {}
        """n_min-gram -> the indexes just after its occurrences, oldest first, for occurrences not at the very end."""
        self._indexed = 0
        """n-grams ending before this index are in `_seen`."""

    def add(self, token: int) -> None:
        self.tokens.append(token)

    def draft(self) -> list[int]:
        tokens, n = self.tokens, self.n_min
        end = len(tokens)
        # index every n-gram that ends before the last token: the suffix must match an earlier copy
        for stop in range(max(self._indexed + 1, n), end):
            self._seen.setdefault(tuple(tokens[stop - n : stop]), []).append(stop)
        self._indexed = max(self._indexed, end - 1)
        if end < n:
            return []
        places = self._seen.get(tuple(tokens[end - n :]))
        if not places:
            return []
        best, best_len = places[-1], -1
        for after in reversed(places[-self.candidates :]):
            length = n
            most = min(self.match_max, after)
            while length < most and tokens[after - 1 - length] == tokens[end - 1 - length]:
                length += 1
            if length > best_len:
                best, best_len = after, length
                if length >= most:
                    break
        return tokens[best : min(best + self.draft_max, end)]


class GreedyDecoder:
    """Argmax decoding straight on llama.cpp's batch API, keeping `Llama`'s own bookkeeping
    (`n_tokens`, `input_ids`) true so that its in-process prefix reuse still works afterwards."""

    def __init__(self, llm):
        import llama_cpp
        import numpy as np

        self._llama_cpp = llama_cpp
        self._np = np
        self.llm = llm
        self.ctx = llm._ctx.ctx
        self.n_vocab = llm.n_vocab()
        self.n_ctx = llama_cpp.llama_n_ctx_seq(self.ctx)
        """Cells of sequence 0: the whole context unless it holds a stream per sequence (`candidates`)."""
        self.drafted = 0
        self.accepted = 0
        self.decodes = 0
        self.on_boundary: Callable[[int], None] | None = None
        self.costs: list[float] | None = None
        """Checking-batch costs relative to one token (`check_costs`); None: `linear_costs()`."""

    def prefill(self, prompt: Sequence[int], reused: int | None = None) -> int:
        """Evaluate `prompt` up to the last chunk boundary before its last token, reusing what the
        context holds; returns that boundary (the rest is evaluated with the first decode).
        `on_boundary(n)` is called each time the context holds exactly the first n tokens, n a
        multiple of CHUNK: the prompt cache saves its entries there."""
        llm = self.llm
        if reused is None:
            reused = common_prefix(llm.input_ids[: llm.n_tokens].tolist(), prompt)
        end = last_boundary(len(prompt))
        start = min(reused // CHUNK * CHUNK, end)
        self._truncate(start)
        for lo in range(start, end, CHUNK):
            self._decode(list(prompt[lo : lo + CHUNK]), [])
            if self.on_boundary is not None:
                self.on_boundary(llm.n_tokens)
        return end

    def tokens(self, prompt: Sequence[int], *, lookup: bool, reused: int | None = None) -> Iterator[int]:
        """Greedy tokens after `prompt`, reusing whatever prefix of it the context already holds."""
        llm = self.llm
        prompt = list(prompt)
        end = self.prefill(prompt, reused)
        token = self._decode(prompt[end:], [len(prompt) - end - 1])[0]
        drafter = NgramDrafter(prompt) if lookup else None
        # how often a proposed token is right, given that those before it were: counts that fade
        # (a stretch of new text is soon forgotten) over a prior of 0.7 worth one trial. Proposals
        # are scored against the tokens that came whether or not they were checked, so the odds
        # recover as soon as copying resumes, even while they keep drafts off.
        right, tried = 0.0, 0.0
        while True:
            yield token
            proposal: list[int] = []
            draft: list[int] = []
            if drafter is not None:
                drafter.add(token)
                proposal = drafter.draft()
                room = min(llm.n_batch, self.n_ctx - llm.n_tokens) - 1
                draft = proposal[: max(min(room, draft_length((right + 0.7) / (tried + 1), self.costs)), 0)]
            batch = [token, *draft]
            predicted = self._decode(batch, list(range(len(batch))))
            kept = 0
            while kept < len(draft) and predicted[kept] == draft[kept]:
                kept += 1
            if proposal:  # right up to where the tokens that came part from it (or are not known yet)
                hits = kept + (kept < len(proposal) and proposal[kept] == predicted[kept])
                missed = hits < len(proposal) and hits <= kept
                right, tried = 0.9 * right + hits, 0.9 * tried + hits + missed
            self.drafted += len(draft)
            self.accepted += kept
            if kept < len(draft):
                self._truncate(llm.n_tokens - (len(draft) - kept))
            for accepted in draft[:kept]:
                yield accepted
                drafter.add(accepted)
            token = predicted[kept]

    def _truncate(self, keep: int) -> None:
        llm = self.llm
        if not llm._ctx.kv_cache_seq_rm(0, keep, -1):
            llm._ctx.kv_cache_seq_rm(0, 0, -1)
            keep = 0
        llm.n_tokens = keep

    def _decode(self, tokens: list[int], want: list[int]):
        """Decode `tokens` after the context's current ones; the argmax token at each index in `want`."""
        llama_cpp, np = self._llama_cpp, self._np
        llm = self.llm
        batch = llm._batch.batch
        n_past = llm.n_tokens
        wanted = set(want)
        batch.n_tokens = len(tokens)
        for i, token in enumerate(tokens):
            batch.token[i] = token
            batch.pos[i] = n_past + i
            batch.seq_id[i][0] = 0
            batch.n_seq_id[i] = 1
            batch.logits[i] = i in wanted
        status = llama_cpp.llama_decode(self.ctx, batch)
        if status != 0:
            raise RuntimeError(f"llama_decode returned {status}")
        self.decodes += 1
        llm._requires_eval = True  # llama-cpp-python must not sample from logits it did not ask for
        llm.input_ids[n_past : n_past + len(tokens)] = tokens
        llm.n_tokens = n_past + len(tokens)
        out = []
        for i in want:
            row = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(self.ctx, i), shape=(self.n_vocab,))
            out.append(int(row.argmax()))
        return out


PROBE_TEXT = "def total(values):\n    result = 0\n    for value in values:\n        result += value\n    return result\n"


def batch_invariant(llm) -> bool:
    """Whether this build and model give, for a batch of DRAFT_MAX + 1 tokens, bitwise the logits
    of the same tokens decoded one at a time (so that drafts cannot change greedy output).
    Empties the context. About 0.2 s on the embedded model."""
    import llama_cpp
    import numpy as np

    decoder = GreedyDecoder(llm)
    tokens = llm.tokenize(PROBE_TEXT.encode("utf-8"))
    head, rows = tokens[:8], tokens[8 : 8 + DRAFT_MAX + 1]
    if len(rows) < 2:
        return False

    def logits(batches: list[list[int]]):
        decoder._truncate(0)
        decoder._decode(head, [])
        out = []
        for batch in batches:
            decoder._decode(batch, list(range(len(batch))))
            for i in range(len(batch)):
                row = llama_cpp.llama_get_logits_ith(decoder.ctx, i)
                out.append(np.ctypeslib.as_array(row, shape=(decoder.n_vocab,)).copy())
        return np.array(out)

    try:
        one_by_one = logits([[t] for t in rows])
        batched = logits([rows])
    finally:
        decoder._truncate(0)
    return bool(np.array_equal(one_by_one, batched))


def check_costs(llm, tokens: Sequence[int], most: int, context: int = 512, reps: int = 5) -> list[float]:
    """Median seconds to decode a batch of n tokens with logits for every row, as a draft check
    does, for n = 1..most, after `context` tokens of `tokens` (fewer if the context is smaller).
    Empties the context.

    With drafts that are always right, a batch of n rows gives n tokens where one-token decoding
    gives costs[0] per token, so the best n * costs[0] / costs[n - 1] bounds what drafts can
    gain. On a CPU that is bounded by the output layer, which every checked row needs in full
    (262k x 640 on the embedded model) however many rows share a batch."""
    import time

    decoder = GreedyDecoder(llm)
    context = min(context, len(tokens) - most, llm.n_ctx() - most)
    if context < 1:
        raise ValueError("check_costs needs more tokens than the largest batch")
    decoder._truncate(0)
    for lo in range(0, context, CHUNK):
        decoder._decode(list(tokens[lo : min(lo + CHUNK, context)]), [])
    times: list[list[float]] = [[] for _ in range(most)]
    for _ in range(reps):  # sizes interleaved, so that a busy moment touches all of them alike
        for n in range(1, most + 1):
            batch = list(tokens[context : context + n])
            started = time.perf_counter()
            decoder._decode(batch, list(range(n)))
            times[n - 1].append(time.perf_counter() - started)
            decoder._truncate(context)
    decoder._truncate(0)
    return [sorted(t)[len(t) // 2] for t in times]


def relative_costs(llm) -> list[float]:
    """This machine's checking-batch costs for 1..DRAFT_MAX + 1 rows, relative to one row, on
    a 256-token context (2-4 s on the embedded model, 2 cores). Empties the context."""
    tokens = llm.tokenize((PROBE_TEXT * 20).encode("utf-8"))
    costs = check_costs(llm, tokens, DRAFT_MAX + 1, context=256)
    return [round(c / costs[0], 3) for c in costs]


def probe_key(llm, model_path: str, adapter: str | None) -> str:
    """What the probe's verdict depends on: the llama.cpp build, the model and the adapter."""
    import hashlib

    import llama_cpp

    parts = [getattr(llama_cpp, "__version__", ""), llama_cpp.llama_print_system_info().decode("utf-8", "replace"),
             str(getattr(llm, "n_threads", "")), str(llm.model_params.n_gpu_layers), str(getattr(llm, "lora_scale", ""))]
    for path in (model_path, adapter):
        if path:
            stat = os.stat(path)
            parts.append(f"{os.path.abspath(path)}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:32]


def exact_lookup(llm, model_path: str, adapter: str | None, verdicts) -> bool:
    """The probe's verdict for this build and model, from `verdicts` (a JSON file) when known.
    A file that cannot be read or written only means probing again."""
    return bool(remembered(verdicts, probe_key(llm, model_path, adapter), lambda: batch_invariant(llm),
                           lambda value: isinstance(value, bool)))


def draft_costs(llm, model_path: str, adapter: str | None, known) -> list[float]:
    """This machine's checking-batch costs (`relative_costs`) for this build, model and thread
    count, from `known` (a JSON file) when measured before."""
    def valid(value) -> bool:
        return (isinstance(value, list) and len(value) == DRAFT_MAX + 1
                and all(isinstance(c, (int, float)) and c > 0 for c in value))

    return list(remembered(known, probe_key(llm, model_path, adapter), lambda: relative_costs(llm), valid))


def remembered(path, key: str, compute, valid):
    """`compute()`, kept under `key` in the JSON object in `path` and read from there next time.
    A file that cannot be read or written, or a value that is not `valid`, only means computing again."""
    import json

    known: dict = {}
    if path is not None:
        try:
            known = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(known, dict) and valid(known.get(key)):
                return known[key]
        except (OSError, ValueError):
            known = {}
    value = compute()
    if path is not None:
        try:
            known = known if isinstance(known, dict) else {}
            known[key] = value
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(known), encoding="utf-8")
            tmp.replace(path)
        except OSError:
            pass
    return value
