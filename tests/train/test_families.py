"""`vibecli train --model` for every family it knows, on tiny random models written to GGUF here:
llama.cpp computes the same logits as transformers from the file, applies the exported adapter
as transformers applies the trained one (names, shapes, llama's row order), and the adapter at
scale 0 changes nothing. A full fine-tune's GGUF model loads and computes the trained model's logits."""

from __future__ import annotations

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the train extra is not installed: pip install -e '.[train]'")
pytest.importorskip("peft")
llama_cpp = pytest.importorskip("llama_cpp")

from test_loop import rows  # noqa: E402
from tiny import FAMILIES, tiny_config, tiny_gguf, tiny_model, tiny_tokenizer  # noqa: E402
from vibecli.backends.adapter import check_adapter  # noqa: E402
from vibecli.models.gguf_info import read_gguf  # noqa: E402
from vibecli.train.loop import TrainConfig, train  # noqa: E402
from vibecli.train.models import FAMILIES as KNOWN  # noqa: E402
from vibecli.train.models import load_base  # noqa: E402

TEXT = "def encode(tokenizer, prompt, answer, copy_weight=0.3):\n    return prompt + answer"


def ids() -> list[int]:
    return [2] + tiny_tokenizer()(TEXT)["input_ids"][:20]  # longer than the sliding window (8)


def llama_logits(model_path, adapter=None, scale: float = 1.0) -> np.ndarray:
    llm = llama_cpp.Llama(str(model_path), n_ctx=64, n_threads=1, logits_all=True, verbose=False,
                          lora_path=str(adapter) if adapter else None, lora_scale=scale)
    tokens = ids()
    llm.eval(tokens)
    out = np.array(llm.scores[len(tokens) - 1])
    llm.close()
    return out


def hf_logits(model) -> np.ndarray:
    with torch.no_grad():
        return model(torch.tensor([ids()])).logits[0, -1].float().numpy()


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    folder = tmp_path_factory.mktemp("families")
    return folder, {family: tiny_gguf(family, folder) for family in FAMILIES}


@pytest.mark.parametrize("family", FAMILIES)
def test_llama_cpp_reads_the_written_model_as_transformers_computes_it(family, models, tmp_path):
    folder, files = models
    reference = hf_logits(tiny_model(family))
    assert np.abs(llama_logits(files[family]) - reference).max() < 1e-3
    assert read_gguf(files[family]).architecture == KNOWN[family].gguf_arch
    loaded, tokenizer = load_base(files[family], tmp_path / "cache", "cpu")  # the path `train --model` takes
    assert np.abs(hf_logits(loaded) - reference).max() < 1e-5
    # training sees the tokens llama.cpp will see
    vocab = llama_cpp.Llama(str(files[family]), vocab_only=True, verbose=False)
    text = TEXT + "\n\n\n  x = 'héllo'  # ünïcode 12345"
    assert tokenizer(text, add_special_tokens=False)["input_ids"] == vocab.tokenize(text.encode(), add_bos=False)
    vocab.close()


@pytest.mark.parametrize("family", FAMILIES)
def test_the_exported_adapter_moves_llama_cpp_as_training_moved_the_model(family, models, tmp_path):
    from peft import PeftModel

    folder, files = models
    out = tmp_path / "run"
    train(TrainConfig(base=files[family], rows=rows(), out=out, hf_cache=tmp_path / "cache", steps=3, batch=2, rank=4,
                      alpha=8, learning_rate=0.3, threads=1, checkpoint_every=0))
    adapter = out / "adapter.gguf"
    info = check_adapter(adapter, files[family])
    assert info.rank == 4 and info.alpha == 8 and info.tensors == 7 * tiny_config(family, 384).num_hidden_layers
    meta = read_gguf(adapter).metadata
    assert meta["general.architecture"] == KNOWN[family].gguf_arch and meta["adapter.lora.alpha"] == 8
    base, _ = load_base(files[family], tmp_path / "cache", "cpu")
    trained = PeftModel.from_pretrained(base, str(out / "checkpoint")).merge_and_unload()
    plain, moved = llama_logits(files[family]), hf_logits(trained)
    shift = np.abs(moved - plain).max()
    assert shift > 0.05  # training moved the model
    with_adapter = llama_logits(files[family], adapter)
    assert np.abs(with_adapter - moved).max() < 0.02 * shift + 1e-3  # float16 adapter matrices
    assert np.abs(llama_logits(files[family], adapter, scale=0.0) - plain).max() < 1e-6


def test_a_full_fine_tune_writes_a_gguf_model_with_the_trained_weights(models, tmp_path):
    from safetensors.torch import load_file

    folder, files = models
    out = tmp_path / "full"
    result = train(TrainConfig(base=files["llama"], rows=rows(), out=out, hf_cache=tmp_path / "cache", steps=3,
                               batch=2, learning_rate=0.01, full=True, threads=1, checkpoint_every=0))
    assert result.full and result.adapter == out / "model.gguf"
    trained, _ = load_base(files["llama"], tmp_path / "cache", "cpu")
    trained.load_state_dict(load_file(str(out / "checkpoint" / "model.safetensors")), strict=False)
    plain, moved = llama_logits(files["llama"]), hf_logits(trained)
    assert np.abs(moved - plain).max() > 0.05
    assert np.abs(llama_logits(result.adapter) - moved).max() < 0.02 * np.abs(moved - plain).max() + 1e-3
    assert json.loads((out / "train.json").read_text())["full"] is True
