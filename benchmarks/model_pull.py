"""`vibecli model pull` against plain curl, and `vibecli model list` with ten models present.

    python benchmarks/model_pull.py [--runs 3]

A loopback server that answers like the hub (tests/fakehub.py) serves the embedded model's GGUF
(253 MB). Side by side, alternating: `curl -o` of the file's resolve URL, and a whole
`vibecli model pull` into a fresh VIBECLI_HOME (listing, HEAD, download, sha256 of every byte,
GGUF header check). Then ten copies are pulled under ten names and `vibecli model list` is timed
against `vibecli --version` (the start-up alone), and the bytes the listing reads are counted
(/proc/self/io) against the bytes the ten files hold: the listing reads headers only.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fakehub import COMMIT, FakeHub, HubFile, HubRepo  # noqa: E402

REPO = "bench/gemma-GGUF"
NAME = "gemma-3-270m-q4_k_m.gguf"


def timed(command: list[str], env: dict) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from vibecli import paths
    from vibecli.models import default_model_path as embedded_model_path

    source = embedded_model_path(paths.cache_dir())
    size = source.stat().st_size
    work = Path(tempfile.mkdtemp(prefix="vibecli-bench-"))
    files = {NAME: HubFile(source)}
    for i in range(10):
        files[f"copy{i}-Q4_K_M.gguf"] = HubFile(source, sha256=files[NAME].sha256)
    hub = FakeHub({REPO: HubRepo(files)}).start()
    vibecli = [sys.executable, "-m", "vibecli"]
    base_env = dict(os.environ, HF_ENDPOINT=hub.url, HF_HOME=str(work / "hf"), HF_HUB_DISABLE_TELEMETRY="1")
    try:
        curl_s, pull_s, phase_s = [], [], []
        for run in range(args.runs):
            target = work / "curl.gguf"
            curl_s.append(timed(["curl", "-s", "-f", "-o", str(target), f"{hub.url}/{REPO}/resolve/{COMMIT}/{NAME}"], base_env))
            assert target.stat().st_size == size
            target.unlink()
            home = work / f"home{run}"
            env = dict(base_env, VIBECLI_HOME=str(home))
            started = time.perf_counter()
            out = subprocess.run([*vibecli, "model", "pull", REPO, "--file", NAME, "--json"], env=env, check=True,
                                 capture_output=True, text=True).stdout
            pull_s.append(time.perf_counter() - started)
            phase_s.append(json.loads(out)["seconds"])
            shutil.rmtree(home)
        curl, pull = statistics.median(curl_s), statistics.median(pull_s)
        print(f"file: {size / 1e6:.1f} MB, {args.runs} runs each, medians")
        print(f"curl -o            {curl:6.2f} s  {size / curl / 1e6:7.1f} MB/s")
        print(f"vibecli model pull {pull:6.2f} s  {size / pull / 1e6:7.1f} MB/s  (whole command: list, HEAD, download, sha256, header)")
        phase = statistics.median(phase_s)
        print(f"  of which the pull itself {phase:6.2f} s  {size / phase / 1e6:7.1f} MB/s  (HEAD, download, sha256, header; no start-up)")
        print(f"throughput ratio vibecli/curl: {curl / pull:.2f} (whole command), {curl / phase:.2f} (pull itself)")

        home = work / "home-list"
        env = dict(base_env, VIBECLI_HOME=str(home))
        for i in range(10):
            subprocess.run([*vibecli, "model", "pull", REPO, "--file", f"copy{i}-Q4_K_M.gguf"], env=env, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        listed = subprocess.run([*vibecli, "model", "list"], env=env, check=True, capture_output=True, text=True).stdout
        assert len(listed.splitlines()) == 11, listed
        cold = []
        for _ in range(3):
            shutil.rmtree(home / "cache" / "gguf-facts", ignore_errors=True)
            cold.append(timed([*vibecli, "model", "list"], env))
        warm = statistics.median(timed([*vibecli, "model", "list"], env) for _ in range(5))
        version_s = statistics.median(timed([*vibecli, "--version"], env) for _ in range(5))
        list_s = statistics.median(cold)
        read = bytes_read_by_listing(home, work / "cold-cache")
        print(f"vibecli model list, 10 pulled models + the embedded one: first listing {list_s:.3f} s, "
              f"later ones {warm:.3f} s (facts remembered by path, size, mtime); vibecli --version: {version_s:.3f} s; "
              f"ratios {list_s / version_s:.2f} and {warm / version_s:.2f}")
        print(f"bytes a first listing reads: {read / 1e6:.1f} MB of {10 * size / 1e6:.0f} MB in the ten files "
              f"({read / (10 * size):.2%})")
    finally:
        hub.stop()
        shutil.rmtree(work, ignore_errors=True)


def bytes_read_by_listing(home: Path, fresh_cache: Path) -> int:
    """rchar of this process around one in-process listing with nothing remembered (headers are
    read, tensors are not)."""
    os.environ["VIBECLI_HOME"] = str(home)
    from vibecli import paths
    from vibecli.models import catalog as registry

    def rchar() -> int:
        for line in Path("/proc/self/io").read_text().splitlines():
            if line.startswith("rchar:"):
                return int(line.split()[1])
        return 0

    before = rchar()
    found = registry.entries(fresh_cache, paths.pulled_models_dir(), {}, None)
    after = rchar()
    assert len([e for e in found if e.source == "pulled" and e.architecture == "gemma3"]) == 10
    return after - before


if __name__ == "__main__":
    main()
