"""Kinds about the shape of code: a conditional expression, a returned condition, an early
return, a set for membership, `str.join`, `defaultdict`, a dataclass, `sorted(key=...)`, and a
helper function extracted or inlined (a function and its caller)."""

from __future__ import annotations

import random
import re

import libcst as cst

from vibecli.data import cst as c
from vibecli.data.kinds import Made, kind, single
from vibecli.data.kinds.idioms import replace_statement, target
from vibecli.data.units import Unit

_FLIP = {cst.LessThan: "<=", cst.GreaterThan: ">=", cst.LessThanEqual: "<", cst.GreaterThanEqual: ">",
         cst.Equal: "==", cst.NotEqual: "!=", cst.In: "in", cst.NotIn: "not in", cst.Is: "is", cst.IsNot: "is not"}
_NEGATE = {cst.LessThan: ">=", cst.GreaterThan: "<=", cst.LessThanEqual: ">", cst.GreaterThanEqual: "<",
           cst.Equal: "!=", cst.NotEqual: "==", cst.In: "not in", cst.NotIn: "in", cst.Is: "is not", cst.IsNot: "is"}
_ATOMIC = (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.SimpleString, cst.Integer, cst.Float, cst.List,
           cst.Tuple, cst.Dict, cst.Set, cst.FormattedString, cst.ConcatenatedString)


def negate(module: cst.Module, test: cst.BaseExpression) -> str | None:
    text = c.one_line(module, test)
    if text is None:
        return None
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1 and not test.lpar:
        op = type(test.comparisons[0].operator)
        left, right = c.one_line(module, test.left), c.one_line(module, test.comparisons[0].comparator)
        return f"{left} {_NEGATE[op]} {right}" if op in _NEGATE and left and right else None
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner = c.one_line(module, test.expression)
        return inner[1:-1] if inner and inner.startswith("(") and inner.endswith(")") else inner
    return f"not {text}" if isinstance(test, _ATOMIC) else f"not ({text})"


@kind("ternary", needs=(" if ",), ruff=("SIM108",), ruff_unsafe=True)
def ternary(unit: Unit, rng: random.Random) -> Made | None:
    module, fn = target(unit)
    if fn is None:
        return None
    for stmt in c.of_type(fn, cst.SimpleStatementLine):
        assign = stmt.body[0] if len(stmt.body) == 1 else None
        if not (isinstance(assign, cst.Assign) and len(assign.targets) == 1 and isinstance(assign.value, cst.IfExp)
                and isinstance(assign.targets[0].target, cst.Name | cst.Attribute)):
            continue
        exp = assign.value
        if isinstance(exp.orelse, cst.IfExp) or exp.lpar:
            continue
        var, test, yes, no = (c.one_line(module, n) for n in (assign.targets[0].target, exp.test, exp.body, exp.orelse))
        if None in (var, test, yes, no):
            continue
        before = replace_statement(module, stmt, f"if {test}:\n    {var} = {yes}\nelse:\n    {var} = {no}\n")
        if before:
            return single(unit, before, unit.text, name=unit.target, var=var)
    return None


_BOOL_CALLS = ("isinstance", "hasattr", "callable", "issubclass", "bool")


@kind("simplify_return", needs=("return ",), ruff=("SIM103",), ruff_unsafe=True)
def simplify_return(unit: Unit, rng: random.Random) -> Made | None:
    module, fn = target(unit)
    if fn is None:
        return None
    for stmt in c.of_type(fn, cst.SimpleStatementLine):
        ret = stmt.body[0] if len(stmt.body) == 1 else None
        value = ret.value if isinstance(ret, cst.Return) else None
        boolean = isinstance(value, cst.Comparison) or (isinstance(value, cst.UnaryOperation) and isinstance(value.operator, cst.Not)) \
            or (isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value in _BOOL_CALLS)
        test = c.one_line(module, value) if boolean else None
        if test is None:
            continue
        if test.startswith("(") and test.endswith(")") and value.lpar:
            test = test[1:-1]
        before = replace_statement(module, stmt, f"if {test}:\n    return True\nelse:\n    return False\n")
        if before:
            return single(unit, before, unit.text, name=unit.target)
    return None


@kind("early_return", needs=("return", "raise"))
def early_return(unit: Unit, rng: random.Random) -> Made | None:
    module, fn = target(unit)
    if fn is None:
        return None
    body = c.body_statements(fn)
    for i, stmt in enumerate(body):
        rest = body[i + 1:]
        if not (isinstance(stmt, cst.If) and stmt.orelse is None and isinstance(stmt.body, cst.IndentedBlock)
                and len(stmt.body.body) == 1 and isinstance(stmt.body.body[0], cst.SimpleStatementLine)
                and isinstance(stmt.body.body[0].body[0], cst.Return | cst.Raise) and len(rest) >= 2):
            continue
        negated = negate(module, stmt.test)
        test = c.expression(negated) if negated else None
        if test is None:
            continue
        nested = cst.If(test=test, body=cst.IndentedBlock(body=list(rest)),
                        orelse=cst.Else(body=stmt.body), leading_lines=stmt.leading_lines)
        new_fn = fn.with_changes(body=fn.body.with_changes(body=list(body[:i]) + [nested]))
        before = c.swap(module, fn, new_fn).code
        if c.compiles(before):
            exit_ = "raises" if isinstance(stmt.body.body[0].body[0], cst.Raise) else "returns"
            return single(unit, before, unit.text, name=unit.target, condition=c.one_line(module, stmt.test) or "", exit=exit_)
    return None


