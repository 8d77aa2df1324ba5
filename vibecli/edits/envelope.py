"""Edit format v1: the envelope the model answers in, and its strict parser.

Each edit is one line, then (for most operations) a fenced code block:

    @@ replace PATH NAME         the whole new definition NAME
    @@ insert-before PATH NAME   a new definition placed before NAME
    @@ insert-after PATH NAME    a new definition placed after NAME
    @@ append PATH [CLASS]       a new definition at the end of the file, or of CLASS
    @@ delete PATH NAME          (no code block) remove the definition NAME
    @@ import PATH               import lines, placed with the others (duplicates skipped)
    @@ search PATH               two code blocks: the exact text to find, then its replacement
    @@ create PATH               a new file
    @@ rewrite PATH              the whole new content of PATH
    @@ done

Small models close a fence by instinct, so the fence is each block's end marker. The parser
accepts exactly what `grammar.envelope_grammar` allows (less the closing `@@ done`, which a
stop string may have cut), so a free answer can be judged by it.
"""

from __future__ import annotations

import re

from vibecli.core import Edit, EnvelopeError

SYMBOL_OPS = ("replace", "insert-before", "insert-after", "delete")
PATH_OPS = ("import", "search", "create", "rewrite")
OPS = SYMBOL_OPS + ("append",) + PATH_OPS
BLOCKS = {"delete": 0, "search": 2}
"""Code blocks after each operation's line; 1 when not listed."""
DONE = "@@ done"
FENCE = "```"
HEADER = re.compile(r"@@ (" + "|".join(OPS) + r") (\S+)(?: (\S+))?")
_OPEN = re.compile(r"```[\w+#.-]*")


def parse_envelope(text: str) -> list[Edit]:
    lines = text.split("\n")
    edits: list[Edit] = []
    i = 0
    while i < len(lines):
        line = lines[i].rstrip("\r")
        if not line.strip():
            i += 1
            continue
        if line.strip() == DONE:
            break
        match = HEADER.fullmatch(line)
        if not match:
            raise EnvelopeError(
                f"line {i + 1} should start an edit like `@@ replace PATH NAME`, but is: {_clip(line)}"
            )
        op, path, symbol = match.groups()
        if op in SYMBOL_OPS and not symbol:
            raise EnvelopeError(f"line {i + 1}: `@@ {op}` needs a path and a definition name")
        if op in PATH_OPS and symbol:
            raise EnvelopeError(f"line {i + 1}: `@@ {op}` takes only a path")
        blocks = []
        i += 1
        for _ in range(BLOCKS.get(op, 1)):
            block, i = _block(lines, i)
            blocks.append(block)
        if op == "search":
            edits.append(Edit(op=op, path=path, search=blocks[0], body=blocks[1]))
        else:
            edits.append(Edit(op=op, path=path, symbol=symbol, body=blocks[0] if blocks else ""))
    if not edits:
        raise EnvelopeError("the answer has no edit; expected `@@ replace PATH NAME` and a fenced code block")
    return edits


def _block(lines: list[str], start: int) -> tuple[str, int]:
    if start >= len(lines) or not _OPEN.fullmatch(lines[start].rstrip("\r")):
        got = _clip(lines[start]) if start < len(lines) else "the end of the answer"
        raise EnvelopeError(f"line {start + 1}: expected a code block opening with ```, got {got}")
    for j in range(start + 1, len(lines)):
        if lines[j].rstrip("\r") == FENCE:
            body = lines[start + 1 : j]
            return ("\n".join(body) + "\n" if body else ""), j + 1
    raise EnvelopeError("the answer ended inside a code block (no closing ```)")


def _clip(line: str, width: int = 60) -> str:
    return repr(line if len(line) <= width else line[:width] + "...")


def format_envelope(edits: list[Edit], language: str = "") -> str:
    """The canonical text of edits: for few-shot examples, replay files and the logbook."""
    out = []
    for edit in edits:
        out.append(f"@@ {edit.op} {edit.path}" + (f" {edit.symbol}" if edit.symbol else "") + "\n")
        blocks = [edit.search, edit.body] if edit.op == "search" else [edit.body][: BLOCKS.get(edit.op, 1)]
        for block in blocks:
            block = block or ""
            out.append(f"{FENCE}{language}\n{block}{'' if block.endswith(chr(10)) or not block else chr(10)}{FENCE}\n")
    return "".join(out) + DONE
