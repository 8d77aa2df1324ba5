"""The cost of the HTTP path: the same model and the same prompts, in process and behind a server.

    python benchmarks/http_overhead.py                  # 6 EditEval prompts x 3 rounds, then 3 CLI runs each way
    python benchmarks/http_overhead.py --tasks 3 --rounds 2 --cli-runs 0

Two measurements, each printed side by side from one run:

1. **calls**: `LlamaCppBackend.generate` in this process against `OpenAIBackend.generate` talking
   to `python -m llama_cpp.server` (llama-cpp-python's own server, started here on 127.0.0.1) with
   the embedded model, on vibecli's real edit prompts for the first EditEval tasks, greedy, the
   same stop strings and token budget. Both models are loaded before timing (the load is not
   counted); the two paths alternate prompt by prompt so that other load on the machine falls on
   both alike; they never decode at the same time. Prints the median wall seconds per call of
   each, their ratio (HTTP / in process), the ratio of the summed seconds, the median of the
   per-prompt ratios (each pair ran back to back), and how many answers came out identical.
2. **cli**: the whole `vibecli edit --dry-run` command, `--backend llama` (which loads the model
   in every process) against `--backend openai` (the server stays warm), alternating.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
DEFAULT_DATA = ROOT.parent / "shared" / "eval" / "editeval.jsonl"


def prompts_for(tasks: list[dict], folder: Path) -> list[tuple[str, int]]:
    """vibecli's own first prompt for each task (as `edit --format auto` builds it) and its token budget."""
    from vibecli.conversation import _fence, _token_budget, resolve_format
    from vibecli.edits.apply import Context
    from vibecli.edits.fileio import read_source
    from vibecli.prompts import edit_prompt

    out = []
    for task in tasks:
        path = folder / "code.py"
        path.write_text(task["input"])
        files = {"code.py": read_source(path, "code.py", 1_000_000)}
        symbols = Context.of(files).symbols
        shown = [{"path": p, "language": _fence(p), "text": s.text, "symbols": symbols[p]} for p, s in files.items()]
        prompt = edit_prompt(resolve_format("auto", files), shown, task["instruction"].strip(), [])
        out.append((prompt, min(768, _token_budget(files))))
    return out


def timed(backend, prompt: str, max_tokens: int) -> tuple[float, str, int]:
    from vibecli.conversation import FREE_STOPS

    started = time.perf_counter()
    gen = backend.generate(prompt, stop=FREE_STOPS, max_tokens=max_tokens, temperature=0.0)
    text = "".join(gen)
    return time.perf_counter() - started, text, gen.usage.completion_tokens


def measure_calls(model: Path, url: str, prompts: list[tuple[str, int]], rounds: int, threads: int) -> dict:
    from vibecli.backends.llama import LlamaCppBackend
    from vibecli.backends.openai import OpenAIBackend

    local = LlamaCppBackend(model, model_name="gemma", model_sha256="", context_length=32768, threads=threads)
    remote = OpenAIBackend(url, model="gemma")
    timed(local, prompts[0][0], 4)  # load the in-process model before timing, as the server has
    timed(remote, prompts[0][0], 4)
    local_s, remote_s, same, tokens = [], [], 0, []
    for round_number in range(rounds):
        for index, (prompt, budget) in enumerate(prompts):
            order = [("local", local), ("remote", remote)]
            if (round_number + index) % 2:
                order.reverse()
            results = {}
            for label, backend in order:
                results[label] = timed(backend, prompt, budget)
            local_s.append(results["local"][0])
            remote_s.append(results["remote"][0])
            same += results["local"][1] == results["remote"][1]
            tokens.append((results["local"][2], results["remote"][2]))
            print(f"[calls {round_number + 1}/{rounds} prompt {index + 1}] in-process {results['local'][0]:.2f}s "
                  f"({results['local'][2]} tok), http {results['remote'][0]:.2f}s ({results['remote'][2]} tok)",
                  file=sys.stderr, flush=True)
    in_process, http = statistics.median(local_s), statistics.median(remote_s)
    return {
        "mode": "calls",
        "calls_each": len(local_s),
        "median_in_process_s": round(in_process, 3),
        "median_http_s": round(http, 3),
        "ratio_http_over_in_process": round(http / in_process, 3),
        "sum_in_process_s": round(sum(local_s), 2),
        "sum_http_s": round(sum(remote_s), 2),
        "ratio_of_sums": round(sum(remote_s) / sum(local_s), 3),
        "median_paired_ratio": round(statistics.median(remote / local for remote, local in zip(remote_s, local_s)), 3),
        "identical_answers": same,
        "mean_completion_tokens": [round(statistics.mean(t[i] for t in tokens), 1) for i in (0, 1)],
    }


def measure_cli(url: str, model: Path, runs: int, task: dict, threads: int) -> dict:
    times: dict[str, list[float]] = {"llama": [], "openai": []}
    with tempfile.TemporaryDirectory() as folder:
        repo = Path(folder)
        git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@localhost"]
        subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
        (repo / "code.py").write_text(task["input"])
        subprocess.run([*git, "add", "code.py"], cwd=repo, check=True)
        subprocess.run([*git, "commit", "-qm", "task"], cwd=repo, check=True)
        base = [sys.executable, "-m", "vibecli", "edit", task["instruction"].strip(), "code.py", "--dry-run",
                "--json", "--max-attempts", "1", "--grammar", "off"]
        flags = {"llama": ["--backend", "llama", "--model", str(model), "--threads", str(threads)],
                 "openai": ["--backend", "openai", "--endpoint", url, "--endpoint-model", "gemma"]}
        env = {**os.environ, "VIBECLI_HOME": str(repo / ".home"), "VIBECLI_NO_LOG": "1"}
        for run in range(runs):
            for name in (("llama", "openai") if run % 2 == 0 else ("openai", "llama")):
                started = time.perf_counter()
                proc = subprocess.run([*base, *flags[name]], cwd=repo, capture_output=True, text=True, env=env,
                                      stdin=subprocess.DEVNULL, timeout=600)
                times[name].append(time.perf_counter() - started)
                status = json.loads(proc.stdout)["status"] if proc.stdout.strip() else proc.stderr.strip()[-120:]
                print(f"[cli {run + 1}/{runs}] {name}: {times[name][-1]:.2f}s ({status})", file=sys.stderr, flush=True)
    llama, openai = statistics.median(times["llama"]), statistics.median(times["openai"])
    return {"mode": "cli", "runs_each": runs, "median_llama_s": round(llama, 3), "median_openai_s": round(openai, 3),
            "ratio_openai_over_llama": round(openai / llama, 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--tasks", type=int, default=6, help="the first N EditEval tasks' prompts")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cli-runs", type=int, default=3, help="whole `vibecli edit` runs each way (0: none)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    from llama_server import llama_server

    from vibecli.models import default_model_path as embedded_model_path
    from vibecli.paths import cache_dir

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from editeval import load_tasks

    model = embedded_model_path(cache_dir())
    tasks = load_tasks(args.data)[: args.tasks]
    with tempfile.TemporaryDirectory() as folder:
        prompts = prompts_for(tasks, Path(folder))
    with llama_server(model, n_ctx=8192, threads=args.threads) as url:
        print(json.dumps(measure_calls(model, url, prompts, args.rounds, args.threads)), flush=True)
        if args.cli_runs:
            print(json.dumps(measure_cli(url, model, args.cli_runs, tasks[0], args.threads)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
