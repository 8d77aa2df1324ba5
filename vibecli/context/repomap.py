"""The repo map: the definitions of the files that matter most to a request, ranked, and cut to
fit a token budget exactly; and, when the user names no file, the choice of files to edit."""

from __future__ import annotations

import hashlib
import json
import math
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from vibecli.context.cache import TagCache
from vibecli.context.rank import Ranking, definers, rank_files
from vibecli.context.sources import Listing, list_sources, recently_changed
from vibecli.context.tags import FileTags, words
from vibecli.core import estimate_tokens

Counter_ = Callable[[str], int]
WORD_MATCHES = 5
"""The files whose names best match the instruction's words get more of the walk's restarts."""
MAP_FORMAT = 1
"""Raise it when the same files and request would give another map (ranking, rendering): the
maps the tag cache remembers are then built afresh."""


@dataclass
class MapText:
    text: str
    tokens: int
    budget: int
    files: list[str]
    """The files shown, best first."""
    left_out: int
    """Ranked files that did not fit."""
    definitions: int
    definitions_total: int

    def to_json(self) -> dict:
        return {"tokens": self.tokens, "budget": self.budget, "files": len(self.files), "left_out_files": self.left_out,
                "definitions": self.definitions, "definitions_total": self.definitions_total}


@dataclass
class Choice:
    path: str
    score: float
    why: list[str] = field(default_factory=list)


@dataclass
class Mentions:
    names: set[str]
    """Identifiers in the instruction that some file defines."""
    paths: set[str]
    """Files the instruction names by path or file name."""


