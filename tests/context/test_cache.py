"""The tag cache's token counts: kept by tokenizer and text, so a tokenizer is loaded only for a new text."""

from __future__ import annotations

import sqlite3

from vibecli.context import cache as cache_module
from vibecli.context.cache import TagCache


class Tokenizer:
    """A real (whitespace) tokenizer that records how often it was loaded and asked."""

    loads = 0
    asked: list[str] = []

    @classmethod
    def load(cls):
        cls.loads += 1
        return cls.count

    @classmethod
    def count(cls, text: str) -> int:
        cls.asked.append(text)
        return len(text.split())


def test_counts_are_kept_by_tokenizer_and_the_tokenizer_loads_only_for_a_new_text(tmp_path):
    Tokenizer.loads, Tokenizer.asked = 0, []
    path = tmp_path / "tags.sqlite"
    first = TagCache(path).counter("vocab-a", Tokenizer.load)
    assert first("def f(x):\n  return x") == 4 and first("a b") == 2
    assert Tokenizer.loads == 1 and len(Tokenizer.asked) == 2
    again = TagCache(path).counter("vocab-a", Tokenizer.load)  # another process, later
    assert again("def f(x):\n  return x") == 4 and again("a b") == 2
    assert Tokenizer.loads == 1 and len(Tokenizer.asked) == 2
    other = TagCache(path).counter("vocab-b", Tokenizer.load)  # another model: its own counts
    assert other("a b") == 2 and Tokenizer.loads == 2


def test_the_counts_stay_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(cache_module, "MAX_COUNTS", 50)
    path = tmp_path / "tags.sqlite"
    count = TagCache(path).counter("vocab", lambda: len)
    for i in range(120):
        count(f"text {i}")
    kept = sqlite3.connect(path).execute("SELECT count(*) FROM counts").fetchone()[0]
    assert 40 <= kept <= 50


def test_without_a_usable_cache_file_every_text_is_counted(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    count = TagCache(blocker / "tags.sqlite").counter("vocab", lambda: len)  # its folder cannot be made
    assert count("abc") == 3 and count("abc") == 3
