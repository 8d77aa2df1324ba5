"""Five requests in one `vibecli` session against five separate `vibecli edit` processes, on
copies of the same repository, with the same model and settings.

    python benchmarks/session.py [--threads 2] [--model PATH] [--no-lock]

Both ways run in a pseudo-terminal, as a user runs them, taking turns request by request (so
that both see the same load on a shared machine), and are timed from outside: the total time
of each way (the session: its start, /add, each request from Enter to the next prompt, and its
end; the processes: each from its start to its exit), and for each request the time from pressing Enter to the first streamed token
(the progress line's first "N tokens"; Rich redraws it ~12 times a second, so each reading can
be up to ~80 ms late, alike for both ways). Ends with the ratios, and a line per request to show
that both ways got the same outcome.

The model-tests lock of the shared test cache is held while it runs, so that no model test of
another checkout runs at the same time (two llama.cpp processes on a small CPU thrash).
"""

from __future__ import annotations

import argparse
import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

import pexpect

SHOP = '''def total(prices):
    result = 0
    for p in prices:
        result = result + p
    return result


def greet(name):
    print("Hello, " + name)


def is_even(n):
    if n % 2 == 0:
        return True
    else:
        return False


def average(values):
    return total(values) / len(values)


def shout(text):
    return text.upper()
'''

REQUESTS = [
    "make greet return the greeting instead of printing it",
    "simplify is_even to return n % 2 == 0",
    "make average return 0 for an empty list",
    "add a docstring to total",
    "make shout add an exclamation mark at the end",
]

TOKENS = r"\d+ tokens"
OUTCOME = r"(applied|declined): ([^·\r\n]*)|vibecli: (\w+(?: \w+)?): ([^\r\n]*)"
PROMPT = r"vibecli( \(no-commit\))?>"


