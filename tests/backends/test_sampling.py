"""Choosing a candidate's tokens from a row of logits, without a model."""

from __future__ import annotations

import math

import numpy as np
import pytest

from vibecli.backends.sampling import SPAN, logprob, near_top, sample


def _row(values: dict[int, float], size: int = 50_000, floor: float = -30.0) -> np.ndarray:
    row = np.full(size, floor, dtype=np.float32)
    for token, value in values.items():
        row[token] = value
    return row


def _draws(row: np.ndarray, temperature: float, top_p: float, seed: int, count: int = 2000) -> list[int]:
    rng = np.random.default_rng(seed)
    top, near = near_top(row)
    return [sample(row, temperature, top_p, rng, top, near) for _ in range(count)]


def test_the_log_probability_is_the_log_softmax_to_within_the_bound_of_the_span():
    rng = np.random.default_rng(0)
    row = (rng.standard_normal(262_144) * 4).astype(np.float32)
    top, near = near_top(row)
    exact = row.astype(np.float64) - top - math.log(np.exp(row.astype(np.float64) - top).sum())
    for token in (int(row.argmax()), 7, 123_456):
        assert logprob(row, token, top, near) == pytest.approx(exact[token], abs=262_144 * math.exp(-SPAN))
    assert len(near) < len(row)  # the sum skips the tail


def test_a_seed_fixes_the_draws_and_another_seed_changes_them():
    row = _row({1: 2.0, 2: 1.8, 3: 1.5, 4: 1.0})
    assert _draws(row, 1.0, 1.0, seed=5, count=50) == _draws(row, 1.0, 1.0, seed=5, count=50)
    assert _draws(row, 1.0, 1.0, seed=5, count=50) != _draws(row, 1.0, 1.0, seed=6, count=50)


def test_draws_follow_the_tempered_softmax_of_the_kept_tokens():
    row = _row({1: 2.0, 2: 1.0, 3: 0.5})
    counts = np.bincount(_draws(row, 0.8, 1.0, seed=1, count=6000), minlength=4)[1:4]
    weights = np.exp(np.array([2.0, 1.0, 0.5]) / 0.8)
    expected = weights / weights.sum() * 6000
    assert np.all(np.abs(counts - expected) < 5 * np.sqrt(expected))  # five standard deviations


def test_top_p_keeps_the_smallest_set_that_holds_that_share():
    row = _row({1: 3.0, 2: 2.0, 3: 1.9, 4: 1.8})  # at temperature 1: 0.50, 0.18, 0.17, 0.15
    assert set(_draws(row, 1.0, 0.45, seed=2)) == {1}
    assert set(_draws(row, 1.0, 0.6, seed=2)) == {1, 2}
    assert set(_draws(row, 1.0, 0.75, seed=2)) == {1, 2, 3}


def test_min_p_and_top_k_drop_the_unlikely_tokens_however_hot():
    row = _row({1: 5.0, 2: 4.0, 3: 1.0})  # token 3 is e^-4 as likely as token 1: under min_p 0.05 at temperature 1
    assert set(_draws(row, 1.0, 1.0, seed=3)) == {1, 2}
    many = _row({i: 1.0 for i in range(100)})  # 100 equally likely tokens
    assert len(set(_draws(many, 1.0, 1.0, seed=4))) == 40


def test_temperature_zero_is_the_argmax():
    row = _row({7: 1.0, 9: 1.5})
    assert set(_draws(row, 0.0, 0.9, seed=1, count=20)) == {9}
