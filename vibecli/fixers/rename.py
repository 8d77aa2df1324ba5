"""Renaming a module-level function, class or variable across a repository's Python files, exactly:
LibCST's scope analysis says which names are that definition (its own, its references, the
imports of it elsewhere and their uses), so that a local, a parameter, an attribute of another
object or a word in a comment with the same spelling is left alone.

Strings are left alone too, except three that are the definition's own name: an entry of the
module's `__all__` (without it `from m import *` would lose the name), the word in the
definition's own docstring, and a string that is exactly its dotted path (`"pkg.mod.old"`, as
`mock.patch` and `importlib` take it: a test patching the old path would patch nothing). Whatever the rename cannot see through (`from m import *` in a file
that uses the name, a name the new one would shadow or be shadowed by) makes it decline.
"""

from __future__ import annotations

import builtins
import keyword
import re
from pathlib import PurePosixPath

from vibecli.edits.cst_parse import parse_module

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class Declined(Exception):
    """The rename cannot be done exactly here."""


def valid_name(name: str) -> bool:
    return bool(IDENTIFIER.fullmatch(name)) and not keyword.iskeyword(name) and name not in ("self", "cls")


def module_names(relpath: str) -> set[str]:
    """The dotted names a Python file is imported by: `a/b.py` is `a.b`, also `b` under `src/`."""
    parts = list(PurePosixPath(relpath).with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    names = {".".join(parts)} if parts else set()
    for prefix in ("src", "lib"):
        if len(parts) > 1 and parts[0] == prefix:
            names.add(".".join(parts[1:]))
    return names


def package_of(relpath: str) -> list[str]:
    parts = list(PurePosixPath(relpath).parts[:-1])
    return parts[1:] if parts and parts[0] in ("src", "lib") else parts


def defines(text: str, name: str) -> bool:
    """Whether the module binds `name` at its top level by a def, a class or an assignment."""
    return bool(re.search(rf"^(?:async\s+def|def|class)\s+{re.escape(name)}\b|^{re.escape(name)}\s*(?::[^=\n]*)?=(?!=)",
                          text, re.MULTILINE))


def rename_symbol(sources: dict[str, str], defining: str, old: str, new: str) -> dict[str, str]:
    """The new texts of the files that change; raises Declined when it cannot be exact.

    `sources`: the repository's Python files that might mention `old` (the defining one among them)."""
    from libcst.metadata import MetadataWrapper

    if not (valid_name(old) and valid_name(new)) or old == new:
        raise Declined("not a pair of identifiers")
    if new in vars(builtins):
        raise Declined(f"{new} is a builtin: the new name would shadow it")
    targets = {f"{m}.{old}" for m in module_names(defining)}
    changed = {}
    for relpath, text in sources.items():
        if not re.search(rf"\b{re.escape(old)}\b", text):
            continue
        module = parse_module(text)
        if module is None:
            if relpath == defining:
                raise Declined(f"{relpath} does not parse") from None
            continue  # a file that does not parse imports nothing that runs
        renamer = _renamer(relpath, relpath == defining, defining, targets, old, new)
        try:
            result = MetadataWrapper(module, unsafe_skip_copy=True).visit(renamer)
        except RecursionError:  # nested too deep to read: it may use the name, so no rename is exact
            raise Declined(f"{relpath} is nested too deeply to analyse") from None
        if renamer.hits and result.code != text:
            changed[relpath] = result.code
    if defining not in changed:
        raise Declined(f"{old} is not defined at the top of {defining}")
    return changed


def _resolve(name: str, relpath: str) -> str:
    """A relative qualified name (`..mod.x`) made absolute from the file's package."""
    if not name.startswith("."):
        return name
    dots = len(name) - len(name.lstrip("."))
    package = package_of(relpath)
    if dots - 1 > len(package):
        return name
    base = package[: len(package) - (dots - 1)]
    return ".".join([*base, name[dots:]]) if name[dots:] else ".".join(base)


def _renamer_base():
    import libcst as cst
    from libcst.metadata import QualifiedNameProvider, ScopeProvider

    class Base(cst.CSTTransformer):
        METADATA_DEPENDENCIES = (QualifiedNameProvider, ScopeProvider)

    return Base, QualifiedNameProvider, ScopeProvider


def _renamer(relpath: str, is_defining: bool, defining: str, targets: set[str], old: str, new: str):
    import libcst as cst

    Base, QualifiedNameProvider, ScopeProvider = _renamer_base()
    defining_modules = module_names(defining)

    class Renamer(Base):
        def __init__(self):
            super().__init__()
            self.hits = 0
            self.depth = 0

        def _means_target(self, node) -> bool:
            names = self.get_metadata(QualifiedNameProvider, node, set())
            for qualified in names:
                if _resolve(qualified.name, relpath) in targets:
                    return True
                if is_defining and qualified.name == old:
                    return True
            return False

        def _check_room(self, node) -> None:
            scope = self.get_metadata(ScopeProvider, node, None)
            if scope is not None and new in scope:
                raise Declined(f"{new} is already a name where {old} is used in {relpath}")

        def leave_Name(self, original, updated):
            if original.value == old and self._means_target(original):
                self._check_room(original)
                self.hits += 1
                return updated.with_changes(value=new)
            return updated

        def leave_Global(self, original, updated):
            if not is_defining:
                return updated
            names = []
            for item in updated.names:
                if item.name.value == old:
                    self.hits += 1
                    item = item.with_changes(name=item.name.with_changes(value=new))
                names.append(item)
            return updated.with_changes(names=names)

        def leave_Attribute(self, original, updated):
            if original.attr.value == old and self._means_target(original):
                self.hits += 1
                return updated.with_changes(attr=updated.attr.with_changes(value=new))
            return updated

        def leave_ImportFrom(self, original, updated):
            module = cst.helpers.get_full_name_for_node(original.module) if original.module else ""
            absolute = _resolve("." * len(original.relative) + (module or ""), relpath)
            if absolute not in defining_modules:
                return updated
            if isinstance(updated.names, cst.ImportStar):
                raise Declined(f"{relpath} imports * from the module that defines {old}")
            names = []
            for alias in updated.names:
                if isinstance(alias.name, cst.Name) and alias.name.value == old:
                    self.hits += 1
                    alias = alias.with_changes(name=alias.name.with_changes(value=new))
                names.append(alias)
            return updated.with_changes(names=names)

        def leave_SimpleString(self, original, updated):
            try:
                value = original.evaluated_value
            except (ValueError, SyntaxError):
                return updated
            if not (isinstance(value, str) and value in targets):
                return updated
            start = len(original.prefix) + len(original.quote)
            if original.value[start:-len(original.quote)] != value:
                return updated  # written with escapes: not a plain path, left alone
            self.hits += 1
            return updated.with_changes(value=original.value[:start] + value[: -len(old)] + new + original.quote)

        def visit_FunctionDef(self, node):
            self.depth += 1

        def visit_ClassDef(self, node):
            self.depth += 1

        def leave_FunctionDef(self, original, updated):
            self.depth -= 1
            return self._docstring(original, updated)

        def leave_ClassDef(self, original, updated):
            self.depth -= 1
            return self._docstring(original, updated)

        def _docstring(self, original, updated):
            if not (is_defining and self.depth == 0 and original.name.value == old):
                return updated
            body = updated.body
            first = body.body[0] if isinstance(body, cst.IndentedBlock) and body.body else None
            expr = first.body[0] if isinstance(first, cst.SimpleStatementLine) and first.body else None
            if not (isinstance(expr, cst.Expr) and isinstance(expr.value, cst.SimpleString)):
                return updated
            text = re.sub(rf"\b{re.escape(old)}\b", new, expr.value.value)
            line = first.with_changes(body=[expr.with_changes(value=expr.value.with_changes(value=text))])
            return updated.with_changes(body=body.with_changes(body=[line, *body.body[1:]]))

        def leave_Assign(self, original, updated):
            if not (is_defining and self.depth == 0 and len(original.targets) == 1):
                return updated
            target = original.targets[0].target
            if not (isinstance(target, cst.Name) and target.value == "__all__"):
                return updated
            if not isinstance(updated.value, (cst.List, cst.Tuple)):
                return updated
            elements = []
            for element in updated.value.elements:
                value = element.value
                if isinstance(value, cst.SimpleString) and value.evaluated_value == old:
                    quote = value.value[-1]
                    element = element.with_changes(value=value.with_changes(value=f"{quote}{new}{quote}"))
                    self.hits += 1
                elements.append(element)
            return updated.with_changes(value=updated.value.with_changes(elements=elements))

    return Renamer()
