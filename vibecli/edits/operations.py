"""Where each operation cuts a file: byte ranges and the text that goes in them.

Everything here works on the bytes tree-sitter parsed, so offsets are tree-sitter's own.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from vibecli.core import ApplyError, Edit
from vibecli.edits import syntax
from vibecli.edits.syntax import Definition

IMPORT_TYPES = {
    "python": ("import_statement", "import_from_statement", "future_import_statement"),
    "javascript": ("import_statement",),
    "typescript": ("import_statement",),
    "tsx": ("import_statement",),
    "go": ("import_declaration",),
    "rust": ("use_declaration",),
    "java": ("import_declaration",),
    "c": ("preproc_include",),
    "cpp": ("preproc_include",),
}
_PREAMBLE_TYPES = ("package_clause", "package_declaration", "comment", "line_comment", "block_comment")
CONTAINER_KINDS = ("class", "struct", "interface", "trait", "enum", "module")


@dataclass(frozen=True)
class Splice:
    start: int
    end: int
    text: bytes
    edit: Edit
    anchor: int | None = None
    """Offset, within `text`, where a definition must begin once spliced in."""


def _line_start(data: bytes, pos: int) -> int:
    return data.rfind(b"\n", 0, pos) + 1


def _after_line(data: bytes, pos: int) -> int:
    """Just past the newline that ends the line holding `pos` (or the end of the data)."""
    end = data.find(b"\n", pos)
    return len(data) if end < 0 else end + 1


def _lead(data: bytes, definition: Definition) -> tuple[int, str]:
    """Where the definition's line starts, and its indentation (None-like "" if code precedes it)."""
    start = _line_start(data, definition.start_byte)
    lead = data[start : definition.start_byte].decode("utf-8")
    if lead.strip():
        return definition.start_byte, ""
    return start, lead


def _blank_lines_before(data: bytes, line_start: int) -> int:
    count, pos = 0, line_start
    while pos > 0:
        prev = _line_start(data, pos - 1)
        if data[prev : pos - 1].strip():
            break
        count, pos = count + 1, prev
    return count


def reindent(body: str, lead: str, original: str | None = None) -> str:
    """Place code at `lead`'s indentation.

    A model writes a nested definition either from column 0, or as a copy of the file's slice:
    first line at column 0, the rest still at their depth in the file. The second shows as
    rest lines indented exactly like the original definition's; those keep their place."""
    lines = body.strip("\n").split("\n")
    if lead and original and len(lines) > 1 and not lines[0][:1].isspace():
        if _rest_indent(lines) == _rest_indent(original.strip("\n").split("\n")):
            return "\n".join([lead + lines[0], *lines[1:]])
    lines = textwrap.dedent(body).strip("\n").split("\n")
    return "\n".join((lead + line) if line.strip() else "" for line in lines)


def _rest_indent(lines: list[str]) -> int | None:
    widths = [len(line) - len(line.lstrip()) for line in lines[1:] if line.strip()]
    return min(widths) if widths else None


def splices(edit: Edit, data: bytes, language: str | None, found: dict[str, Definition]) -> list[Splice]:
    op = edit.op
    if op in ("replace", "delete", "insert-before", "insert-after"):
        return [_around_definition(edit, data, found[edit.symbol])]
    if op == "append":
        return [_append(edit, data, language, found)]
    if op == "import":
        return _import(edit, data, language)
    if op == "search":
        return [_search(edit, data)]
    raise ApplyError(f"`@@ {op}` cannot be combined with other edits of {edit.path}")


def _around_definition(edit: Edit, data: bytes, definition: Definition) -> Splice:
    start, lead = _lead(data, definition)
    gap = b"\n" * max(1, min(2, _blank_lines_before(data, start)))
    original = data[definition.start_byte : definition.end_byte].decode("utf-8")
    code = reindent(edit.body, lead, original if edit.op == "replace" else None).encode("utf-8")
    if edit.op == "replace":
        return Splice(start, definition.end_byte, code, edit, anchor=len(lead.encode()))
    if edit.op == "insert-before":
        return Splice(start, start, code + b"\n" + gap, edit, anchor=len(lead.encode()))
    after = _after_line(data, definition.end_byte)
    if edit.op == "insert-after":
        prefix = (b"" if data[:after].endswith(b"\n") else b"\n") + gap
        return Splice(after, after, prefix + code + b"\n", edit, anchor=len(prefix) + len(lead.encode()))
    # delete: the definition's lines and the blank lines after it
    end = after
    while end < len(data) and not data[end : _after_line(data, end)].strip():
        end = _after_line(data, end)
    return Splice(start, end, b"", edit)


