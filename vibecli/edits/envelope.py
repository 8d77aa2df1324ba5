"""Edit format v1: the envelope the model answers in, and its strict parser.

    @@ replace PATH QUALIFIED.NAME
    ```python
    <the whole new definition>
    ```
    @@ create PATH
    ```
    <the new file>
    ```
    @@ rewrite PATH
    ```
    <the whole new file>
    ```
    @@ done

Each body is a fenced code block: small models close a fence by instinct, so the fence is
the end marker. The parser accepts exactly what `grammar.envelope_grammar` allows (less the
closing `@@ done`, which a stop string may have cut), so a free answer can be judged by it.
"""

from __future__ import annotations

import re

from vibecli.core import Edit, EnvelopeError

OPS = ("replace", "create", "rewrite")
DONE = "@@ done"
FENCE = "```"
HEADER = re.compile(r"@@ (replace|create|rewrite) (\S+)(?: (\S+))?")
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
        if op == "replace" and not symbol:
            raise EnvelopeError(f"line {i + 1}: `@@ replace` needs a path and a definition name")
        if op != "replace" and symbol:
            raise EnvelopeError(f"line {i + 1}: `@@ {op}` takes only a path")
        body, i = _body(lines, i + 1)
        edits.append(Edit(op=op, path=path, symbol=symbol, body=body))
    if not edits:
        raise EnvelopeError("the answer has no edit; expected `@@ replace PATH NAME` and a fenced code block")
    return edits


def _body(lines: list[str], start: int) -> tuple[str, int]:
    if start >= len(lines) or not _OPEN.fullmatch(lines[start].rstrip("\r")):
        got = _clip(lines[start]) if start < len(lines) else "the end of the answer"
        raise EnvelopeError(f"line {start + 1}: expected a code block opening with ``` after the edit line, got {got}")
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
        head = f"@@ {edit.op} {edit.path}" + (f" {edit.symbol}" if edit.symbol else "")
        body = edit.body if edit.body.endswith("\n") or not edit.body else edit.body + "\n"
        out.append(f"{head}\n{FENCE}{language}\n{body}{FENCE}\n")
    return "".join(out) + DONE
