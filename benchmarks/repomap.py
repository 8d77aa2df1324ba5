"""vibecli's repo map against aider's RepoMap, side by side on the same files in one run.

    python benchmarks/repomap.py [--aider-venv DIR] [--out FILE.json]

Two real code bases copied into temporary git repositories: the installed Python's standard
library (large, ~1,800 source files) and the jinja2 package (small). For each, and for each
tool, in fresh processes: a cold build (no cache), a warm build with nothing changed (median
of 3), and a build after one file changed; the time each process spends building its map
(imports excluded; the process wall time is reported too) and its peak RSS. Both get the same
named file and the same 1,024-token budget, counted the same way (4 characters a token).

aider-chat is installed from PyPI into its own venv (`--aider-venv`, created when missing), as
a peer: its code is run, never copied.

    python benchmarks/repomap.py --command-baseline REF [--files 2000] [--runs 7]

The `vibecli map` command itself, as a user runs it, on a generated repository of 2,000 Python
files that import each other, counting tokens with the embedded model's tokenizer (the
default): the source tree of git revision REF (extracted with `git archive`) against the
working tree, side by side in fresh processes, A and B alternating: a cold map (no tag cache),
a warm one with nothing changed (median of --runs), and one after a file changed. Process
wall time; both must print the same map. Run it under `flock -x /work/locks/cpu.lock`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

BUDGET = 1024

VIBECLI = r'''
import json, resource, sys, time
from pathlib import Path
started = time.perf_counter()
from vibecli.context.repomap import RepoMap
imported = time.perf_counter()
root, cache, focus = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
repo_map = RepoMap(root, cache).scan()
ranking = repo_map.ranking([focus], "")
found = repo_map.render(ranking, %d, lambda text: len(text) // 4, exclude={focus})
done = time.perf_counter()
print(json.dumps({"build_s": done - imported, "import_s": imported - started, "files": len(repo_map.tags),
                  "parsed": repo_map.cache.parsed, "map_chars": len(found.text),
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
''' % BUDGET

AIDER = r'''
import json, os, resource, subprocess, sys, time
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
started = time.perf_counter()
from aider.io import InputOutput
from aider.repomap import RepoMap
imported = time.perf_counter()
root, focus = sys.argv[1], sys.argv[2]

class Counter:  # aider asks its model only for token counts
    def token_count(self, text):
        return len(text) // 4

names = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True).stdout.split()
files = [os.path.join(root, n) for n in names]
repo_map = RepoMap(map_tokens=%d, root=root, main_model=Counter(), io=InputOutput(yes=True, pretty=False),
                   refresh="always")
text = repo_map.get_repo_map([os.path.join(root, focus)], [f for f in files if not f.endswith(focus)]) or ""
done = time.perf_counter()
print(json.dumps({"build_s": done - imported, "import_s": imported - started, "files": len(files),
                  "map_chars": len(text), "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
''' % BUDGET


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", *args], cwd=root,
                   check=True, capture_output=True)


def copy_repo(source: Path, target: Path, ignore: tuple[str, ...]) -> Path:
    shutil.copytree(source, target, symlinks=True, ignore=shutil.ignore_patterns("__pycache__", *ignore))
    git(target, "init", "-q")
    git(target, "add", "-A")
    git(target, "commit", "-qm", "copy")
    return target


def aider_python(venv: Path) -> Path:
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"installing aider-chat into {venv} (once) ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "aider-chat"], check=True)
    return python


def run(cmd: list[str]) -> dict:
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=3600)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed:\n{proc.stderr[-3000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["wall_s"] = wall
    return out


def measure(name: str, root: Path, focus: str, changed: str, aider: Path | None, work: Path) -> dict:
    cache = work / f"{name}-tags.sqlite"
    tools = {"vibecli": lambda: run([sys.executable, "-c", VIBECLI, str(root), str(cache), focus])}
    if aider is not None:
        tools["aider"] = lambda: run([str(aider), "-c", AIDER, str(root), focus])
    for leftover in (cache, root / ".aider.tags.cache.v4"):
        shutil.rmtree(leftover, ignore_errors=True) if leftover.is_dir() else leftover.unlink(missing_ok=True)
    results: dict[str, dict] = {tool: {} for tool in tools}
    for tool, go in tools.items():
        results[tool]["cold"] = go()
    for tool in tools:
        results[tool]["warm_runs"] = []
    for _ in range(3):
        for tool, go in tools.items():  # interleaved, so both see the same machine
            results[tool]["warm_runs"].append(go())
    with open(root / changed, "a") as f:
        f.write("\n# changed by the benchmark\n")
    for tool, go in tools.items():
        results[tool]["changed"] = go()
    for tool in tools:
        runs = results[tool].pop("warm_runs")
        results[tool]["warm"] = {"build_s": statistics.median(r["build_s"] for r in runs),
                                 "wall_s": statistics.median(r["wall_s"] for r in runs),
                                 "rss_mb": max(r["rss_mb"] for r in runs)}
    return results


def generated_repo(root: Path, files: int, seed: int = 7) -> Path:
    """A git repository of `files` Python modules in packages of 100, each importing three others
    and defining a class and four functions that call into them."""
    import random

    rng = random.Random(seed)
    for i in range(files):
        package = root / f"pkg{i // 100}"
        package.mkdir(parents=True, exist_ok=True)
        others = [rng.randrange(files) for _ in range(3)]
        lines = [f"from pkg{o // 100}.mod{o} import Thing{o}, helper_{o}" for o in others] + ["", ""]
        lines += [f"class Thing{i}:", f'    """Thing number {i}."""', "", f"    def __init__(self, size: int = {i}):",
                  "        self.size = size", "", "    def grow(self, by: int) -> int:",
                  f"        return Thing{others[0]}().size + by", "", ""]
        for k in range(4):
            lines += [f"def helper_{i}{'_' + str(k) if k else ''}(value, factor={k}):",
                      f"    return helper_{others[k % 3]}(value) * factor", "", ""]
        (package / f"mod{i}.py").write_text("\n".join(lines))
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "generated")
    return root


def map_command(tree: Path, repo: Path, home: Path) -> tuple[float, str]:
    """Wall seconds and output of `vibecli map` from `tree`, in `repo`, with `home` as VIBECLI_HOME."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIBECLI_") and k != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONPATH=str(tree), VIBECLI_HOME=str(home))
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "vibecli", "map"], cwd=repo, env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=600)
    took = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{tree}: vibecli map failed:\n{proc.stderr[-3000:]}")
    return took, proc.stdout


