"""A model file's sha256, computed once per file version."""

from __future__ import annotations

import hashlib
from pathlib import Path


def file_sha256(path: Path, cache_dir: Path) -> str:
    """sha256 of a model file, remembered by path, size and mtime so it is computed once."""
    st = path.stat()
    key = hashlib.sha256(f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}".encode()).hexdigest()[:32]
    memo = cache_dir / "sha256" / key
    try:
        return memo.read_text().strip()
    except OSError:
        pass
    digest = hashlib.sha256()
    with path.open("rb") as src:
        while block := src.read(4 << 20):
            digest.update(block)
    try:
        memo.parent.mkdir(parents=True, exist_ok=True)
        memo.write_text(digest.hexdigest())
    except OSError:
        pass
    return digest.hexdigest()
