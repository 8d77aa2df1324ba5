"""Exact fixes for lint findings that ruff reports but has no fix for, at the places ruff reports
them: a bare `except:` (E722), a `raise` inside an `except` block without `from` (B904), a `for`
loop's variable assigned over in the loop's body (PLW2901), a function's local that shadows a
builtin (A001), a function's local in capitals (N806) and a loop variable the loop never reads
(B007).

Each is the fix a reviewer would make by hand, and none changes what the code computes beyond what
the rule asks: `except:` becomes `except Exception:` (so KeyboardInterrupt and SystemExit are no
longer swallowed, which is the point of the rule), and `raise X` becomes `raise X from err` with
the handler's exception. The renames are decided by Python's scoping rules read off LibCST's tree:
a name a function assigns is local to it everywhere in its body, so every use of it there is
renamed, and anything that would make that untrue or invisible (a parameter of that name, `global`
or `nonlocal`, an import of it, a nested scope that binds or reads it, `locals()`, `eval`) makes the
fix decline and leaves the finding to the model. A new name is one the file does not use anywhere.

A loop variable assigned over keeps its name for what the body computes from it and the loop's own
variable becomes `raw_<name>`; this is done only when the assignment is a plain statement of the
loop's body (not under an `if`) and the name is used nowhere outside the loop, so every read after
the assignment still sees what it saw before.

Ambiguous names (E741) are not fixed: a name that says what `l` holds needs to know what it means,
which is the model's job.
"""

from __future__ import annotations

import ast
import builtins
import collections
import keyword
import re

from vibecli.edits.cst_parse import parse_module
from vibecli.fixers import ruff as ruff_tool
from vibecli.fixers import scoping

RULES = ("E722", "B904", "PLW2901", "A001", "N806", "B007")
MAX_ROUNDS = 60
"""Fixes applied in one call, at most (each is followed by a fresh look from ruff, since a fix moves
the positions of the findings after it)."""
MAX_TRIES = 300
"""Findings looked at in one call, fixed or declined (a declined one is looked at again after a
fix elsewhere in its file): bounds the time a file full of findings can take."""
FRESH_ERROR_NAMES = ("err", "error", "exc", "exception")


def fix_findings(texts: dict[str, str], codes: tuple[str, ...], root=None) -> tuple[dict[str, str], dict[str, int]]:
    """The texts after vibecli's own fixes for the rules among `codes` it knows (`RULES`), for the
    files that changed, and how many findings of each rule it fixed. Nothing when ruff is missing."""
    wanted = tuple(code for code in codes if code in RULES)
    current = dict(texts)
    fixed: collections.Counter = collections.Counter()
    declined: set = set()
    tries = 0
    for _ in range(MAX_ROUNDS if wanted else 0):
        found = ruff_tool.locate(current, wanted, root)
        if not found:
            break
        progress = False
        for relpath, findings in found.items():
            # a loop variable assigned over is split before a rename takes either name along
            for code, row, column in sorted(findings, key=lambda f: f[0] != "PLW2901"):
                key = (relpath, code, row, column, hash(current[relpath]))
                if key in declined or tries >= MAX_TRIES:
                    continue
                tries += 1
                new = fix_one(current[relpath], code, row, column)
                if new is None:
                    declined.add(key)
                    continue
                current[relpath] = new
                fixed[code] += 1
                progress = True
                break
        if not progress:
            break
    return {p: t for p, t in current.items() if t != texts[p]}, dict(fixed)


def fix_one(text: str, code: str, row: int, column: int) -> str | None:
    """The text with the finding of `code` at `row`, `column` (ruff's: 1-based) fixed; None when the
    fix cannot be exact there."""
    from libcst.metadata import MetadataWrapper, ParentNodeProvider, PositionProvider

    fix = _FIXES.get(code)
    module = parse_module(text) if fix else None
    if module is None:
        return None
    try:
        wrapper = MetadataWrapper(module)
        positions = wrapper.resolve(PositionProvider)
        parents = wrapper.resolve(ParentNodeProvider)
        at = [node for node, span in positions.items() if (span.start.line, span.start.column) == (row, column - 1)]
        new = fix(wrapper.module, at, parents, text)
    except (RecursionError, MemoryError):  # a tree too deep for Python's own recursion: left as it is
        return None
    if new is None or new == text:
        return None
    try:
        ast.parse(new)
    except (SyntaxError, ValueError, RecursionError):
        return None
    return new


def _bare_except(module, at, parents, text):
    import libcst as cst

    handler = next((n for n in at if isinstance(n, cst.ExceptHandler) and n.type is None), None)
    if handler is None:
        return None
    new = handler.with_changes(type=cst.Name("Exception"), whitespace_after_except=cst.SimpleWhitespace(" "))
    return module.deep_replace(handler, new).code


