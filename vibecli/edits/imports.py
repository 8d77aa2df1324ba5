"""Imports an answer forgot. A small model's result often annotates with `List` or calls
`math.sqrt` without importing it; the unbound-name guard would reject an otherwise sound edit.
Where the file itself imported the name (a whole-file answer often drops the imports above the
first definition), or the standard library binds it one way only, the import is added to the
result, as an editor's auto-import would, and the diff shows it. Any other unbound name is left
to the guard, whose reason the model reads on its next attempt."""

from __future__ import annotations

import ast
import importlib

from vibecli.edits.names import UNPARSABLE, new_unbound_names

FROM_IMPORTS: dict[str, str] = {
    **dict.fromkeys(("Any", "Callable", "ClassVar", "Dict", "DefaultDict", "FrozenSet", "Generator", "Iterable",
                     "Iterator", "List", "Literal", "Mapping", "MutableMapping", "NamedTuple", "NoReturn",
                     "Optional", "Sequence", "Set", "Tuple", "Type", "TypeVar", "TypedDict", "Union"), "typing"),
    **dict.fromkeys(("Counter", "OrderedDict", "defaultdict", "deque", "namedtuple"), "collections"),
    **dict.fromkeys(("cached_property", "lru_cache", "partial", "reduce", "total_ordering", "wraps"), "functools"),
    **dict.fromkeys(("ABC", "abstractmethod"), "abc"),
    "dataclass": "dataclasses", "Enum": "enum", "Path": "pathlib", "Decimal": "decimal", "Fraction": "fractions",
}
"""Names that mean one thing when a module reads them unbound."""

MODULES = frozenset({"abc", "base64", "bisect", "collections", "csv", "dataclasses", "datetime", "decimal",
                     "enum", "fractions", "functools", "glob", "hashlib", "heapq", "html", "inspect",
                     "itertools", "json", "logging", "math", "operator", "os", "pathlib", "random", "re",
                     "shutil", "statistics", "string", "struct", "sys", "textwrap", "time", "typing",
                     "unicodedata", "uuid", "warnings"})
"""Standard modules imported for a name read only as `module.attribute`, every attribute one the
module has: `queue.pop()` or `string.split()` means a variable the answer forgot, not a module.
Each is safe to import in this process to look its attributes up."""


def add_missing_imports(old: str, new: str) -> tuple[str, list[str]]:
    """`new` with the imports it needs for names it newly reads unbound that the standard library
    binds one way only (the file's own import of the name first), and those import lines; `new`
    and [] where there is none, or where the result would not parse."""
    unbound = new_unbound_names(old, new)
    if not unbound:
        return new, []
    tree = ast.parse(new)  # new_unbound_names found names, so it parsed
    uses = _attribute_uses(tree, set(unbound))
    own = _own_imports(old)
    restored: list[tuple[int, str]] = []
    froms: dict[str, list[str]] = {}
    modules = []
    for name in unbound:
        if name in own:
            # a whole-file answer often starts at the first definition and drops the file's
            # imports: the file's own statement is what the name meant
            if own[name] not in restored:
                restored.append(own[name])
        elif name in FROM_IMPORTS:
            froms.setdefault(FROM_IMPORTS[name], []).append(name)
        elif name in MODULES and uses.get(name) and all(_has(name, attr) for attr in uses[name]):
            modules.append(name)
    lines = [text for _, text in sorted(restored)] + [f"import {m}" for m in modules] + \
        [f"from {m} import {', '.join(names)}" for m, names in froms.items()]
    if not lines:
        return new, []
    result = _insert(new, tree, lines)
    try:
        ast.parse(result)
    except UNPARSABLE:
        return new, []
    return result, lines


def _own_imports(old: str) -> dict[str, tuple[int, str]]:
    """The names the file's top-level imports bind, each with its statement's line and the
    statement as written (one line)."""
    try:
        tree = ast.parse(old)
    except UNPARSABLE:
        return {}
    bound = {}
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)) and node.lineno == node.end_lineno:
            text = ast.get_source_segment(old, node)
            for alias in node.names:
                bound.setdefault((alias.asname or alias.name).split(".")[0], (node.lineno, text))
    return bound


def _attribute_uses(tree: ast.Module, names: set[str]) -> dict[str, set[str] | None]:
    """For each name: the attributes read from it, or None where it is also read any other way."""
    uses: dict[str, set[str] | None] = {}
    bases = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in names:
            bases.add(id(node.value))
            uses.setdefault(node.value.id, set()).add(node.attr)
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in names and id(node) not in bases:
            uses[node.id] = None
    return uses


def _has(module: str, attribute: str) -> bool:
    try:
        return hasattr(importlib.import_module(module), attribute)
    except ImportError:
        return False


def _insert(text: str, tree: ast.Module, lines: list[str]) -> str:
    """`lines` after the module's leading imports, else after its docstring, else at its top
    (below a shebang or an encoding line)."""
    newline = "\r\n" if "\r\n" in text else "\n"
    rows = text.splitlines(keepends=True)
    after = 0
    body = tree.body
    start = 0
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        after, start = body[0].end_lineno, 1
    for node in body[start:]:
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            break
        after = node.end_lineno
    if after == 0:
        while after < len(rows) and after < 2 and rows[after].startswith(("#!", "# -*-", "# coding", "# vim:")):
            after += 1
    if after and after <= len(rows) and not rows[after - 1].endswith(("\n", "\r")):
        rows[after - 1] += newline
    block = [line + newline for line in lines]
    following = rows[after] if after < len(rows) else ""
    if following.strip() and not following.startswith(("import ", "from ")):
        # two blank lines before a top-level definition, as PEP 8 (and ruff's E302) wants
        block.append(newline * (2 if following.startswith(("def ", "class ", "async def ", "@")) else 1))
    return "".join(rows[:after] + block + rows[after:])
