"""Fixers against a set of requests over real code: routing precision and recall, the pass rate
of the requests the fixers carry out, and time per request.

    python benchmarks/fixers.py --build      # requests from real sdists (pip download) -> fixers/requests.jsonl
    python benchmarks/fixers.py              # routing and fixer rows (no model needed)

Each request says whether a fixer should take it (`expect`: ruff, rename or none) and carries its
check: `ruff_clean` (the rules no longer fire in the scope; the file still parses; nothing outside
the scope changed), `renamed` (the new name is defined, the old one gone from the definitions).
Rows whose check needs the model (`expect: none`) count for routing here; the model rows are run
with `vibecli edit` per request by whoever has the model (`--model-cmd`, not done here)."""

from __future__ import annotations

import argparse
import ast
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent / "fixers"
sys.path.insert(0, str(Path(__file__).parent.parent))

PACKAGES = [("tabulate", "0.9.0", "MIT", "tabulate/__init__.py"),
            ("humanize", "4.9.0", "MIT", "src/humanize/time.py"),
            ("humanize", "4.9.0", "MIT", "src/humanize/number.py")]
FIXER_PHRASES = {
    "RET505": ["remove the unnecessary else after return in {fn}", "in {fn}, remove the useless else"],
    "UP032": ["use f-strings in {fn}", "convert the .format calls to f-strings in {fn}"],
    "I001": ["sort the imports", "organize imports"],
}
OTHER_PHRASES = [
    "add a docstring to {fn}", "add type hints to {fn}", "remove the unnecessary else after return in {fn} and add a docstring",
    "use f-strings in {fn} and log the result", "make {fn} raise ValueError when given None", "explain what {fn} does",
    "rename the variables in {fn} to be clearer", "simplify {fn}",
]


def _fetch(name: str, version: str, folder: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
                    f"{name}=={version}", "-d", str(folder)], check=True)
    archive = next(folder.glob(f"{name}-{version}.tar.gz"))
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")
    return folder / f"{name}-{version}"


def _functions(text: str) -> dict[str, tuple[int, int]]:
    return {n.name: (n.lineno, n.end_lineno) for n in ast.parse(text).body if isinstance(n, ast.FunctionDef)}


def build() -> None:
    from vibecli.fixers.ruff import ruff_command

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, version, licence, relpath in PACKAGES:
            root = _fetch(name, version, Path(tmp)) if not (Path(tmp) / f"{name}-{version}").exists() \
                else Path(tmp) / f"{name}-{version}"
            text = (root / relpath).read_text()
            out = subprocess.run([*ruff_command(), "check", "--isolated", "--select", ",".join(FIXER_PHRASES),
                                  "--output-format", "json", "--exit-zero", str(root / relpath)],
                                 capture_output=True, text=True).stdout
            functions = _functions(text)
            source = {"package": name, "version": version, "licence": licence, "path": relpath, "text": text}
            seen = set()
            for finding in json.loads(out):
                if not (finding["fix"] and finding["fix"]["applicability"] == "safe"):
                    continue
                code, row = finding["code"], finding["location"]["row"]
                fn = next((f for f, (a, b) in functions.items() if a <= row <= b), None)
                if (code, fn) in seen or (fn is None and code != "I001"):
                    continue
                seen.add((code, fn))
                phrase = FIXER_PHRASES[code][len(seen) % 2]
                rows.append({**source, "request": phrase.format(fn=fn), "expect": "ruff",
                             "check": {"ruff_clean": [code], "symbol": fn}})
            for i, fn in enumerate(sorted(f for f in functions if not f.startswith("__"))[:6]):
                rows.append({**source, "request": f"rename {fn} to {fn}_v2", "expect": "rename",
                             "check": {"renamed": [fn, f"{fn}_v2"]}})
                for phrase in OTHER_PHRASES[i % 4 :: 4][:2] + OTHER_PHRASES[(i + 1) % 8 : (i + 1) % 8 + 1]:
                    rows.append({**source, "request": phrase.format(fn=fn), "expect": "none", "check": {}})
    HERE.mkdir(exist_ok=True)
    with open(HERE / "requests.jsonl", "w") as out_file:
        for row in rows:
            out_file.write(json.dumps({k: v for k, v in row.items() if k != "text"}) + "\n")
    print(f"{len(rows)} requests, {sum(r['expect'] != 'none' for r in rows)} for a fixer")


