"""Greedy decoding on a llama-cpp-python `Llama`, with optional prompt-lookup (n-gram) drafts.

Edited code is mostly code the prompt already holds. After each token, the longest recent
n-gram of the text so far is looked up in the earlier text; the tokens that followed it there
are a draft, and the model checks the current token and the whole draft in one batch, with
logits requested only for those positions (`logits_all=True` would make prompt evaluation
about three times slower on a 262k vocabulary). The longest run of draft tokens that greedy
decoding would have chosen anyway is kept, plus the model's own next token, so the output is
the same as without drafts up to the floats of a batched decode (see DRAFT_MAX): on a near
tie the two can part ways, so it is opt-in (`lookup: on`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from vibecli.backends.kv_cache import common_prefix

NGRAM_MAX = 4
NGRAM_MIN = 2
DRAFT_MAX = 12
"""Draft tokens checked per step. Each costs one output-layer product (262k x 640 here), cheap
in a batch next to a single-token decode, which is bound by reading the weights.

Not bit-exact: llama.cpp's CPU build sends a one-token batch through ggml's per-row dot
products and any larger batch through llamafile's tinyBLAS (sgemm.cpp: `if (n < 2) return
false`), whose tile kernels also change with the batch size; flash attention has a split-KV
path for one query row only. Logits come out up to ~1.5 apart (measured), so on a near tie the
output can part ways from plain greedy decoding: in benchmarks/speed.py one of three copy
prompts gave `value * factor` where plain decoding gave `value * 1`. Decoding every token in a
batch of two was tried: still not exact (tile kernels), and plain decoding 40% slower; so was
a build with -DGGML_LLAMAFILE=OFF and repacking off: still not exact. Hence `lookup` is off by
default."""


CHUNK = 128
"""Prompts are evaluated in chunks that start at multiples of this, whatever part of them was
reused: llama.cpp's float results depend on the shape of a batch, so a fixed schedule is what
makes a prompt restored from the cache give the same tokens as one evaluated afresh. (The
final chunk, up to CHUNK tokens, is evaluated again on an exact hit.)"""


class NgramDrafter:
    """Proposes the continuation of the latest earlier occurrence of the text's last n-gram."""

    def __init__(self, tokens: Sequence[int], *, n_max: int = NGRAM_MAX, n_min: int = NGRAM_MIN,
                 draft_max: int = DRAFT_MAX):
        self.tokens: list[int] = list(tokens)
        self.n_max, self.n_min, self.draft_max = n_max, n_min, draft_max
        self._seen: dict[tuple[int, ...], int] = {}
        """n-gram -> index just after its latest occurrence, for occurrences not at the very end."""
        self._indexed = 0
        """n-grams ending before this index are in `_seen`."""

    def add(self, token: int) -> None:
        self.tokens.append(token)

    def draft(self) -> list[int]:
        tokens = self.tokens
        end = len(tokens)
        # index every n-gram that ends before the last token: the suffix must match an earlier copy
        for stop in range(self._indexed + 1, end):
            for n in range(self.n_min, self.n_max + 1):
                if stop >= n:
                    self._seen[tuple(tokens[stop - n : stop])] = stop
        self._indexed = max(self._indexed, end - 1)
        for n in range(self.n_max, self.n_min - 1, -1):
            if end < n:
                continue
            after = self._seen.get(tuple(tokens[end - n :]))
            if after is not None:
                return tokens[after : min(after + self.draft_max, end)]
        return []


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
        self.drafted = 0
        self.accepted = 0
        self.decodes = 0

    def prefill(self, prompt: Sequence[int], reused: int | None = None) -> int:
        """Evaluate `prompt` up to the last chunk boundary before its last token, reusing what the
        context holds; returns that boundary (the rest is evaluated with the first decode)."""
        llm = self.llm
        if reused is None:
            reused = common_prefix(llm.input_ids[: llm.n_tokens].tolist(), prompt)
        end = (len(prompt) - 1) // CHUNK * CHUNK
        start = min(reused // CHUNK * CHUNK, end)
        self._truncate(start)
        for lo in range(start, end, CHUNK):
            self._decode(list(prompt[lo : lo + CHUNK]), [])
        return end

    def tokens(self, prompt: Sequence[int], *, lookup: bool, reused: int | None = None) -> Iterator[int]:
        """Greedy tokens after `prompt`, reusing whatever prefix of it the context already holds."""
        llm = self.llm
        prompt = list(prompt)
        end = self.prefill(prompt, reused)
        token = self._decode(prompt[end:], [len(prompt) - end - 1])[0]
        drafter = NgramDrafter(prompt) if lookup else None
        while True:
            yield token
            draft = []
            if drafter is not None:
                drafter.add(token)
                draft = drafter.draft()
                room = min(llm.n_batch, llm.n_ctx() - llm.n_tokens) - 1
                draft = draft[: max(room, 0)]
            batch = [token, *draft]
            predicted = self._decode(batch, list(range(len(batch))))
            kept = 0
            while kept < len(draft) and predicted[kept] == draft[kept]:
                kept += 1
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
