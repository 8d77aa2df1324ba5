"""Kinds that span two functions or two files: a helper extracted from its caller or inlined
into it, a function renamed together with its caller in another file, and a test added for a
function (the package's own test, in its own test file, beside the function's module)."""

from __future__ import annotations

import ast
import random
import re

import libcst as cst

from vibecli.data import cst as c
from vibecli.data.kinds import Made, kind
from vibecli.data.kinds.restore import abbreviated, camel
from vibecli.data.units import Unit, doc_line, imports_used

_NEEDS_PARENS = (cst.BinaryOperation, cst.BooleanOperation, cst.Comparison, cst.IfExp, cst.Lambda, cst.UnaryOperation)


def _inlined(unit: Unit) -> tuple[str, cst.FunctionDef, cst.FunctionDef] | None:
    """The file with the one-expression helper inlined at its single call, and the helper removed."""
    module = c.parse(unit.text)
    if module is None:
        return None
    helper, caller = c.find_def(module, unit.helper), c.find_def(module, unit.target)
    if not isinstance(helper, cst.FunctionDef) or not isinstance(caller, cst.FunctionDef) or helper.decorators:
        return None
    body = c.body_statements(helper)
    body = body[1:] if body and c.is_docstring(body[0]) else body
    p = helper.params
    if len(body) != 1 or p.posonly_params or p.kwonly_params or isinstance(p.star_arg, cst.Param) or p.star_kwarg \
            or any(x.default is not None for x in p.params):
        return None
    ret = body[0].body[0] if isinstance(body[0], cst.SimpleStatementLine) and len(body[0].body) == 1 else None
    if not isinstance(ret, cst.Return) or ret.value is None or len(re.findall(rf"\b{unit.helper}\b", unit.text)) != 2:
        return None
    calls = [n for n in c.of_type(caller, cst.Call) if isinstance(n.func, cst.Name) and n.func.value == unit.helper]
    if len(calls) != 1 or len(calls[0].args) != len(p.params) or any(a.keyword or a.star for a in calls[0].args):
        return None
    call = calls[0]
    caller_names = {t.target.value for t in c.of_type(caller, cst.AssignTarget) if isinstance(t.target, cst.Name)}
    caller_names |= {x.name.value for x in caller.params.params}
    params = [x.name.value for x in p.params]
    expr = ret.value
    free = {n.value for n in c.walk(expr) if isinstance(n, cst.Name)} - set(params)
    if free & caller_names or c.of_type(expr, cst.Lambda, cst.ListComp, cst.GeneratorExp, cst.DictComp, cst.SetComp):
        return None
    swaps: dict[int, object] = {}
    for name, arg in zip(params, call.args):
        uses = c.name_nodes(expr, name)
        if len(uses) > 1 and not c.simple(arg.value):
            return None
        value = arg.value.with_changes(lpar=[], rpar=[]) if c.simple(arg.value) else arg.value
        if not isinstance(arg.value, (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.Integer, cst.SimpleString)):
            value = cst.parse_expression("(" + c.code(module, arg.value) + ")")
        for use in uses:
            swaps[id(use)] = value
    replaced = expr.visit(c._Swap(swaps)) if swaps else expr
    text = cst.Module(body=[]).code_for_node(replaced)
    if "\n" in text:
        return None
    if isinstance(replaced, _NEEDS_PARENS):
        text = f"({text})"
    inlined = c.swap_many(module, {id(call): cst.parse_expression(text), id(helper): cst.RemoveFromParent()}).code
    return (inlined, helper, caller) if c.compiles(inlined) else None


def _helper_doc(helper: cst.FunctionDef) -> str:
    body = c.body_statements(helper)
    if body and c.is_docstring(body[0]):
        value = body[0].body[0].value
        text = value.evaluated_value if isinstance(value, cst.SimpleString) else ""
        line = (text or "").strip().split("\n")[0].strip().rstrip(".")
        return line[:1].lower() + line[1:] if 8 <= len(line) <= 90 else ""
    return ""


@kind("extract_helper", units=("pair",))
def extract_helper(unit: Unit, rng: random.Random) -> Made | None:
    made = _inlined(unit)
    if made is None:
        return None
    inlined, helper, caller = made
    signature = f"{helper.name.value}({', '.join(x.name.value for x in helper.params.params)})"
    return Made({unit.path: inlined}, {unit.path: unit.text},
                {"name": caller.name.value, "helper": helper.name.value, "signature": signature, "doc": _helper_doc(helper)})


