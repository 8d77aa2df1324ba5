"""LibCST helpers for the transforms: find a definition, replace a node or a statement, rename names.

LibCST keeps every byte it is not told to change (comments, blank lines, quotes, line breaks),
so a degraded or improved file differs from the real one only where the transform says.
"""

from __future__ import annotations

import textwrap
import warnings
from functools import lru_cache
from typing import Iterator, Sequence

import libcst as cst

from vibecli.edits.cst_parse import parse_module

Def = cst.FunctionDef | cst.ClassDef


@lru_cache(maxsize=256)
def parse(text: str) -> cst.Module | None:
    """Parsed once per text: every kind looks at the same unit, and modules are immutable."""
    return parse_module(text)


def find_def(module: cst.Module, target: str) -> Def | None:
    """The top-level definition `name`, or the method `Class.name`."""
    body: Sequence[cst.CSTNode] = module.body
    found = None
    for part in target.split("."):
        found = next((n for n in body if isinstance(n, (cst.FunctionDef, cst.ClassDef)) and n.name.value == part), None)
        if found is None:
            return None
        body = found.body.body if isinstance(found.body, cst.IndentedBlock) else []
    return found


def code(module: cst.Module, node: cst.CSTNode) -> str:
    return module.code_for_node(node)


def one_line(module: cst.Module, node: cst.CSTNode) -> str | None:
    text = module.code_for_node(node).strip()
    return None if "\n" in text or "#" in text else text


def walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every node under node, node first, in source order."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))


def of_type(node: cst.CSTNode, *types: type) -> list:
    return [n for n in walk(node) if isinstance(n, types)]


class _Swap(cst.CSTTransformer):
    def __init__(self, swaps: dict[int, object]):
        self.swaps = swaps

    def on_leave(self, original_node, updated_node):
        return self.swaps.get(id(original_node), updated_node)


def swap(module: cst.Module, old: cst.CSTNode, new) -> cst.Module:
    """The module with `old` replaced by `new`: a node, cst.RemoveFromParent(), or a
    cst.FlattenSentinel of statements in place of one statement."""
    return module.visit(_Swap({id(old): new}))


def swap_many(module: cst.Module, swaps: dict[int, object]) -> cst.Module:
    return module.visit(_Swap(swaps))


def statements(text: str) -> list[cst.BaseStatement]:
    return list(cst.parse_module(textwrap.dedent(text)).body)


def expression(text: str) -> cst.BaseExpression | None:
    try:
        return cst.parse_expression(text)
    except cst.ParserSyntaxError:
        return None


def body_statements(fn: Def) -> list[cst.BaseStatement]:
    return list(fn.body.body) if isinstance(fn.body, cst.IndentedBlock) else []


def is_docstring(stmt: cst.CSTNode) -> bool:
    return (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Expr)
            and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString)))


def blocks(node: cst.CSTNode) -> Iterator[cst.IndentedBlock]:
    """Every indented block under node (function bodies, loop and if bodies, ...)."""
    for n in walk(node):
        if isinstance(n, cst.IndentedBlock):
            yield n


def with_body(block: cst.IndentedBlock, body: list[cst.BaseStatement]) -> cst.IndentedBlock:
    return block.with_changes(body=body)


def simple(node: cst.CSTNode) -> bool:
    """A name, an attribute chain or a literal: safe to evaluate twice."""
    if isinstance(node, cst.Name | cst.Integer | cst.Float | cst.SimpleString):
        return True
    if isinstance(node, cst.Attribute):
        return simple(node.value)
    return False


def names_used(module: cst.Module) -> set[str]:
    return {n.value for n in walk(module) if isinstance(n, cst.Name)}


def name_nodes(node: cst.CSTNode, name: str) -> list[cst.Name]:
    """The Name nodes that refer to a variable `name` (not an attribute, keyword or parameter name)."""
    skip: set[int] = set()
    for n in walk(node):
        if isinstance(n, cst.Attribute):
            skip.add(id(n.attr))
        elif isinstance(n, cst.Arg) and n.keyword is not None:
            skip.add(id(n.keyword))
        elif isinstance(n, cst.ImportAlias | cst.ImportFrom):
            skip.update(id(x) for x in walk(n) if isinstance(x, cst.Name))
    return [n for n in walk(node) if isinstance(n, cst.Name) and n.value == name and id(n) not in skip]


def rename(module: cst.Module, old: str, new: str, within: cst.CSTNode | None = None,
           attributes_of: tuple[str, ...] = ()) -> cst.Module:
    """`old` renamed to `new` everywhere in `within` (default: the module), definitions, parameters
    and imports included; `self.old` too when `attributes_of` names `self`."""
    scope = within if within is not None else module
    swaps: dict[int, object] = {}
    for n in walk(scope):
        if isinstance(n, cst.Name) and n.value == old:
            swaps[id(n)] = n.with_changes(value=new)
    if attributes_of:
        attrs = {id(a.attr) for a in walk(scope) if isinstance(a, cst.Attribute) and isinstance(a.value, cst.Name)
                 and a.value.value in attributes_of}
        skip = {id(a.attr) for a in walk(scope) if isinstance(a, cst.Attribute)} - attrs
    else:
        skip = {id(a.attr) for a in walk(scope) if isinstance(a, cst.Attribute)}
    skip |= {id(a.keyword) for a in walk(scope) if isinstance(a, cst.Arg) and a.keyword is not None}
    return swap_many(module, {k: v for k, v in swaps.items() if k not in skip})


def compiles(text: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, "<task>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True
