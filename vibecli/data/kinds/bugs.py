"""Kinds that plant a bug in real code and ask for the fix: a flipped comparison, an off-by-one,
a swapped operator, dead code, `type(x) ==` for `isinstance`, `== None` for `is None`."""

from __future__ import annotations

import random

import libcst as cst

from vibecli.data import cst as c
from vibecli.data.kinds import Made, kind, single
from vibecli.data.kinds.idioms import target
from vibecli.data.kinds.structure import _NEGATE
from vibecli.data.units import Unit


def _condition_comparisons(fn) -> list[cst.Comparison]:
    tests = [n.test for n in c.of_type(fn, cst.If, cst.While, cst.IfExp, cst.Assert)]
    tests += [n.value for n in c.of_type(fn, cst.Return) if n.value is not None]
    return [t for t in tests if isinstance(t, cst.Comparison) and len(t.comparisons) == 1]


@kind("fix_comparison", needs=("<", ">", "==", "!=", " in ", " is "))
def fix_comparison(unit: Unit, rng: random.Random) -> Made | None:
    module, fn = target(unit)
    if fn is None:
        return None
    found = [t for t in _condition_comparisons(fn) if type(t.comparisons[0].operator) in _NEGATE]
    rng.shuffle(found)
    for test in found:
        left, right = c.one_line(module, test.left), c.one_line(module, test.comparisons[0].comparator)
        good = c.one_line(module, test)
        if not (left and right and good):
            continue
        bad = f"{left} {_NEGATE[type(test.comparisons[0].operator)]} {right}"
        new = c.expression(bad)
        if new is None:
            continue
        before = c.swap(module, test, new.with_changes(lpar=test.lpar, rpar=test.rpar)).code
        if c.compiles(before):
            return single(unit, before, unit.text, name=unit.target, bad=bad, good=good.strip("()"))
    return None


def _off_by_one_sites(module, fn) -> list[tuple[cst.CSTNode, str, str]]:
    """(node, wrong code, what it does wrong) for each place an off-by-one can be planted."""
    sites = []
    for call in c.of_type(fn, cst.Call):
        if isinstance(call.func, cst.Name) and call.func.value == "range" and 1 <= len(call.args) <= 2 \
                and all(a.keyword is None and a.star == "" for a in call.args):
            last = c.one_line(module, call.args[-1].value)
            if last is None:
                continue
            wrong = last[:-4] if last.endswith(" + 1") else f"{last} - 1" if not last.endswith(" - 1") else None
            if wrong:
                args = ", ".join([c.code(module, a.value) for a in call.args[:-1]] + [wrong])
                sites.append((call, f"range({args})", "the loop stops one item too early"))
    for op in c.of_type(fn, cst.BinaryOperation):
        text = c.one_line(module, op)
        if text and isinstance(op.operator, cst.Subtract) and text.startswith("len(") and text.endswith(" - 1"):
            sites.append((op, text[:-4], "an index runs one past the end"))
    for sl in c.of_type(fn, cst.Slice):
        upper = c.one_line(module, sl.upper) if sl.upper is not None else None
        if upper and sl.lower is None and sl.step is None and upper.isidentifier():
            sites.append((sl.upper, f"{upper} - 1", "the slice leaves out the last item it should keep"))
    return sites


@kind("fix_off_by_one", needs=("range(", "len(", ":"))
def fix_off_by_one(unit: Unit, rng: random.Random) -> Made | None:
    module, fn = target(unit)
    if fn is None:
        return None
    sites = _off_by_one_sites(module, fn)
    if not sites:
        return None
    node, wrong, symptom = rng.choice(sites)
    new = c.expression(wrong)
    if new is None:
        return None
    before = c.swap(module, node, new).code
    if not c.compiles(before):
        return None
    return single(unit, before, unit.text, name=unit.target, wrong=wrong, right=c.code(module, node), symptom=symptom)


_ARITH = {cst.Add: cst.Subtract, cst.Subtract: cst.Add, cst.Multiply: cst.Add, cst.FloorDivide: cst.Multiply}


