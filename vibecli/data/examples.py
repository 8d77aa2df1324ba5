"""One training example: exactly the prompt vibecli shows the model, and the answer it should give."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

from vibecli.prompts import edit_prompt

FORMAT_VERSION = 1


def files_prompt(files: dict[str, str], instruction: str, edit_format: str) -> tuple[str, str]:
    """(the format `vibecli edit` resolves `edit_format` to for these files, the prompt it renders
    for them on a first attempt): the same calls the edit command makes."""
    from vibecli.conversation import resolve_format, shown_files
    from vibecli.data.answers import memory_file
    from vibecli.edits.apply import Context

    sources = {p: memory_file(p, t) for p, t in files.items()}
    resolved = resolve_format(edit_format, sources)
    return resolved, edit_prompt(resolved, shown_files(sources, Context.of(sources).symbols), instruction.strip(), [])


def answer_text(answer: str) -> str:
    """An answer as the model should write it: the envelope up to and including `@@ done`."""
    return answer.strip("\n") + ("" if answer.rstrip().endswith("@@ done") else "\n@@ done")


def write_jsonl(path: Path | None, rows: Iterable[dict], stream=None) -> int:
    count = 0
    handle = path.open("w", encoding="utf-8") if path else stream
    try:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    finally:
        if path:
            handle.close()
    return count


def read_jsonl(path: Path) -> list[dict]:
    from vibecli.core import VibeError

    rows = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise VibeError(f"cannot read {path}: {exc.strerror}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise VibeError(f"{path}:{number}: not JSON: {exc.msg}") from None
        if not isinstance(row, dict) or not isinstance(row.get("prompt"), str) or not isinstance(row.get("answer"), str):
            raise VibeError(f"{path}:{number}: a training example needs string keys 'prompt' and 'answer'")
        rows.append(row)
    return rows
