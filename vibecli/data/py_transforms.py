"""The Python side of `data synth`: ways to degrade one real function into an edit task.

Each transform takes a parsed function (a fresh tree it may mutate) and its name, and returns the
degraded function with the request that asks for the original back, or None when the function
offers nothing to degrade: the docstring taken out ("add a docstring to X"), the error handling
taken out ("handle the case where ..."), a planted behavioural bug ("fix the bug in X"), and so on.
"""

from __future__ import annotations

import ast
import hashlib
from typing import Callable

_NEGATED = {ast.Lt: ">=", ast.LtE: ">", ast.Gt: "<=", ast.GtE: "<", ast.Eq: "!=", ast.NotEq: "==",
            ast.Is: "is not", ast.IsNot: "is", ast.In: "not in", ast.NotIn: "in"}


def _first_line(text: str) -> str:
    line = text.strip().split("\n")[0].strip().rstrip(".")
    return line[:1].lower() + line[1:] if line else ""


def unparse_def(node: ast.AST) -> str:
    return ast.unparse(node) + "\n"


def _strip_docstring(fn: ast.FunctionDef) -> ast.FunctionDef | None:
    if len(fn.body) < 2 or not (isinstance(fn.body[0], ast.Expr) and isinstance(fn.body[0].value, ast.Constant)
                                and isinstance(fn.body[0].value.value, str)):
        return None
    fn.body = fn.body[1:]
    return fn


def py_docstring(fn, name):
    stripped = _strip_docstring(fn)
    if stripped is None:
        return None
    return stripped, f"Add a docstring to {name}."


def py_annotations(fn, name):
    args = fn.args.posonlyargs + fn.args.args + fn.args.kwonlyargs
    if not (fn.returns or any(a.annotation for a in args)):
        return None
    for a in args + [x for x in (fn.args.vararg, fn.args.kwarg) if x]:
        a.annotation = None
    fn.returns = None
    return fn, f"Add type annotations to {name}."


def py_comparison(fn, name):
    compares = [n for n in ast.walk(fn) if isinstance(n, ast.Compare) and len(n.ops) == 1 and type(n.ops[0]) in _NEGATED]
    parents = {child: node for node in ast.walk(fn) for child in ast.iter_child_nodes(node)}
    compares = [c for c in compares if isinstance(parents.get(c), (ast.If, ast.While, ast.Return, ast.IfExp, ast.Assert))]
    if not compares:
        return None
    target = compares[0]
    good = ast.unparse(target)
    kind = type(target.ops[0])
    target.ops = [ast.parse(f"a {_NEGATED[kind]} b", mode="eval").body.ops[0]]
    bad = ast.unparse(target)
    return fn, f"Fix the bug in {name}: the condition `{bad}` is the wrong way round; it should be `{good}`."


def py_error_handling(fn, name):
    for parent in ast.walk(fn):
        body = getattr(parent, "body", None)
        if not isinstance(body, list):
            continue
        for i, stmt in enumerate(body):
            if isinstance(stmt, ast.Try) and stmt.handlers and not stmt.finalbody and not stmt.orelse and all(
                h.type is not None for h in stmt.handlers
            ):
                caught = ", ".join(ast.unparse(h.type) for h in stmt.handlers)
                first = ast.unparse(stmt.body[0]).split("\n")[0]
                parent.body = body[:i] + stmt.body + body[i + 1 :]
                return fn, f"In {name}, handle the case where `{first}` raises {caught}."
    return None


def py_guard(fn, name):
    body = fn.body
    start = 1 if _strip_docstring(ast.parse(ast.unparse(fn)).body[0]) is not None else 0
    for i in range(start, min(len(body), start + 3)):
        stmt = body[i]
        if isinstance(stmt, ast.If) and not stmt.orelse and len(stmt.body) == 1 and isinstance(stmt.body[0], ast.Raise) \
                and stmt.body[0].exc is not None and len(body) > i + 1:
            exc = stmt.body[0].exc
            exc_name = ast.unparse(exc.func if isinstance(exc, ast.Call) else exc)
            fn.body = body[:i] + body[i + 1 :]
            return fn, f"Make {name} raise {exc_name} when `{ast.unparse(stmt.test)}`."
    return None


def py_default(fn, name):
    args = fn.args
    if not args.defaults or args.vararg or args.kwonlyargs:
        return None
    positional = args.posonlyargs + args.args
    arg = positional[len(positional) - len(args.defaults)]
    value = ast.unparse(args.defaults[0])
    if len(value) > 30:
        return None
    args.defaults = args.defaults[1:]
    if any(a.arg == arg.arg for a in positional[len(positional) - len(args.defaults):]):
        return None
    return fn, f"Give the parameter `{arg.arg}` of {name} the default value `{value}`."


