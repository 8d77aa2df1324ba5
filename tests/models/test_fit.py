"""The fit check: weights + KV cache at the context about to be loaded, against free memory."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from vibecli.models.fit import available_ram, check_fit, estimate, kv_cache_bytes
from vibecli.models.gguf_info import read_gguf
from vibecli.core import Refused

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from conftest import run_cli  # noqa: E402
from fakehub import make_gguf  # noqa: E402

GB = 1 << 30


def test_kv_cache_of_the_embedded_model_matches_llama_cpp(embedded_model):
    # llama.cpp (verbose load, n_ctx 2048) reports KV buffers of 6.00 + 30.00 MiB (SWA and full layers)
    assert kv_cache_bytes(read_gguf(embedded_model), 2048) == 36 << 20


def test_refuses_what_does_not_fit_and_says_what_to_do(embedded_model):
    info = read_gguf(embedded_model)
    assert check_fit(info, 4096, ram=8 * GB).ram == estimate(info, 4096).ram
    with pytest.raises(Refused) as refused:
        check_fit(info, 4096, ram=200 << 20)
    message = refused.value.message
    assert message.startswith("gemma-3-270m-q4_k_m.gguf needs about 0.")
    assert "at 4096 tokens of context), but 0.2 GiB is available" in message
    assert "smaller quantization" in message and "--no-fit-check" in message and "\n" not in message
    assert refused.value.exit_code == 5


def test_gpu_layers_move_the_need_to_the_gpu(embedded_model, monkeypatch, tmp_path):
    info = read_gguf(embedded_model)
    offloaded = check_fit(info, 4096, gpu_layers=-1, ram=1 * GB, vram=4 * GB)
    assert offloaded.vram > 0 and offloaded.ram < estimate(info, 4096).ram
    with pytest.raises(Refused, match="of GPU memory at 4096 tokens"):
        check_fit(info, 4096, gpu_layers=-1, ram=1 * GB, vram=10 << 20)
    monkeypatch.setenv("PATH", str(tmp_path))  # no nvidia-smi: free VRAM is unknown, and says so
    unknown = check_fit(info, 4096, gpu_layers=9, ram=1 * GB)
    assert unknown.notes == ["free GPU memory is not detectable here (no nvidia-smi): checked RAM only"]


def test_free_memory_is_read_on_this_machine():
    ram = available_ram()
    assert ram is not None and 0 < ram < 1 << 50


def test_edit_refuses_a_model_too_big_for_the_machine(repo, tmp_path, monkeypatch):
    monkeypatch.setenv("VIBECLI_NO_MODEL_LOCK", "1")
    huge = make_gguf(tmp_path / "huge-Q4_K_M.gguf", claimed_layers=50_000_000)
    result = run_cli("edit", "make greet return the text", "greet.py", "--model", str(huge))
    assert result.exit_code == 5
    assert result.stderr.startswith("vibecli: refused: huge-Q4_K_M.gguf needs about ")
    assert result.stderr.count("\n") == 1
    assert (repo / "greet.py").read_text().startswith("def greet(name):\n    print(")


def test_the_check_can_be_switched_off(tmp_path, vibecli_home):
    from vibecli.backends import make_backend
    from vibecli.settings import Settings

    huge = make_gguf(tmp_path / "huge.gguf", claimed_layers=50_000_000)
    checked = make_backend(Settings(model=str(huge)), vibecli_home / "cache")
    unchecked = make_backend(Settings(model=str(huge), fit_check=False), vibecli_home / "cache")
    with pytest.raises(Refused):
        checked._before_load(1024)
    assert unchecked._before_load is None
