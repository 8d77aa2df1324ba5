"""Reading files as text for the model, and writing them back atomically and faithfully."""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from vibecli.core import VibeError

_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class SourceFile:
    """A text file as the model sees it: `text` always has `\\n` line endings."""

    relpath: str
    path: Path
    text: str
    newline: str
    bom: bool
    mode: int | None
    digest: str
    """sha256 of the bytes on disk when read; None-file (new) has ''."""

    @property
    def exists(self) -> bool:
        return self.mode is not None

    def encode(self, text: str) -> bytes:
        body = text.replace("\n", self.newline) if self.newline != "\n" else text
        return (_BOM if self.bom else b"") + body.encode("utf-8")


def read_source(path: Path, relpath: str, max_bytes: int) -> SourceFile:
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            raise VibeError(f"{relpath}: not a regular file")
        if st.st_size > max_bytes:
            raise VibeError(f"{relpath}: {st.st_size} bytes is over the limit of {max_bytes} (max_file_bytes)")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise VibeError(f"{relpath}: no such file") from None
    except OSError as exc:
        raise VibeError(f"{relpath}: cannot read: {exc.strerror}") from None
    if b"\0" in raw:
        raise VibeError(f"{relpath}: looks binary (has NUL bytes); vibecli edits text files only")
    bom = raw.startswith(_BOM)
    try:
        text = raw[len(_BOM) if bom else 0 :].decode("utf-8")
    except UnicodeDecodeError:
        raise VibeError(f"{relpath}: not UTF-8 text; vibecli edits UTF-8 files only") from None
    crlf = text.count("\r\n")
    # Only a file that uses CRLF throughout is converted; a mixed one is kept byte for byte.
    newline = "\r\n" if crlf and crlf == text.count("\n") else "\n"
    return SourceFile(
        relpath=relpath,
        path=path,
        text=text.replace("\r\n", "\n") if newline == "\r\n" else text,
        newline=newline,
        bom=bom,
        mode=stat.S_IMODE(st.st_mode),
        digest=hashlib.sha256(raw).hexdigest(),
    )


def new_source(path: Path, relpath: str) -> SourceFile:
    return SourceFile(relpath=relpath, path=path, text="", newline="\n", bom=False, mode=None, digest="")


def unchanged_on_disk(source: SourceFile) -> bool:
    try:
        raw = source.path.read_bytes()
    except FileNotFoundError:
        return not source.exists
    except OSError:
        return False
    return source.exists and hashlib.sha256(raw).hexdigest() == source.digest


def write_atomic(source: SourceFile, text: str) -> None:
    """Temp file in the same folder, fsync, rename: a reader sees the old file or the new one."""
    data = source.encode(text)
    folder = source.path.parent
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{source.path.name}.", suffix=".vibecli")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, source.mode if source.mode is not None else 0o666 & ~_umask())
        os.replace(tmp, source.path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