def py_comprehension(fn, name):
    for parent in ast.walk(fn):
        body = getattr(parent, "body", None)
        if not isinstance(body, list):
            continue
        for i, stmt in enumerate(body):
            if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
                    and isinstance(stmt.value, ast.ListComp) and len(stmt.value.generators) == 1):
                continue
            target, comp = stmt.targets[0].id, stmt.value
            gen = comp.generators[0]
            if gen.is_async:
                continue
            loop = f"{target} = []\nfor {ast.unparse(gen.target)} in {ast.unparse(gen.iter)}:\n"
            inner = f"{target}.append({ast.unparse(comp.elt)})"
            for cond in gen.ifs:
                loop += f"    if {ast.unparse(cond)}:\n"
                inner = "    " + inner
            loop += "    " + inner
            parent.body = body[:i] + ast.parse(loop).body + body[i + 1 :]
            return fn, f"Build `{target}` in {name} with a list comprehension instead of a loop."
    return None


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def py_rename(fn, name):
    if "_" not in name.strip("_") or name.startswith("_") or "." in name:
        return None
    camel = _camel(name)
    if camel == name:
        return None
    fn.name = camel
    return fn, f"Rename {camel} to {name}, the snake_case name PEP 8 asks for."


def docstring_line(fn) -> str:
    doc = ast.get_docstring(fn) or ""
    line = _first_line(doc)
    return line if 8 <= len(line) <= 120 and not line.endswith(":") else ""


def imperative(line: str) -> bool:
    """Docstrings in the imperative mood ("Return the ...") read as a request after "to"."""
    word = line.split(" ")[0]
    return word.isalpha() and not word.endswith("s") and word not in ("the", "a", "an", "this", "if", "when", "helper", "internal")


_SWAPPED_BINOPS = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Add, ast.FloorDiv: ast.Mult}
_SWAPPED_BOOLOPS = {ast.And: ast.Or, ast.Or: ast.And}


def _bug_sites(fn) -> list[Callable[[], None]]:
    """Ways to plant one small behavioural bug in fn, each a closure that mutates the tree."""
    sites: list[Callable[[], None]] = []
    for node in ast.walk(fn):
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _NEGATED:
            sites.append(lambda node=node: setattr(node, "ops", [ast.parse(f"a {_NEGATED[type(node.ops[0])]} b",
                                                                              mode="eval").body.ops[0]]))
        elif isinstance(node, ast.BinOp) and type(node.op) in _SWAPPED_BINOPS and not isinstance(node.left, ast.Constant):
            sites.append(lambda node=node: setattr(node, "op", _SWAPPED_BINOPS[type(node.op)]()))
        elif isinstance(node, ast.BoolOp) and type(node.op) in _SWAPPED_BOOLOPS:
            sites.append(lambda node=node: setattr(node, "op", _SWAPPED_BOOLOPS[type(node.op)]()))
        elif isinstance(node, ast.Return) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, bool):
            sites.append(lambda node=node: setattr(node.value, "value", not node.value.value))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            sites.append(lambda node=node: setattr(node, "op", ast.UAdd()))  # rewritten below to drop the `not`
        elif isinstance(node, ast.Constant) and type(node.value) is int and 0 <= node.value <= 8:
            sites.append(lambda node=node: setattr(node, "value", node.value + 1))
    return sites


class _DropUAdd(ast.NodeTransformer):
    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        return node.operand if isinstance(node.op, ast.UAdd) else node


def py_fix_bug(fn, name):
    """A behavioural bug asked about as users do: by what the function should do, or not at all."""
    sites = _bug_sites(fn)
    if not sites:
        return None
    pick = int(hashlib.sha256(name.encode()).hexdigest(), 16)
    sites[pick % len(sites)]()
    fn = _DropUAdd().visit(fn)
    doc = docstring_line(fn)
    templates = [f"Fix the bug in {name}.", "Fix bugs.", f"{name} does not work as intended; fix it."]
    if doc:
        templates += [f"Fix the bug in {name}. What it should do: {doc}.", f"Fix {name}; it has to {doc}."
                      if imperative(doc) else f"Fix {name} (what it does: {doc})."] * 2
    return fn, templates[(pick >> 8) % len(templates)]


PY_TRANSFORMS: dict[str, Callable] = {
    "docstring": py_docstring, "annotations": py_annotations, "comparison": py_comparison,
    "error_handling": py_error_handling, "guard": py_guard, "default": py_default,
    "comprehension": py_comprehension, "rename": py_rename, "fix_bug": py_fix_bug,
}
