"""Kinds that write real idiomatic code the long way and ask for the idiom back: f-strings,
comprehensions (and back to a loop), `with open`, `enumerate`, `dict.get`, `any`/`all`."""

from __future__ import annotations

import random
import re

import libcst as cst

from vibecli.data import cst as c
from vibecli.data.kinds import Made, kind, single
from vibecli.data.units import Unit


def target(unit: Unit):
    module = c.parse(unit.text)
    fn = c.find_def(module, unit.target) if module is not None else None
    return (module, fn) if isinstance(fn, cst.FunctionDef) else (None, None)


def replace_statement(module: cst.Module, stmt: cst.CSTNode, text: str) -> str | None:
    """The module with one statement replaced by the statements in `text` (its comments kept)."""
    try:
        new = c.statements(text)
    except cst.ParserSyntaxError:
        return None
    new[0] = new[0].with_changes(leading_lines=stmt.leading_lines)
    code = c.swap(module, stmt, cst.FlattenSentinel(new)).code
    return code if c.compiles(code) else None


def _in_concatenation(fn) -> set[int]:
    return {id(part) for n in c.of_type(fn, cst.ConcatenatedString) for part in (n.left, n.right)}


def _fstrings(module, fn):
    skip = _in_concatenation(fn)
    for fs in c.of_type(fn, cst.FormattedString):
        if id(fs) in skip or fs.start.endswith(('"""', "'''")):
            continue
        exprs = [p for p in fs.parts if isinstance(p, cst.FormattedStringExpression)]
        if not exprs or any(p.equal is not None or isinstance(p.expression, cst.NamedExpr) for p in exprs):
            continue
        args = [c.one_line(module, p.expression) for p in exprs]
        if None in args:
            continue
        yield fs, [a.strip() for a in args]


def _spec(part: cst.FormattedStringExpression) -> str | None:
    if not part.format_spec:
        return ""
    if any(not isinstance(p, cst.FormattedStringText) for p in part.format_spec):
        return None
    return "".join(p.value for p in part.format_spec)


@kind("fstring_format", needs=('f"', "f'"), ruff=("UP032",))
def fstring_format(unit: Unit, rng: random.Random) -> Made | None:
    module, fn = target(unit)
    if fn is None:
        return None
    for fs, args in _fstrings(module, fn):
        pieces = []
        for part in fs.parts:
            if isinstance(part, cst.FormattedStringText):
                pieces.append(part.value)
                continue
            spec = _spec(part)
            if spec is None:
                break
            pieces.append("{" + (f"!{part.conversion}" if part.conversion else "") + (f":{spec}" if spec else "") + "}")
        else:
            quote = fs.start.replace("f", "").replace("F", "")
            old = f"{quote}{''.join(pieces)}{fs.end}.format({', '.join(args)})"
            new = c.expression(old)
            if new is None:
                continue
            before = c.swap(module, fs, new).code
            if c.compiles(before):
                return single(unit, before, unit.text, name=unit.target, old=old)
    return None


_PERCENT_SPEC = re.compile(r"(\d+)?(\.\d+)?[dfFeEgGxXo]")


@kind("fstring_percent", needs=('f"', "f'"), ruff=("UP031", "UP032"), ruff_unsafe=True)
def fstring_percent(unit: Unit, rng: random.Random) -> Made | None:
    module, fn = target(unit)
    if fn is None:
        return None
    for fs, args in _fstrings(module, fn):
        pieces = []
        for part in fs.parts:
            if isinstance(part, cst.FormattedStringText):
                pieces.append(part.value.replace("%", "%%").replace("{{", "{").replace("}}", "}"))
                continue
            spec = _spec(part)
            if spec is None or (spec and part.conversion) or (spec and not _PERCENT_SPEC.fullmatch(spec)):
                break
            pieces.append("%" + (spec or (part.conversion or "s")))
        else:
            quote = fs.start.replace("f", "").replace("F", "")
            if len(args) == 1 and re.fullmatch(r"[\w.]+(\(\))?", args[0]):
                operand = args[0]
            else:
                operand = "(" + ", ".join(args) + ("," if len(args) == 1 else "") + ")"
            old = f"{quote}{''.join(pieces)}{fs.end} % {operand}"
            new = c.expression(old)
            if new is None:
                continue
            before = c.swap(module, fs, new).code
            if c.compiles(before):
                return single(unit, before, unit.text, name=unit.target, old=old)
    return None