@kind("inline_helper", units=("pair",), direction="improve")
def inline_helper(unit: Unit, rng: random.Random) -> Made | None:
    made = _inlined(unit)
    if made is None:
        return None
    inlined, helper, caller = made
    return Made({unit.path: unit.text}, {unit.path: inlined}, {"name": caller.name.value, "helper": helper.name.value})


_CALLER_FILES = ("main.py", "cli.py", "app.py", "service.py", "api.py", "commands.py", "runner.py")


@kind("rename_across_files", units=("pair",))
def rename_across_files(unit: Unit, rng: random.Random) -> Made | None:
    """The helper in its module, the caller in another file that imports it; the helper's bad name
    in both is what the request renames."""
    name = unit.helper
    if "_" not in name.strip("_") or name.startswith("_") or not unit.module:
        return None
    tree = ast.parse(unit.text)
    imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    defs = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    if name not in defs or unit.target not in defs:
        return None
    lines = unit.text.splitlines(keepends=True)

    def source(node) -> str:
        start = min([node.lineno] + [d.lineno for d in node.decorator_list])
        return "".join(lines[start - 1 : node.end_lineno])

    stem = unit.path[:-3]
    caller_file = next((f for f in rng.sample(_CALLER_FILES, len(_CALLER_FILES)) if f != unit.path), "main.py")
    helper_text = imports_used(imports, [defs[name]]) + source(defs[name])
    caller_imports = imports_used(imports, [defs[unit.target]]).rstrip("\n")
    own = f"from {stem} import {name}"
    caller_text = (caller_imports + "\n" if caller_imports else "") + own + "\n\n\n" + source(defs[unit.target])
    bad = camel(name) if rng.random() < 0.6 else abbreviated(name)
    if bad == name or re.search(rf"\b{re.escape(bad)}\b", unit.text):
        return None
    after = {unit.path: helper_text, caller_file: caller_text}
    before = {}
    for path, text in after.items():
        module = c.parse(text)
        if module is None:
            return None
        before[path] = c.rename(module, name, bad).code
    if any(before[p] == after[p] for p in after):
        return None
    return Made(before, after, {"name": bad, "new": name, "file": unit.path, "other": caller_file,
                                "doc": doc_line(defs[name])}, rename=(bad, name))


def add_test_tasks(source_files: list[tuple[str, str]], tests: list[tuple[str, str]], rng: random.Random):
    """(Made, origin) per real test function that calls a top-level function of the package: the
    function's module and the test file without that test are shown, the test is the answer."""
    from vibecli.data.units import module_name

    defined: dict[str, tuple[str, str, ast.AST, list]] = {}
    for relpath, text in source_files:
        if not relpath.endswith(".py"):
            continue
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            continue
        imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_") and 3 <= node.end_lineno - node.lineno + 1 <= 30:
                defined.setdefault(node.name, (relpath, text, node, imports))
    for relpath, text in tests:
        yield from _tests_in(relpath, text, defined, rng, module_name)


def _tests_in(relpath: str, text: str, defined: dict, rng: random.Random, module_name):
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return
    lines = text.splitlines(keepends=True)
    imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    test_fns = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test")]
    for index, test in enumerate(test_fns):
        if test.decorator_list or not 3 <= test.end_lineno - test.lineno + 1 <= 25:
            continue
        called = [n.func.id for n in ast.walk(test) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]
        tested = next((name for name in called if name in defined and name in test.name), None)
        if tested is None:
            continue
        src_path, src_text, fn, src_imports = defined[tested]
        src_lines = src_text.splitlines(keepends=True)
        module_text = imports_used(src_imports, [fn]) + "".join(src_lines[fn.lineno - 1 - len(fn.decorator_list): fn.end_lineno])
        neighbour = test_fns[index - 1] if index and test_fns[index - 1].end_lineno - test_fns[index - 1].lineno < 20 else None
        test_code = "".join(lines[test.lineno - 1 : test.end_lineno])
        head = imports_used(imports, [test] + ([neighbour] if neighbour else []))
        kept = "".join(lines[neighbour.lineno - 1 : neighbour.end_lineno]) if neighbour else ""
        test_name = relpath.rsplit("/", 1)[-1]
        module_file = src_path.rsplit("/", 1)[-1]
        if module_file == test_name or module_file == "__init__.py":
            module_file = module_name(src_path).split(".")[-1] + ".py"
        if not head and not kept:
            continue
        before_test = (head + kept).rstrip("\n") + "\n"
        after_test = before_test + "\n\n" + test_code
        made = Made({module_file: module_text, test_name: before_test}, {module_file: module_text, test_name: after_test},
                    {"name": tested, "test": test.name, "file": test_name, "doc": doc_line(fn)})
        yield made, f"{relpath}:{test.lineno}"