_LITERALS = (cst.SimpleString, cst.Integer, cst.Float, cst.Name)


@kind("set_membership", needs=(" in ",))
def set_membership(unit: Unit, rng: random.Random) -> Made | None:
    module, fn = target(unit)
    if fn is None:
        return None
    for comp in c.of_type(fn, cst.ComparisonTarget):
        if not isinstance(comp.operator, cst.In | cst.NotIn):
            continue
        seq = comp.comparator
        if not isinstance(seq, cst.Set | cst.Tuple | cst.List) or len(seq.elements) < 3:
            continue
        if not all(isinstance(e, cst.Element) and isinstance(e.value, _LITERALS) for e in seq.elements):
            continue
        inner = c.one_line(module, seq)
        if inner is None or not inner.startswith(("{", "(", "[")):
            continue
        as_set = c.expression("{" + inner[1:-1].rstrip(", ") + "}")
        if isinstance(seq, cst.Set):
            before, after = c.swap(module, seq, c.expression("[" + inner[1:-1] + "]")).code, unit.text
        else:
            before, after = unit.text, c.swap(module, seq, as_set).code
        if c.compiles(before) and c.compiles(after):
            return single(unit, before, after, name=unit.target, values=inner)
    return None


def _fresh(words: set[str], *choices: str) -> str | None:
    return next((w for w in choices if w not in words), None)


@kind("str_join", needs=(".join(",))
def str_join(unit: Unit, rng: random.Random) -> Made | None:
    module, fn = target(unit)
    if fn is None:
        return None
    words = set(re.findall(r"\w+", unit.text))
    for stmt in c.of_type(fn, cst.SimpleStatementLine):
        node = stmt.body[0] if len(stmt.body) == 1 else None
        value = node.value if isinstance(node, cst.Assign | cst.Return) else None
        if not (isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value == "join"
                and isinstance(value.func.value, cst.SimpleString) and len(value.args) == 1
                and c.simple(value.args[0].value) and value.args[0].keyword is None and value.args[0].star == ""):
            continue
        if isinstance(node, cst.Assign) and (len(node.targets) != 1 or not isinstance(node.targets[0].target, cst.Name)):
            continue
        sep, seq = c.code(module, value.func.value), c.code(module, value.args[0].value)
        var = node.targets[0].target.value if isinstance(node, cst.Assign) else _fresh(words, "result", "text", "out")
        item = _fresh(words, "part", "item", "piece", "chunk")
        if var is None or item is None:
            continue
        empty = sep[0] + sep[0] if sep[0] in "'\"" else '""'
        if value.func.value.evaluated_value == "":
            loop = f"{var} = {empty}\nfor {item} in {seq}:\n    {var} += {item}\n"
        else:
            loop = f"{var} = {empty}\nfor {item} in {seq}:\n    if {var}:\n        {var} += {sep}\n    {var} += {item}\n"
        if isinstance(node, cst.Return):
            loop += f"return {var}\n"
        before = replace_statement(module, stmt, loop)
        if before:
            return single(unit, before, unit.text, name=unit.target, seq=seq, sep=sep)
    return None


_DEFAULTS = {"list": ("[]", "append"), "set": ("set()", "add")}


@kind("defaultdict", needs=("defaultdict(",))
def use_defaultdict(unit: Unit, rng: random.Random) -> Made | None:
    module, fn = target(unit)
    if fn is None:
        return None
    for stmt in c.of_type(fn, cst.SimpleStatementLine):
        assign = stmt.body[0] if len(stmt.body) == 1 else None
        call = assign.value if isinstance(assign, cst.Assign) else None
        if not (isinstance(call, cst.Call) and c.code(module, call.func) in ("defaultdict", "collections.defaultdict")
                and len(call.args) == 1 and len(assign.targets) == 1 and isinstance(assign.targets[0].target, cst.Name)):
            continue
        factory, name = c.code(module, call.args[0].value), assign.targets[0].target.value
        swaps: dict[int, object] = {id(call): cst.parse_expression("{}")}
        subscripts = [s for s in c.of_type(fn, cst.Subscript) if isinstance(s.value, cst.Name) and s.value.value == name]
        handled = 0
        for node in c.of_type(fn, cst.Call, cst.AugAssign):
            if factory in _DEFAULTS and isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) \
                    and node.func.attr.value == _DEFAULTS[factory][1] and isinstance(node.func.value, cst.Subscript) \
                    and node.func.value in subscripts:
                key = c.one_line(module, node.func.value.slice[0].slice) if len(node.func.value.slice) == 1 else None
                if key:
                    swaps[id(node.func)] = cst.parse_expression(f"{name}.setdefault({key}, {_DEFAULTS[factory][0]}).{_DEFAULTS[factory][1]}")
                    handled += 1
            elif factory == "int" and isinstance(node, cst.AugAssign) and isinstance(node.operator, cst.AddAssign) \
                    and node.target in subscripts:
                key, amount = c.one_line(module, node.target), c.one_line(module, node.value)
                if key and amount:
                    inner = key[len(name) + 1:-1]
                    swaps[id(node)] = cst.parse_statement(f"{key} = {name}.get({inner}, 0) + {amount}\n").body[0]
                    handled += 1
        if not handled or handled != len(subscripts):
            continue
        before = c.swap_many(module, swaps).code
        before = _drop_unused_import(before, "defaultdict", "from collections import defaultdict")
        if c.compiles(before):
            return single(unit, before, unit.text, name=unit.target, var=name, factory=factory)
    return None


