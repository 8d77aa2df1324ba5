"""Applying parsed edits in memory, and checking the result before anything is written."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Mapping

from vibecli.core import ApplyError, Edit, EnvelopeError
from vibecli.edits import syntax
from vibecli.edits.fileio import SourceFile

_DEFINITION_TYPES = ("function_definition", "class_definition", "decorated_definition")


@dataclass(frozen=True)
class Change:
    source: SourceFile
    new_text: str

    @property
    def relpath(self) -> str:
        return self.source.relpath


def symbol_table(files: Mapping[str, SourceFile]) -> dict[str, list[str]]:
    """Each file in context with its addressable definition names."""
    table = {}
    for relpath, source in files.items():
        language = syntax.language_of(relpath)
        table[relpath] = (
            [d.name for d in syntax.definitions(language, source.text.encode("utf-8"))] if language else []
        )
    return table


def check_addresses(edits: list[Edit], symbols: Mapping[str, list[str]]) -> None:
    """Every edit names a file in context and a definition in it (or a new file): else the grammar's verdict."""
    seen = set()
    for edit in edits:
        key = (edit.path, edit.symbol if edit.op == "replace" else None)
        if key in seen or (edit.op != "replace" and any(k[0] == edit.path for k in seen)):
            raise EnvelopeError(f"the answer edits {edit.path}{' ' + edit.symbol if edit.symbol else ''} twice")
        seen.add(key)
        if edit.op == "create":
            if edit.path in symbols:
                raise EnvelopeError(f"`@@ create {edit.path}`: that file exists; use replace or rewrite")
            continue
        if edit.path not in symbols:
            known = ", ".join(sorted(symbols)) or "none"
            raise EnvelopeError(f"{edit.path} is not a file in context (files: {known})")
        if edit.op == "replace" and edit.symbol not in symbols[edit.path]:
            known = ", ".join(symbols[edit.path]) or "none"
            raise EnvelopeError(f"{edit.path} has no definition named {edit.symbol} (definitions: {known})")
    rewritten = {e.path for e in edits if e.op == "rewrite"}
    if rewritten & {e.path for e in edits if e.op == "replace"}:
        raise EnvelopeError("the answer both rewrites a file and replaces a definition in it")


def apply_edits(edits: list[Edit], files: Mapping[str, SourceFile], new_files: Mapping[str, SourceFile]) -> list[Change]:
    """All-or-nothing: every changed file's new text, each checked; raises ApplyError."""
    changes = []
    by_path: dict[str, list[Edit]] = {}
    for edit in edits:
        by_path.setdefault(edit.path, []).append(edit)
    for relpath, file_edits in by_path.items():
        source = files.get(relpath) or new_files[relpath]
        text = _apply_to_file(source, file_edits)
        _validate(source, text)
        changes.append(Change(source, text))
    return changes


def _apply_to_file(source: SourceFile, edits: list[Edit]) -> str:
    first = edits[0]
    if first.op in ("create", "rewrite"):
        if not first.body.strip():
            raise ApplyError(f"`@@ {first.op} {first.path}` has no content")
        body = first.body
        if source.exists and not source.text.endswith("\n"):
            body = body.rstrip("\n")
        return body
    language = syntax.language_of(source.relpath)
    data = source.text.encode("utf-8")
    found = {d.name: d for d in syntax.definitions(language, data)}
    spans = []
    for edit in edits:
        definition = found[edit.symbol]
        _require_definition(language, edit, found)
        line_start = data.rfind(b"\n", 0, definition.start_byte) + 1
        lead = data[line_start : definition.start_byte].decode("utf-8")
        spans.append((line_start, definition.end_byte, lead, edit))
    spans.sort(key=lambda s: s[0])
    for (_, end, _, a), (start, _, _, b) in zip(spans, spans[1:]):
        if start < end:
            raise ApplyError(f"the edits of {a.symbol} and {b.symbol} overlap; replace only the outer one")
    for start, end, lead, edit in reversed(spans):
        new = _reindent(edit.body, lead).encode("utf-8")
        data = data[:start] + new + data[end:]
    return data.decode("utf-8")


def _require_definition(language: str, edit: Edit, found: Mapping[str, syntax.Definition]) -> None:
    """The code must be one whole definition, and not a copy of a different one that exists already."""
    body = textwrap.dedent(edit.body).encode("utf-8")
    defined = syntax.definitions(language, body)
    tree = syntax.parse(language, body)
    first = next(iter(tree.root_node.named_children), None)
    while first is not None and first.type == "comment":
        first = first.next_named_sibling
    if first is None or first.type not in _DEFINITION_TYPES or not defined:
        raise ApplyError(
            f"the replacement for {edit.symbol} must be the whole new definition, starting with `def` or `class`"
        )
    scope, _, name = edit.symbol.rpartition(".")
    for index, definition in enumerate(d for d in defined if "." not in d.name):
        sibling = f"{scope}.{definition.name}" if scope else definition.name
        if index == 0 and definition.name == name.split("#")[0]:
            continue
        if sibling in found:
            raise ApplyError(
                f"the code defines {definition.name}, which exists already; the edit replaces only {edit.symbol}"
            )


def _reindent(body: str, lead: str) -> str:
    lines = textwrap.dedent(body).strip("\n").split("\n")
    if lead.strip():  # the definition shares its line with other code: keep that code, indent nothing
        return "\n".join(lines)
    return "\n".join((lead + line) if line.strip() else "" for line in lines)


def _validate(source: SourceFile, text: str) -> None:
    language = syntax.language_of(source.relpath)
    if language is None:
        return
    before = syntax.problems(language, source.text.encode("utf-8")) if source.exists else []
    after = syntax.problems(language, text.encode("utf-8"))
    if len(after) > len(before):
        old = {(p.kind, p.line) for p in before}
        problem = next((p for p in after if (p.kind, p.line) not in old), after[0])
        line = text.split("\n")[problem.line - 1] if problem.line <= text.count("\n") + 1 else ""
        what = "syntax error" if problem.kind == "ERROR" else f"syntax error ({problem.kind.lower()})"
        raise ApplyError(f"{source.relpath}:{problem.line}:{problem.column}: {what} in: {line.strip()[:80]}")
    if language == "python" and not before:
        try:
            compile(text, source.relpath, "exec", dont_inherit=True)
        except SyntaxError as exc:
            raise ApplyError(f"{source.relpath}:{exc.lineno}: {exc.msg}") from None
        except ValueError as exc:
            raise ApplyError(f"{source.relpath}: {exc}") from None
