"""Kinds that take something real out of the code and ask for it back: a docstring, type hints,
input validation, error handling, a default, a parameter, a method, a function, a __repr__, a
good name; and one that puts an unused import in and asks for it out."""

from __future__ import annotations

import ast
import random
import re

import libcst as cst

from vibecli.data import cst as c
from vibecli.data.kinds import Made, kind, single
from vibecli.data.units import Unit


def _target(unit: Unit):
    module = c.parse(unit.text)
    if module is None:
        return None, None
    fn = c.find_def(module, unit.target)
    return module, fn


def _body_after_doc(fn) -> list:
    body = c.body_statements(fn)
    return body[1:] if body and c.is_docstring(body[0]) else body


def _drop_statement(module: cst.Module, stmt) -> str:
    return c.swap(module, stmt, cst.RemoveFromParent()).code


@kind("docstring", needs=('"""', "'''"))
def docstring(unit: Unit, rng: random.Random) -> Made | None:
    module, fn = _target(unit)
    if not isinstance(fn, cst.FunctionDef):
        return None
    body = c.body_statements(fn)
    if len(body) < 2 or not c.is_docstring(body[0]):
        return None
    return single(unit, _drop_statement(module, body[0]), unit.text, name=unit.target, doc=unit.doc)


def _params(fn: cst.FunctionDef) -> list[cst.Param]:
    p = fn.params
    out = list(p.posonly_params) + list(p.params) + list(p.kwonly_params)
    for star in (p.star_arg, p.star_kwarg):
        if isinstance(star, cst.Param):
            out.append(star)
    return out


@kind("type_hints", needs=("->", ": "))
def type_hints(unit: Unit, rng: random.Random) -> Made | None:
    module, fn = _target(unit)
    if not isinstance(fn, cst.FunctionDef):
        return None
    annotated = [p for p in _params(fn) if p.annotation is not None]
    if len(annotated) + (fn.returns is not None) < 2:
        return None
    swaps: dict[int, object] = {id(p): p.with_changes(annotation=None) for p in annotated}
    plain = c.swap_many(module, swaps)
    plain_fn = c.find_def(plain, unit.target)
    if plain_fn.returns is not None:
        plain = c.swap(plain, plain_fn, plain_fn.with_changes(returns=None))
    return single(unit, plain.code, unit.text, name=unit.target)


@kind("validate_input", needs=("raise ValueError", "raise TypeError"))
def validate_input(unit: Unit, rng: random.Random) -> Made | None:
    module, fn = _target(unit)
    if not isinstance(fn, cst.FunctionDef):
        return None
    body = _body_after_doc(fn)
    params = {p.name.value for p in _params(fn)}
    for stmt in body[:4]:
        if not (isinstance(stmt, cst.If) and stmt.orelse is None and isinstance(stmt.body, cst.IndentedBlock)
                and len(stmt.body.body) == 1 and isinstance(stmt.body.body[0], cst.SimpleStatementLine)):
            continue
        raise_ = stmt.body.body[0].body[0]
        if not (isinstance(raise_, cst.Raise) and isinstance(raise_.exc, cst.Call)
                and c.code(module, raise_.exc.func) in ("ValueError", "TypeError")):
            continue
        test = c.one_line(module, stmt.test)
        if test is None or not (c.names_used(cst.parse_module(test)) & params) or len(body) < 2:
            continue
        message = ""
        if raise_.exc.args and isinstance(raise_.exc.args[0].value, cst.SimpleString):
            message = raise_.exc.args[0].value.evaluated_value if isinstance(raise_.exc.args[0].value.evaluated_value, str) else ""
        return single(unit, _drop_statement(module, stmt), unit.text, name=unit.target, condition=test,
                      exc=c.code(module, raise_.exc.func), message=message)
    return None


@kind("error_handling", needs=("try:",))
def error_handling(unit: Unit, rng: random.Random) -> Made | None:
    module, fn = _target(unit)
    if not isinstance(fn, cst.FunctionDef):
        return None
    for node in c.of_type(fn, cst.Try):
        if node.finalbody is not None or node.orelse is not None or not node.handlers:
            continue
        if any(h.type is None for h in node.handlers) or not isinstance(node.body, cst.IndentedBlock):
            continue
        caught = [c.code(module, h.type) for h in node.handlers]
        first = c.one_line(module, node.body.body[0]) if node.body.body else None
        if first is None or len(node.body.body) > 6:
            continue
        before = c.swap(module, node, cst.FlattenSentinel(node.body.body)).code
        return single(unit, before, unit.text, name=unit.target, exc=" or ".join(caught), first=first.strip())
    return None


