"""Model backends and the one factory that picks among them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from vibecli.core import Backend, VibeError
from vibecli.settings import Settings, backend_settings


def make_backend(
    settings: Settings,
    cache_dir: Path,
    *,
    verbose: bool = False,
    assemble_progress: Callable[[int, int], None] | None = None,
    on_wait: Callable[[], None] | None = None,
    on_note: Callable[[str], None] | None = None,
) -> Backend:
    settings = backend_settings(settings)
    if settings.backend == "openai":
        from vibecli.backends.openai import OpenAIBackend, api_key_from

        return OpenAIBackend(
            settings.endpoint,
            model=settings.endpoint_model,
            api_key=api_key_from(settings.api_key_env),
            dialect=settings.endpoint_dialect,
            api=settings.endpoint_api,
            timeout=settings.endpoint_timeout,
            call_timeout=settings.call_timeout,
            retries=settings.endpoint_retries,
            seed=settings.seed,
            temperature=settings.temperature,
        )
    if settings.backend == "replay":
        from vibecli.backends.replay import ReplayBackend

        return ReplayBackend(Path(settings.replay_file).expanduser(), call_timeout=settings.call_timeout)
    from vibecli.backends.llama import LlamaCppBackend

    from vibecli.models import resolve_model

    model = resolve_model(settings, cache_dir, assemble_progress)
    from vibecli.adapters import chosen_adapter

    adapter = chosen_adapter(settings.adapter, model.embedded)
    if adapter is not None:
        from vibecli.backends.adapter import check_adapter

        adapter = check_adapter(adapter, model.path).path
    prompt_cache = prompt_cache_for(settings, cache_dir, model.sha256, adapter)
    return LlamaCppBackend(
        model.path,
        model_name=model.name,
        model_sha256=model.sha256,
        context_length=model.context_length,
        threads=settings.threads,
        gpu_layers=settings.gpu_layers,
        seed=settings.seed,
        temperature=settings.temperature,
        verbose=verbose,
        acquire=lambda: model_lock(cache_dir, on_wait),
        prompt_cache=prompt_cache,
        lookup=settings.lookup,
        before_load=_fit_check(model.path, settings, on_note),
        adapter=adapter,
        adapter_scale=settings.adapter_scale,
        probe_file=cache_dir / "lookup-exact.json",
        call_timeout=settings.call_timeout,
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


_held: list[int] = []
_held_dirs: set[Path] = set()


def model_lock(cache_dir: Path, on_wait: Callable[[], None] | None = None) -> None:
    """One llama.cpp process at a time: two on a small CPU thrash each other (10-20x slower).

    Held until the process exits; a second vibecli waits for it instead of fighting.
    """
    if os.environ.get("VIBECLI_NO_MODEL_LOCK") or cache_dir in _held_dirs:
        return  # a second backend in this process (train --eval: base, then adapter); flock would wait on itself
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(cache_dir / "model.lock", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise VibeError(f"cannot create the model lock in {cache_dir}: {exc.strerror}") from None
    if not _lock(fd, wait=False):
        if on_wait:
            on_wait()
        _lock(fd, wait=True)
    _held.append(fd)
    _held_dirs.add(cache_dir)


def _lock(fd: int, wait: bool) -> bool:
    """An exclusive lock on the open file: flock where there is one (POSIX), msvcrt's byte-range
    lock on Windows, which has no fcntl. False when another process holds it and `wait` is False."""
    try:
        import fcntl
    except ImportError:
        return _lock_windows(fd, wait)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    return True


def _lock_windows(fd: int, wait: bool) -> bool:
    import msvcrt
    import time

    while True:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            if not wait:
                return False
            time.sleep(0.2)
