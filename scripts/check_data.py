"""Check a training set (any JSON Lines of {prompt, answer, meta}: synth, export, a mix):

    python scripts/check_data.py /work/data/tasks.jsonl [--eval-data ../shared/eval/editeval.jsonl] [--sample N]

For every row (or a seeded sample of N): no line of 20+ characters of its task files or answer
is shared with EditEval (import lines aside, as synth counts them), and the answer, applied by
vibecli's edit engine to the files its prompt shows, gives Python that compiles. Prints the
counts and the first problems; exits 1 when any row fails.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

from vibecli.core import ApplyError, EnvelopeError
from vibecli.data import cst
from vibecli.data.answers import apply_answer
from vibecli.data.quality import eval_lines, shared_lines

ROOT = Path(__file__).resolve().parents[1]
_FILE = re.compile(r"^### File: (\S+)\n```[\w+#.-]*\n(.*?)^```\n", re.M | re.S)


def task_files(prompt: str) -> dict[str, str]:
    task = prompt[prompt.rfind("=== Task"):]
    return {path: text for path, text in _FILE.findall(task)}


def check_row(row: dict, forbidden: set[str]) -> str | None:
    files = task_files(row["prompt"])
    if not files:
        return "no files in the prompt's task"
    shared = shared_lines(list(files.values()) + [row["answer"]], forbidden)
    if shared:
        return f"shares a line with EditEval: {shared[0]!r}"
    edit_format = row.get("meta", {}).get("format", "symbol")
    try:
        after = apply_answer(files, row["answer"], edit_format if edit_format in ("symbol", "search", "whole") else "symbol")
    except (EnvelopeError, ApplyError) as exc:
        return f"answer does not apply: {exc}"
    broken = [p for p, t in after.items() if p.endswith(".py") and not cst.compiles(t)]
    return f"{broken[0]} does not compile after the answer" if broken else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--eval-data", type=Path, default=ROOT.parent / "shared" / "eval" / "editeval.jsonl")
    parser.add_argument("--sample", type=int, default=0)
    args = parser.parse_args()
    forbidden = eval_lines(args.eval_data)
    failed = 0
    for path in args.files:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        if args.sample:
            rows = random.Random(0).sample(rows, min(args.sample, len(rows)))
        problems = [(i, p) for i, p in ((i, check_row(r, forbidden)) for i, r in enumerate(rows)) if p]
        failed += len(problems)
        print(f"{path}: {len(rows)} rows checked, {len(problems)} failed")
        for index, problem in problems[:5]:
            print(f"  row {index}: {problem}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
