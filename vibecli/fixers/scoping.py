"""Python's scoping, read off LibCST's tree, for renaming a function's local exactly: where the
function's own uses of a name are, and whether anything makes them other than plain local uses."""

from __future__ import annotations

OPAQUE_CALLS = {"locals", "vars", "eval", "exec"}
"""Calls that can read a local by its spelling: a rename cannot see through them."""


def function_of(node, parents):
    """The function whose local `node` is; None at module or class level, or in a lambda or a
    comprehension (whose variables are their own)."""
    import libcst as cst

    current = parents.get(node)
    while current is not None:
        if isinstance(current, cst.FunctionDef):
            return current
        if isinstance(current, (cst.ClassDef, cst.Lambda, cst.Module, cst.ListComp, cst.SetComp, cst.DictComp,
                                cst.GeneratorExp)):
            return None
        current = parents.get(current)
    return None


def local_everywhere(function, old: str, parents) -> bool:
    """Whether every use of `old` in the function is the function's own local, visible as one: no
    parameter, `global`, `nonlocal` or import of that name, no nested scope that binds or reads it,
    and no `locals()`, `vars()`, `eval` or `exec` that could read it by its spelling."""
    import libcst as cst

    bad = False

    class Check(cst.CSTVisitor):
        def visit_Param(self, node):
            nonlocal bad
            bad |= node.name.value == old

        def visit_Global(self, node):
            nonlocal bad
            bad |= any(n.name.value == old for n in node.names)

        def visit_Nonlocal(self, node):
            nonlocal bad
            bad |= any(n.name.value == old for n in node.names)

        def visit_ImportAlias(self, node):
            nonlocal bad
            if node.asname is not None:
                bad |= not isinstance(node.asname.name, cst.Name) or node.asname.name.value == old
            else:  # `import a.b` binds `a`
                bad |= node.evaluated_name.split(".")[0] == old

        def visit_ImportStar(self, node):
            nonlocal bad
            bad = True

        def visit_Call(self, node):
            nonlocal bad
            bad |= isinstance(node.func, cst.Name) and node.func.value in OPAQUE_CALLS

        def visit_CompFor(self, node):
            nonlocal bad
            bad |= any(n.value == old for n in names_in(node.target))

    function.visit(Check())
    if bad:
        return False
    for nested in nested_scopes(function):
        if isinstance(nested, (cst.FunctionDef, cst.ClassDef)) and nested.name.value == old:
            return False
        if occurrences(nested, old, parents, nested_too=True):
            return False
    return True


def nested_scopes(function):
    import libcst as cst

    found = []

    class Find(cst.CSTVisitor):
        def visit_FunctionDef(self, node):
            if node is not function:
                found.append(node)
                return False
            return True

        def visit_ClassDef(self, node):
            found.append(node)
            return False

        def visit_Lambda(self, node):
            found.append(node)
            return False

    function.visit(Find())
    return found


def occurrences(tree, old: str, parents, nested_too: bool = False) -> list:
    """The names spelled `old` in `tree` that are variables (not an attribute, a keyword argument's
    name or a class pattern's field), in source order; those in nested functions, classes and
    lambdas only with `nested_too`."""
    import libcst as cst

    found = []

    class Find(cst.CSTVisitor):
        def visit_FunctionDef(self, node):
            return nested_too or node is tree

        def visit_ClassDef(self, node):
            return nested_too or node is tree

        def visit_Lambda(self, node):
            return nested_too or node is tree

        def visit_Name(self, node):
            if node.value != old:
                return
            parent = parents.get(node)
            if isinstance(parent, cst.Attribute) and parent.attr is node:
                return
            if isinstance(parent, cst.Arg) and parent.keyword is node:
                return
            if isinstance(parent, cst.MatchKeywordElement) and parent.key is node:
                return
            if isinstance(parent, (cst.FunctionDef, cst.ClassDef)) and parent.name is node and parent is tree:
                return
            found.append(node)

    tree.visit(Find())
    return found


def names_in(node):
    import libcst as cst

    found = []

    class Find(cst.CSTVisitor):
        def visit_Name(self, name):
            found.append(name)

    node.visit(Find())
    return found


def within(node, ancestor, parents) -> bool:
    return inside(node, parents, lambda n: n is ancestor) or node is ancestor


def inside(node, parents, test) -> bool:
    current = parents.get(node)
    while current is not None:
        if test(current):
            return True
        current = parents.get(current)
    return False


def is_store(name, parents) -> bool:
    """Whether this name is assigned (or deleted) here rather than read."""
    import libcst as cst

    child, parent = name, parents.get(name)
    while isinstance(parent, (cst.Tuple, cst.List, cst.StarredElement, cst.Element)):
        child, parent = parent, parents.get(parent)
    return (isinstance(parent, (cst.AssignTarget, cst.AsName, cst.Del, cst.MatchAs, cst.MatchStar))
            or isinstance(parent, (cst.AnnAssign, cst.AugAssign)) and parent.target is child
            or isinstance(parent, (cst.For, cst.CompFor)) and parent.target is child
            or isinstance(parent, cst.NamedExpr) and parent.target is child)
