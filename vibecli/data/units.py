"""The pieces of a real module a task is made from: a function, a method in its class, a class, a
function with the function it calls. Each unit is a small file cut from the module's own lines
(byte for byte, comments and formatting kept), headed by the imports its code uses.

Small files are the rule: `vibecli edit` answers files of at most 60 lines whole, and a whole-file
answer to a small change is mostly a copy, which teaches copying. A few units take their
neighbours along so that larger files, answered with symbol-anchored edits, are seen too.
"""

from __future__ import annotations

import ast
import random
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Iterator

MIN_LINES, MAX_LINES = 3, 40
"""Definitions this long make a task: small like the files people ask about, short to train on."""
MAX_CLASS_LINES = 60


@dataclass(frozen=True)
class Unit:
    kind: str
    """function, method, class or pair (a function and the function it calls, `helper`)."""
    path: str
    """The file name shown to the model."""
    text: str
    target: str
    """The definition the task is about, as vibecli names it (`func`, `Class.method`)."""
    origin: str
    """FILE:LINE in the source package."""
    module: str
    """The module's dotted name in its package (for imports between files)."""
    helper: str = ""
    doc: str = ""
    """The first line of the target's docstring, when it reads as a description."""


def _span(node: ast.AST) -> tuple[int, int]:
    start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    return start, node.end_lineno or node.lineno


def _segment(lines: list[str], node: ast.AST) -> str:
    start, end = _span(node)
    return "".join(lines[start - 1 : end])


def _length(node: ast.AST) -> int:
    start, end = _span(node)
    return end - start + 1


def doc_line(node: ast.AST) -> str:
    """The docstring's first line, lower-cased at the start, if it is a usable description."""
    doc = ast.get_docstring(node) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else None
    line = (doc or "").strip().split("\n")[0].strip().rstrip(".")
    line = line[:1].lower() + line[1:] if line else ""
    return line if 8 <= len(line) <= 100 and not line.endswith((":", ",")) and "`" not in line else ""


def imports_used(imports: list[ast.stmt], nodes: list[ast.AST]) -> str:
    """The module's import lines that bind a name these definitions use, as the file's head."""
    used = {n.id for d in nodes for n in ast.walk(d) if isinstance(n, ast.Name)}
    lines = []
    for node in imports:
        kept = [a for a in node.names if (a.asname or a.name).split(".")[0] in used]
        if not kept:
            continue
        clone = ast.ImportFrom(node.module, kept, node.level) if isinstance(node, ast.ImportFrom) else ast.Import(kept)
        lines.append(ast.unparse(clone))
    return "\n".join(lines) + "\n\n\n" if lines else ""


def module_name(relpath: str) -> str:
    parts = list(PurePosixPath(relpath).with_suffix("").parts)
    if parts and parts[0] in ("src", "lib"):
        parts = parts[1:]
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _file_name(relpath: str) -> str:
    name = PurePosixPath(relpath).name
    return f"{PurePosixPath(relpath).parent.name or 'package'}.py" if name == "__init__.py" else name


def _fits(node: ast.AST) -> bool:
    return MIN_LINES <= _length(node) <= MAX_LINES


def _calls(node: ast.AST) -> set[str]:
    return {n.func.id for n in ast.walk(node) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}


def units_of(relpath: str, text: str, rng: random.Random) -> Iterator[Unit]:
    """Every unit of one module, in the module's order."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return
    lines = text.splitlines(keepends=True)
    if not lines or not lines[-1].endswith("\n"):
        lines = [line if line.endswith("\n") else line + "\n" for line in lines]
    imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    functions = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    by_name = {f.name: f for f in functions}
    path, module = _file_name(relpath), module_name(relpath)

    def unit(kind: str, nodes: list[ast.AST], target: str, anchor: ast.AST, helper: str = "", prefix: str = "") -> Unit:
        body = "\n\n".join(_segment(lines, n) for n in nodes)
        head = imports_used(imports, nodes)
        return Unit(kind, path, head + prefix + body, target, f"{relpath}:{anchor.lineno}", module, helper, doc_line(anchor))

    for index, fn in enumerate(functions):
        if not _fits(fn):
            continue
        nodes: list[ast.AST] = [fn]
        roll = rng.random()
        if roll < 0.3 and index + 1 < len(functions) and _length(functions[index + 1]) <= 15:
            nodes.append(functions[index + 1])
        elif roll > 0.85:  # a larger file: the neighbours around it, answered with symbol edits
            for other in functions[index + 1 : index + 6]:
                if _length(other) <= MAX_LINES:
                    nodes.append(other)
        yield unit("function", nodes, fn.name, fn)
        for callee in sorted(_calls(fn) & set(by_name) - {fn.name}):
            helper = by_name[callee]
            if 2 <= _length(helper) <= 20:  # one-line helpers too: they are the ones worth inlining
                pair = [helper, fn] if helper.lineno < fn.lineno else [fn, helper]
                yield unit("pair", pair, fn.name, fn, helper=callee)
                break
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
        yield from _class_units(cls, lines, unit)


def _class_units(cls: ast.ClassDef, lines: list[str], unit) -> Iterator[Unit]:
    if not cls.body or cls.body[0].lineno == cls.lineno:
        return
    if _length(cls) <= MAX_CLASS_LINES:
        yield unit("class", [cls], cls.name, cls)
    start, _ = _span(cls)
    # the class statement alone: a long class docstring would bury the method the task is about
    header = "".join(lines[start - 1 : cls.body[0].lineno - 1])
    for method in cls.body:
        if isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)) and _fits(method):
            yield _method_unit(unit, cls, method, header, _segment(lines, method))

def _method_unit(unit, cls: ast.ClassDef, method: ast.AST, header: str, text: str) -> Unit:
    made = unit("method", [method], f"{cls.name}.{method.name}", method)
    head = made.text[: len(made.text) - len(text)]
    return Unit("method", made.path, head + header + text, made.target, made.origin, made.module, "", made.doc)
