"""A task's answer in each edit format, checked by vibecli's own edit engine.

`whole` rewrites each changed file; `search` quotes the changed lines (with as much context as
makes them unique) and their replacement; `symbol` replaces, inserts or deletes definitions (a
method alone where only it changed) and adds imports, and rewrites the file where the change is
outside any definition. Every answer is parsed, address-checked and applied as `vibecli edit`
would, and must give exactly the after-files.
"""

from __future__ import annotations

import difflib
import textwrap
from pathlib import Path

from vibecli.core import ApplyError, Edit, EnvelopeError
from vibecli.edits import languages, syntax
from vibecli.edits.apply import Context, apply_edits, check_addresses
from vibecli.edits.envelope import format_envelope, parse_envelope
from vibecli.edits.fileio import SourceFile, new_source
from vibecli.edits.grammar import FORMATS


def memory_file(relpath: str, text: str) -> SourceFile:
    return SourceFile(relpath=relpath, path=Path(relpath), text=text, newline="\n", bom=False, mode=0o644, digest="")


def _fence(path: str) -> str:
    spec = languages.language_for(path)
    return spec.fence if spec else ""


def apply_answer(before: dict[str, str], answer: str, edit_format: str) -> dict[str, str]:
    """The files after `answer`, as vibecli's parser, address check and edit engine make them;
    raises EnvelopeError or ApplyError as they do."""
    edits = parse_envelope(answer)
    allowed = FORMATS[edit_format]
    for edit in edits:
        if edit.op not in allowed:
            raise EnvelopeError(f"`@@ {edit.op}` is not part of the {edit_format} format")
    files = {p: memory_file(p, t) for p, t in before.items()}
    check_addresses(edits, Context.of(files).symbols)
    created = {e.path: new_source(Path(e.path), e.path) for e in edits if e.op == "create"}
    result = dict(before)
    for change in apply_edits(edits, files, created):
        result[change.relpath] = change.new_text
    return result


def answer_gives(before: dict[str, str], after: dict[str, str], answer: str, edit_format: str) -> bool:
    try:
        result = apply_answer(before, answer, edit_format)
    except (EnvelopeError, ApplyError):
        return False
    return {p: t.rstrip("\n") for p, t in result.items()} == {p: t.rstrip("\n") for p, t in after.items()}