class RepoMap:
    def __init__(self, root: Path, cache_path: Path | None, max_file_bytes: int = 1_000_000):
        self.root = root
        self.cache = TagCache(cache_path)
        self.max_file_bytes = max_file_bytes
        self.listing = Listing()
        self.tags: dict[str, FileTags] = {}
        self.defined: dict[str, set[str]] = {}
        self.scan_s = 0.0
        self.mapped = 0
        """Source files with tags (read now, or when a remembered map was built)."""
        self._recent: list[str] | None = None
        self._key = ""

    @property
    def recent(self) -> list[str]:
        """The files changed most recently (git), read once."""
        if self._recent is None:
            self._recent = recently_changed(self.root)[:20]
        return self._recent

    def scan(self, listing: Listing | None = None) -> RepoMap:
        started = time.perf_counter()
        self.listing = listing or list_sources(self.root, self.max_file_bytes)
        tags = self.cache.update(self.root, self.listing.files)
        for relpath, t in tags.items():
            if t.status != "ok":
                self.listing.skipped[t.status] += 1
        self.tags = {p: t for p, t in tags.items() if t.status == "ok"}
        self.defined = definers(self.tags)
        self.mapped = len(self.tags)
        self.scan_s = time.perf_counter() - started
        return self

    def recall(self, focus: list[str], instruction: str, budget: int, counter: str) -> MapText | None:
        """build()'s map, if these very files (path, size, mtime), recent changes and request were
        mapped with this token counter before (the tag cache keeps the last few maps): then an
        unchanged repository costs a listing, not a scan, a ranking and a count."""
        started = time.perf_counter()
        self.listing = list_sources(self.root, self.max_file_bytes)
        request = [MAP_FORMAT, sorted(self.listing.files.items()), sorted(self.listing.skipped.items()), self.recent,
                   sorted(focus), instruction, budget, counter]
        self._key = hashlib.sha1(json.dumps(request).encode("utf-8", errors="surrogatepass")).hexdigest()
        kept = self.cache.recall(self._key)
        if kept is None:
            return None
        self.listing.skipped = Counter(kept["skipped"])
        self.mapped = kept["mapped"]
        self.scan_s = time.perf_counter() - started
        return MapText(**kept["map"])

    def remembered_build(self, focus: list[str], instruction: str, budget: int, count: Counter_,
                         counter: str) -> MapText:
        """The map recall() finds, or else build()'s, remembered for next time. `counter` names `count`."""
        found = self.recall(focus, instruction, budget, counter)
        if found is not None:
            return found
        self.scan(self.listing)
        found = self.build(focus, instruction, budget, count)[0]
        self.cache.remember(self._key, {"map": asdict(found), "mapped": self.mapped, "skipped": dict(self.listing.skipped)})
        return found

    def mentions(self, instruction: str) -> Mentions:
        tokens = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", instruction))
        names = {t for t in tokens if len(t) >= 3 and t in self.defined}
        spans = set(re.findall(r"[\w./-]+", instruction))
        paths = {p for p in self.tags if p in spans or Path(p).name in spans}
        return Mentions(names, paths)

    def ranking(self, focus: list[str], instruction: str, mentions: Mentions | None = None,
                word_scores: dict[str, float] | None = None) -> Ranking:
        """`word_scores` (BM25 of the instruction's words per file) saves computing them again."""
        mentions = mentions or self.mentions(instruction)
        boosts: dict[str, list[str]] = {}
        for relpath in focus:
            boosts.setdefault(relpath, []).append("named")
        for relpath in mentions.paths:
            boosts.setdefault(relpath, []).append("path mentioned")
        for name in mentions.names:
            for relpath in self.defined[name]:
                if "defines a mentioned name" not in boosts.get(relpath, []):
                    boosts.setdefault(relpath, []).append("defines a mentioned name")
        scores = word_scores if word_scores is not None else _bm25(set(words(instruction)), self.tags)
        for relpath in sorted(scores, key=lambda p: -scores[p])[:WORD_MATCHES]:
            boosts.setdefault(relpath, []).append("words match")
        for relpath in self.recent:
            if relpath in self.tags:
                boosts.setdefault(relpath, []).append("recently changed")
        return rank_files(self.tags, boosts, mentions.names, self.defined)

    def build(self, focus: list[str], instruction: str, budget: int, count: Counter_) -> tuple[MapText, Ranking]:
        """The map a request naming `focus` (shown whole, so left out) would see, and its ranking."""
        mentions = self.mentions(instruction)
        ranking = self.ranking([f for f in focus if f in self.tags], instruction, mentions)
        return self.render(ranking, budget, count, exclude=set(focus), mentioned=mentions.names), ranking

    def render(self, ranking: Ranking, budget: int, count: Counter_ = estimate_tokens,
               exclude: set[str] = frozenset(), mentioned: set[str] = frozenset()) -> MapText:
        """The largest map of the best-ranked definitions whose token count is at most `budget`."""
        entries = self._entries(ranking, exclude, mentioned, budget)
        lo, hi = 0, _upper_bound(entries, budget)
        best_text, best_tokens = "", 0
        while lo < hi:  # the largest n whose map fits: tokens grow with n
            mid = (lo + hi + 1) // 2
            text = _render(entries[:mid], ranking)
            tokens = count(text)
            if tokens <= budget:
                lo, best_text, best_tokens = mid, text, tokens
            else:
                hi = mid - 1
        shown = _files_in(entries[:lo], ranking)
        candidates = len(self.tags) - len(exclude & self.tags.keys())
        total = sum(len(t.names) for p, t in self.tags.items() if p not in exclude)  # names: already decoded
        return MapText(best_text, best_tokens, budget, shown, candidates - len(shown),
                       sum(1 for e in entries[:lo] if e[2] is not None), total)

    def _best_files(self, ranking: Ranking, exclude: set[str], budget: int) -> list[str]:
        """The best-ranked files, as many as could fill the budget twice over even if every
        definition in them were shown: a definition further down cannot make it in."""
        order = sorted((p for p in self.tags if p not in exclude), key=lambda p: (-ranking.rank.get(p, 0.0), p))
        limit, total = budget * 12 * 2, 0
        for i, relpath in enumerate(order):
            total += len(relpath) + self.tags[relpath].chars
            if total > limit:
                return order[: i + 1]
        return order

    def _entries(self, ranking: Ranking, exclude: set[str], mentioned: set[str], budget: int) -> list[tuple]:
        """(score, file, definition or None) for every file header and definition, best first."""
        entries = []
        for relpath in self._best_files(ranking, exclude, budget):
            t = self.tags[relpath]
            r = ranking.rank.get(relpath, 0.0)
            entries.append((r, relpath, None))
            for d, short in zip(t.defs, t.names):
                weight = (0.5 + math.log1p(ranking.ref_count.get(short, 0))) / (1 + d[0].count("."))
                if short in mentioned:
                    weight *= 10
                if short.startswith("_"):
                    weight *= 0.2
                entries.append((r * weight / (1 + weight), relpath, d))  # below its file's header
        entries.sort(key=lambda e: (-e[0], e[1], e[2][2] if e[2] else 0))
        return entries

    def choose(self, instruction: str, limit: int) -> list[Choice]:
        """The files an instruction most likely means: its words against each file's names and
        path (BM25), what it names outright, and the reference graph."""
        mentions = self.mentions(instruction)
        scores = _bm25(set(words(instruction)), self.tags)
        top = max(scores.values(), default=0.0) or 1.0
        ranking = self.ranking([], instruction, mentions, scores)
        top_rank = max(ranking.rank.values(), default=0.0) or 1.0
        defined = self.defined
        choices = []
        for relpath in self.tags:
            why = []
            score = scores.get(relpath, 0.0) / top + 0.2 * ranking.rank.get(relpath, 0.0) / top_rank
            if relpath in mentions.paths:
                score += 2.0
                why.append("path mentioned")
            named = sorted(n for n in mentions.names if relpath in defined[n])
            if named:
                score += 1.0 / max(len(defined[n]) for n in named)
                why.append(f"defines {', '.join(named[:3])}")
            if scores.get(relpath):
                why.append(f"words {scores[relpath] / top:.2f}")
            choices.append(Choice(relpath, score, why))
        choices.sort(key=lambda c: (-c.score, c.path))
        return choices[:limit]


