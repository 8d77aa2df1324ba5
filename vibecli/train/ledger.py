"""One adapter's entry in the ledger (docs/adapters.md): what it was trained on, how, for how
long, and what it scores, kept beside it in `ledger.json`; and the rule that decides whether it
replaces the adapter in effect.

The rule: a new adapter ships only if it passes at least SHIP_MARGIN more EditEval tasks than the
adapter in effect, on the whole set (not a `--eval-limit` sample), and matches no fewer
held-out synthetic answers. A figure that is missing is a reason not to ship, never a pass.
"""

from __future__ import annotations

import collections
import datetime
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

LEDGER_FILE = "ledger.json"
SHIP_MARGIN = 5
"""EditEval tasks a new adapter must pass beyond the one in effect: fewer is within the spread of
greedy runs across builds and machines (the base passed 2 to 4 of 191 across them)."""


def data_digest(rows: list[dict]) -> str:
    """sha256 of the rows as given (prompt, answer or chosen/rejected; meta left out), in order."""
    digest = hashlib.sha256()
    for row in rows:
        core = {k: row[k] for k in ("prompt", "answer", "chosen", "rejected") if k in row}
        digest.update(json.dumps(core, sort_keys=True).encode() + b"\n")
    return digest.hexdigest()


def kind_mix(rows: list[dict]) -> dict[str, int]:
    kinds = collections.Counter(str((row.get("meta") or {}).get("kind") or (row.get("meta") or {}).get("source")
                                    or "unknown") for row in rows)
    return dict(kinds.most_common())


def entry(*, rows: list[dict], held: list[dict], pairs: list[dict], result: dict, settings: dict, base: Path,
          base_sha256: str) -> dict:
    """The ledger entry of a finished run (no EditEval figures yet: `--eval` adds them)."""
    return {
        "adapter": result["adapter"],
        "date": datetime.date.today().isoformat(),
        "base": {"file": base.name, "sha256": base_sha256},
        "data": {"sha256": data_digest(rows + pairs), "rows": len(rows), "held_out": len(held),
                 "trained_examples": result["examples"], "skipped_long": result["skipped_long"],
                 "pairs": len(pairs), "kinds": kind_mix(rows)},
        "settings": settings,
        "steps": result["steps"], "tokens": result["tokens"], "seconds": result["seconds"],
        "tokens_per_s": round(result["tokens"] / result["seconds"], 1) if result["seconds"] else None,
        "device": result["device"], "processes": result["processes"],
        "loss": {"first": result["first_loss"], "last": result["last_loss"]},
    }


def editeval_figures(summary: dict) -> dict:
    """The ledger's EditEval columns from a `benchmarks/editeval.py` summary."""
    return {key: summary.get(key) for key in ("tasks", "passed", "pass_at_1", "well_formed_share", "landed",
                                              "no_change", "rejected")}


@dataclass
class Verdict:
    ships: bool
    reason: str


def verdict(new: dict | None, incumbent: dict | None, held_out: dict | None, *, complete: bool) -> Verdict:
    """Whether the new adapter replaces the one in effect (see the module's docstring)."""
    if not new or not incumbent:
        return Verdict(False, "no EditEval figures for both adapters")
    if not complete:
        return Verdict(False, f"EditEval was a sample ({new['tasks']} tasks), not the whole set")
    gain = new["passed"] - incumbent["passed"]
    if gain < SHIP_MARGIN:
        return Verdict(False, f"passes {new['passed']} against {incumbent['passed']}: {gain:+d}, "
                              f"the rule asks for +{SHIP_MARGIN}")
    if not held_out or not held_out.get("examples"):
        return Verdict(False, "no held-out synthetic set to check it does no worse there (--holdout 0)")
    if held_out["adapter_exact"] < held_out["base_exact"]:
        return Verdict(False, f"worse on the held-out synthetic set: {held_out['adapter_exact']} against "
                              f"{held_out['base_exact']} of {held_out['examples']}")
    return Verdict(True, f"passes {new['passed']} against {incumbent['passed']} ({gain:+d}), and "
                         f"{held_out['adapter_exact']} against {held_out['base_exact']} held-out answers")


def write(folder: Path, record: dict) -> Path:
    path = folder / LEDGER_FILE
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(record, indent=2) + "\n")
    partial.replace(path)
    return path


COLUMNS = ["adapter", "date", "data (sha256, rows, kinds)", "settings", "steps, tokens, time", "pass@1",
           "well-formed", "landed", "no change", "rejected", "verdict"]


def markdown_row(record: dict) -> str:
    """The entry as one row of docs/adapters.md's table (COLUMNS)."""
    data, settings = record["data"], record["settings"]
    kinds = ", ".join(f"{k} {v}" for k, v in list(data["kinds"].items())[:6])
    more = len(data["kinds"]) - 6
    shown = {k: v for k, v in settings.items() if v not in (None, False, 0, "")}
    figures = record.get("editeval") or {}
    cell = lambda key, fmt="{}": fmt.format(figures[key]) if figures.get(key) is not None else ""  # noqa: E731
    passed = f"{figures['passed']}/{figures['tasks']}" if figures.get("passed") is not None else ""
    cells = [
        Path(record["adapter"]).parent.name + "/" + Path(record["adapter"]).name, record["date"],
        f"`{data['sha256'][:12]}`, {data['rows']} rows ({data['pairs']} pairs); {kinds}" + (f", +{more} kinds" if more > 0 else ""),
        ", ".join(f"{k} {v}" for k, v in shown.items()),
        f"{record['steps']}, {record['tokens'] / 1000:.0f}k, {record['seconds'] / 60:.0f} min on {record['device']}"
        + (f" x{record['processes']}" if record.get("processes", 1) > 1 else ""),
        passed, cell("well_formed_share", "{:.1%}"), cell("landed"), cell("no_change"), cell("rejected"),
        (record.get("verdict") or {}).get("reason", ""),
    ]
    return "| " + " | ".join(str(c).replace("|", "\\|").replace("\n", " ") for c in cells) + " |"


def header() -> str:
    return "| " + " | ".join(COLUMNS) + " |\n|" + "---|" * len(COLUMNS)