def _append(edit: Edit, data: bytes, language: str | None, found: dict[str, Definition]) -> Splice:
    if edit.symbol is None:
        gap = b"\n\n\n" if language == "python" else b"\n\n"
        trimmed = len(data.rstrip(b"\n"))
        prefix = gap if trimmed else b""
        code = textwrap.dedent(edit.body).strip("\n").encode("utf-8")
        return Splice(trimmed, len(data), prefix + code + b"\n", edit, anchor=len(prefix))
    container = found[edit.symbol]
    if container.kind not in CONTAINER_KINDS:
        raise ApplyError(f"{edit.symbol} is a {container.kind}; `@@ append PATH NAME` needs a class or similar")
    last = _last_member(language, data, container)
    if last is None:
        raise ApplyError(f"{edit.symbol} has no members to append after; replace it whole instead")
    lead = data[_line_start(data, last.start_byte) : last.start_byte].decode("utf-8")
    lead = "" if lead.strip() else lead
    after = _after_line(data, last.end_byte)
    code = reindent(edit.body, lead).encode("utf-8")
    return Splice(after, after, b"\n" + code + b"\n", edit, anchor=1 + len(lead.encode()))


def _last_member(language: str | None, data: bytes, container: Definition):
    tree = syntax.parse(language, data)
    node = tree.root_node.descendant_for_byte_range(container.start_byte, container.end_byte)
    while node is not None and node.child_by_field_name("body") is None and node.child_by_field_name("definition"):
        node = node.child_by_field_name("definition")
    body = node.child_by_field_name("body") if node is not None else None
    if body is None and node is not None:
        body = next((c.child_by_field_name("body") for c in node.named_children if c.child_by_field_name("body")), None)
    if body is None:
        return None
    members = [c for c in body.named_children if "comment" not in c.type]
    return members[-1] if members else None


def _import(edit: Edit, data: bytes, language: str | None) -> list[Splice]:
    types = IMPORT_TYPES.get(language or "")
    if not types:
        raise ApplyError(f"`@@ import` is not available for {edit.path}; use search or rewrite")
    existing = {line.strip() for line in data.decode("utf-8").splitlines()}
    wanted = [line.strip() for line in edit.body.splitlines() if line.strip() and line.strip() not in existing]
    wanted = list(dict.fromkeys(wanted))
    if not wanted:
        return []
    root = syntax.parse(language, data).root_node
    imports = [c for c in root.named_children if c.type in types]
    text = "\n".join(wanted).encode("utf-8") + b"\n"
    if imports:
        end = imports[-1].end_byte  # a C #include node ends after its newline; others before it
        at = end if data[end - 1 : end] == b"\n" else _after_line(data, end)
        return [Splice(at, at, (b"" if data[:at].endswith(b"\n") else b"\n") + text, edit)]
    at = 0
    for index, child in enumerate(root.named_children):
        docstring = (
            language == "python" and index == 0 and child.type == "expression_statement"
            and child.named_children and child.named_children[0].type == "string"
        )
        if child.type not in _PREAMBLE_TYPES and not docstring:
            break
        at = _after_line(data, child.end_byte)
    prefix = b"\n" if at else b""
    suffix = b"\n" if at < len(data) and data[at : at + 1] != b"\n" else b""
    return [Splice(at, at, prefix + text + suffix, edit)]


def _search(edit: Edit, data: bytes) -> Splice:
    needle = (edit.search or "").encode("utf-8")
    if not needle.strip():
        raise ApplyError("the search block is empty; copy the exact lines to change")
    count = data.count(needle)
    if count == 0 and needle.endswith(b"\n") and data.count(needle[:-1]) == 1:
        needle, count = needle[:-1], 1  # the last line of the file has no newline
    if count == 0:
        raise ApplyError(f"the search text is not in {edit.path}; copy the lines exactly as they are")
    if count > 1:
        raise ApplyError(f"the search text matches {count} places in {edit.path}; include more lines to make it unique")
    start = data.find(needle)
    body = edit.body.encode("utf-8")
    if not needle.endswith(b"\n") and body.endswith(b"\n"):
        body = body[:-1]
    return Splice(start, start + len(needle), body, edit)