@kind("default_value", needs=("=",))
def default_value(unit: Unit, rng: random.Random) -> Made | None:
    module, fn = _target(unit)
    if not isinstance(fn, cst.FunctionDef):
        return None
    with_default = [p for p in fn.params.params if p.default is not None]
    if not with_default:
        return None
    param = with_default[0]
    value = c.one_line(module, param.default)
    if value is None or len(value) > 30:
        return None
    stripped = param.with_changes(default=None, equal=cst.MaybeSentinel.DEFAULT)
    return single(unit, c.swap(module, param, stripped).code, unit.text, name=unit.target,
                  param=param.name.value, value=value)


_LITERAL = (ast.Constant,)


@kind("add_parameter", needs=("=",))
def add_parameter(unit: Unit, rng: random.Random) -> Made | None:
    """A parameter with a literal default, taken out and its uses replaced by the literal: the
    request asks for the parameter (same default, so callers see the same behaviour)."""
    module, fn = _target(unit)
    if not isinstance(fn, cst.FunctionDef) or not fn.params.params:
        return None
    param = fn.params.params[-1]
    if param.default is None or isinstance(fn.params.star_arg, cst.Param) or fn.params.kwonly_params:
        return None
    value = c.one_line(module, param.default)
    literal = _expr(value) if value is not None else None
    # a number or a string: `if None:` or `if True:` in the before-file would read as nonsense
    if value is None or len(value) > 24 or not isinstance(literal, _LITERAL) or isinstance(literal.value, bool) \
            or literal.value is None or literal.value == "" or "\n" in c.code(module, fn.params).strip():
        return None
    name = param.name.value
    uses = c.name_nodes(fn.body, name)
    tree = next((n for n in ast.walk(ast.parse(unit.text)) if isinstance(n, ast.FunctionDef) and n.name == fn.name.value), None)
    if tree is None:
        return None
    stores = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == name and not isinstance(n.ctx, ast.Load)]
    shadow = [n for n in ast.walk(tree) if isinstance(n, (ast.Lambda, ast.comprehension, ast.FunctionDef))
              and n is not tree and name in ast.dump(n)]
    if not uses or stores or shadow or len(re.findall(rf"(?<![\w.]){re.escape(fn.name.value)}\(", unit.text)) > 1:
        return None
    swaps: dict[int, object] = {id(u): cst.parse_expression(value) for u in uses}
    params = list(fn.params.params[:-1])
    if params:
        params[-1] = params[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        swaps[id(fn.params.params[-2])] = params[-1]
    swaps[id(param)] = cst.RemoveFromParent()
    before = c.swap_many(module, swaps).code
    return single(unit, before, unit.text, name=unit.target, param=name, value=value)


def _expr(text: str):
    try:
        return ast.parse(text, mode="eval").body
    except SyntaxError:
        return None


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def abbreviated(name: str) -> str:
    """`normalize_header_name` -> `norm_hdr_name`: the clipped names people ask to spell out."""
    parts = []
    for part in name.split("_"):
        if len(part) > 5:
            part = part[0] + re.sub(r"[aeiou]", "", part[1:])[:3]
        parts.append(part)
    return "_".join(parts)


@kind("rename_function", units=("function", "pair", "method"))
def rename_function(unit: Unit, rng: random.Random) -> Made | None:
    name = unit.target.split(".")[-1]
    if "_" not in name.strip("_") or name.startswith("_"):
        return None
    bad = camel(name) if rng.random() < 0.6 else abbreviated(name)
    if bad == name or re.search(rf"\b{re.escape(bad)}\b", unit.text):
        return None
    module, fn = _target(unit)
    if fn is None:
        return None
    if unit.kind == "method":
        before = c.rename(module, name, bad, attributes_of=("self", "cls")).code
    else:
        before = c.rename(module, name, bad).code
    style = "snake" if bad == camel(name) else "spelled"
    return single(unit, before, unit.text, rename=(bad, name), name=bad, new=name, why=style)


_POOR = ("tmp", "temp", "val", "res", "data2", "obj", "thing", "x1", "foo", "stuff", "var")


@kind("rename_variable")
def rename_variable(unit: Unit, rng: random.Random) -> Made | None:
    module, fn = _target(unit)
    if not isinstance(fn, cst.FunctionDef):
        return None
    params = {p.name.value for p in _params(fn)}
    assigned = [t.target.value for t in c.of_type(fn, cst.AssignTarget) if isinstance(t.target, cst.Name)]
    words = set(re.findall(r"\w+", unit.text))
    candidates = [n for n in dict.fromkeys(assigned) if len(n) >= 4 and n not in params and "_" not in n[:1]
                  and len(c.name_nodes(fn.body, n)) >= 3 and not re.search(rf"\b{n}\b", unit.text.split(fn.name.value, 1)[0])]
    if not candidates:
        return None
    real = rng.choice(candidates)
    poor = next((p for p in rng.sample(_POOR, len(_POOR)) if p not in words), None)
    if poor is None:
        return None
    before = c.swap_many(module, {id(n): n.with_changes(value=poor) for n in c.name_nodes(fn.body, real)}).code
    if not c.compiles(before):
        return None
    return single(unit, before, unit.text, rename=(poor, real), name=unit.target, old=poor, new=real)


def _signature(module: cst.Module, fn: cst.FunctionDef) -> str | None:
    sig = f"{fn.name.value}({c.code(module, fn.params)})"
    sig = " ".join(sig.split())
    return sig if len(sig) <= 70 else None


def _doc_of(fn: cst.FunctionDef) -> str:
    body = c.body_statements(fn)
    if not body or not c.is_docstring(body[0]):
        return ""
    value = body[0].body[0].value
    text = value.evaluated_value if isinstance(value, cst.SimpleString) else ""
    line = (text or "").strip().split("\n")[0].strip().rstrip(".")
    return line[:1].lower() + line[1:] if 8 <= len(line) <= 100 and not line.endswith((":", ",")) else ""


@kind("add_method", units=("class",), needs=("def ",))
def add_method(unit: Unit, rng: random.Random) -> Made | None:
    module, cls = _target(unit)
    if not isinstance(cls, cst.ClassDef):
        return None
    methods = [m for m in c.body_statements(cls) if isinstance(m, cst.FunctionDef) and not m.name.value.startswith("__")]
    methods = [m for m in methods if _doc_of(m) and 3 <= len(c.code(module, m).strip().splitlines()) <= 25]
    if not methods or len(c.body_statements(cls)) < 3:
        return None
    method = rng.choice(methods)
    signature = _signature(module, method)
    if signature is None:
        return None
    before = _drop_statement(module, method)
    return single(unit, before, unit.text, name=cls.name.value, method=method.name.value, signature=signature,
                  doc=_doc_of(method))


@kind("add_function", units=("function", "pair"), needs=("def ",))
def add_function(unit: Unit, rng: random.Random) -> Made | None:
    module = c.parse(unit.text)
    if module is None:
        return None
    defs = [n for n in module.body if isinstance(n, cst.FunctionDef)]
    fn = c.find_def(module, unit.target)
    if len(defs) < 2 or not isinstance(fn, cst.FunctionDef) or not _doc_of(fn):
        return None
    signature = _signature(module, fn)
    if signature is None:
        return None
    before = _drop_statement(module, fn)
    return single(unit, before, unit.text, name=fn.name.value, signature=signature, doc=_doc_of(fn))


@kind("add_repr", units=("class",), needs=("__repr__",))
def add_repr(unit: Unit, rng: random.Random) -> Made | None:
    module, cls = _target(unit)
    if not isinstance(cls, cst.ClassDef):
        return None
    found = [m for m in c.body_statements(cls) if isinstance(m, cst.FunctionDef) and m.name.value == "__repr__"]
    if not found or len(c.body_statements(cls)) < 2:
        return None
    shown = [a.attr.value for a in c.of_type(found[0], cst.Attribute)
             if isinstance(a.value, cst.Name) and a.value.value == "self" and not a.attr.value.startswith("__")]
    fields = ", ".join(dict.fromkeys(shown)) or "its state"
    return single(unit, _drop_statement(module, found[0]), unit.text, name=cls.name.value, fields=fields)


_UNUSED = ("import os", "import sys", "import re", "import json", "import math", "from typing import Any",
           "import itertools", "import functools", "from collections import OrderedDict", "import warnings")


@kind("remove_unused_import", units=("function", "class", "pair"), ruff=("F401",))
def remove_unused_import(unit: Unit, rng: random.Random) -> Made | None:
    words = set(re.findall(r"\w+", unit.text))
    fresh = [line for line in _UNUSED if line.split()[-1] not in words]
    if not fresh:
        return None
    added = rng.sample(fresh, min(len(fresh), rng.choice((1, 1, 2))))
    lines = unit.text.split("\n")
    head = 0
    while head < len(lines) and lines[head].startswith(("import ", "from ")):
        head += 1
    if head:
        before = "\n".join(lines[:head] + added + lines[head:])
    else:
        before = "\n".join(added) + "\n\n\n" + unit.text
    return single(unit, before, unit.text, imports=", ".join(f"`{a.split()[-1]}`" for a in added), count=str(len(added)))