def make_repo(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for args in (["init", "-q", "-b", "main"], ["config", "user.name", "bench"], ["config", "user.email", "b@x"]):
        subprocess.run(["git", *args], cwd=folder, check=True)
    (folder / "shop.py").write_text(SHOP)
    subprocess.run(["git", "add", "."], cwd=folder, check=True)
    subprocess.run(["git", "commit", "-qm", "shop"], cwd=folder, check=True)
    return folder


def environment(home: Path) -> dict:
    env = {**os.environ, "VIBECLI_HOME": str(home), "PROMPT_TOOLKIT_NO_CPR": "1", "NO_COLOR": "1",
           "TERM": "xterm-256color"}
    env.pop("CI", None)
    return env


def spawn(args: list[str], repo: Path, env: dict) -> pexpect.spawn:
    return pexpect.spawn(sys.executable, ["-m", "vibecli", *args], cwd=str(repo), env=env, encoding="utf-8",
                         timeout=900, dimensions=(50, 250))


def outcome(child: pexpect.spawn) -> str:
    m = child.match
    return f"{m.group(1)}: {m.group(2).strip()}" if m.group(1) else f"{m.group(3)}: {m.group(4).strip()[:60]}"


def edit_process(request: str, repo: Path, env: dict, model_args: list[str]) -> tuple[float, float, str]:
    """One `vibecli edit`: (seconds from start to exit, from start to the first token, outcome)."""
    enter = time.perf_counter()
    child = spawn(["edit", request, "shop.py", *model_args], repo, env)
    child.expect(TOKENS)
    first = time.perf_counter() - enter
    child.expect(OUTCOME)
    result = outcome(child)
    child.expect(pexpect.EOF)
    child.close()
    return time.perf_counter() - enter, first, result


def session_request(child: pexpect.spawn, request: str) -> tuple[float, float, str]:
    """One request in the open session: (seconds from Enter to the next prompt, to the first token, outcome)."""
    enter = time.perf_counter()
    child.send(request + "\r")
    child.expect(TOKENS)
    first = time.perf_counter() - enter
    child.expect(OUTCOME)
    result = outcome(child)
    child.expect(PROMPT)
    return time.perf_counter() - enter, first, result


def both_ways(work: Path, model_args: list[str]) -> dict:
    """The two ways take turns, request by request, so that both see the same load on the machine."""
    homes = {name: work / name / "home" for name in ("processes", "session")}
    for home in homes.values():
        models_cache(home)
    repos = {name: make_repo(work / name / "repo") for name in homes}
    envs = {name: environment(home) for name, home in homes.items()}
    runs: dict = {"processes": [], "session": []}
    started = time.perf_counter()
    child = spawn(["chat", *model_args], repos["session"], envs["session"])
    child.expect(PROMPT)
    child.send("/add shop.py\r")
    child.expect("files in play")
    child.expect(PROMPT)
    overhead = time.perf_counter() - started
    for request in REQUESTS:
        runs["processes"].append(edit_process(request, repos["processes"], envs["processes"], model_args))
        runs["session"].append(session_request(child, request))
    ending = time.perf_counter()
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    overhead += time.perf_counter() - ending
    return {"processes": (sum(r[0] for r in runs["processes"]), runs["processes"]),
            "session": (overhead + sum(r[0] for r in runs["session"]), runs["session"])}


def models_cache(home: Path) -> None:
    """The embedded model from the user's cache, so that neither way pays its first-use assembly."""
    import platformdirs

    for folder in (Path(platformdirs.user_cache_dir("vibecli")) / "models",
                   Path.home() / ".cache" / "vibecli-test" / "models"):
        if (folder / "gemma-3-270m-q4_k_m.gguf").is_file():
            (home / "cache").mkdir(parents=True)
            (home / "cache" / "models").symlink_to(folder, target_is_directory=True)
            return


def model_tests_lock(enabled: bool):
    if not enabled:
        return nullcontext()
    folder = Path(os.environ.get("VIBECLI_TEST_MODEL_CACHE", Path.home() / ".cache" / "vibecli-test"))
    folder.mkdir(parents=True, exist_ok=True)
    lock = open(folder / "model-tests.lock", "w")
    print("waiting for the model-tests lock ...", file=sys.stderr)
    fcntl.flock(lock, fcntl.LOCK_EX)
    return lock


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--model", help="a GGUF (default: the embedded model)")
    parser.add_argument("--no-lock", action="store_true", help="do not wait for the model-tests lock")
    args = parser.parse_args()
    model_args = ["--threads", str(args.threads)] + (["--model", args.model] if args.model else [])
    work = Path(tempfile.mkdtemp(prefix="vibecli-session-bench-"))
    try:
        with model_tests_lock(not args.no_lock):
            results = both_ways(work, model_args)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    (p_total, p_runs), (s_total, s_runs) = results["processes"], results["session"]
    p_first, s_first = [r[1] for r in p_runs], [r[1] for r in s_runs]
    print(f"{len(REQUESTS)} requests, threads {args.threads}, model {args.model or 'embedded gemma-3-270m Q4_K_M'}")
    print(f"{'request':<40} {'edit: total':>11} {'first token':>11} {'session: total':>14} {'first token':>11}  "
          "outcomes (edit | session)")
    for i, request in enumerate(REQUESTS):
        print(f"{request[:39]:<40} {p_runs[i][0]:>10.2f}s {p_first[i]:>10.2f}s {s_runs[i][0]:>13.2f}s "
              f"{s_first[i]:>10.2f}s  {p_runs[i][2]} | {s_runs[i][2]}")
    p_mean, s_mean = sum(p_first) / len(p_first), sum(s_first) / len(s_first)
    print(f"total: five edit processes {p_total:.1f}s, one session {s_total:.1f}s "
          f"(its start, /add and end included): {p_total / s_total:.2f}x")
    print(f"Enter to first token, mean: edit {p_mean:.2f}s, session {s_mean:.2f}s: {p_mean / s_mean:.2f}x; "
          f"requests 2-5 only: edit {sum(p_first[1:]) / 4:.2f}s, session {sum(s_first[1:]) / 4:.2f}s")
    same = sum(a[2].split(":")[0] == b[2].split(":")[0] for a, b in zip(p_runs, s_runs))
    print(f"same outcome both ways: {same} of {len(REQUESTS)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