def _passes(row: dict, new: str | None) -> bool:
    if new is None:
        return False
    try:
        tree = ast.parse(new)
    except SyntaxError:
        return False
    check = row["check"]
    if "renamed" in check:
        old, fresh = check["renamed"]
        names = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        return fresh in names and old not in names
    from vibecli.fixers.ruff import findings

    codes = tuple(check["ruff_clean"])
    if findings({"m.py": new}, codes)["m.py"] >= findings({"m.py": row["text"]}, codes)["m.py"]:
        return False
    symbol = check.get("symbol")
    if symbol is None:
        return True
    start, end = _functions(row["text"])[symbol]
    old_lines = row["text"].splitlines()
    new_start, new_end = _functions(new)[symbol]
    outside_old = old_lines[: start - 1] + old_lines[end:]
    new_lines = new.splitlines()
    return outside_old == new_lines[: new_start - 1] + new_lines[new_end:]


def evaluate() -> None:
    from vibecli.core import Refused
    from vibecli.edits.fileio import SourceFile
    from vibecli.fixers.edit import make_candidate
    from vibecli.fixers.router import route
    from vibecli.settings import Settings

    rows = [json.loads(line) for line in open(HERE / "requests.jsonl")]
    with tempfile.TemporaryDirectory() as tmp:
        roots = {(r["package"], r["version"]): None for r in rows}
        for name, version in roots:
            roots[name, version] = _fetch(name, version, Path(tmp))
        for row in rows:
            row["text"] = (roots[row["package"], row["version"]] / row["path"]).read_text()
    tp = fp = fn = passed = 0
    route_s = fix_s = 0.0
    for row in rows:
        files = {row["path"]: row["text"]}
        started = time.perf_counter()
        chosen = route(row["request"], files)
        route_s += time.perf_counter() - started
        got = chosen.name if chosen else "none"
        tp += got != "none" and got == row["expect"]
        fp += got != "none" and got != row["expect"]
        fn += got == "none" and row["expect"] != "none"
        if chosen is None:
            continue
        source = SourceFile(row["path"], Path("/nonexistent") / row["path"], row["text"], "\n", False, 0o644, "")
        started = time.perf_counter()
        try:
            candidate = make_candidate(chosen, {row["path"]: source}, _Space(), None, Settings())
        except Refused:
            candidate = None
        fix_s += time.perf_counter() - started
        ok = candidate is not None and _passes(row, candidate.texts.get(row["path"]))
        passed += ok and row["expect"] != "none"
        if not ok:
            print(f"  not passed: {row['request']!r} ({row['package']})")
    fixer_rows = sum(r["expect"] != "none" for r in rows)
    print(f"{len(rows)} requests, {fixer_rows} for a fixer")
    print(f"routing precision {tp / max(tp + fp, 1):.3f}  recall {tp / max(tp + fn, 1):.3f}  (tp {tp}, fp {fp}, fn {fn})")
    print(f"fixer rows passed with fixers on: {passed}/{fixer_rows}; with --no-fixers: the model's (not run here)")
    print(f"routing {route_s / len(rows) * 1e3:.3f} ms per request; fixer {fix_s / max(tp + fp, 1) * 1e3:.1f} ms per routed request")
    started = time.perf_counter()
    for row in rows:
        route(row["request"], {row["path"]: row["text"]})
    print(f"routing again, every pattern compiled: {(time.perf_counter() - started) / len(rows) * 1e3:.3f} ms per request")
    with tempfile.TemporaryDirectory() as cache:
        fresh = sorted(_fresh_route_s(row, cache) for row in rows[:: max(len(rows) // 12, 1)])
    print(f"routing in a fresh process (the router's import and first request, as `vibecli edit` pays it): "
          f"median {fresh[len(fresh) // 2] * 1e3:.1f} ms, max {fresh[-1] * 1e3:.1f} ms over {len(fresh)} requests")


_FRESH = ("import json, sys, time\nimport vibecli.fixers, vibecli.fixers.rename, vibecli.fixers.scope\n"
          "row = json.load(sys.stdin)\nstarted = time.perf_counter()\nfrom vibecli.fixers.router import route\n"
          "route(row['request'], {row['path']: row['text']})\nprint(time.perf_counter() - started)\n")


def _fresh_route_s(row: dict, cache: str) -> float:
    """Seconds to import the router and route one request in a new interpreter, with the bytecode
    cached as an installed package has it (the imports the router shares with the rest of
    vibecli.fixers are loaded before the clock starts); the median of three runs after a warm-up."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"PYTHONPYCACHEPREFIX": cache}
    runs = [subprocess.run([sys.executable, "-c", _FRESH], input=json.dumps(row), capture_output=True, text=True,
                           check=True, cwd=Path(__file__).parent.parent, env=env).stdout for _ in range(4)]
    return sorted(float(r) for r in runs[1:])[1]


class _Space:
    """A workspace for texts in memory: the rename reads no other file, ruff copies no config."""

    root = Path("/nonexistent")

    def absolute(self, relpath: str) -> Path:
        return Path("/nonexistent") / relpath


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", action="store_true")
    args = parser.parse_args()
    build() if args.build else evaluate()