def _raise_from(module, at, parents, text):
    import libcst as cst

    raised = next((n for n in at if isinstance(n, cst.Raise) and n.exc is not None and n.cause is None), None)
    if raised is None:
        return None
    handler = parents.get(raised)
    while handler is not None and not isinstance(handler, (cst.ExceptHandler, cst.ExceptStarHandler)):
        if isinstance(handler, (cst.FunctionDef, cst.ClassDef, cst.Lambda, cst.Module)):
            return None
        handler = parents.get(handler)
    if handler is None:
        return None
    if handler.name is not None:
        if not isinstance(handler.name.name, cst.Name):
            return None
        name = handler.name.name.value
    else:
        # Python unbinds the name when the handler ends: fresh in the function is fresh enough
        scope = scoping.function_of(handler, parents)
        scope_text = module.code_for_node(scope) if scope is not None else text
        name = next((n for n in FRESH_ERROR_NAMES if not _used(scope_text, n)), None)
        if name is None or handler.type is None:
            return None  # a bare `except:` gets its type first (E722), or stays the model's
    new = handler.deep_replace(raised, raised.with_changes(cause=cst.From(item=cst.Name(name))))
    if handler.name is None:
        new = new.with_changes(name=cst.AsName(name=cst.Name(name)))
    return module.deep_replace(handler, new).code


def _shadowed_builtin(module, at, parents, text):
    name = _binding_name(at)
    return _rename_local(module, name, name.value + "_", parents, text) if name is not None else None


def _capital_local(module, at, parents, text):
    name = _binding_name(at)
    if name is None or name.value.lower() == name.value:
        return None
    return _rename_local(module, name, name.value.lower(), parents, text)


def _unused_loop_variable(module, at, parents, text):
    import libcst as cst

    name = _binding_name(at)
    if name is None or name.value.startswith("_"):
        return None
    function = scoping.function_of(name, parents)
    if function is None:
        return None
    in_loop_target = scoping.inside(name, parents, lambda n: isinstance(n, cst.For) and scoping.within(name, n.target, parents))
    if scoping.occurrences(function, name.value, parents) != [name] or not in_loop_target:
        return None  # read somewhere: after the loop, or in another loop of the same name
    return _rename_local(module, name, "_" + name.value, parents, text)


def _loop_variable_overwritten(module, at, parents, text):
    import libcst as cst

    target = _binding_name(at)
    if target is None:
        return None
    assign_target = parents.get(target)
    assign = parents.get(assign_target) if isinstance(assign_target, cst.AssignTarget) else assign_target
    if isinstance(assign, cst.Assign):
        if len(assign.targets) != 1 or assign.targets[0].target is not target:
            return None
    elif not (isinstance(assign, cst.AnnAssign) and assign.target is target and assign.value is not None):
        return None
    line = parents.get(assign)
    block = parents.get(line)
    loop = parents.get(block)
    if not (isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1 and isinstance(loop, cst.For)
            and loop.body is block):
        return None  # under an `if`, or one of several statements on the line: reads after it may see either
    function = scoping.function_of(loop, parents)
    old = target.value
    if function is None or not scoping.local_everywhere(function, old, parents):
        return None
    occurrences = scoping.occurrences(function, old, parents)
    if not any(scoping.within(n, loop.target, parents) for n in occurrences):
        return None
    index = list(block.body).index(line)
    before = block.body[:index]
    rename = []
    for n in occurrences:
        if scoping.within(n, loop.target, parents) or scoping.within(n, assign.value, parents):
            rename.append(n)
        elif any(scoping.within(n, s, parents) for s in before):
            if scoping.is_store(n, parents):
                return None  # assigned over before this statement too
            rename.append(n)
        elif not any(scoping.within(n, s, parents) for s in block.body[index:]):
            return None  # used outside the loop's body: after the loop, it would see the other value
    new_name = "_" * (len(old) - len(old.lstrip("_"))) + "raw_" + old.lstrip("_")
    if _used(text, new_name):
        return None
    return _replace_names(module, rename, new_name)


def _rename_local(module, name, new_name: str, parents, text):
    """Every use of the local `name` binds, in the function that binds it, as `new_name`."""
    import libcst as cst

    owner = parents.get(name)
    if isinstance(owner, (cst.FunctionDef, cst.ClassDef)) and owner.name is name:
        return None  # a nested definition's own name: its body's uses of the spelling are not it
    if not _fresh(new_name, text):
        return None
    function = scoping.function_of(name, parents)
    if function is None or not scoping.local_everywhere(function, name.value, parents):
        return None
    return _replace_names(module, scoping.occurrences(function, name.value, parents), new_name)


def _replace_names(module, names, new_name: str):
    import libcst as cst

    targets = {id(n) for n in names}

    class Renamer(cst.CSTTransformer):
        def leave_Name(self, original, updated):
            return updated.with_changes(value=new_name) if id(original) in targets else updated

    return module.visit(Renamer()).code


def _binding_name(at):
    import libcst as cst

    return next((n for n in at if isinstance(n, cst.Name)), None)


def _used(text: str, name: str) -> bool:
    """Whether the file spells `name` anywhere (code, strings or comments): a fresh name is one it does not."""
    return re.search(rf"\b{re.escape(name)}\b", text) is not None


def _fresh(name: str, text: str) -> bool:
    return (name.isidentifier() and not keyword.iskeyword(name) and name not in vars(builtins)
            and not _used(text, name))


_FIXES = {
    "E722": _bare_except,
    "B904": _raise_from,
    "PLW2901": _loop_variable_overwritten,
    "A001": _shadowed_builtin,
    "N806": _capital_local,
    "B007": _unused_loop_variable,
}
