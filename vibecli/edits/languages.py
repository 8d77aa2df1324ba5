"""Which tree-sitter grammar reads which file. Grammars come from the per-language wheels
(tree-sitter-python, -javascript, ...), never downloaded at run time."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath


@dataclass(frozen=True)
class Language:
    name: str
    module: str
    factory: str = "language"
    addressable: bool = True
    """Has definitions to address (a query in queries/NAME.scm); else validation only."""
    wrappers: tuple[str, ...] = ()
    """Node types that wrap a definition and belong to its text: decorators, `export`, `template<>`."""
    fence: str = ""
    query: str = ""
    """The queries/*.scm file to use, when it is another language's (TSX reads TypeScript's)."""


_LANGUAGES = {
    lang.name: lang
    for lang in [
        Language("python", "tree_sitter_python", wrappers=("decorated_definition",), fence="python"),
        Language("javascript", "tree_sitter_javascript", wrappers=("export_statement",), fence="javascript"),
        Language("typescript", "tree_sitter_typescript", "language_typescript", wrappers=("export_statement",), fence="typescript"),
        Language("tsx", "tree_sitter_typescript", "language_tsx", wrappers=("export_statement",), fence="tsx", query="typescript"),
        Language("go", "tree_sitter_go", fence="go"),
        Language("rust", "tree_sitter_rust", fence="rust"),
        Language("java", "tree_sitter_java", fence="java"),
        Language("c", "tree_sitter_c", fence="c"),
        Language("cpp", "tree_sitter_cpp", wrappers=("template_declaration",), fence="cpp"),
        Language("json", "tree_sitter_json", addressable=False, fence="json"),
        Language("yaml", "tree_sitter_yaml", addressable=False, fence="yaml"),
        Language("toml", "tree_sitter_toml", addressable=False, fence="toml"),
        Language("html", "tree_sitter_html", addressable=False, fence="html"),
        Language("css", "tree_sitter_css", addressable=False, fence="css"),
        Language("bash", "tree_sitter_bash", addressable=False, fence="bash"),
        Language("markdown", "tree_sitter_markdown", addressable=False, fence="markdown"),
    ]
}

_EXTENSIONS = {
    ".py": "python", ".pyi": "python",
    ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascript",
    ".ts": "typescript", ".mts": "typescript", ".cts": "typescript", ".tsx": "tsx",
    ".go": "go", ".rs": "rust", ".java": "java",
    ".c": "c", ".h": "c",
    ".cc": "cpp", ".cpp": "cpp", ".cxx": "cpp", ".hpp": "cpp", ".hh": "cpp", ".hxx": "cpp",
    ".json": "json", ".yaml": "yaml", ".yml": "yaml", ".toml": "toml",
    ".html": "html", ".htm": "html", ".css": "css",
    ".sh": "bash", ".bash": "bash", ".md": "markdown", ".markdown": "markdown",
}


def language_for(path: str) -> Language | None:
    name = _EXTENSIONS.get(PurePosixPath(path).suffix.lower())
    return _LANGUAGES[name] if name else None


def by_name(name: str) -> Language:
    return _LANGUAGES[name]


@lru_cache(maxsize=None)
def ts_language(name: str):
    import tree_sitter

    spec = _LANGUAGES[name]
    return tree_sitter.Language(getattr(importlib.import_module(spec.module), spec.factory)())


@lru_cache(maxsize=None)
def parser(name: str):
    import tree_sitter

    return tree_sitter.Parser(ts_language(name))


@lru_cache(maxsize=None)
def definition_query(name: str):
    import tree_sitter

    text = (Path(__file__).parent / "queries" / f"{_LANGUAGES[name].query or name}.scm").read_text(encoding="utf-8")
    return tree_sitter.Query(ts_language(name), text)
