"""A kind's `ruff_rules` is a route to an exact tool: on the kind's golden task, ruff with those
rules (and `--unsafe-fixes` where the kind says so) turns the before-file into the after-file."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from vibecli.data.kinds import load

GOLDEN = Path(__file__).parent / "golden" / "kinds"
RUFF = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
ROUTED = sorted(k.name for k in load().values() if k.ruff_rules)


def _files(kind: str) -> tuple[str, str]:
    parts = re.split(r"^=== (before|after) (\S+)\n", (GOLDEN / f"{kind}.txt").read_text(), flags=re.M)
    files = {(parts[i], parts[i + 1]): parts[i + 2] for i in range(1, len(parts), 3)}
    (before,) = [t for (label, _), t in files.items() if label == "before"]
    (after,) = [t for (label, _), t in files.items() if label == "after"]
    return before, after


@pytest.mark.skipif(RUFF is None, reason="ruff is part of the dev extra")
@pytest.mark.parametrize("kind", ROUTED)
def test_the_kinds_ruff_rules_fix_its_before_file_into_its_after_file(kind, tmp_path):
    spec = load()[kind]
    before, after = _files(kind)
    target = tmp_path / "m.py"
    target.write_text(before)
    flags = ["--unsafe-fixes"] if spec.ruff_unsafe else []
    subprocess.run([RUFF, "check", "--isolated", "--select", ",".join(spec.ruff_rules), "--fix", *flags, str(target)],
                   capture_output=True, text=True)
    assert target.read_text().rstrip("\n") == after.rstrip("\n")
    if spec.ruff_unsafe:  # honest flag: the safe fixes alone do not make this change
        target.write_text(before)
        subprocess.run([RUFF, "check", "--isolated", "--select", ",".join(spec.ruff_rules), "--fix", str(target)],
                       capture_output=True, text=True)
        assert target.read_text().rstrip("\n") != after.rstrip("\n")


def test_at_least_a_few_kinds_route_to_ruff():
    assert {"fstring_format", "remove_unused_import", "any_all"} <= set(ROUTED)
