"""Base against adapter, in one run: held-out examples through llama.cpp, and EditEval through
`benchmarks/editeval.py` when the checkout has it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from vibecli.adapters import NONE
from vibecli.core import EnvelopeError
from vibecli.edits.envelope import parse_envelope
from vibecli.prompts import ANSWER_STOPS

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "editeval.py"


@dataclass
class HeldOut:
    examples: int
    base_exact: int
    adapter_exact: int
    base_well_formed: int
    adapter_well_formed: int


def edits_key(text: str):
    try:
        edits = parse_envelope(text)
    except EnvelopeError:
        return None
    return [(e.op, e.path, e.symbol, " ".join((e.search or "").split()), " ".join(e.body.split())) for e in edits]


def generate_all(backend, rows: list[dict], max_tokens: int = 512) -> list[str]:
    out = []
    for row in rows:
        generation = backend.generate(row["prompt"], stop=list(ANSWER_STOPS), max_tokens=max_tokens, temperature=0.0)
        out.append("".join(generation))
    return out


def held_out(make_backend: Callable[[Path | None], object], adapter: Path, rows: list[dict], max_tokens: int = 512) -> HeldOut:
    """Greedy answers to held-out prompts, scored by the edits they parse into against the expected ones."""
    scores = {}
    for label, path in (("base", None), ("adapter", adapter)):
        backend = make_backend(path)
        answers = generate_all(backend, rows, max_tokens)
        keys = [edits_key(a) for a in answers]
        expected = [edits_key(r["answer"]) for r in rows]
        scores[label] = (sum(k is not None and k == e for k, e in zip(keys, expected)), sum(k is not None for k in keys))
        del backend
    return HeldOut(len(rows), scores["base"][0], scores["adapter"][0], scores["base"][1], scores["adapter"][1])


def editeval(adapter: Path | None, *, limit: int, edit_format: str, extra: list[str], data: Path | None = None) -> dict:
    """One `benchmarks/editeval.py` run: {"passed", "tasks", "well_formed"}."""
    if not BENCHMARK.is_file():
        raise FileNotFoundError(BENCHMARK)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "result.json"
        command = [sys.executable, str(BENCHMARK), "--formats", edit_format, "--out", str(out)]
        if limit:
            command += ["--limit", str(limit)]
        if data:
            command += ["--data", str(data)]
        command += ["--", *extra, "--adapter", str(adapter.resolve()) if adapter else NONE]  # None: the plain model
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ))
        result = json.loads(out.read_text())
    return _summary(result, edit_format)


def _summary(result: dict, edit_format: str) -> dict:
    summary = next(s for s in result["summaries"] if s["format"] == edit_format)
    out = {key: summary[key] for key in ("tasks", "passed", "pass_at_1", "well_formed_answers", "answers",
                                          "well_formed_share", "landed", "mean_seconds", "mean_completion_tokens")}
    statuses = [r["status"] for r in result.get("results", {}).get(edit_format, [])]
    out["no_change"] = statuses.count("no_change")
    out["rejected"] = statuses.count("rejected")
    return out


SUBSET = [
    "EditEval/3", "EditEval/11", "EditEval/19", "EditEval/27", "EditEval/36", "EditEval/42", "EditEval/50",
    "EditEval/61", "EditEval/67", "EditEval/73", "EditEval/86", "EditEval/92", "EditEval/100", "EditEval/110",
    "EditEval/114", "EditEval/123", "EditEval/131", "EditEval/145", "EditEval/150", "EditEval/166",
    "EditEval/174", "EditEval/180", "EditEval/184", "EditEval/190",
]
"""The fixed EditEval sample a long run is measured on at its checkpoints: the tasks some adapter
or the base has passed (/36, /42, /61, /73, /86, /92, /110, /114, /145, /174, /180, /184), so that
progress shows on a small sample, and every eighth-or-so of the rest. Chosen once (2026-12); never
to be trained on, like all of EditEval."""


def find_editeval(start: Path = BENCHMARK) -> Path | None:
    """`shared/eval/editeval.jsonl` beside the checkout or one of the folders above it."""
    for folder in start.resolve().parents:
        candidate = folder / "shared" / "eval" / "editeval.jsonl"
        if candidate.is_file():
            return candidate
    return None


def write_subset(source: Path, target: Path, ids: list[str] = SUBSET) -> int:
    """The tasks of `ids` from an EditEval-format file, in the order given; returns how many were found."""
    wanted = set(ids)
    rows = {}
    for line in source.read_text().splitlines():
        if line.strip():
            task = json.loads(line)
            if task["task_id"] in wanted:
                rows[task["task_id"]] = line
    target.write_text("".join(rows[i] + "\n" for i in ids if i in rows))
    return len(rows)
