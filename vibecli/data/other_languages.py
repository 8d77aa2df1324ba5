"""Tasks in the other addressable languages (JavaScript, TypeScript, Go, Rust, Java, C, C++):
a flipped comparison and a camelCase name spelled in snake_case, through tree-sitter's
definitions. Each task's file is one real definition."""

from __future__ import annotations

import re
import textwrap
from pathlib import PurePosixPath
from typing import Iterator

from vibecli.edits import languages, syntax

MIN_LINES, MAX_LINES = 3, 40
_COMPARISON = re.compile(r"(?<=[\w)\]]) (<=|>=|<|>|==|!=|===|!==) (?=[\w(\-\"'!])")
_FLIP = {"<": ">=", ">=": "<", ">": "<=", "<=": ">", "==": "!=", "!=": "==", "===": "!==", "!==": "==="}
_CONDITION = re.compile(r"^\s*(if|while|return|\} else if|else if)\b")


def other_language_tasks(relpath: str, text: str) -> Iterator[dict]:
    """Task fields (kind, before, after, instruction, style, naming, origin, language, rename)."""
    spec = languages.language_for(relpath)
    if spec is None or not spec.addressable or spec.name == "python":
        return
    source = text.encode("utf-8")
    path = PurePosixPath(relpath).name
    for definition in syntax.definitions(spec.name, source):
        if definition.kind not in ("function", "method") or "." in definition.name or "#" in definition.name:
            continue
        if not MIN_LINES <= definition.end_line - definition.start_line + 1 <= MAX_LINES:
            continue
        line_start = source.rfind(b"\n", 0, definition.start_byte) + 1
        if source[line_start:definition.start_byte].strip():
            continue  # the definition shares its first line with other code
        body = textwrap.dedent(source[line_start:definition.end_byte].decode("utf-8") + "\n")
        for kind, made in (("comparison", _flip_comparison(body, definition.name)), ("rename", _rename_camel(body, definition.name))):
            if made is None:
                continue
            before, instruction, rename = made
            yield {"kind": kind, "before": {path: before}, "after": {path: body}, "instruction": instruction,
                   "style": "descriptive", "naming": "name", "origin": f"{relpath}:{definition.start_line}",
                   "language": spec.name, "rename": rename}


def _flip_comparison(body: str, name: str):
    lines = body.split("\n")
    for i, line in enumerate(lines):
        if not _CONDITION.match(line):
            continue
        matches = list(_COMPARISON.finditer(line))
        if len(matches) != 1:
            continue
        match = matches[0]
        good_op = match.group(1)
        lines[i] = bad_line = line[: match.start(1)] + _FLIP[good_op] + line[match.end(1):]
        return ("\n".join(lines), f"Fix the bug in {name}: in `{bad_line.strip()}` the comparison is the wrong way round; "
                f"it should use `{good_op}`.", None)
    return None


def _rename_camel(body: str, name: str):
    if "_" in name or not re.search(r"[a-z][A-Z]", name):
        return None
    snake = re.sub(r"(?<=[a-z0-9])([A-Z])", lambda m: "_" + m.group(1).lower(), name)
    if re.search(rf"\b{re.escape(snake)}\b", body):
        return None
    before = re.sub(rf"\b{re.escape(name)}\b", snake, body)
    return before, f"Rename {snake} to {name}, in camelCase like the rest of the code.", (snake, name)
