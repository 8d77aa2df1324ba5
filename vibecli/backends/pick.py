"""One of a few given answers, chosen by the model: a short constrained decode.

The options are tokenized and put in a trie; after the prompt, each step masks the logits to the
tokens that continue some option and takes the likeliest. A numpy mask over one row of logits
costs nothing next to the decode, where a grammar would check the whole vocabulary every token.
Only as many tokens are decoded as the chosen option has, so a choice among a hundred options
costs the prompt and a handful of decodes."""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from pathlib import Path

from vibecli.backends.llama_lib import quiet_stderr, weights_not_repacked
from vibecli.core import VibeError


@dataclass(frozen=True)
class Picked:
    option: str
    probability: float
    """Of the option, under the model's distribution renormalised over what the options allow at
    each step: 1.0 when nothing else was possible."""
    seconds: float
    prompt_tokens: int


class Picker:
    """A model loaded for choices (a small context, no logits kept but the last token's)."""

    def __init__(self, model_path: Path, adapter: Path | None = None, threads: int | None = None,
                 n_ctx: int = 512, verbose: bool = False):
        import llama_cpp

        logging.getLogger("llama-cpp-python").setLevel(logging.DEBUG if verbose else logging.CRITICAL + 1)
        try:
            with quiet_stderr(not verbose), weights_not_repacked():
                self._llm = llama_cpp.Llama(
                    model_path=str(model_path), n_ctx=n_ctx, n_threads=threads, n_threads_batch=threads,
                    logits_all=False, lora_path=str(adapter) if adapter else None, verbose=verbose)
        except (ValueError, RuntimeError) as exc:
            raise VibeError(f"llama.cpp could not load {model_path}: {exc}") from None
        self.n_ctx = n_ctx

    def tokens(self, text: str, bos: bool) -> list[int]:
        return self._llm.tokenize(text.encode("utf-8"), add_bos=bos, special=False)

    def pick(self, prompt: str, options: list[str]) -> Picked:
        """The option the model continues `prompt` with. Each option is tokenized on its own, as
        the training engine tokenizes an answer, and ends with the end-of-text token."""
        if not options:
            raise ValueError("no options to pick from")
        started = time.perf_counter()
        eos = self._llm.token_eos()
        sequences = [self.tokens(option, bos=False) + [eos] for option in options]
        prompt_ids = self.tokens(prompt, bos=True)
        longest = max(map(len, sequences))
        if len(prompt_ids) + longest > self.n_ctx:
            prompt_ids = prompt_ids[: 1] + prompt_ids[len(prompt_ids) + longest - self.n_ctx + 1:]
        self._llm.reset()
        self._llm.eval(prompt_ids)
        alive = list(range(len(options)))
        log_p, step = 0.0, 0
        while len(alive) > 1:
            allowed = sorted({sequences[i][step] for i in alive})
            token = allowed[0]
            if len(allowed) > 1:
                row = self._last_logits()[allowed].astype("float64")
                weights = [math.exp(v) for v in row - row.max()]
                best = max(range(len(allowed)), key=weights.__getitem__)
                token = allowed[best]
                log_p += math.log(weights[best] / sum(weights))
            alive = [i for i in alive if sequences[i][step] == token]
            if len(alive) == 1 or token == eos:
                break
            self._llm.eval([token])
            step += 1
        chosen = min(alive, key=lambda i: len(sequences[i]))
        return Picked(options[chosen], math.exp(log_p), time.perf_counter() - started, len(prompt_ids))

    def _last_logits(self):
        import llama_cpp
        import numpy as np

        return np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(self._llm._ctx.ctx, -1),
                                     shape=(self._llm.n_vocab(),))

