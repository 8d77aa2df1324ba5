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


def definitions(language: str, source: bytes) -> list[Definition]:
    spec = languages.by_name(language)
    if not spec.addressable:
        return []
    import tree_sitter

    tree = parse(language, source)
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
    found.sort(key=lambda f: (f[0].start_byte, -f[0].end_byte))
    # enclosing definitions and impl-like scopes qualify a name, innermost last
    enclosers = sorted(
        [(n.start_byte, n.end_byte, None, n.id) for n, *_ in found] + [(n.start_byte, n.end_byte, name, None) for n, name in scopes],
        key=lambda e: (e[0], -e[1]),
    )
    qualified_by_id: dict[int, str] = {}
    seen: dict[str, int] = {}
    out = []
    for node, kind, name, receiver in found:
        prefix = receiver
        for start, end, scope_name, node_id in enclosers:
            if start > node.start_byte:
                break
            if node_id == node.id or end < node.end_byte:
                continue
            prefix = qualified_by_id.get(node_id, scope_name) if node_id is not None else scope_name
        full = f"{prefix}.{name}" if prefix else name
        if kind == "function" and prefix and (receiver or _in_type(spec, prefix, found, node)):
            kind = "method"
        seen[full] = seen.get(full, 0) + 1
        qualified_by_id[node.id] = full if seen[full] == 1 else f"{full}#{seen[full]}"
        outer = _outer(spec, node)
        out.append(
            Definition(
                qualified_by_id[node.id], kind, outer.start_byte, outer.end_byte,
                outer.start_point[0] + 1, outer.end_point[0] + 1,
            )
        )
    return out


_BODIES = ("block", "declaration_list", "class_body", "field_declaration_list", "decorated_definition",
           "export_statement", "template_declaration")
_TYPES = ("class_definition", "class_declaration", "impl_item", "trait_item", "class_specifier", "struct_specifier")


def _in_type(spec, prefix: str, found: list, node) -> bool:
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
