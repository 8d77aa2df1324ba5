"""The held-out fixer set is sound: each request's check passes on its hand-made solution and fails
on the original excerpt (real ruff, no model), and the set is the shape the issue asks for."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.conftest import load_script

bench = load_script("benchmarks/fixer_heldout.py")
ROWS = bench.load_rows()


def test_the_set_has_a_third_fixer_requests_over_licensed_excerpts():
    assert len(ROWS) >= 60 and len({r["id"] for r in ROWS}) == len(ROWS)
    fixer = [r for r in ROWS if r["expect"] != "none"]
    assert {r["expect"] for r in ROWS} == {"ruff", "rename", "none"}
    assert abs(len(fixer) - len(ROWS) / 3) <= 1
    for row in ROWS:
        assert row["package"] and row["version"] and row["license"] and row["origin"], row["id"]
        project = bench.HELDOUT / "src" / row["source"]
        assert all((project / path).is_file() for path in row["files"]), row["id"]
        assert all(len(p.read_text().splitlines()) <= 100 for p in project.rglob("*.py")), row["source"]


def _judge(row, tmp_path):
    original = bench.run_check(row, bench.make_project(row, tmp_path / row["id"] / "original"))
    solved = bench.run_check(row, bench.make_project(row, tmp_path / row["id"] / "solved", solved=True))
    return row["id"], original, solved


def test_every_check_passes_on_its_solution_and_fails_on_the_original(tmp_path):
    with ThreadPoolExecutor(max_workers=2) as pool:
        judged = list(pool.map(lambda row: _judge(row, tmp_path), ROWS))
    passed_original = [name for name, (ok, _), _ in judged if ok]
    failed_solution = {name: tail for name, _, (ok, tail) in judged if not ok}
    assert not passed_original, f"checks that pass on the unedited excerpt: {passed_original}"
    assert not failed_solution, f"checks that fail on their solution: {failed_solution}"
