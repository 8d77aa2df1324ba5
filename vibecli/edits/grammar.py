"""GBNF grammars of the envelope, built per request from the files and names in context.

llama.cpp checks a grammar against the whole vocabulary at every token (262k entries for
gemma 3: 3-4x slower decoding), so vibecli constrains only what must be: the edit line
with its operation, path and definition name (`header_grammar`). The code after it decodes
freely up to the closing fence. `envelope_grammar` describes a whole answer; the parser in
`envelope.py` accepts the same language.
"""

from __future__ import annotations

from typing import Mapping, Sequence

from vibecli.edits.envelope import BLOCKS, OPS, PATH_OPS, SYMBOL_OPS

_PATH_RULES = [
    'new-path ::= segment ("/" segment)*',
    'segment ::= [a-zA-Z0-9_-] [a-zA-Z0-9_.-]* | "." [a-zA-Z0-9_-] [a-zA-Z0-9_.-]*',
]
_CODE_RULES = [
    'code ::= "```" [a-zA-Z0-9_+#.-]* "\\n" line* "```\\n"',
    # a code line is any line but a closing fence
    'line ::= "\\n" | [^`\\n] [^\\n]* "\\n" | "`" [^`\\n] [^\\n]* "\\n" | "``" [^`\\n] [^\\n]* "\\n" '
    '| "```" [^\\n]+ "\\n"',
]


def _lit(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _alt(options: Sequence[str]) -> str:
    return "(" + " | ".join(_lit(o) for o in options) + ")"


def _header_rules(
    symbols: Mapping[str, Sequence[str]], containers: Mapping[str, Sequence[str]], ops: Sequence[str]
) -> list[str]:
    """`header-N` rules, one per number of code blocks that follow (0, 1, 2)."""
    paths = sorted(symbols)
    targets = [f"{_lit(p + ' ')} {_alt(names)}" for p, names in sorted(symbols.items()) if names]
    by_blocks: dict[int, list[str]] = {}
    for op in ops:
        if op in SYMBOL_OPS:
            if not targets:
                continue
            choice = f'"{op} " target'
        elif op == "append":
            if not paths:
                continue
            inner = [
                f"{_lit(p)} (\" \" {_alt(containers[p])})?" if containers.get(p) else _lit(p) for p in paths
            ]
            choice = '"append " (' + " | ".join(inner) + ")"
        elif op == "create":
            choice = '"create " new-path'
        else:
            if not paths:
                continue
            choice = f'"{op} " path'
        by_blocks.setdefault(BLOCKS.get(op, 1), []).append(choice)
    if not by_blocks:
        raise ValueError("no operation is possible on this context")
    rules = [f"header-{n} ::= " + " | ".join(choices) for n, choices in sorted(by_blocks.items())]
    if targets:
        rules.append("target ::= " + " | ".join(targets))
    if paths:
        rules.append(f"path ::= {_alt(paths)}")
    return rules + _PATH_RULES


def _block_counts(rules: list[str]) -> list[int]:
    return sorted(int(r.split(" ")[0].removeprefix("header-")) for r in rules if r.startswith("header-"))


def header_grammar(
    symbols: Mapping[str, Sequence[str]],
    containers: Mapping[str, Sequence[str]] | None = None,
    ops: Sequence[str] = OPS,
) -> str:
    """One edit line, `@@ replace PATH NAME` and the like, naming only what exists."""
    rules = _header_rules(symbols, containers or {}, ops)
    headers = " | ".join(f"header-{n}" for n in _block_counts(rules))
    return "\n".join([f'root ::= "@@ " ({headers})', *rules]) + "\n"


def envelope_grammar(
    symbols: Mapping[str, Sequence[str]],
    containers: Mapping[str, Sequence[str]] | None = None,
    ops: Sequence[str] = OPS,
) -> str:
    """A whole answer: edit lines, each followed by its code blocks, then `@@ done`."""
    rules = _header_rules(symbols, containers or {}, ops)
    edit = " | ".join(f'header-{n} "\\n"' + " code" * n for n in _block_counts(rules))
    return "\n".join(['root ::= "\\n"* edit+ "@@ done"', f'edit ::= "@@ " ({edit})', *rules, *_CODE_RULES]) + "\n"


FORMATS = {
    "symbol": OPS,
    "search": ("search", "create"),
    "whole": ("rewrite", "create"),
}
"""Edit formats: which operations the prompt teaches and the grammar allows."""

__all__ = ["FORMATS", "PATH_OPS", "envelope_grammar", "header_grammar"]
