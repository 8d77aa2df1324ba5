"""A prompt cache that outlives the process: the KV cache of a prompt's tokens, on disk.

A CLI is a new process every time, so llama.cpp's in-process prefix reuse never helps a hook
or a script that calls vibecli again and again over the same files. After a prompt is
evaluated, the KV state of its sequence (llama.cpp's per-sequence state API: the keys and
values only, ~8 KB a token here, not the whole-context state with its 262k-vocabulary logits)
is written to one file; the next run restores the entry sharing the longest prefix with its
prompt, drops the rest of it, and evaluates only what differs.

One file per entry: a header (magic, token count, data length, a BLAKE2b digest of tokens
and data), the tokens, the state. Entries live in a folder per model identity (model sha256,
adapter, llama-cpp-python version), are written to a temporary name and renamed into place
(safe with concurrent processes), and are evicted least recently used first past a size
bound. A missing, stale, truncated or corrupt entry is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

MAGIC = b"VBKVC01\n"
_HEAD = struct.Struct("<QQ32s")
SUFFIX = ".kv"
MIN_TOKENS = 64
"""Prompts shorter than this are evaluated faster than an entry is found and read."""
MIN_GAIN = 32
"""A new entry is written only when it covers at least this many tokens more than the best one."""
_STALE_TMP_S = 3600
STATS = "stats.json"


def identity(model_sha256: str, adapter: str | Path | None, runtime: str) -> str:
    """The folder name for one model + adapter + llama.cpp build: an entry of another is never read."""
    parts = [model_sha256, runtime]
    if adapter:
        path = Path(adapter).expanduser()
        try:
            st = path.stat()
            parts.append(f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}")
        except OSError:
            parts.append(str(path))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]


def _tokens_bytes(tokens: Sequence[int]) -> bytes:
    return struct.pack(f"<{len(tokens)}i", *tokens)


def _digest(tokens_blob: bytes, data: bytes) -> bytes:
    h = hashlib.blake2b(digest_size=32)
    h.update(tokens_blob)
    h.update(data)
    return h.digest()


@dataclass
class Match:
    path: Path
    tokens: list[int]
    shared: int
    """Leading tokens this entry has in common with the prompt."""


@dataclass
class Stats:
    lookups: int = 0
    hits: int = 0
    restored_tokens: int = 0
    writes: int = 0
    evicted: int = 0
    read_s: float = 0.0
    write_s: float = 0.0
    misses_corrupt: int = field(default=0)

    @property
    def hit_rate(self) -> float:
        return self.hits / self.lookups if self.lookups else 0.0


class PromptCache:
    """Entries of one model identity under `root/identity`; `limit_bytes` bounds all of `root`."""

    def __init__(self, root: Path, identity: str, limit_bytes: int):
        self.root = root
        self.folder = root / identity
        self.limit_bytes = limit_bytes
        self.stats = Stats()

    def best(self, tokens: Sequence[int]) -> Match | None:
        """The entry sharing the longest prefix with `tokens` (headers only are read)."""
        best: Match | None = None
        try:
            names = [p for p in self.folder.iterdir() if p.name.endswith(SUFFIX)]
        except OSError:
            return None
        for path in names:
            entry = _read_tokens(path)
            if entry is None:
                continue
            shared = common_prefix(entry, tokens)
            if best is None or shared > best.shared or (shared == best.shared and len(entry) < len(best.tokens)):
                best = Match(path, entry, shared)
        return best

    def read(self, match: Match) -> bytes | None:
        """The entry's state, checked against its digest; None (and the file removed) if damaged."""
        started = time.perf_counter()
        try:
            with match.path.open("rb") as f:
                blob = f.read()
        except OSError:
            return None
        data = _parse(blob)
        if data is None or data[0] != match.tokens:
            self.stats.misses_corrupt += 1
            _unlink(match.path)
            return None
        try:
            os.utime(match.path)  # least recently *used* goes first
        except OSError:
            pass
        self.stats.read_s += time.perf_counter() - started
        return data[1]

    def write(self, tokens: Sequence[int], data: bytes, replaces: Path | None = None) -> Path | None:
        """Store an entry atomically; `replaces` is an entry the new one covers (removed). Best effort."""
        started = time.perf_counter()
        tokens_blob = _tokens_bytes(tokens)
        name = hashlib.blake2b(tokens_blob, digest_size=16).hexdigest() + SUFFIX
        target = self.folder / name
        tmp = self.folder / f".{name}.{os.getpid()}.{time.monotonic_ns()}.tmp"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with tmp.open("wb") as f:
                f.write(MAGIC)
                f.write(_HEAD.pack(len(tokens), len(data), _digest(tokens_blob, data)))
                f.write(tokens_blob)
                f.write(data)
            os.replace(tmp, target)
        except OSError:
            _unlink(tmp)
            return None
        if replaces is not None and replaces != target:
            _unlink(replaces)
        self.stats.writes += 1
        self.stats.write_s += time.perf_counter() - started
        self.evict()
        return target

    def evict(self) -> None:
        """Remove the least recently used entries (of every model) until the cache fits its bound."""
        entries = []
        now = time.time()
        for path in [*self.root.glob("*/*"), *self.root.glob(".*.tmp")]:
            try:
                st = path.stat()
            except OSError:
                continue
            if path.name.endswith(".tmp"):
                if now - st.st_mtime > _STALE_TMP_S:  # left by a killed process
                    _unlink(path)
                continue
            if path.name.endswith(SUFFIX):
                entries.append((st.st_mtime, st.st_size, path))
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= self.limit_bytes:
                break
            _unlink(path)
            total -= size
            self.stats.evicted += 1

    def record(self, hit: bool) -> None:
        """Count a lookup in the folder's running totals (for `vibecli model bench`). Best effort:
        two processes updating at the same moment may lose one count, never the file."""
        totals = self.totals()
        totals["lookups"] += 1
        totals["hits"] += int(hit)
        tmp = self.root / f".stats.{os.getpid()}.{time.monotonic_ns()}.tmp"
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(totals))
            os.replace(tmp, self.root / STATS)
        except OSError:
            _unlink(tmp)

    def totals(self) -> dict[str, int]:
        try:
            data = json.loads((self.root / STATS).read_text())
            return {"lookups": int(data["lookups"]), "hits": int(data["hits"])}
        except (OSError, ValueError, KeyError, TypeError):
            return {"lookups": 0, "hits": 0}

    def size_bytes(self) -> int:
        total = 0
        for path in self.root.glob(f"*/*{SUFFIX}"):
            try:
                total += path.stat().st_size
            except OSError:
                pass
        return total


