"""Selection rules without checks, scored on the candidates of one `editeval.py --coverage` run.

    python benchmarks/editeval.py --formats auto --coverage --out n8.json -- --candidates 8 --select agree
    python benchmarks/selection_rules.py n8.json

For every task, the first attempt's valid candidates (their index, mean log-probability, whether
their code passes the hidden test, and a digest of that code with formatting left out) are in the
results. Each rule picks one of the first k of them (k = 1, 2, 4, ... up to the run's N: candidate 0
is the greedy answer and sampled seeds are fixed by index, so the first k are what `--candidates k`
asks for), and the table gives the tasks its pick passes, the tasks greedy passes that it loses,
and the ceiling (any of the k passes). No model runs: one run of the model scores every rule.

Only the first attempt is scored: where none of the first k candidates is valid, a real run would
ask again, so the rules' figures here are a floor for that case, alike for every rule.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path


def _first_attempt(result: dict, k: int) -> list[dict]:
    return [row for row in result.get("judged", []) if row["attempt"] == 1 and row["index"] < k]


def _logprob(row: dict) -> float:
    return row["logprob"] if row["logprob"] is not None else float("-inf")


def greedy(rows: list[dict]) -> dict | None:
    return next((row for row in rows if row["index"] == 0), None)


def first_valid(rows: list[dict]) -> dict | None:
    """What one answer would be if the greedy one is invalid: the first valid one by index."""
    return min(rows, key=lambda row: row["index"]) if rows else None


def best_logprob(rows: list[dict]) -> dict | None:
    return max(rows, key=_logprob) if rows else None


def _groups(rows: list[dict]) -> list[list[dict]]:
    """The candidates by their code (formatting left out)."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        groups[row["same_as"]].append(row)
    return list(groups.values())


def agreement(rows: list[dict]) -> dict | None:
    """As `select: agree`: the largest group of the same code, ties by the group's best mean
    log-probability; with no two candidates agreeing, greedy first, then by log-probability."""
    if not rows:
        return None
    size, _, group = max(((len(g), max(_logprob(r) for r in g), g) for g in _groups(rows)), key=lambda t: t[:2])
    if size < 2:
        return greedy(rows) or best_logprob(rows)
    return greedy(group) or best_logprob(group)


def agreement_or_logprob(rows: list[dict]) -> dict | None:
    """Agreement where two or more agree, else the likeliest candidate (not greedy first)."""
    if rows and max(len(g) for g in _groups(rows)) < 2:
        return best_logprob(rows)
    return agreement(rows)


RULES = {"greedy (first valid)": first_valid, "agreement (select: agree)": agreement,
         "mean log-probability": best_logprob, "agreement, else log-probability": agreement_or_logprob}


def score(results: list[dict], asked: int) -> list[dict]:
    ks = [k for k in (1, 2, 4, 8, 16) if k <= asked]
    rows = []
    greedy_passes = {r["task_id"] for r in results if (pick := first_valid(_first_attempt(r, 1))) and pick["passed"]}
    for k in ks:
        ceiling = sum(any(row["passed"] for row in _first_attempt(r, k)) for r in results)
        for name, rule in RULES.items():
            passed = {r["task_id"] for r in results if (pick := rule(_first_attempt(r, k))) and pick["passed"]}
            rows.append({"k": k, "rule": name, "passed": len(passed), "ceiling": ceiling,
                         "lost_vs_greedy": sorted(greedy_passes - passed), "gained_vs_greedy": sorted(passed - greedy_passes)})
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path, help="the --out JSON of an editeval.py --coverage run")
    parser.add_argument("--format", default="auto", help="which format's results to score")
    parser.add_argument("--n", type=int, default=0,
                        help="the candidates an attempt asked for (default: as the results record it)")
    args = parser.parse_args()
    data = json.loads(args.results.read_text())
    results = data["results"][args.format]
    if not results or "judged" not in results[0]:
        print("no per-candidate results: run editeval.py with --coverage", file=sys.stderr)
        return 2
    # N, the candidates of one attempt (the report's `asked` counts every attempt's)
    asked = args.n or max(r.get("first_attempt_asked") or 1 + max((row["index"] for row in r["judged"]), default=0)
                          for r in results)
    print(f"{len(results)} tasks, up to {asked} candidates a task (first attempt)")
    print(f"{'k':>3}  {'rule':<34} {'passed':>6} {'ceiling':>7}  lost vs greedy / gained")
    for row in score(results, asked):
        print(f"{row['k']:>3}  {row['rule']:<34} {row['passed']:>6} {row['ceiling']:>7}  "
              f"{','.join(row['lost_vs_greedy']) or '-'} / {','.join(row['gained_vs_greedy']) or '-'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
