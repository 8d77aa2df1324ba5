"""Choosing a token from a row of logits, in numpy: what each candidate of a batch needs.

Imported only where a model runs (numpy is not imported at start-up). A row of the embedded
model holds 262,144 logits, so nothing here sorts the whole row: every choice is made among the
tokens near the top, found in one pass.
"""

from __future__ import annotations

import math

import numpy as np

TOP_K = 40
MIN_P = 0.05
"""The filters of the backends' other sampled paths (llama-cpp-python's sampler and the
llama.cpp dialect over HTTP use top_k 40 and min_p 0.05), so a sampled candidate draws from the
same tokens a sampled `generate` would. min_p drops the tokens less than 5% as likely as the
likeliest, at the sampling temperature."""
SPAN = 20.0
"""Tokens whose logit is this far below the top are left out of the log-probability's sum: each
weighs less than e^-20 of the top token, so all 262,144 of them together shift it by less than
6e-4 nats."""


def near_top(logits: np.ndarray) -> tuple[float, np.ndarray]:
    """The top logit and the indexes of the tokens within SPAN of it (ascending)."""
    top = float(logits.max())
    return top, np.flatnonzero(logits > top - SPAN)


def logprob(logits: np.ndarray, token: int, top: float, near: np.ndarray) -> float:
    """log p(token) at temperature 1, the normalizer summed over `near` (see SPAN)."""
    total = np.exp(logits[near].astype(np.float64) - top).sum()
    return float(logits[token]) - top - math.log(total)


def sample(logits: np.ndarray, temperature: float, top_p: float, rng: np.random.Generator,
           top: float, near: np.ndarray, *, top_k: int = TOP_K, min_p: float = MIN_P) -> int:
    """A token drawn at `temperature` from the likeliest tokens: those at least `min_p` as
    likely as the top one, at most `top_k` of them, then the smallest set of those that holds
    `top_p` of their probability. One uniform number from `rng` per call, so a seed fixes the draws."""
    if temperature <= 0:
        return int(logits.argmax())
    floor = top + temperature * math.log(min_p) if min_p > 0 else -math.inf
    ids = near if floor > top - SPAN else np.flatnonzero(logits >= floor)
    ids = ids[logits[ids] >= floor]
    if len(ids) > top_k:
        ids = ids[np.argpartition(-logits[ids], top_k - 1)[:top_k]]
    order = ids[np.argsort(-logits[ids], kind="stable")]  # ties: the lower token id first, every time
    weights = np.exp((logits[order].astype(np.float64) - top) / temperature)
    cumulative = np.cumsum(weights / weights.sum())
    keep = min(int(np.searchsorted(cumulative, top_p)) + 1, len(order))
    draw = rng.random() * cumulative[keep - 1]
    return int(order[min(int(np.searchsorted(cumulative[:keep], draw, side="right")), keep - 1)])
