"""The adapter that ships in the package: chosen by the `adapter` setting, valid for the embedded model."""

from __future__ import annotations

from pathlib import Path

import pytest

from vibecli.adapters import SHIPPED, chosen_adapter
from vibecli.settings import Settings


def test_unset_means_the_shipped_adapter_over_the_embedded_model_only():
    assert SHIPPED.is_file()
    assert chosen_adapter(None, embedded_model=True) == SHIPPED
    assert chosen_adapter(None, embedded_model=False) is None  # another model: the adapter would not fit
    assert chosen_adapter("", embedded_model=True) == SHIPPED  # VIBECLI_ADAPTER= (empty) unsets it
    assert chosen_adapter("none", embedded_model=True) is None
    assert chosen_adapter(" None ", embedded_model=True) is None
    assert chosen_adapter("~/a.gguf", embedded_model=False) == Path.home() / "a.gguf"


@pytest.mark.model
def test_the_shipped_adapter_fits_the_embedded_model_and_make_backend_applies_it(embedded_model, vibecli_home):
    from vibecli.backends import make_backend
    from vibecli.backends.adapter import check_adapter

    info = check_adapter(SHIPPED, embedded_model)  # a bad adapter would crash llama.cpp, not raise
    assert info.rank == 16 and info.tensors == 18 * 7
    # the test's own cache (its models folder links to the shared one): the model lock taken there is
    # held until this process ends, and in the shared folder it would stall every other test run
    cache = vibecli_home / "cache"
    default = make_backend(Settings(threads=2, prompt_cache_mb=0), cache)
    assert default.adapter == SHIPPED
    assert make_backend(Settings(adapter="none", prompt_cache_mb=0), cache).adapter is None
    assert make_backend(Settings(model=str(embedded_model), prompt_cache_mb=0), cache).adapter is None
    prompt = "### File: a.py\n```python\ndef add(a, b):\n    return a - b\n```\n### Request: fix add\n### Answer:\n"
    assert "".join(default.generate(prompt, max_tokens=8, temperature=0.0)).strip()


def test_train_eval_measures_a_new_adapter_against_the_one_in_effect(monkeypatch):
    from vibecli import paths
    from vibecli.cli.train import _incumbent

    assert _incumbent(None) == SHIPPED  # over the embedded model, the shipped adapter is what to beat
    assert _incumbent("other.gguf") is None  # over another model, the plain model
    config = paths.user_config_file()
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("adapter: none\n")
    assert _incumbent(None) is None
    monkeypatch.setenv("VIBECLI_ADAPTER", "/tmp/mine.gguf")
    assert _incumbent(None) == Path("/tmp/mine.gguf")
