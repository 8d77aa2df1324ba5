"""A prompt cache that outlives the process: the KV cache of a prompt's tokens, on disk.

A CLI is a new process every time, so llama.cpp's in-process prefix reuse never helps a hook
or a script that calls vibecli again and again over the same files. While a prompt is
evaluated, the KV state of its sequence at chosen chunk boundaries (llama.cpp's per-sequence
state API: the keys and values only, ~8 KB a token here, not the whole-context state with its
262k-vocabulary logits) is written to one file each; the next run restores the longest entry
that is a whole prefix of its prompt and evaluates only the rest (`LlamaPrefixStore` says why
never a part of an entry).

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

MAGIC = b"VBKVC02\n"
"""02: entries end on chunk boundaries and are restored whole (01 entries were cut short)."""
_HEAD = struct.Struct("<QQ32s")
SUFFIX = ".kv"
MIN_TOKENS = 64
"""Prompts shorter than this are evaluated faster than an entry is found and read."""
MIN_GAIN = 32
"""A new entry is written only when it covers at least this many tokens more than were restored."""
_STALE_TMP_S = 3600
STATS = "stats.json"


def identity(model_sha256: str, adapter: str | Path | None, runtime: str, adapter_scale: float = 1.0) -> str:
    """The folder name for one model + adapter (and its scale) + llama.cpp build: an entry of another is never read."""
    parts = [model_sha256, runtime]
    if adapter and adapter_scale != 1.0:
        parts.append(f"scale {adapter_scale!r}")
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
class Found:
    match: Match | None = None
    """The entry to restore: the longest one that is a whole prefix of the prompt."""
    shared: int = 0
    """The most leading tokens any entry has in common with the prompt."""
    lengths: set[int] = field(default_factory=set)
    """Lengths of the entries that are whole prefixes of the prompt (not worth writing again)."""


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

    def lookup(self, tokens: Sequence[int], end: int, chunk: int) -> Found:
        """The longest entry that is a whole prefix of `tokens`, at most `end` tokens long and ending
        on a chunk boundary (headers only are read), and how far any entry agrees with `tokens`."""
        found = Found()
        try:
            names = [p for p in self.folder.iterdir() if p.name.endswith(SUFFIX)]
        except OSError:
            return found
        for path in names:
            entry = _read_tokens(path)
            if entry is None:
                continue
            shared = common_prefix(entry, tokens)
            found.shared = max(found.shared, shared)
            if shared == len(entry) and len(entry) <= end and len(entry) % chunk == 0:
                found.lengths.add(len(entry))
                if found.match is None or len(entry) > len(found.match.tokens):
                    found.match = Match(path, entry, shared)
        return found

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

    def write(self, tokens: Sequence[int], data: bytes) -> Path | None:
        """Store an entry atomically. Best effort."""
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
    """The prompt cache applied to a llama-cpp-python `Llama`.

    An entry holds the state of a prompt's first B tokens, B one of the boundaries of the
    decoder's fixed chunk schedule, saved at the moment the evaluation reaches B; it is restored
    only whole, as an exact prefix of a later prompt, and a restored state is never cut short.
    Cutting one short gives wrong answers: a saved state keeps only what its last position can
    attend to, and with sliding-window attention (gemma 3: 512 tokens on most layers) a state
    of L tokens lacks those layers' keys before L - 512, which a position below L still needs
    (measured: the next-token logits moved by up to 0.9 and the answer changed).

    Up to three boundaries of each prompt are saved: its last one (the same prompt again: a retry
    in a new process, a hook run again over the same files); the one before, at least a chunk
    before the end, so before a request of up to 128 tokens (another request over the same
    files, from the first run on); and the last one before the point where it parts from the
    entry it shares most with (the head that prompts over other files share: the instructions,
    the examples, the repository map)."""

    def __init__(self, cache: PromptCache, chunk: int):
        self.cache = cache
        self.chunk = chunk
        self._saves: set[int] = set()
        self._tokens: list[int] = []
        self._floor: tuple[object, int] = (None, 0)
        """(context, tokens restored into it from disk): in-memory reuse never cuts below them."""

    def restore(self, llm, tokens: Sequence[int], end: int) -> int:
        """Tokens of `tokens` the context holds afterwards (sequence 0), from memory or from disk;
        `end` is the last boundary the evaluation will reach before the prompt's final chunk."""
        in_memory = common_prefix(llm.input_ids[: llm.n_tokens].tolist(), tokens)
        floor_llm, floor = self._floor
        if floor_llm is llm and in_memory < floor:
            llm._ctx.kv_cache_seq_rm(0, 0, -1)
            llm.n_tokens = in_memory = 0
            self._floor = (None, 0)
        self._saves, self._tokens = set(), list(tokens)
        if len(tokens) < MIN_TOKENS:
            return in_memory
        stats = self.cache.stats
        stats.lookups += 1
        found = self.cache.lookup(tokens, end, self.chunk)
        held = in_memory
        if found.match is not None and len(found.match.tokens) > in_memory:
            data = self.cache.read(found.match)
            if data is not None:
                held = self._set_state(llm, data, found.match.tokens)
        hit = held >= MIN_TOKENS
        stats.hits += hit
        if held > in_memory:
            stats.restored_tokens += held
        self.cache.record(hit)
        self._plan(found, held, end)
        return held

    def plan(self, tokens: Sequence[int], end: int) -> bool:
        """Choose the boundaries to save for `tokens` as `restore` would, without restoring or
        counting a lookup; whether there are any."""
        self._tokens = list(tokens)
        self._plan(self.cache.lookup(tokens, end, self.chunk), 0, end)
        return bool(self._saves)

    def _plan(self, found: Found, held: int, end: int) -> None:
        self._saves = {
            boundary for boundary in (end, end - self.chunk, found.shared // self.chunk * self.chunk)
            if MIN_TOKENS <= boundary <= end and boundary - held >= MIN_GAIN and boundary not in found.lengths
        }

    def _set_state(self, llm, data: bytes, entry: list[int]) -> int:
        """Put an entry's state in place of whatever the context held; tokens it holds afterwards."""
        import ctypes

        import llama_cpp

        buffer = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
        llm._ctx.kv_cache_seq_rm(0, 0, -1)
        llm.n_tokens = 0
        llm._requires_eval = True
        if llama_cpp.llama_state_seq_set_data(llm._ctx.ctx, buffer, len(data), 0) != len(data):
            llm._ctx.kv_cache_seq_rm(0, 0, -1)
            self.cache.stats.misses_corrupt += 1
            return 0
        llm.input_ids[: len(entry)] = entry
        llm.n_tokens = len(entry)
        self._floor = (llm, len(entry))
        return len(entry)

    def checkpoint(self, llm, boundary: int) -> None:
        """Called as the evaluation reaches each boundary: save the state there if it was chosen."""
        import ctypes

        import llama_cpp

        if boundary not in self._saves or self.cache.limit_bytes <= 0:
            return
        self._saves.discard(boundary)
        tokens = self._tokens[:boundary]
        if llm.n_tokens != boundary or llm.input_ids[:boundary].tolist() != tokens:
            return
        size = llama_cpp.llama_state_seq_get_size(llm._ctx.ctx, 0)
        buffer = (ctypes.c_uint8 * size)()
        written = llama_cpp.llama_state_seq_get_data(llm._ctx.ctx, buffer, size, 0)
        if written:
            self.cache.write(tokens, ctypes.string_at(buffer, written))
