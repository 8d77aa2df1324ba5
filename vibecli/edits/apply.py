"""Applying parsed edits in memory, and checking the result before anything is written."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from vibecli.core import ApplyError, Edit, EnvelopeError
from vibecli.edits import syntax
from vibecli.edits.envelope import SYMBOL_OPS
from vibecli.edits.fileio import SourceFile
from vibecli.edits.operations import CONTAINER_KINDS, splices

# Languages where two definitions of one name in one scope are a mistake, not an overload.
_NO_OVERLOADS = ("python", "javascript", "go", "rust", "c")


@dataclass(frozen=True)
class Change:
    source: SourceFile
    new_text: str

    @property
    def relpath(self) -> str:
        return self.source.relpath


@dataclass(frozen=True)
class Context:
    """The files in play with their addressable definitions."""

    files: Mapping[str, SourceFile]
    definitions: Mapping[str, list[syntax.Definition]]

    @classmethod
    def of(cls, files: Mapping[str, SourceFile]) -> "Context":
        defs = {}
        for relpath, source in files.items():
            language = syntax.language_of(relpath)
            defs[relpath] = syntax.definitions(language, source.text.encode("utf-8")) if language else []
        return cls(files, defs)

    @property
    def symbols(self) -> dict[str, list[str]]:
        return {p: [d.name for d in defs] for p, defs in self.definitions.items()}

    @property
    def containers(self) -> dict[str, list[str]]:
        return {p: [d.name for d in defs if d.kind in CONTAINER_KINDS] for p, defs in self.definitions.items()}


def symbol_table(files: Mapping[str, SourceFile]) -> dict[str, list[str]]:
    """Each file in context with its addressable definition names."""
    return Context.of(files).symbols


def check_addresses(edits: list[Edit], symbols: Mapping[str, list[str]]) -> None:
    """Every edit names a file in context and a definition in it (or a new file): else the grammar's verdict."""
    seen: set[tuple[str, str | None]] = set()
    whole = {e.path for e in edits if e.op in ("rewrite", "create")}
    for edit in edits:
        if edit.path in whole and sum(e.path == edit.path for e in edits) > 1:
            raise EnvelopeError(f"the answer rewrites {edit.path} and also edits it; send one or the other")
        if edit.op in ("replace", "delete"):
            key = (edit.path, edit.symbol)
            if key in seen:
                raise EnvelopeError(f"the answer changes {edit.path} {edit.symbol} twice")
            seen.add(key)
        if edit.op == "create":
            if edit.path in symbols:
                raise EnvelopeError(f"`@@ create {edit.path}`: that file exists; use replace or rewrite")
            continue
        if edit.path not in symbols:
            known = ", ".join(sorted(symbols)) or "none"
            raise EnvelopeError(f"{edit.path} is not a file in context (files: {known})")
        if (edit.op in SYMBOL_OPS or (edit.op == "append" and edit.symbol)) and edit.symbol not in symbols[edit.path]:
            known = ", ".join(symbols[edit.path]) or "none"
            raise EnvelopeError(f"{edit.path} has no definition named {edit.symbol} (definitions: {known})")


def apply_edits(edits: list[Edit], files: Mapping[str, SourceFile], new_files: Mapping[str, SourceFile]) -> list[Change]:
    """All-or-nothing: every changed file's new text, each checked; raises ApplyError."""
    changes = []
    by_path: dict[str, list[Edit]] = {}
    for edit in edits:
        by_path.setdefault(edit.path, []).append(edit)
    for relpath, file_edits in by_path.items():
        source = files.get(relpath) or new_files[relpath]
        text = _apply_to_file(source, file_edits)
        if source.exists and _only_trailing_space_differs(text, source.text):
            text = source.text  # a copy of the code is no change, even where re-indenting trimmed blank lines
        changes.append(Change(source, text))
    return changes


def _only_trailing_space_differs(a: str, b: str) -> bool:
    return [line.rstrip() for line in a.rstrip().split("\n")] == [line.rstrip() for line in b.rstrip().split("\n")]


def _apply_to_file(source: SourceFile, edits: list[Edit]) -> str:
    first = edits[0]
    if first.op in ("create", "rewrite"):
        if not first.body.strip():
            raise ApplyError(f"`@@ {first.op} {first.path}` has no content")
        text = first.body
        if source.exists and not source.text.endswith("\n"):
            text = text.rstrip("\n")
        _validate(source, text)
        return text
    language = syntax.language_of(source.relpath)
    data = source.text.encode("utf-8")
    found = {d.name: d for d in syntax.definitions(language, data)} if language else {}
    cuts = sorted((s for e in edits for s in splices(e, data, language, found)), key=lambda s: (s.start, s.end))
    for a, b in zip(cuts, cuts[1:]):
        if b.start < a.end:
            raise ApplyError(f"the edits of {_name(a.edit)} and {_name(b.edit)} overlap; send only the outer one")
    out, anchors, pos = bytearray(), [], 0
    for cut in cuts:
        out += data[pos : cut.start]
        if cut.anchor is not None:
            anchors.append((len(out) + cut.anchor, cut.edit))
        out += cut.text
        pos = cut.end
    out += data[pos:]
    text = out.decode("utf-8")
    _validate(source, text)
    if language:
        _check_definitions(language, bytes(out), anchors, found)
    return text


def _name(edit: Edit) -> str:
    return f"{edit.op} {edit.symbol or edit.path}"


def _check_definitions(language: str, data: bytes, anchors: list, before: Mapping[str, syntax.Definition]) -> None:
    """Code put in a definition's place is a whole definition, and repeats none that exists."""
    after = syntax.definitions(language, data)
    starts = {d.start_byte for d in after}
    for offset, edit in anchors:
        if offset not in starts:
            raise ApplyError(
                f"the code for `@@ {edit.op} {edit.symbol or edit.path}` must be one whole definition "
                "(a function, class or method), starting with its first line"
            )
    if language in _NO_OVERLOADS:
        repeated = sorted({d.name.split("#")[0] for d in after if "#" in d.name} - {n.split("#")[0] for n in before if "#" in n})
        if repeated:
            raise ApplyError(f"the code defines {', '.join(repeated)}, which exists already; change it in place instead")


def _validate(source: SourceFile, text: str) -> None:
    language = syntax.language_of(source.relpath)
    if language is None:
        return
    before = syntax.problems(language, source.text.encode("utf-8")) if source.exists else []
    after = syntax.problems(language, text.encode("utf-8"))
    if len(after) > len(before):
        old = {(p.kind, p.line) for p in before}
        problem = next((p for p in after if (p.kind, p.line) not in old), after[0])
        lines = text.split("\n")
        line = lines[problem.line - 1] if problem.line <= len(lines) else ""
        what = "syntax error" if problem.kind == "ERROR" else f"syntax error ({problem.kind.lower()})"
        raise ApplyError(f"{source.relpath}:{problem.line}:{problem.column}: {what} in: {line.strip()[:80]}")
    if language == "python" and not before:
        try:
            compile(text, source.relpath, "exec", dont_inherit=True)
        except SyntaxError as exc:
            raise ApplyError(f"{source.relpath}:{exc.lineno}: {exc.msg}") from None
        except ValueError as exc:
            raise ApplyError(f"{source.relpath}: {exc}") from None
