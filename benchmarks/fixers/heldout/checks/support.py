"""What every held-out check may use. A check runs with the edited project as the current folder
(first on sys.path) and HELDOUT_ORIGINAL naming the untouched excerpt; it passes when it exits 0."""

from __future__ import annotations

import ast
import importlib
import json
import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path.cwd()
ORIGINAL = Path(os.environ["HELDOUT_ORIGINAL"])


def text(relpath: str) -> str:
    return (ROOT / relpath).read_text()


def original(relpath: str) -> str:
    return (ORIGINAL / relpath).read_text()


def load(relpath: str):
    """The edited module, imported by its dotted name (`pkg/mod.py` -> `pkg.mod`)."""
    name = relpath.removesuffix(".py").replace("/", ".").removesuffix(".__init__")
    return importlib.import_module(name)


def findings(relpath: str, codes: str | None = None, symbol: str | None = None) -> list[dict]:
    """Ruff's findings in the file (only `codes` when given; only inside `symbol` when given), with
    ruff's own defaults otherwise: no configuration is read."""
    command = [_ruff(), "check", "--isolated", "--no-cache", "--output-format", "json"]
    if codes:
        command += ["--select", codes]
    proc = subprocess.run([*command, relpath], cwd=ROOT, capture_output=True, text=True, timeout=60)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"ruff failed: {proc.stderr.strip()}")
    found = json.loads(proc.stdout)
    if symbol is None:
        return found
    start, end = span(text(relpath), symbol)
    return [f for f in found if start <= f["location"]["row"] <= end]


def _ruff() -> str:
    """Ruff's own binary: `python -m ruff` would start a second interpreter for each call."""
    try:
        from ruff.__main__ import find_ruff_bin
    except ImportError:
        return shutil.which("ruff") or "ruff"
    return find_ruff_bin()


def node(source: str, symbol: str) -> ast.AST:
    """A top-level definition, or `Class.method`, of the source."""
    body = ast.parse(source).body
    found = None
    for part in symbol.split("."):
        found = next((n for n in body if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
                      and n.name == part), None)
        if found is None:
            raise SystemExit(f"{symbol} is not defined")
        body = found.body
    return found


def span(source: str, symbol: str) -> tuple[int, int]:
    found = node(source, symbol)
    first = min([found.lineno, *(d.lineno for d in getattr(found, "decorator_list", []))])
    return first, found.end_lineno


def without(source: str, symbol: str) -> str:
    """The module's AST with the definition's body emptied: what lies outside it."""
    tree = ast.parse(source)
    found = node_in(tree, symbol)
    found.body = [ast.Pass()]
    return ast.dump(tree)


def node_in(tree: ast.Module, symbol: str) -> ast.AST:
    body = tree.body
    found = None
    for part in symbol.split("."):
        found = next(n for n in body if getattr(n, "name", None) == part)
        body = found.body
    return found


def same_outside(relpath: str, symbol: str) -> bool:
    """Nothing outside `symbol` changed (compared as syntax trees, so formatting does not count)."""
    return without(text(relpath), symbol) == without(original(relpath), symbol)


def same_code(relpath: str) -> bool:
    """The file's syntax tree, docstrings included, is the original's."""
    return ast.dump(ast.parse(text(relpath))) == ast.dump(ast.parse(original(relpath)))


def top_level(relpath: str) -> set[str]:
    """Names the module defines or imports at its top level."""
    names = set()
    for item in ast.parse(text(relpath)).body:
        if isinstance(item, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
            names.add(item.name)
        elif isinstance(item, (ast.Assign, ast.AnnAssign)):
            targets = item.targets if isinstance(item, ast.Assign) else [item.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
        elif isinstance(item, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in item.names}
    return names


def identifiers(relpath: str) -> set[str]:
    """Every name the code uses: variables, attributes, imported names, definitions."""
    found = set()
    for item in ast.walk(ast.parse(text(relpath))):
        if isinstance(item, ast.Name):
            found.add(item.id)
        elif isinstance(item, ast.Attribute):
            found.add(item.attr)
        elif isinstance(item, ast.alias):
            found.add(item.name)
            found.add(item.asname or item.name)
        elif isinstance(item, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
            found.add(item.name)
    return found


def imported_from(relpath: str, module_suffix: str) -> set[str]:
    """Names the file imports from a module whose dotted name ends with `module_suffix`."""
    names = set()
    for item in ast.walk(ast.parse(text(relpath))):
        if isinstance(item, ast.ImportFrom) and (item.module or "").endswith(module_suffix):
            names |= {a.name for a in item.names}
    return names
