"""How often vibecli picks the right file when the user names none.

    python benchmarks/find_file.py [--package rich] [--tasks 200] [--seed 1]

The tasks come from real code that nobody here wrote: a package installed from PyPI is copied
into a temporary git repository; for a seeded sample of its public functions and methods with
a docstring, the instruction is built from the docstring's first sentence ("Change the code
that does this: <sentence>"), and the right answer is the file that defines the function.
Reports recall@1 and recall@3 of the files vibecli chooses (`auto_files` picks from these),
for all tasks and for the tasks whose instruction does not contain the function's own name.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def copy_repo(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.pyc"))
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "copy"]):
        subprocess.run(["git", "-c", "user.name=b", "-c", "user.email=b@b", *args], cwd=target, check=True,
                       capture_output=True)
    return target


def tasks_from(root: Path) -> list[tuple[str, str, str]]:
    """(instruction, answer file, function name) for each public documented function."""
    out = []
    for path in sorted(root.rglob("*.py")):
        relpath = path.relative_to(root).as_posix()
        if "/tests/" in f"/{relpath}" or "/test_" in f"/{relpath}":
            continue
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError):
            continue
        for node in ast.walk(tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or node.name.startswith("_"):
                continue
            doc = ast.get_docstring(node)
            if not doc:
                continue
            sentence = re.split(r"(?<=\.)\s|\n\n", doc.strip(), maxsplit=1)[0].replace("\n", " ").strip()
            if len(sentence.split()) < 4:
                continue
            out.append((f"Change the code that does this: {sentence[0].lower()}{sentence[1:]}", relpath, node.name))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--package", default="rich")
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    from vibecli.context.repomap import RepoContext

    source = Path(importlib.import_module(args.package).__file__).parent
    work = Path(tempfile.mkdtemp(prefix="findfile-"))
    root = copy_repo(source, work / args.package)
    every = tasks_from(root)
    sample = random.Random(args.seed).sample(every, min(args.tasks, len(every)))
    context = RepoContext(root, work / "tags.sqlite")
    started = time.perf_counter()
    context.choose("warm up", 3)
    scan_s = time.perf_counter() - started
    hits1 = hits3 = 0
    blind1 = blind3 = blind = 0
    seconds = []
    for instruction, answer, name in sample:
        started = time.perf_counter()
        chosen = [c.path for c in context.choose(instruction, 3)]
        seconds.append(time.perf_counter() - started)
        h1, h3 = chosen[:1] == [answer], answer in chosen
        hits1 += h1
        hits3 += h3
        if name not in instruction:
            blind += 1
            blind1 += h1
            blind3 += h3
    n = len(sample)
    files = len(context.map.tags)
    print(f"package {args.package}: {files} source files, {len(every)} documented public functions, {n} sampled "
          f"(seed {args.seed}); first scan {scan_s:.2f}s, {sum(seconds) / n * 1000:.0f} ms a choice")
    print(f"recall@1 {hits1}/{n} = {hits1 / n:.1%}   recall@3 {hits3}/{n} = {hits3 / n:.1%}")
    if blind:
        print(f"without the function's name in the instruction ({blind} tasks): recall@1 {blind1 / blind:.1%}   "
              f"recall@3 {blind3 / blind:.1%}")
    print(f"by chance: recall@1 {1 / files:.1%}, recall@3 {3 / files:.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
