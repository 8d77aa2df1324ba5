"""Names a Python module reads that nothing binds: what a small model's answer often brings in (a
variable of another function, a helper it never wrote, a type it never imported). Such code parses
and compiles, then fails with NameError when it runs; the guard compares the result with the file
as it was, so names the file already leaves unbound (gettext's `_`, a name a test harness injects)
stay the file's own business."""

from __future__ import annotations

import ast
import builtins
import symtable
from functools import lru_cache

MODULE_NAMES = frozenset({"__name__", "__file__", "__doc__", "__builtins__", "__spec__", "__loader__", "__package__",
                          "__path__", "__annotations__", "__dict__", "__qualname__", "__module__", "__class__",
                          "__debug__", "__cached__"})

UNPARSABLE = (SyntaxError, ValueError, RecursionError, MemoryError)
"""What `ast.parse` raises on code it cannot read (a NUL byte, nesting too deep, a huge file)."""


@lru_cache(maxsize=4)  # the file as it was is compared with every candidate of an attempt
def unbound_names(code: str) -> frozenset[str] | None:
    """The names read but never bound by the module, its functions and classes, that are not
    builtins; None where it cannot be told (a syntax error, or `from x import *`)."""
    try:
        tree = ast.parse(code)
        top = symtable.symtable(code, "<code>", "exec")
    except UNPARSABLE:
        return None
    if any(isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names) for node in ast.walk(tree)):
        return None
    bound = set(dir(builtins)) | MODULE_NAMES
    read: set[str] = set()
    tables = [top]
    while tables:
        table = tables.pop()
        tables.extend(table.get_children())
        for symbol in table.get_symbols():
            name = symbol.get_name()
            if table is top:
                if symbol.is_assigned() or symbol.is_imported() or symbol.is_namespace():
                    bound.add(name)
                elif symbol.is_referenced():
                    read.add(name)
            elif symbol.is_global():
                if symbol.is_declared_global() and symbol.is_assigned():
                    bound.add(name)  # `global x` then `x = ...` inside a function binds the module's x
                elif symbol.is_referenced():
                    read.add(name)
    return frozenset(read - bound)


def new_unbound_names(old: str, new: str) -> list[str]:
    """The names `new` reads and never binds that `old` did not already leave unbound (sorted);
    [] where either cannot be told."""
    before = unbound_names(old)
    if before is None:
        return []
    after = unbound_names(new)
    return sorted(after - before) if after is not None else []