_COMPS = {cst.ListComp: ("[]", "list", "{t}.append({elt})"), cst.SetComp: ("set()", "set", "{t}.add({elt})"),
          cst.DictComp: ("{{}}", "dict", "{t}[{key}] = {value}")}


def _comprehension_loop(module, fn):
    """(statement, the loop that builds the same thing, target, kind of collection) for one comprehension."""
    for stmt in c.of_type(fn, cst.SimpleStatementLine):
        if len(stmt.body) != 1 or not isinstance(stmt.body[0], cst.Assign) or len(stmt.body[0].targets) != 1:
            continue
        assign = stmt.body[0]
        comp = assign.value
        if type(comp) not in _COMPS or not isinstance(assign.targets[0].target, cst.Name):
            continue
        gen = comp.for_in
        if gen.inner_for_in is not None or gen.asynchronous is not None or len(gen.ifs) > 1:
            continue
        t = assign.targets[0].target.value
        pieces = {"t": t, "target": c.one_line(module, gen.target), "iter": c.one_line(module, gen.iter)}
        if isinstance(comp, cst.DictComp):
            pieces.update(key=c.one_line(module, comp.key), value=c.one_line(module, comp.value))
        else:
            pieces["elt"] = c.one_line(module, comp.elt)
        cond = c.one_line(module, gen.ifs[0].test) if gen.ifs else ""
        if None in pieces.values() or cond is None or t in c.names_used(cst.Module(body=[cst.SimpleStatementLine([cst.Expr(comp)])])):
            continue
        empty, collection, add = _COMPS[type(comp)]
        loop = f"{t} = {empty.format()}\nfor {pieces['target']} in {pieces['iter']}:\n"
        line = add.format(**pieces)
        loop += f"    if {cond}:\n        {line}\n" if cond else f"    {line}\n"
        yield stmt, loop, t, collection


@kind("list_comprehension", needs=("for ",))
def list_comprehension(unit: Unit, rng: random.Random) -> Made | None:
    module, fn = target(unit)
    if fn is None:
        return None
    for stmt, loop, name, collection in _comprehension_loop(module, fn):
        before = replace_statement(module, stmt, loop)
        if before:
            return single(unit, before, unit.text, name=unit.target, var=name, collection=collection)
    return None


@kind("comprehension_to_loop", needs=("for ",), direction="improve")
def comprehension_to_loop(unit: Unit, rng: random.Random) -> Made | None:
    module, fn = target(unit)
    if fn is None:
        return None
    for stmt, loop, name, collection in _comprehension_loop(module, fn):
        after = replace_statement(module, stmt, loop)
        if after:
            return single(unit, unit.text, after, name=unit.target, var=name, collection=collection)
    return None


@kind("with_open", needs=("with open(",))
def with_open(unit: Unit, rng: random.Random) -> Made | None:
    module, fn = target(unit)
    if fn is None:
        return None
    for node in c.of_type(fn, cst.With):
        if len(node.items) != 1 or node.asynchronous is not None or not isinstance(node.body, cst.IndentedBlock):
            continue
        item = node.items[0]
        call = item.item
        if not (isinstance(call, cst.Call) and isinstance(call.func, cst.Name) and call.func.value == "open"
                and item.asname is not None and isinstance(item.asname.name, cst.Name)):
            continue
        handle, opened = item.asname.name.value, c.one_line(module, call)
        if opened is None:
            continue
        head, tail = c.statements(f"{handle} = {opened}\n"), c.statements(f"{handle}.close()\n")
        head[0] = head[0].with_changes(leading_lines=node.leading_lines)
        before = c.swap(module, node, cst.FlattenSentinel(head + list(node.body.body) + tail)).code
        if c.compiles(before):
            return single(unit, before, unit.text, name=unit.target, handle=handle)
    return None


