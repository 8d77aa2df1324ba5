"""What keeps a data set clean: no line shared with the evaluation set, no duplicates.

Contamination: a task whose before- or after-files share a line of at least MIN_SHARED characters
(stripped) with an EditEval task's input or output is dropped; EditEval measures the model and
must never be trained on. Duplicates: the same task twice (same kind, request and files) is an
exact duplicate; two tasks of one kind whose files and request share NEAR_DUPLICATE of their word
trigrams (MinHash estimate, then checked exactly) are near-duplicates, as vendored or copied code
gives; the first one seen is kept.
"""

from __future__ import annotations

import hashlib
import json
import re
import zlib
from pathlib import Path

import numpy as np

MIN_SHARED = 20
NEAR_DUPLICATE = 0.85
_BANDS, _ROWS = 16, 4
_PRIME = (1 << 61) - 1


def eval_lines(path: Path) -> set[str]:
    """The stripped lines of at least MIN_SHARED characters of every task's input and output."""
    lines: set[str] = set()
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip():
            continue
        row = json.loads(raw)
        for field in ("input", "output"):
            lines |= {line.strip() for line in str(row.get(field) or "").split("\n") if len(line.strip()) >= MIN_SHARED}
    return lines


_IMPORT = re.compile(r"(import [\w., ]+|from [\w.]+ import [\w., ()*]+)")


def shared_lines(texts: list[str], forbidden: set[str]) -> list[str]:
    """Lines of `texts` that are in `forbidden`. Import lines do not count: `from typing import
    List` says nothing about a task, and counting it would drop every task that adds that import."""
    return [line.strip() for text in texts for line in text.split("\n")
            if len(line.strip()) >= MIN_SHARED and line.strip() in forbidden and not _IMPORT.fullmatch(line.strip())]


class Dedup:
    """Exact duplicates by hash; near-duplicates by MinHash LSH over word trigrams, per kind."""

    def __init__(self, threshold: float = NEAR_DUPLICATE, seed: int = 1):
        rng = np.random.default_rng(seed)
        self.a = rng.integers(1, _PRIME, size=_BANDS * _ROWS, dtype=np.uint64)
        self.b = rng.integers(0, _PRIME, size=_BANDS * _ROWS, dtype=np.uint64)
        self.threshold = threshold
        self.exact: set[str] = set()
        self.buckets: dict[tuple, list[int]] = {}
        self.shingles: list[set[int]] = []
        self.exact_dropped = 0
        self.near_dropped = 0

    def _signature(self, grams: set[int]) -> np.ndarray:
        values = np.fromiter(grams, dtype=np.uint64, count=len(grams))
        hashed = (np.outer(values, self.a) + self.b) % np.uint64(_PRIME)  # wraps mod 2**64 first: still a hash family
        return hashed.min(axis=0)

    def seen(self, group: str, text: str) -> bool:
        """True when `text` (of kind `group`) duplicates one already kept; else it is kept."""
        words = text.split()
        key = hashlib.sha256((group + "\0" + " ".join(words)).encode()).hexdigest()
        if key in self.exact:
            self.exact_dropped += 1
            return True
        grams = {zlib.crc32(" ".join(words[i:i + 3]).encode()) for i in range(max(1, len(words) - 2))}
        signature = self._signature(grams)
        bands = [(group, band, signature[band * _ROWS:(band + 1) * _ROWS].tobytes()) for band in range(_BANDS)]
        candidates = {index for band in bands for index in self.buckets.get(band, [])}
        for index in candidates:
            other = self.shingles[index]
            if len(grams & other) / max(1, len(grams | other)) >= self.threshold:
                self.near_dropped += 1
                return True
        self.exact.add(key)
        self.shingles.append(grams)
        for band in bands:
            self.buckets.setdefault(band, []).append(len(self.shingles) - 1)
        return False
