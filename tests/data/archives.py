"""Tiny wheels and sdists, built in the test: the layouts pip downloads, no network."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

CODE = 'def area(width, height):\n    """Return the area."""\n    return width * height\n'


def _metadata(name: str, version: str, **fields: str | list[str]) -> str:
    lines = ["Metadata-Version: 2.4", f"Name: {name}", f"Version: {version}"]
    for key, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            lines.append(f"{key.replace('_', '-')}: {item}")
    return "\n".join(lines) + "\n\n"


def make_wheel(folder: Path, name: str, version: str, files: dict[str, str] | None = None, **fields) -> Path:
    path = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for relpath, text in (files or {f"{name}/geometry.py": CODE}).items():
            archive.writestr(relpath, text)
        archive.writestr(f"{name}-{version}.dist-info/METADATA", _metadata(name, version, **fields))
    return path


def make_sdist(folder: Path, name: str, version: str, files: dict[str, str], **fields) -> Path:
    path = folder / f"{name}-{version}.tar.gz"
    entries = {f"{name}-{version}/PKG-INFO": _metadata(name, version, **fields),
               **{f"{name}-{version}/{p}": t for p, t in files.items()}}
    with tarfile.open(path, "w:gz") as archive:
        for relpath, text in entries.items():
            data = text.encode()
            info = tarfile.TarInfo(relpath)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path
