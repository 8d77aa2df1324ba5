"""tree-sitter: which language a file is, its addressable definitions, and its syntax errors."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePosixPath

_EXTENSIONS = {".py": "python", ".pyi": "python"}


@dataclass(frozen=True)
class Definition:
    name: str
    """Qualified: `Class.method`, `outer.inner`; a repeated name gets `#2`, `#3`, ..."""
    kind: str
    start_byte: int
    end_byte: int
    start_line: int
    end_line: int


def language_of(path: str) -> str | None:
    return _EXTENSIONS.get(PurePosixPath(path).suffix.lower())


@lru_cache(maxsize=None)
def _parser(language: str):
    import tree_sitter

    if language == "python":
        import tree_sitter_python as grammar
    else:  # pragma: no cover - guarded by language_of
        raise ValueError(language)
    return tree_sitter.Parser(tree_sitter.Language(grammar.language()))


def parse(language: str, source: bytes):
    return _parser(language).parse(source)


def definitions(language: str, source: bytes) -> list[Definition]:
    tree = parse(language, source)
    found: list[Definition] = []
    seen: dict[str, int] = {}
    _walk_python(tree.root_node, "", False, found, seen)
    return found


def _walk_python(node, prefix: str, in_class: bool, found: list, seen: dict) -> None:
    for child in node.named_children:
        target, outer = child, child
        if child.type == "decorated_definition":
            target = child.child_by_field_name("definition")
            if target is None:
                continue
        if target.type not in ("function_definition", "class_definition"):
            if child.type in ("if_statement", "try_statement", "with_statement", "block", "else_clause",
                              "elif_clause", "except_clause", "finally_clause"):
                _walk_python(child, prefix, in_class, found, seen)
            continue
        name_node = target.child_by_field_name("name")
        if name_node is None:
            continue
        name = prefix + name_node.text.decode("utf-8", errors="replace")
        seen[name] = seen.get(name, 0) + 1
        qualified = name if seen[name] == 1 else f"{name}#{seen[name]}"
        kind = "class" if target.type == "class_definition" else ("method" if in_class else "function")
        found.append(
            Definition(qualified, kind, outer.start_byte, outer.end_byte, outer.start_point[0] + 1, outer.end_point[0] + 1)
        )
        body = target.child_by_field_name("body")
        if body is not None:
            _walk_python(body, qualified + ".", target.type == "class_definition", found, seen)


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