def _bm25(query: set[str], tags: dict[str, FileTags], k1: float = 1.2, b: float = 0.75) -> dict[str, float]:
    if not query or not tags:
        return {}
    lengths = {p: sum(t.terms.values()) for p, t in tags.items()}
    average = sum(lengths.values()) / len(lengths) or 1.0
    df = {q: sum(1 for t in tags.values() if q in t.terms) for q in query}
    n = len(tags)
    idf = {q: math.log((n - d + 0.5) / (d + 0.5) + 1) for q, d in df.items() if d}
    scores = {}
    for relpath, t in tags.items():
        norm = k1 * (1 - b + b * lengths[relpath] / average)
        s = sum(idf[q] * tf * (k1 + 1) / (tf + norm) for q in idf if (tf := t.terms.get(q)))
        if s:
            scores[relpath] = s
    return scores


def _upper_bound(entries: list[tuple], budget: int) -> int:
    """Entries past this many cannot fit: no tokenizer packs more than 12 bytes a token here."""
    limit, total = budget * 12, 0
    for i, e in enumerate(entries):
        total += len(e[1]) + 2 if e[2] is None else len(e[2][3]) + 4
        if total > limit:
            return i
    return len(entries)


def _files_in(entries: list[tuple], ranking: Ranking) -> list[str]:
    return sorted({e[1] for e in entries}, key=lambda p: (-ranking.rank.get(p, 0.0), p))


def _render(entries: list[tuple], ranking: Ranking) -> str:
    by_file: dict[str, list] = {}
    for _, relpath, d in entries:
        group = by_file.setdefault(relpath, [])
        if d is not None:
            group.append(d)
    lines = []
    for relpath in _files_in(entries, ranking):
        lines.append(f"{relpath}:")
        for name, _kind, _line, signature in sorted(by_file[relpath], key=lambda d: d[2]):
            depth = name.split("#")[0].count(".")
            lines.append("  " * (depth + 1) + signature)
    return "\n".join(lines) + "\n" if lines else ""


class RepoContext:
    """The repo map of one work tree for one run: scanned once, on first use."""

    def __init__(self, root: Path, cache_path: Path | None, max_file_bytes: int = 1_000_000):
        self.map = RepoMap(root, cache_path, max_file_bytes)
        self._scanned = False

    def _ready(self) -> RepoMap:
        if not self._scanned:
            self.map.scan()
            self._scanned = True
        return self.map

    def choose(self, instruction: str, limit: int) -> list[Choice]:
        """Files the instruction points at, best first; only files with some evidence (its words,
        a path or a name it mentions), never a guess from the graph alone."""
        return [c for c in self._ready().choose(instruction, limit) if c.why]

    def render(self, focus: list[str], instruction: str, budget: int, count: Counter_) -> MapText:
        return self._ready().build(focus, instruction, budget, count)[0]
