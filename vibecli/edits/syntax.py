"""tree-sitter: a file's addressable definitions and its syntax errors."""

from __future__ import annotations

from dataclasses import dataclass

from vibecli.edits import languages


@dataclass(frozen=True)
class Definition:
    name: str
    """Qualified: `Class.method`, `outer.inner`, `Type.Method` (Go), `Type.fn` (Rust impl);
    a repeated name (an overload, a redefinition) gets `#2`, `#3`, ... in file order."""
    kind: str
    start_byte: int
    end_byte: int
    start_line: int
    end_line: int


def language_of(path: str) -> str | None:
    spec = languages.language_for(path)
    return spec.name if spec else None


def parse(language: str, source: bytes):
    return languages.parser(language).parse(source)


def definitions(language: str, source: bytes, tree=None) -> list[Definition]:
    """The addressable definitions, qualified; `tree` saves a second parse when the caller has one."""
    spec = languages.by_name(language)
    if not spec.addressable:
        return []
    import tree_sitter

    tree = tree or parse(language, source)
    cursor = tree_sitter.QueryCursor(languages.definition_query(language))
    found, scopes = [], []
    for _, captures in cursor.matches(tree.root_node):
        names = captures.get("name")
        def_key = next((k for k in captures if k.startswith("def.")), None)
        if def_key and names:
            node = captures[def_key][0]
            receiver = captures.get("receiver")
            found.append((node, def_key[4:], _text(names[0]), _text(receiver[0]) if receiver else None))
        elif "scope" in captures and "scope.name" in captures:
            scopes.append((captures["scope"][0], _text(captures["scope.name"][0])))
    return _qualify(spec, found, scopes)


def _text(node) -> str:
    return node.text.decode("utf-8", errors="replace").replace("::", ".")


def _outer(spec: languages.Language, node):
    while node.parent is not None and node.parent.type in spec.wrappers:
        node = node.parent
    return node


def _qualify(spec, found: list, scopes: list) -> list[Definition]:
    """Qualify each name by its enclosing definitions and impl-like scopes, in one sweep."""
    items = [(n.start_byte, -n.end_byte, 0, n, kind, name, receiver) for n, kind, name, receiver in found]
    items += [(n.start_byte, -n.end_byte, -1, n, None, name, None) for n, name in scopes]  # a scope before its first def
    items.sort(key=lambda i: i[:3])
    stack: list[tuple[int, str]] = []  # (end byte, qualified name) of what encloses the current position
    seen: dict[str, int] = {}
    out = []
    for start, neg_end, is_def, node, kind, name, receiver in items:
        while stack and stack[-1][0] <= start:
            stack.pop()
        prefix = stack[-1][1] if stack else receiver
        if is_def == -1:
            stack.append((-neg_end, name))
            continue
        full = f"{prefix}.{name}" if prefix else name
        if kind == "function" and prefix and (receiver or _in_type(spec, node)):
            kind = "method"
        seen[full] = seen.get(full, 0) + 1
        qualified = full if seen[full] == 1 else f"{full}#{seen[full]}"
        stack.append((-neg_end, qualified))
        outer = _outer(spec, node)
        out.append(
            Definition(qualified, kind, outer.start_byte, outer.end_byte, outer.start_point[0] + 1, outer.end_point[0] + 1)
        )
    return out


_BODIES = ("block", "declaration_list", "class_body", "field_declaration_list", "decorated_definition",
           "export_statement", "template_declaration")
_TYPES = ("class_definition", "class_declaration", "impl_item", "trait_item", "class_specifier", "struct_specifier")


def _in_type(spec, node) -> bool:
    """A function whose nearest enclosing construct is a class, impl or trait is a method."""
    parent = node.parent
    while parent is not None and parent.type in _BODIES:
        parent = parent.parent
    return parent is not None and parent.type in _TYPES


@dataclass(frozen=True)
class SyntaxProblem:
    line: int
    column: int
    kind: str
    """`ERROR` or `MISSING <what>`."""


def problems(language: str, source: bytes) -> list[SyntaxProblem]:
    """Every ERROR and MISSING node, outermost first."""
    tree = parse(language, source)
    out: list[SyntaxProblem] = []
    if not tree.root_node.has_error:
        return out
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_missing:
            out.append(SyntaxProblem(node.start_point[0] + 1, node.start_point[1] + 1, f"MISSING {node.type}"))
        elif node.is_error:
            out.append(SyntaxProblem(node.start_point[0] + 1, node.start_point[1] + 1, "ERROR"))
        if node.has_error:
            stack.extend(reversed(node.children))
    return out
