"""`vibecli model bench` argument checks (the measurement itself needs the model: see benchmarks/)."""

from conftest import run_cli


def test_bench_refuses_sizes_out_of_range_with_exit_2():
    result = run_cli("model", "bench", "--prompt-tokens", "10", "--json")
    assert result.exit_code == 2
    assert result.json["status"] == "error" and "--prompt-tokens must be 64" in result.json["message"]