def _bug_sites(module, fn) -> list[tuple[cst.CSTNode, cst.CSTNode]]:
    sites = []
    for node in c.of_type(fn, cst.BinaryOperation, cst.BooleanOperation, cst.Return, cst.UnaryOperation):
        if isinstance(node, cst.BinaryOperation) and type(node.operator) in _ARITH \
                and not isinstance(node.left, cst.SimpleString | cst.FormattedString) \
                and not isinstance(node.right, cst.SimpleString | cst.FormattedString):
            op = node.operator
            new_op = _ARITH[type(op)](whitespace_before=op.whitespace_before, whitespace_after=op.whitespace_after)
            sites.append((node, node.with_changes(operator=new_op)))
        elif isinstance(node, cst.BooleanOperation):
            op = node.operator
            flipped = cst.Or if isinstance(op, cst.And) else cst.And
            sites.append((node, node.with_changes(operator=flipped(whitespace_before=op.whitespace_before,
                                                                   whitespace_after=op.whitespace_after))))
        elif isinstance(node, cst.Return) and isinstance(node.value, cst.Name) and node.value.value in ("True", "False"):
            sites.append((node.value, node.value.with_changes(value="False" if node.value.value == "True" else "True")))
        elif isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not) \
                and not isinstance(node.expression, cst.BooleanOperation | cst.Comparison):
            sites.append((node, node.expression))
    return sites


@kind("fix_bug", needs=("return",))
def fix_bug(unit: Unit, rng: random.Random) -> Made | None:
    module, fn = target(unit)
    if fn is None:
        return None
    sites = _bug_sites(module, fn)
    if not sites:
        return None
    old, new = rng.choice(sites)
    before = c.swap(module, old, new).code
    if not c.compiles(before):
        return None
    return single(unit, before, unit.text, name=unit.target, doc=unit.doc)


@kind("remove_dead_code", needs=("return",))
def remove_dead_code(unit: Unit, rng: random.Random) -> Made | None:
    """An unreachable statement after the final return, or a branch that can never run."""
    module, fn = target(unit)
    if fn is None:
        return None
    body = c.body_statements(fn)
    simple = [s for s in body[:-1] if isinstance(s, cst.SimpleStatementLine) and not c.is_docstring(s)
              and c.one_line(module, s.with_changes(leading_lines=[])) and isinstance(s.body[0], cst.Assign | cst.Expr)]
    if len(body) < 2 or not simple:
        return None
    copy = rng.choice(simple).with_changes(leading_lines=[])
    last = body[-1]
    if rng.random() < 0.5 and isinstance(last, cst.SimpleStatementLine) and isinstance(last.body[0], cst.Return):
        new_body = list(body) + [copy]
        where = "after the final return"
    else:
        dead = cst.If(test=cst.Name("False"), body=cst.IndentedBlock(body=[copy]))
        index = 1 if c.is_docstring(body[0]) else 0
        new_body = list(body[:index]) + [dead] + list(body[index:])
        where = "an `if False:` branch"
    before = c.swap(module, fn, fn.with_changes(body=fn.body.with_changes(body=new_body))).code
    if not c.compiles(before):
        return None
    return single(unit, before, unit.text, name=unit.target, where=where)


@kind("isinstance_check", needs=("isinstance(",))
def isinstance_check(unit: Unit, rng: random.Random) -> Made | None:
    module, fn = target(unit)
    if fn is None:
        return None
    for call in c.of_type(fn, cst.Call):
        if not (isinstance(call.func, cst.Name) and call.func.value == "isinstance" and len(call.args) == 2
                and isinstance(call.args[1].value, cst.Name | cst.Attribute)):
            continue
        obj, cls = c.one_line(module, call.args[0].value), c.one_line(module, call.args[1].value)
        new = c.expression(f"type({obj}) == {cls}") if obj and cls else None
        if new is None:
            continue
        before = c.swap(module, call, new).code
        if c.compiles(before):
            return single(unit, before, unit.text, name=unit.target, obj=obj, cls=cls)
    return None


@kind("is_none", needs=("is None", "is not None"), ruff=("E711",), ruff_unsafe=True)
def is_none(unit: Unit, rng: random.Random) -> Made | None:
    module, fn = target(unit)
    if fn is None:
        return None
    swaps: dict[int, object] = {}
    for comp in c.of_type(fn, cst.ComparisonTarget):
        if isinstance(comp.operator, cst.Is | cst.IsNot) and isinstance(comp.comparator, cst.Name) and comp.comparator.value == "None":
            op = comp.operator
            new = cst.Equal if isinstance(op, cst.Is) else cst.NotEqual
            swaps[id(op)] = new(whitespace_before=op.whitespace_before, whitespace_after=op.whitespace_after)
    if not swaps:
        return None
    before = c.swap_many(module, swaps).code
    return single(unit, before, unit.text, name=unit.target, count=str(len(swaps))) if c.compiles(before) else None
