"""What one source file defines and uses, read with tree-sitter: the repo map's raw material."""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path, PurePosixPath

from vibecli.edits import languages, syntax

EXTRACTOR_VERSION = 1
"""Raise it when extract() changes what it produces: every cached tag is then read afresh."""
SIGNATURE_CHARS = 100
MINIFIED_LINE_CHARS = 1000
"""A file whose average line is longer than this is generated or minified: skipped."""


class FileTags:
    """What one file defines and uses. Definitions and terms are decoded from the cache only
    when asked for: ranking a large repository needs just the names."""

    __slots__ = ("status", "names", "refs", "chars", "_defs", "_terms")

    def __init__(self, status: str = "ok", defs: list | str = "[]", refs: dict | None = None,
                 terms: dict | str = "{}", names: list[str] | None = None, chars: int | None = None):
        self.status = status
        """`ok`, or why the file was skipped: `binary`, `generated`, `unreadable`."""
        self._defs = defs
        self.refs: dict[str, int] = refs or {}
        """Names used here that may be defined elsewhere, with how often."""
        self._terms = terms
        self.names: list[str] = names if names is not None else [short_name(d[0]) for d in self.defs]
        """The short name of each definition, in file order."""
        self.chars = chars if chars is not None else sum(len(d[3]) + 4 for d in self.defs)
        """Characters the definitions take in a map."""

    @property
    def defs(self) -> list:
        """[qualified name, kind, line, signature] of each definition, in file order."""
        if isinstance(self._defs, str):
            self._defs = json.loads(self._defs)
        return self._defs

    @property
    def terms(self) -> dict[str, int]:
        """Word stems of the file's names and path, weighted: what finding a file by its words searches."""
        if isinstance(self._terms, str):
            self._terms = json.loads(self._terms)
        return self._terms

    def columns(self) -> tuple:
        dump = lambda v: v if isinstance(v, str) else json.dumps(v, separators=(",", ":"))  # noqa: E731
        return self.status, dump(self.names), dump(self.refs), dump(self._defs), dump(self._terms), self.chars

    @classmethod
    def from_columns(cls, status, names, refs, defs, terms, chars) -> FileTags:
        return cls(status, defs, json.loads(refs), terms, json.loads(names), chars)


def short_name(qualified: str) -> str:
    """`Class.method#2` -> `method`: the name a use in another file would call it by."""
    return qualified.rsplit(".", 1)[-1].split("#")[0]


def extract(relpath: str, data: bytes) -> FileTags:
    """Definitions, references and search terms of one file's bytes."""
    if b"\0" in data[:8192]:
        return FileTags("binary")
    if data and len(data) / (data.count(b"\n") + 1) > MINIFIED_LINE_CHARS:
        return FileTags("generated")
    language = syntax.language_of(relpath)
    if language is None or not languages.by_name(language).addressable:
        return FileTags(terms=dict(path_terms(relpath)))
    tree = syntax.parse(language, data)
    lines = data.split(b"\n")
    defs = [[d.name, d.kind, d.start_line, _signature(lines, d.start_line)] for d in syntax.definitions(language, data, tree)]
    refs = Counter(_references(language, tree))
    terms: Counter[str] = Counter()
    for name, *_ in defs:
        for word in words(short_name(name)):
            terms[word] += 3
    for name, count in refs.items():
        for word in words(name):
            terms[word] += min(count, 3)
    terms.update(path_terms(relpath))
    return FileTags(defs=defs, refs=dict(refs), terms=dict(terms))


def _signature(lines: list[bytes], line: int) -> str:
    """The definition's first line, past decorators and attributes."""
    for raw in lines[line - 1 : line + 8]:
        text = raw.decode("utf-8", errors="replace").strip()
        if text and not text.startswith(("@", "#[", "//", "/*", "*")):
            return text[:SIGNATURE_CHARS]
    return lines[line - 1].decode("utf-8", errors="replace").strip()[:SIGNATURE_CHARS]


@lru_cache(maxsize=None)
def _reference_query(language: str):
    import tree_sitter

    spec = languages.by_name(language)
    path = Path(__file__).parent / "queries" / f"{spec.query or language}.scm"
    return tree_sitter.Query(languages.ts_language(language), path.read_text(encoding="utf-8"))


def _references(language: str, tree) -> list[str]:
    import tree_sitter

    cursor = tree_sitter.QueryCursor(_reference_query(language))
    nodes = cursor.captures(tree.root_node).get("ref", [])
    return [n.text.decode("utf-8", errors="replace") for n in nodes]


_PARTS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_STOP = frozenset(
    "a an and are as at be by do does for from get has have if in into is it its make makes me my not of on "
    "or set should so that the their them then there these this to use uses using was when which while will "
    "with would add change fix update".split()
)


def words(text: str) -> list[str]:
    """Lower-case word stems of identifiers or prose: `parseHTTPHeaders` -> parse, http, header."""
    out = []
    for part in _PARTS.findall(text):
        word = part.lower()
        if len(word) < 2 or word in _STOP:
            continue
        out.append(_stem(word))
    return out


def _stem(word: str) -> str:
    """A light stemmer: parse, parses, parsed and parsing meet at `pars`."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


def path_terms(relpath: str) -> Counter[str]:
    path = PurePosixPath(relpath)
    terms: Counter[str] = Counter()
    for part in (*path.parent.parts, path.stem):
        for word in words(part):
            terms[word] += 2
    return terms
