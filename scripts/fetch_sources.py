"""Download the pinned source packages of the synthetic training data (scripts/sources.txt).

    python scripts/fetch_sources.py /work/data/sources [--list scripts/sources.txt]

Each line `name==version` is fetched with `pip download --no-deps` as a wheel, or as a source
distribution when the line ends with `sdist` (those carry the package's tests, which the
`add_test` tasks need). A file already in the folder is not fetched again, so a rerun after a
network failure picks up where it stopped. Nothing is installed or run: `vibecli data synth
--from FOLDER/*` reads the archives as they are.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

DEFAULT_LIST = Path(__file__).with_name("sources.txt")


def pins(path: Path) -> list[tuple[str, str, bool]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        spec, *flags = line.split()
        name, _, version = spec.partition("==")
        if not version:
            raise SystemExit(f"{path}: {spec!r} is not pinned (name==version)")
        out.append((name, version, "sdist" in flags))
    return out


def _have(folder: Path, name: str, version: str, sdist: bool) -> bool:
    stem = name.replace("-", "_").lower()
    for path in folder.iterdir():
        low = path.name.lower().replace("-", "_")
        if low.startswith(f"{stem}_{version}") and (low.endswith((".tar.gz", ".zip")) if sdist else low.endswith(".whl")):
            return True
    return False


def fetch(folder: Path, wanted: list[tuple[str, str, bool]]) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    failed = 0
    for name, version, sdist in wanted:
        if _have(folder, name, version, sdist):
            continue
        kind = ["--no-binary", ":all:"] if sdist else ["--only-binary", ":all:"]
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", *kind, "-d", str(folder),
                   f"{name}=={version}"]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode:
            failed += 1
            print(f"failed: {name}=={version}: {done.stderr.strip().splitlines()[-1:] or ''}", file=sys.stderr)
        else:
            print(f"fetched {name}=={version}{' (sdist)' if sdist else ''}")
    return failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--list", type=Path, default=DEFAULT_LIST)
    args = parser.parse_args()
    failed = fetch(args.folder, pins(args.list))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
