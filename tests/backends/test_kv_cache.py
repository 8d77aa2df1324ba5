"""The on-disk prompt cache without a model: entries, misses, LRU bound, concurrent writers."""

from __future__ import annotations

import multiprocessing
import os
import time

from vibecli.backends.kv_cache import MAGIC, LlamaPrefixStore, PromptCache, identity


def _cache(tmp_path, limit=1 << 30, key="model-a"):
    return PromptCache(tmp_path / "pc", key, limit)


def test_the_longest_whole_prefix_on_a_boundary_wins_and_reads_back(tmp_path):
    cache = _cache(tmp_path)
    cache.write(list(range(64)), b"short")
    cache.write(list(range(128)), b"long" * 10)
    cache.write(list(range(200)), b"longer than the prompt's last boundary")
    cache.write(list(range(100)) + [9] * 92, b"parts from the prompt at 100")
    prompt = list(range(210))
    found = cache.lookup(prompt, end=192, chunk=64)
    assert found.match is not None and len(found.match.tokens) == 128
    assert found.lengths == {64, 128} and found.shared == 200
    assert cache.read(found.match) == b"long" * 10


def test_an_entry_not_on_a_boundary_is_never_restored(tmp_path):
    cache = _cache(tmp_path)
    cache.write(list(range(100)), b"x")
    found = cache.lookup(list(range(300)), end=256, chunk=64)
    assert found.match is None and found.shared == 100


def test_a_corrupt_entry_is_a_miss_and_is_removed(tmp_path):
    cache = _cache(tmp_path)
    path = cache.write(list(range(100)), b"x" * 1000)
    raw = bytearray(path.read_bytes())
    raw[-10] ^= 0xFF  # one flipped byte in the state
    path.write_bytes(bytes(raw))
    match = cache.lookup(list(range(100)) + [1], 100, 100).match
    assert match is not None and cache.read(match) is None
    assert not path.exists() and cache.stats.misses_corrupt == 1


def test_truncated_and_foreign_files_are_misses(tmp_path):
    cache = _cache(tmp_path)
    path = cache.write(list(range(100)), b"x" * 1000)
    path.write_bytes(path.read_bytes()[:500])
    (cache.folder / "junk.kv").write_bytes(b"not a cache entry")
    (cache.folder / "empty.kv").write_bytes(MAGIC)
    match = cache.lookup(list(range(100)) + [1], 100, 100).match
    assert match is None or cache.read(match) is None


def test_another_model_or_adapter_never_sees_the_entries(tmp_path):
    adapter = tmp_path / "lora.gguf"
    adapter.write_bytes(b"lora")
    keys = {identity("sha-a", None, "rt"), identity("sha-b", None, "rt"), identity("sha-a", adapter, "rt"),
            identity("sha-a", None, "rt2"), identity("sha-a", adapter, "rt", 0.5)}
    assert len(keys) == 5
    assert identity("sha-a", None, "rt", 0.5) == identity("sha-a", None, "rt")  # no adapter: the scale is moot
    _cache(tmp_path, key=identity("sha-a", None, "rt")).write(list(range(100)), b"a")
    assert _cache(tmp_path, key=identity("sha-b", None, "rt")).lookup(list(range(101)), 100, 100).match is None


def test_least_recently_used_entries_go_first_past_the_bound(tmp_path):
    cache = _cache(tmp_path, limit=10_000)
    first = cache.write([1] * 100, b"a" * 3000)
    second = cache.write([2] * 100, b"b" * 3000)
    past = time.time() - 100
    os.utime(first, (past, past))
    os.utime(second, (past - 50, past - 50))
    cache.read(cache.lookup([1] * 101, 100, 100).match)  # a hit makes `first` the most recently used
    third = cache.write([3] * 100, b"c" * 3000)
    assert first.exists() and third.exists() and not second.exists()
    assert cache.size_bytes() <= 10_000 and cache.stats.evicted == 1


def _writer(root, seed: int, rounds: int) -> None:
    cache = PromptCache(root, "shared", 1 << 30)
    for i in range(rounds):
        tokens = list(range(64)) + [i % 5] * 64  # both processes write the same few names
        cache.write(tokens, bytes([seed]) * (50_000 + i))


def test_concurrent_writers_leave_only_whole_entries(tmp_path):
    root = tmp_path / "pc"
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(root, seed, 30)) for seed in (1, 2, 3)]
    for p in procs:
        p.start()
    reader = PromptCache(root, "shared", 1 << 30)
    reads = 0
    while any(p.is_alive() for p in procs):
        match = reader.lookup(list(range(64)) + [0] * 65, 128, 64).match
        if match is not None and match.shared == 128:
            assert reader.read(match) is not None  # never a torn file
            reads += 1
    for p in procs:
        p.join()
        assert p.exitcode == 0
    names = sorted(p.name for p in (root / "shared").iterdir())
    assert len(names) == 5 and all(n.endswith(".kv") for n in names)  # no temporary file left
    for i in range(5):
        match = reader.lookup(list(range(64)) + [i] * 65, 128, 64).match
        assert match.shared == 128 and reader.read(match) is not None
    assert reader.stats.misses_corrupt == 0


def test_a_prompt_is_saved_at_its_last_boundaries_and_where_it_parts_from_the_nearest_entry(tmp_path):
    cache = _cache(tmp_path)
    store = LlamaPrefixStore(cache, 64)
    prompt = list(range(400))
    assert store.plan(prompt, 384) and store._saves == {384, 320}  # nothing cached: the last two
    cache.write(list(range(200)) + [-1] * 56, b"parts from the prompt at 200")
    store.plan(prompt, 384)
    assert store._saves == {384, 320, 192}  # and the head the two share
    cache.write(list(range(320)), b"the boundary before the end, already there")
    store.plan(prompt, 384)
    assert store._saves == {384}  # the nearest entry is now a whole prefix: no new head
    store.plan(list(range(100)), 64)
    assert store._saves == {64}  # one chunk before it would be the empty prefix