@kind("enumerate", needs=("enumerate(",))
def use_enumerate(unit: Unit, rng: random.Random) -> Made | None:
    module, fn = target(unit)
    if fn is None:
        return None
    for loop in c.of_type(fn, cst.For):
        it, t = loop.iter, loop.target
        if not (isinstance(it, cst.Call) and isinstance(it.func, cst.Name) and it.func.value == "enumerate"
                and len(it.args) == 1 and it.args[0].keyword is None and c.simple(it.args[0].value)
                and isinstance(t, cst.Tuple) and len(t.elements) == 2
                and all(isinstance(e.value, cst.Name) for e in t.elements)
                and isinstance(loop.body, cst.IndentedBlock) and loop.orelse is None):
            continue
        index, item = (e.value.value for e in t.elements)
        seq = c.code(module, it.args[0].value)
        first = c.statements(f"{item} = {seq}[{index}]\n")
        new_loop = loop.with_changes(
            target=cst.Name(index), iter=cst.parse_expression(f"range(len({seq}))"),
            body=loop.body.with_changes(body=first + list(loop.body.body)))
        before = c.swap(module, loop, new_loop).code
        if c.compiles(before):
            return single(unit, before, unit.text, name=unit.target, seq=seq, index=index, item=item)
    return None


@kind("dict_get", needs=(".get(",))
def dict_get(unit: Unit, rng: random.Random) -> Made | None:
    module, fn = target(unit)
    if fn is None:
        return None
    for stmt in c.of_type(fn, cst.SimpleStatementLine):
        if len(stmt.body) != 1 or not isinstance(stmt.body[0], cst.Assign) or len(stmt.body[0].targets) != 1:
            continue
        assign = stmt.body[0]
        call = assign.value
        if not (isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute) and call.func.attr.value == "get"
                and len(call.args) == 2 and all(a.keyword is None and a.star == "" for a in call.args)
                and c.simple(call.func.value) and c.simple(call.args[0].value)
                and isinstance(assign.targets[0].target, cst.Name)):
            continue
        var, mapping = assign.targets[0].target.value, c.code(module, call.func.value)
        key, default = c.code(module, call.args[0].value), c.one_line(module, call.args[1].value)
        if default is None:
            continue
        text = f"if {key} in {mapping}:\n    {var} = {mapping}[{key}]\nelse:\n    {var} = {default}\n"
        before = replace_statement(module, stmt, text)
        if before:
            return single(unit, before, unit.text, name=unit.target, var=var, mapping=mapping, key=key, default=default)
    return None


_NEEDS_PARENS = (cst.BooleanOperation, cst.IfExp, cst.Lambda, cst.NamedExpr)


@kind("any_all", needs=("any(", "all("), ruff=("SIM110",), ruff_unsafe=True)
def any_all(unit: Unit, rng: random.Random) -> Made | None:
    module, fn = target(unit)
    if fn is None:
        return None
    for stmt in c.of_type(fn, cst.SimpleStatementLine):
        ret = stmt.body[0] if len(stmt.body) == 1 else None
        call = ret.value if isinstance(ret, cst.Return) else None
        if not (isinstance(call, cst.Call) and isinstance(call.func, cst.Name) and call.func.value in ("any", "all")
                and len(call.args) == 1 and isinstance(call.args[0].value, cst.GeneratorExp)):
            continue
        gen = call.args[0].value
        if gen.for_in.inner_for_in is not None or gen.for_in.ifs or gen.for_in.asynchronous is not None:
            continue
        elt, var, it = (c.one_line(module, n) for n in (gen.elt, gen.for_in.target, gen.for_in.iter))
        if None in (elt, var, it):
            continue
        wanted = call.func.value == "any"
        test = elt if wanted else (f"not ({elt})" if isinstance(gen.elt, _NEEDS_PARENS) else f"not {elt}")
        text = f"for {var} in {it}:\n    if {test}:\n        return {wanted}\nreturn {not wanted}\n"
        before = replace_statement(module, stmt, text)
        if before:
            return single(unit, before, unit.text, name=unit.target, func=call.func.value)
    return None
