"""Making the llama.cpp backend from the settings: the model resolved and checked, the adapter
chosen and checked, the prompt cache and the fit check. Imports llama.cpp only when it loads."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from vibecli.backends import model_lock
from vibecli.backends.llama import LlamaCppBackend
from vibecli.backends.registry import Wiring
from vibecli.settings import Settings


def make(settings: Settings, wiring: Wiring) -> LlamaCppBackend:
    from vibecli.adapters import chosen_adapter
    from vibecli.models import resolve_model

    cache_dir = wiring.cache_dir
    model = resolve_model(settings, cache_dir, wiring.assemble_progress)
    adapter = chosen_adapter(settings.adapter, model.embedded)
    if adapter is not None:
        from vibecli.backends.adapter import check_adapter

        adapter = check_adapter(adapter, model.path).path
    return LlamaCppBackend(
        model.path,
        model_name=model.name,
        model_sha256=model.sha256,
        context_length=model.context_length,
        threads=settings.threads,
        gpu_layers=settings.gpu_layers,
        seed=settings.seed,
        temperature=settings.temperature,
        verbose=wiring.verbose,
        acquire=lambda: model_lock(cache_dir, wiring.on_wait),
        prompt_cache=prompt_cache_for(settings, cache_dir, model.sha256, adapter),
        lookup=settings.lookup,
        before_load=_fit_check(model.path, settings, wiring.on_note),
        adapter=adapter,
        adapter_scale=settings.adapter_scale,
        probe_file=cache_dir / "lookup-exact.json",
        call_timeout=settings.call_timeout,
        embedded=model.embedded,
    )


def prompt_cache_for(settings: Settings, cache_dir: Path, model_sha256: str, adapter: Path | None):
    """The on-disk prompt cache of this model and adapter (the checked GGUF file); None when turned off."""
    if settings.prompt_cache_mb <= 0:
        return None
    from importlib.metadata import PackageNotFoundError, version

    from vibecli.backends.kv_cache import PromptCache, identity

    try:
        runtime = "llama-cpp-python " + version("llama_cpp_python")
    except PackageNotFoundError:
        runtime = "llama-cpp-python"
    key = identity(model_sha256, adapter, runtime, settings.adapter_scale)
    return PromptCache(cache_dir / "prompt-cache", key, settings.prompt_cache_mb << 20)


def _fit_check(path: Path, settings: Settings, on_note: Callable[[str], None] | None):
    if not settings.fit_check:
        return None
    from vibecli.models.fit import check_fit
    from vibecli.models.gguf_info import read_gguf

    info = read_gguf(path)

    def check(n_ctx: int) -> None:
        estimate = check_fit(info, n_ctx, settings.gpu_layers)
        for note in estimate.notes:
            if on_note:
                on_note(note)

    return check