def _ended(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"


def answer(before: dict[str, str], after: dict[str, str], edit_format: str) -> tuple[str, bool]:
    """(the answer in this format, whether symbol fell back to rewriting a whole file)."""
    edits: list[Edit] = []
    fallback = False
    for path, new in after.items():
        old = before.get(path)
        if old is None:
            edits.append(Edit("create", path, _ended(new)))
        elif old != new:
            made = None
            if edit_format == "search":
                made = search_edits(path, old, new)
            elif edit_format == "symbol":
                made = symbol_edits(path, old, new)
                fallback |= made is None
            edits.extend(made if made is not None else [Edit("rewrite", path, _ended(new))])
    language = _fence(next(iter(after)))
    return format_envelope(edits, language), fallback


# --- search: the changed lines with enough context to be unique ---------------------------------


def _unique_hunk(old_lines: list[str], new_lines: list[str], i1: int, i2: int, j1: int, j2: int) -> Edit | None:
    old_text = "".join(old_lines)
    for grow in range(0, 12):
        lo, hi = max(0, i1 - grow), min(len(old_lines), i2 + grow)
        lead, tail = i1 - lo, hi - i2
        search = "".join(old_lines[lo:hi])
        if search.strip() and old_text.count(search) == 1:
            replace = "".join(old_lines[lo:i1] + new_lines[j1:j2] + old_lines[i2:hi])
            return Edit("search", "", replace, search=search) if lead + tail + (i2 - i1) > 0 else None
        if lo == 0 and hi == len(old_lines):
            break
    return None


def search_edits(path: str, old: str, new: str) -> list[Edit] | None:
    old_lines, new_lines = _ended(old).splitlines(keepends=True), _ended(new).splitlines(keepends=True)
    groups = list(difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_grouped_opcodes(1))
    for attempt in (groups, [[groups[0][0], groups[-1][-1]]] if groups else []):
        edits = []
        for group in attempt:
            hunk = _unique_hunk(old_lines, new_lines, group[0][1], group[-1][2], group[0][3], group[-1][4])
            if hunk is None:
                edits = []
                break
            edits.append(Edit("search", path, hunk.body, search=hunk.search))
        if edits and answer_gives({path: old}, {path: new}, format_envelope(edits, _fence(path)), "search"):
            return edits
    return None


# --- symbol: definitions replaced, inserted or deleted; imports added -------------------------


def _definitions(path: str, text: str) -> dict:
    language = syntax.language_of(path)
    return {d.name: d for d in syntax.definitions(language, text.encode())} if language else {}


def _source(text: str, definition) -> str:
    """A definition's whole lines, dedented: as a model writes it in an answer."""
    data = text.encode()
    start = data.rfind(b"\n", 0, definition.start_byte) + 1
    return textwrap.dedent(data[start:definition.end_byte].decode()) + "\n"


def _outside(text: str, defs: dict, names: list[str]) -> str:
    data = text.encode()
    pieces, at = [], 0
    for start, end in sorted((defs[n].start_byte, defs[n].end_byte) for n in names):
        pieces.append(data[at:start])
        at = end
    pieces.append(data[at:])
    return b"\0".join(pieces).decode()


def _level(defs: dict, parent: str) -> list[str]:
    prefix = parent + "." if parent else ""
    return [n for n in defs if n.startswith(prefix) and "." not in n[len(prefix):]]


def _placements(path: str, parent: str, old_names: list[str], new_names: list[str], new: str, new_defs: dict) -> list[Edit] | None:
    """Edits for definitions of one level (top level, or one class's methods) that were added or removed."""
    common = [n for n in new_names if n in old_names]
    if common != [n for n in old_names if n in new_names]:
        return None  # reordered: not expressible as anchored edits
    edits = [Edit("delete", path, "", symbol=n) for n in old_names if n not in new_names]
    for index, name in enumerate(new_names):
        if name in old_names:
            continue
        body = _source(new, new_defs[name])
        earlier = [n for n in new_names[:index] if n in old_names]
        later = [n for n in new_names[index + 1:] if n in old_names]
        if earlier:
            edits.append(Edit("insert-after", path, body, symbol=earlier[-1]))
        elif later:
            edits.append(Edit("insert-before", path, body, symbol=later[0]))
        else:
            edits.append(Edit("append", path, body, symbol=parent or None))
    return edits


def symbol_edits(path: str, old: str, new: str) -> list[Edit] | None:
    old_defs, new_defs = _definitions(path, old), _definitions(path, new)
    old_top, new_top = _level(old_defs, ""), _level(new_defs, "")
    edits = _placements(path, "", old_top, new_top, new, new_defs)
    if edits is None:
        return None
    outside_old, outside_new = _outside(old, old_defs, old_top), _outside(new, new_defs, new_top)
    if outside_old != outside_new:
        added = [line for line in outside_new.split("\n") if line not in outside_old.split("\n")]
        if not added or not all(line.startswith(("import ", "from ")) for line in added):
            return None
        edits.insert(0, Edit("import", path, "\n".join(added) + "\n"))
    for name in (n for n in new_top if n in old_top):
        a, b = _source(old, old_defs[name]), _source(new, new_defs[name])
        if a != b:
            edits.extend(_changed_definition(path, name, old, new, old_defs, new_defs))
    if not edits:
        return None
    if not answer_gives({path: old}, {path: new}, format_envelope(edits, _fence(path)), "symbol"):
        return None
    return edits


def _changed_definition(path: str, name: str, old: str, new: str, old_defs: dict, new_defs: dict) -> list[Edit]:
    """A class whose own lines did not change gets edits per method; anything else is replaced whole."""
    replace = [Edit("replace", path, _source(new, new_defs[name]), symbol=name)]
    if old_defs[name].kind != "class":
        return replace
    old_methods, new_methods = _level(old_defs, name), _level(new_defs, name)
    if not old_methods or _outside(_source(old, old_defs[name]), _shift(old_defs, name), old_methods) != \
            _outside(_source(new, new_defs[name]), _shift(new_defs, name), new_methods):
        return replace
    edits = _placements(path, name, old_methods, new_methods, new, new_defs)
    if edits is None:
        return replace
    for method in (m for m in new_methods if m in old_methods):
        if _source(old, old_defs[method]) != _source(new, new_defs[method]):
            edits.append(Edit("replace", path, _source(new, new_defs[method]), symbol=method))
    return edits or replace


def _shift(defs: dict, name: str) -> dict:
    """The definitions inside `name`, with offsets relative to its first line."""
    from dataclasses import replace

    base = defs[name].start_byte
    return {n: replace(d, start_byte=d.start_byte - base, end_byte=d.end_byte - base) for n, d in defs.items()
            if n.startswith(name + ".")}
