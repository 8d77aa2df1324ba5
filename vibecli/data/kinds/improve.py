"""Kinds whose before-file is the real code and whose after-file applies an idiom the code could
use: a cache, logging instead of print, pathlib instead of os.path, contextlib.suppress."""

from __future__ import annotations

import json
import random
import re

import libcst as cst

from vibecli.data import cst as c
from vibecli.data.kinds import Made, kind, single
from vibecli.data.kinds.idioms import target
from vibecli.data.units import Unit


def add_import(text: str, line: str) -> str:
    """`line` after the file's imports (where vibecli's `@@ import` puts it), or at its top."""
    lines = text.split("\n")
    if line in lines:
        return text
    last = max((i for i, x in enumerate(lines) if x.startswith(("import ", "from "))), default=-1)
    if last < 0:
        return line + "\n\n\n" + text.lstrip("\n")
    return "\n".join(lines[: last + 1] + [line] + lines[last + 1:])


def drop_import(text: str, line: str, name: str) -> str:
    lines = text.split("\n")
    if line in lines and not re.search(rf"\b{re.escape(name)}\b", "\n".join(x for x in lines if x != line)):
        lines.remove(line)
        text = "\n".join(lines)
        return text.lstrip("\n") if not re.match(r"(import|from) ", text) and text.startswith("\n") else text
    return text


_IMPURE = re.compile(r"\b(print|open|write|append|extend|update|random|time|input|self|cls|global|nonlocal|yield|setattr|pop|remove)\b")
_CACHES = [("lru_cache(maxsize=None)", "from functools import lru_cache"), ("functools.lru_cache(maxsize=128)", "import functools"),
           ("cache", "from functools import cache"), ("functools.cache", "import functools")]


@kind("lru_cache", units=("function",), needs=("return ",), direction="improve")
def lru_cache(unit: Unit, rng: random.Random) -> Made | None:
    module, fn = target(unit)
    if fn is None or fn.decorators or fn.asynchronous is not None:
        return None
    p = fn.params
    if not p.params or p.posonly_params or p.kwonly_params or isinstance(p.star_arg, cst.Param) or p.star_kwarg:
        return None
    if any(isinstance(x.default, cst.List | cst.Dict | cst.Set | cst.Call) for x in p.params):
        return None
    body = c.code(module, fn.body)
    if _IMPURE.search(body) or not any(r.value is not None for r in c.of_type(fn, cst.Return)):
        return None
    decorator, line = rng.choice(_CACHES)
    cached = fn.with_changes(decorators=[cst.Decorator(decorator=cst.parse_expression(decorator))])
    after = add_import(c.swap(module, fn, cached).code, line)
    return single(unit, unit.text, after, name=unit.target, decorator=decorator.split("(")[0])


def _log_call(module, call: cst.Call, logger: str, level: str) -> str | None:
    """print(a, b) as logger.level("%s %s", a, b); plain string arguments go into the format."""
    if not call.args or any(a.keyword is not None or a.star for a in call.args):
        return None
    if len(call.args) == 1 and isinstance(call.args[0].value, cst.SimpleString | cst.FormattedString | cst.ConcatenatedString):
        return f"{logger}.{level}({c.one_line(module, call.args[0].value)})" if c.one_line(module, call.args[0].value) else None
    pieces, args = [], []
    for arg in call.args:
        value = arg.value
        if isinstance(value, cst.SimpleString) and isinstance(value.evaluated_value, str) and "\\" not in value.value:
            pieces.append(value.evaluated_value.replace("%", "%%"))
            continue
        text = c.one_line(module, value)
        if text is None:
            return None
        pieces.append("%s")
        args.append(text)
    form = json.dumps(" ".join(pieces), ensure_ascii=False)
    return f"{logger}.{level}({', '.join([form] + args)})"


@kind("logging", units=("function", "method"), needs=("print(",), direction="improve")
def use_logging(unit: Unit, rng: random.Random) -> Made | None:
    module, fn = target(unit)
    if fn is None:
        return None
    prints = [n for n in c.of_type(fn, cst.Call) if isinstance(n.func, cst.Name) and n.func.value == "print"]
    if not prints or "logger" in unit.text or "logging" in unit.text:
        return None
    module_logger = rng.random() < 0.7
    level = rng.choice(("info", "info", "debug", "warning"))
    swaps: dict[int, object] = {}
    for call in prints:
        text = _log_call(module, call, "logger" if module_logger else "logging", level)
        if text is None:
            return None
        swaps[id(call)] = cst.parse_expression(text)
    after = add_import(c.swap_many(module, swaps).code, "import logging")
    if module_logger:
        lines = after.split("\n")
        last = max(i for i, x in enumerate(lines) if x.startswith(("import ", "from ")))
        rest = "\n".join(lines[last + 1:]).lstrip("\n")
        after = "\n".join(lines[: last + 1]) + "\n\nlogger = logging.getLogger(__name__)\n\n\n" + rest
    return single(unit, unit.text, after, name=unit.target, level=level, count=str(len(prints)))


_PATHLIB = {"exists": ".exists()", "isfile": ".is_file()", "isdir": ".is_dir()", "basename": ".name",
            "getsize": ".stat().st_size", "islink": ".is_symlink()", "isabs": ".is_absolute()"}


@kind("pathlib", needs=("os.path.",), direction="improve")
def use_pathlib(unit: Unit, rng: random.Random) -> Made | None:
    module, fn = target(unit)
    if fn is None or re.search(r"\bPath\b", unit.text):
        return None
    swaps: dict[int, object] = {}
    used = set()
    for call in c.of_type(fn, cst.Call):
        func = c.code(module, call.func)
        if not func.startswith("os.path.") or func[8:] not in _PATHLIB or len(call.args) != 1 or call.args[0].keyword:
            continue
        arg = c.one_line(module, call.args[0].value)
        if arg is None:
            continue
        swaps[id(call)] = cst.parse_expression(f"Path({arg}){_PATHLIB[func[8:]]}")
        used.add(func)
    if not swaps:
        return None
    after = add_import(c.swap_many(module, swaps).code, "from pathlib import Path")
    after = drop_import(after, "import os", "os")
    return single(unit, unit.text, after, name=unit.target, calls=", ".join(f"`{u}`" for u in sorted(used))) \
        if c.compiles(after) else None


@kind("suppress", needs=("pass",), ruff=("SIM105",), direction="improve", ruff_unsafe=True)
def suppress(unit: Unit, rng: random.Random) -> Made | None:
    module, fn = target(unit)
    if fn is None:
        return None
    for node in c.of_type(fn, cst.Try):
        if len(node.handlers) != 1 or node.orelse or node.finalbody or node.handlers[0].type is None \
                or node.handlers[0].name is not None:
            continue
        handler = node.handlers[0]
        body = handler.body.body if isinstance(handler.body, cst.IndentedBlock) else []
        if len(body) != 1 or not (isinstance(body[0], cst.SimpleStatementLine) and isinstance(body[0].body[0], cst.Pass)):
            continue
        exc = c.one_line(module, handler.type)
        if exc is None or len(node.body.body) > 4:
            continue
        # `contextlib.suppress`, as ruff's SIM105 fix writes it
        opener = c.statements(f"with contextlib.suppress({exc}):\n    pass\n")[0]
        new = opener.with_changes(body=node.body, leading_lines=node.leading_lines)
        after = c.swap(module, node, new).code
        after = add_import(after, "import contextlib")
        if c.compiles(after):
            return single(unit, unit.text, after, name=unit.target, exc=exc)
    return None
