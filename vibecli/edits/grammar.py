"""GBNF grammars of the envelope, built per request from the files and names in context.

llama.cpp checks a grammar against the whole vocabulary at every token (262k entries for
gemma 3: 3-4x slower decoding), so vibecli constrains only what must be: the edit line
with its operation, path and definition name (`header_grammar`). The code after it decodes
freely up to the closing fence. `envelope_grammar` describes a whole answer; the parser in
`envelope.py` accepts the same language.
"""

from __future__ import annotations

from typing import Mapping, Sequence

_PATH_RULES = [
    'new-path ::= segment ("/" segment)*',
    'segment ::= [a-zA-Z0-9_-] [a-zA-Z0-9_.-]* | "." [a-zA-Z0-9_-] [a-zA-Z0-9_.-]*',
]


def _lit(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _alt(options: Sequence[str]) -> str:
    return "(" + " | ".join(_lit(o) for o in options) + ")"


def _header_rule(symbols: Mapping[str, Sequence[str]], allow_create: bool) -> str:
    headers = []
    replace_targets = [f"{_lit(p + ' ')} {_alt(names)}" for p, names in sorted(symbols.items()) if names]
    if replace_targets:
        headers.append('"replace " (' + " | ".join(replace_targets) + ")")
    if symbols:
        headers.append(f'"rewrite " {_alt(sorted(symbols))}')
    if allow_create:
        headers.append('"create " new-path')
    if not headers:
        raise ValueError("an envelope grammar needs at least one file, or create allowed")
    return "header ::= " + " | ".join(headers)


def header_grammar(symbols: Mapping[str, Sequence[str]], allow_create: bool = True) -> str:
    """One edit line: `@@ replace PATH NAME`, `@@ rewrite PATH` or `@@ create NEW-PATH`."""
    rules = ['root ::= "@@ " header', _header_rule(symbols, allow_create), *_PATH_RULES]
    return "\n".join(rules) + "\n"


def envelope_grammar(symbols: Mapping[str, Sequence[str]], allow_create: bool = True) -> str:
    """A whole answer: edit lines, each followed by a fenced code block, then `@@ done`."""
    rules = [
        'root ::= "\\n"* block+ "@@ done"',
        'block ::= "@@ " header "\\n```" [a-zA-Z0-9_+#.-]* "\\n" line* "```\\n"',
        _header_rule(symbols, allow_create),
        # a code line is any line but a closing fence
        'line ::= "\\n" | [^`\\n] [^\\n]* "\\n" | "`" [^`\\n] [^\\n]* "\\n" | "``" [^`\\n] [^\\n]* "\\n" '
        '| "```" [^\\n]+ "\\n"',
        *_PATH_RULES,
    ]
    return "\n".join(rules) + "\n"
