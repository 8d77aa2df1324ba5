"""The data of `benchmarks/fix_ruff.py`: real findings, as the manifest says, on code whose
behaviour tests pass, from permissively licensed packages. Real ruff, no model."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.conftest import load_script

ROOT = Path(__file__).resolve().parents[2]
fix_ruff = load_script("benchmarks/fix_ruff.py")

FINDING = re.compile(r"^mod\.py:\d+:\d+: ([A-Z]+[0-9]+) ", re.MULTILINE)


def _findings(case: dict, folder: Path, **fix) -> list[str]:
    """The codes the case's lint command reports on its file copied into `folder` (after ruff's fixes, with `fix`)."""
    folder.mkdir(parents=True)
    shutil.copy(fix_ruff.DATA / case["file"], folder / "mod.py")
    proc = subprocess.run(fix_ruff.lint_command(case, **fix), shell=True, cwd=folder, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode in (0, 1), proc.stderr
    return FINDING.findall(proc.stdout)


def _check(case: dict, tmp: Path) -> list[str]:
    problems = []
    found = _findings(case, tmp / "lint")
    if not found or len(found) != case["findings"] or set(found) - set(case["codes"]):
        problems.append(f"lint reports {found}, the manifest says {case['findings']} of {case['codes']}")
    left = _findings(case, tmp / "safe", fix=True)
    if (not left) != case["ruff_fix_clears"] or len(left) != case["ruff_fix_left"]:
        problems.append(f"after ruff --fix: {left}, the manifest says {case['ruff_fix_left']} left")
    if case["group"] == "unfixable" and len(_findings(case, tmp / "unsafe", fix=True, unsafe=True)) != len(found):
        problems.append("ruff --fix --unsafe-fixes fixes some of it")
    if case["group"] == "mixed" and len(left) >= len(found):
        problems.append("ruff's safe fixes fix none of it")
    passed, why = fix_ruff.behaviour_passes((fix_ruff.DATA / case["file"]).read_text(), case.get("test"))
    if not passed:
        problems.append(f"behaviour test fails on the original: {why}")
    return [f"{case['id']}: {p}" for p in problems]


def test_every_case_has_real_findings_and_a_passing_behaviour_test(tmp_path):
    cases = fix_ruff.load_cases()
    with ThreadPoolExecutor(max_workers=4) as pool:
        problems = [p for found in pool.map(lambda c: _check(c, tmp_path / c["id"]), cases) for p in found]
    assert problems == []


def test_both_groups_are_large_enough_and_every_case_is_permissively_licensed():
    cases = fix_ruff.load_cases()
    groups = [c["group"] for c in cases]
    assert groups.count("unfixable") >= 30 and groups.count("mixed") >= 30
    assert len({c["id"] for c in cases}) == len(cases)
    for case in cases:
        assert case["licence"] in fix_ruff.PERMISSIVE, case["id"]
        assert case["package"] and case["version"] and case["source_path"] and case["lines"], case["id"]
        assert (fix_ruff.DATA / "licenses" / f"{case['package']}.txt").is_file(), case["package"]
        assert case["lint"] == f"ruff check --no-cache --select {','.join(case['codes'])} --output-format concise mod.py"
        assert len((fix_ruff.DATA / case["file"]).read_text().splitlines()) <= 61, case["id"]
        assert fix_ruff.definitions((fix_ruff.DATA / case["file"]).read_text()), case["id"]


def test_a_fixed_file_must_keep_its_definitions_and_its_behaviour(tmp_path):
    case = next(c for c in fix_ruff.load_cases("unfixable") if c["id"] == "traceback_safe_string")
    original = (fix_ruff.DATA / case["file"]).read_text()
    repo = tmp_path / "repo"
    repo.mkdir()
    verdicts = {}
    for name, text in {
        "as stored": original,
        "fixed": original.replace("    except:", "    except Exception:"),
        "deleted": original.split("def _safe_string")[0],
        "behaviour lost": original.replace("    except:", "    except Exception:").replace("failed>", "broke>"),
        "does not parse": original.replace("    except:", "    except Exception"),
    }.items():
        (repo / "mod.py").write_text(text)
        verdicts[name] = fix_ruff.judge(case, repo, original)
    assert [n for n, v in verdicts.items() if v["fixed"]] == ["fixed"]
    assert verdicts["deleted"]["lint_ok"] and verdicts["deleted"]["lost"] == ["_safe_string"]
    assert verdicts["behaviour lost"]["lint_ok"] and not verdicts["behaviour lost"]["test_ok"]
    assert not verdicts["does not parse"]["parses"]


def test_the_script_runs_each_row_and_credits_ruff_and_the_model(tmp_path, vibecli_home):
    """Replayed answers stand in for the model: each run gets the whole file fixed; with fixers on, ruff's
    fixes come first and the report credits each with its share."""
    case = next(c for c in fix_ruff.load_cases("mixed") if c["id"] == "curses_ctoi")
    fixed = (fix_ruff.DATA / case["file"]).read_text().replace('type(c) == type("")', "isinstance(c, str)")
    fixed = fixed.replace("    else:\n        return c", "    return c")
    replay = tmp_path / "replay.jsonl"
    replay.write_text(json.dumps({"text": f"@@ rewrite mod.py\n```python\n{fixed}```\n@@ done"}) + "\n")
    out = tmp_path / "out.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "fix_ruff.py"), "--cases", "curses_ctoi", "--fixers", "off", "on",
         "--models", str(tmp_path / "models"), "--out", str(out), "--", "--backend", "replay", "--replay-file", str(replay)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
        env={**os.environ, "VIBECLI_HOME": str(vibecli_home), "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == 0, proc.stderr
    results = {r["row"]: r for r in json.loads(out.read_text())["results"]}
    assert list(results) == ["N=1 --no-fixers", "N=1", "ruff alone"]
    assert results["N=1 --no-fixers"]["fixed"] and results["N=1 --no-fixers"]["fixed_by"] is None
    assert results["N=1"]["fixed"] and results["N=1"]["fixed_by"] == {"ruff": 2, "model": 1}
    assert not results["ruff alone"]["fixed"] and not results["ruff alone"]["lint_ok"]  # E721 has no fix