def command_main(ref: str, files: int, runs: int, out: Path) -> int:
    """`vibecli map` of REF against the working tree (see the module's docstring)."""
    import tarfile

    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    from vibecli.models import default_model_path as embedded_model_path

    work = Path(tempfile.mkdtemp(prefix="map-command-bench-"))
    shared = Path.home() / ".cache" / "vibecli-bench" / "map-cache"
    embedded_model_path(shared)  # assembled once per machine, shared by both sides
    subprocess.run(["git", "archive", "--format=tar", "-o", str(work / "baseline.tar"), ref], cwd=root, check=True)
    with tarfile.open(work / "baseline.tar") as tar:
        tar.extractall(work / "baseline", filter="data")
    sides = {"baseline": work / "baseline", "working tree": root}
    homes = {}
    for side in (*sides, "scratch"):
        homes[side] = work / f"home-{side.replace(' ', '-')}"
        (homes[side] / "cache").mkdir(parents=True)
        (homes[side] / "cache" / "models").symlink_to(shared / "models", target_is_directory=True)
    repo = generated_repo(work / "repo", files)
    load = [os.getloadavg()]
    for tree in sides.values():  # bytecode written, as an installed package has it; then no tag cache
        map_command(tree, repo, homes["scratch"])
    results: dict[str, dict] = {side: {"warm": []} for side in sides}
    outputs: dict[str, set[str]] = {side: set() for side in sides}
    for side, tree in sides.items():
        results[side]["cold"], text = map_command(tree, repo, homes[side])
        outputs[side].add(text)
    for _ in range(runs):
        for side, tree in sides.items():
            took, text = map_command(tree, repo, homes[side])
            results[side]["warm"].append(took)
            outputs[side].add(text)
    with open(repo / "pkg0" / "mod0.py", "a") as f:
        f.write("\n\ndef added_by_the_benchmark():\n    return 0\n")
    for side, tree in sides.items():
        results[side]["changed"], _ = map_command(tree, repo, homes[side])
    load.append(os.getloadavg())
    same = len(outputs["baseline"] | outputs["working tree"]) == 1
    print(f"vibecli map on a generated repository of {files} files; baseline {ref}; load average "
          f"{load[0][0]:.2f} at start, {load[1][0]:.2f} at end; same map from both: {same}")
    print(f"{'':24}{'baseline':>10}{'working':>10}{'ratio':>8}   (process wall seconds)")
    for phase in ("cold", "warm", "changed"):
        a, b = (statistics.median(results[s][phase]) if phase == "warm" else results[s][phase] for s in sides)
        label = f"{phase} (median of {runs})" if phase == "warm" else phase
        print(f"{label:24}{a:10.3f}{b:10.3f}{b / a:8.2f}")
    out.write_text(json.dumps({"baseline": ref, "files": files, "load_average": load, "same_map": same,
                               "results": results}, indent=2))
    print(f"wrote {out}")
    shutil.rmtree(work, ignore_errors=True)
    return 0 if same else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--aider-venv", type=Path, default=Path.home() / ".cache" / "vibecli-bench" / "aider-venv")
    parser.add_argument("--out", type=Path, default=Path("repomap-results.json"))
    parser.add_argument("--only", choices=["large", "small"])
    parser.add_argument("--skip-aider", action="store_true", help="vibecli alone (a quick re-measure)")
    parser.add_argument("--command-baseline", metavar="REF", help="time the `vibecli map` command of REF against "
                        "the working tree on a generated repository instead")
    parser.add_argument("--files", type=int, default=2000, help="files in the generated repository")
    parser.add_argument("--runs", type=int, default=7, help="warm runs of each side")
    args = parser.parse_args()
    if args.command_baseline:
        return command_main(args.command_baseline, args.files, args.runs, args.out)
    aider = None if args.skip_aider else aider_python(args.aider_venv)
    work = Path(tempfile.mkdtemp(prefix="repomap-bench-"))
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    import jinja2

    repos = {
        "large": (stdlib, ("site-packages", "idlelib", "turtledemo"), "email/parser.py", "email/feedparser.py"),
        "small": (Path(jinja2.__file__).parent, (), "environment.py", "lexer.py"),
    }
    report = {"budget": BUDGET, "load_average": os.getloadavg(), "repos": {}}
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    for name, (source, ignore, focus, changed) in repos.items():
        if args.only and name != args.only:
            continue
        root = copy_repo(source, work / name, ignore)
        results = measure(name, root, focus, changed, aider, work)
        report["repos"][name] = results
        v, a = results["vibecli"], results.get("aider")
        if a is None:
            print(f"\n{name}: {v['cold']['files']} source files; vibecli build seconds (process wall):")
            for phase in ("cold", "warm", "changed"):
                print(f"{phase:22}{v[phase]['build_s']:10.3f}   wall {v[phase]['wall_s']:.2f}")
            continue
        print(f"\n{name}: {v['cold']['files']} source files for vibecli, {a['cold']['files']} files given to aider")
        print(f"{'':22}{'vibecli':>10}{'aider':>10}{'ratio':>8}   (build seconds, imports excluded; process wall)")
        for phase in ("cold", "warm", "changed"):
            vb, ab = v[phase]["build_s"], a[phase]["build_s"]
            print(f"{phase:22}{vb:10.3f}{ab:10.3f}{vb / ab:8.2f}   wall {v[phase]['wall_s']:.2f} / {a[phase]['wall_s']:.2f}")
        rv = max(v[p]["rss_mb"] for p in ("cold", "warm", "changed"))
        ra = max(a[p]["rss_mb"] for p in ("cold", "warm", "changed"))
        print(f"{'peak RSS (MB)':22}{rv:10.0f}{ra:10.0f}{rv / ra:8.2f}")
    print(f"\nload average at end: {os.getloadavg()[0]:.1f}")
    args.out.write_text(json.dumps(report, indent=2))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