def _read_tokens(path: Path) -> list[int] | None:
    try:
        with path.open("rb") as f:
            head = f.read(len(MAGIC) + _HEAD.size)
            if len(head) != len(MAGIC) + _HEAD.size or not head.startswith(MAGIC):
                return None
            count, _, _ = _HEAD.unpack(head[len(MAGIC) :])
            blob = f.read(4 * count)
    except OSError:
        return None
    if len(blob) != 4 * count:
        return None
    return list(struct.unpack(f"<{count}i", blob))


def _parse(blob: bytes) -> tuple[list[int], bytes] | None:
    start = len(MAGIC) + _HEAD.size
    if len(blob) < start or not blob.startswith(MAGIC):
        return None
    count, size, digest = _HEAD.unpack(blob[len(MAGIC) : start])
    if len(blob) != start + 4 * count + size:
        return None
    tokens_blob = blob[start : start + 4 * count]
    data = blob[start + 4 * count :]
    if _digest(tokens_blob, data) != digest:
        return None
    return list(struct.unpack(f"<{count}i", tokens_blob)), data


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    """How many leading tokens two sequences share."""
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


class LlamaPrefixStore:
    """The prompt cache applied to a llama-cpp-python `Llama`: restore before a prompt, save after it."""

    def __init__(self, cache: PromptCache):
        self.cache = cache
        self._pending: Match | None = None

    def restore(self, llm, tokens: Sequence[int]) -> int:
        """Tokens of `tokens` the context holds afterwards (sequence 0), from memory or from disk."""
        import ctypes

        import llama_cpp

        in_memory = common_prefix(llm.input_ids[: llm.n_tokens].tolist(), tokens)
        self._pending = None
        if len(tokens) < MIN_TOKENS:
            return in_memory
        stats = self.cache.stats
        stats.lookups += 1
        match = self.cache.best(tokens)
        self._pending = match
        if match is None or match.shared < MIN_TOKENS or match.shared <= in_memory:
            hit = in_memory >= MIN_TOKENS  # the process already holds it (a retry, the body after the header)
            stats.hits += hit
            self.cache.record(hit)
            return in_memory
        data = self.cache.read(match)
        if data is None:
            self._pending = None
            self.cache.record(False)
            return in_memory
        buffer = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
        llm._ctx.kv_cache_seq_rm(0, 0, -1)
        llm.n_tokens = 0
        llm._requires_eval = True
        if llama_cpp.llama_state_seq_set_data(llm._ctx.ctx, buffer, len(data), 0) != len(data):
            llm._ctx.kv_cache_seq_rm(0, 0, -1)
            stats.misses_corrupt += 1
            self._pending = None
            self.cache.record(False)
            return 0
        if not llm._ctx.kv_cache_seq_rm(0, match.shared, -1):
            llm._ctx.kv_cache_seq_rm(0, 0, -1)
            self.cache.record(False)
            return 0
        llm.input_ids[: match.shared] = list(tokens[: match.shared])
        llm.n_tokens = match.shared
        stats.hits += 1
        stats.restored_tokens += match.shared
        self.cache.record(True)
        return match.shared

    def save(self, llm, tokens: Sequence[int]) -> None:
        """Write the state of `tokens` (the whole prompt, just evaluated) unless an entry already
        covers nearly all of it; an entry the new one extends is replaced."""
        import ctypes

        import llama_cpp

        match = self._pending
        self._pending = None
        if len(tokens) < MIN_TOKENS or self.cache.limit_bytes <= 0:
            return
        if llm.n_tokens != len(tokens) or llm.input_ids[: len(tokens)].tolist() != list(tokens):
            return
        if match is not None and len(tokens) - match.shared < MIN_GAIN:
            return
        size = llama_cpp.llama_state_seq_get_size(llm._ctx.ctx, 0)
        buffer = (ctypes.c_uint8 * size)()
        written = llama_cpp.llama_state_seq_get_data(llm._ctx.ctx, buffer, size, 0)
        if written == 0:
            return
        replaces = match.path if match is not None and match.shared == len(match.tokens) else None
        self.cache.write(tokens, ctypes.string_at(buffer, written), replaces)