def _drop_unused_import(text: str, name: str, line: str) -> str:
    lines = text.split("\n")
    if line not in lines or len(re.findall(rf"\b{name}\b", text)) > 1:
        return text
    lines.remove(line)
    out = "\n".join(lines)
    return out.lstrip("\n") if not out.startswith(("import", "from")) else out


@kind("dataclass", units=("class",), needs=("dataclass",))
def dataclass(unit: Unit, rng: random.Random) -> Made | None:
    module = c.parse(unit.text)
    cls = c.find_def(module, unit.target) if module else None
    if not isinstance(cls, cst.ClassDef) or len(cls.decorators) != 1:
        return None
    decorator = c.code(module, cls.decorators[0].decorator)
    if decorator not in ("dataclass", "dataclasses.dataclass", "dataclass()", "dataclasses.dataclass()"):
        return None
    body = c.body_statements(cls)
    start = 1 if body and c.is_docstring(body[0]) else 0
    fields = []
    for stmt in body[start:]:
        if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.AnnAssign):
            ann = stmt.body[0]
            annotation = c.one_line(module, ann.annotation.annotation)
            value = c.one_line(module, ann.value) if ann.value is not None else ""
            if not isinstance(ann.target, cst.Name) or annotation is None or value is None or "ClassVar" in annotation \
                    or "InitVar" in annotation or "KW_ONLY" in annotation or "field(" in value:
                return None
            fields.append((ann.target.value, annotation, value, stmt))
        elif not (isinstance(stmt, cst.FunctionDef) and stmt.name.value not in ("__init__", "__post_init__")):
            return None
    if len(fields) < 2:
        return None
    params = ", ".join(f"{n}: {a}" + (f" = {v}" if v else "") for n, a, v, _ in fields)
    init = f"def __init__(self, {params}):\n" + "".join(f"    self.{n} = {n}\n" for n, *_ in fields)
    init_node = c.statements(init)[0]
    new_body = list(body[:start]) + [init_node] + [s for s in body[start:] if not any(s is f[3] for f in fields)]
    if start and init_node:
        new_body[start] = init_node.with_changes(leading_lines=[cst.EmptyLine(indent=False)])
    plain = cls.with_changes(decorators=[], body=cls.body.with_changes(body=new_body))
    before = c.swap(module, cls, plain).code
    before = _drop_unused_import(before, "dataclass", "from dataclasses import dataclass")
    before = _drop_unused_import(before, "dataclasses", "import dataclasses")
    if not c.compiles(before):
        return None
    return single(unit, before, unit.text, name=cls.name.value, fields=", ".join(f[0] for f in fields))


@kind("sort_key", needs=("key=",))
def sort_key(unit: Unit, rng: random.Random) -> Made | None:
    module, fn = target(unit)
    if fn is None:
        return None
    for call in c.of_type(fn, cst.Call):
        func = c.code(module, call.func)
        if not (func in ("sorted", "min", "max") or (isinstance(call.func, cst.Attribute) and call.func.attr.value == "sort")):
            continue
        keyed = [a for a in call.args if a.keyword is not None and a.keyword.value == "key"]
        if not keyed or (func != "sorted" and not func.endswith(".sort") and len(call.args) != 2):
            continue
        key = c.one_line(module, keyed[0].value)
        if key is None or key == "None":
            continue
        args = [a for a in call.args if a is not keyed[0]]
        if not args and not func.endswith(".sort"):
            continue
        if args and keyed[0] is call.args[-1]:
            args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        before = c.swap(module, call, call.with_changes(args=args)).code
        if c.compiles(before):
            what = c.one_line(module, call.func.value) if func.endswith(".sort") else c.one_line(module, call.args[0].value)
            return single(unit, before, unit.text, name=unit.target, key=key, func=func.split(".")[-1], seq=what or "the items")
    return None
