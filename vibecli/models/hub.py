"""Pulling a GGUF from the Hugging Face hub through `huggingface_hub` (imported lazily).

huggingface_hub does the talking to the hub (HF_ENDPOINT, HF_TOKEN, redirects, retries, resuming
a dropped connection with a Range request). vibecli keeps the partial file itself
(`FILE.part` next to where the model will live) so that a pull stopped by Ctrl-C, a reboot or a
lost network resumes where it stopped, hashes the bytes as they arrive, and checks the sha256 the
hub reports for the file (its LFS oid) and the GGUF header before the model is put in place.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from vibecli.core import VibeError

Progress = Callable[[int, int], None]
"""Called with (bytes on disk, bytes total) while a file downloads."""

_QUANT = re.compile(
    r"(?<![A-Za-z0-9])(IQ[1-4]_(?:XXS|XS|S|M|NL)|Q[2-8]_K(?:_[SML]|_XL)?|Q[4-8]_[01]|Q8_0|BF16|F16|F32|FP16)(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_SPLIT = re.compile(r"-\d{5}-of-(\d{5})\.gguf$", re.IGNORECASE)
# The usual advice for llama.cpp: Q4_K_M is the best size/quality trade; better ones when memory allows.
PREFERRED = ("Q4_K_M", "Q5_K_M", "Q4_K_S", "Q5_K_S", "Q6_K", "Q8_0", "Q4_0", "IQ4_XS", "IQ4_NL", "Q3_K_M", "Q3_K_L")
CHUNK = 1 << 20
HEADROOM = 0.6
"""A default quantization must leave room: its file may take at most this share of the available memory
(the rest is the KV cache, llama.cpp's buffers, and everything else the machine runs)."""


@dataclass(frozen=True)
class RemoteFile:
    name: str
    """Path of the file inside the repository."""
    size: int
    sha256: str | None
    """The LFS oid the hub reports: the sha256 of the whole file."""

    @property
    def quantization(self) -> str:
        return quantization_of(self.name)


@dataclass(frozen=True)
class Listing:
    repo: str
    commit: str
    files: list[RemoteFile]


def quantization_of(filename: str) -> str:
    match = _QUANT.search(Path(filename).name)
    return match.group(1).upper() if match else "?"


def local_dir(root: Path, repo: str) -> Path:
    return root / repo.replace("/", "--")


def list_gguf(repo: str, revision: str | None = None) -> Listing:
    """The GGUF files of a repository with their sizes and sha256, from the hub's model info."""
    from huggingface_hub import HfApi

    _check_repo_id(repo)
    try:
        info = HfApi(endpoint=endpoint()).model_info(repo, revision=revision, files_metadata=True)
    except Exception as exc:  # noqa: BLE001 - every hub failure becomes one line, by type
        raise hub_error(exc, repo) from None
    files = []
    for sibling in info.siblings or []:
        if not sibling.rfilename.lower().endswith(".gguf"):
            continue
        sha = sibling.lfs.sha256 if sibling.lfs is not None else None
        size = sibling.lfs.size if sibling.lfs is not None else sibling.size
        files.append(RemoteFile(sibling.rfilename, int(size or 0), sha))
    return Listing(repo, info.sha or revision or "main", sorted(files, key=lambda f: f.size))


def choose(listing: Listing, wanted: str | None, available: int | None) -> tuple[RemoteFile, str]:
    """The file to pull and why: the one named by --file, else a default for this machine's memory."""
    files = listing.files
    if not files:
        raise VibeError(f"{listing.repo} holds no .gguf file")
    if wanted:
        for f in files:
            if wanted in (f.name, Path(f.name).name):
                return f, "named by --file"
        names = ", ".join(Path(f.name).name for f in files[:12])
        raise VibeError(f"{listing.repo} has no file {wanted!r}; it has: {names}")
    whole = [f for f in files if not _SPLIT.search(f.name) or _SPLIT.search(f.name).group(1) == "00001"]
    if not whole:
        raise VibeError(f"{listing.repo} holds only split GGUF files, which vibecli cannot pull yet; name one with --file")
    if available is None:
        pick = _preferred(whole) or whole[0]
        return pick, f"{pick.quantization}: the usual choice (the machine's free memory is unknown)"
    budget = int(available * HEADROOM)
    fitting = [f for f in whole if f.size <= budget]
    if not fitting:
        smallest = whole[0]
        raise VibeError(
            f"no GGUF in {listing.repo} fits this machine: the smallest, {Path(smallest.name).name} "
            f"({human(smallest.size)}), is more than {int(HEADROOM * 100)}% of the {human(available)} of memory available; "
            "name one with --file to pull it anyway"
        )
    pick = _preferred(fitting)
    if pick is not None:
        return pick, (
            f"{pick.quantization} is the best-kept trade of size and quality that fits: "
            f"{human(pick.size)} of the {human(available)} of memory available"
        )
    pick = fitting[-1]
    return pick, f"the largest file that fits: {human(pick.size)} of the {human(available)} of memory available"


def _preferred(files: list[RemoteFile]) -> RemoteFile | None:
    for quant in PREFERRED:
        for f in files:
            if f.quantization == quant:
                return f
    return None


@dataclass(frozen=True)
class Pulled:
    path: Path
    repo: str
    file: str
    commit: str
    sha256: str
    size: int
    resumed_from: int
    seconds: float
    already: bool = False


def pull(listing: Listing, remote: RemoteFile, root: Path, progress: Progress | None = None) -> Pulled:
    """Download one file into `root`, resuming a partial one; checked by sha256 and GGUF header."""
    from huggingface_hub import constants, get_hf_file_metadata, hf_hub_url
    from huggingface_hub.file_download import http_get
    from huggingface_hub.utils import build_hf_headers, logging

    # its retries are reported by vibecli's one line when they fail, not as warnings on the way
    logging.set_verbosity_error()
    # http_get writes in chunks of this size: 1 MiB keeps the progress bar live, and at most
    # 1 MiB of received bytes is lost to an interruption (the library's default is 10 MiB)
    constants.DOWNLOAD_CHUNK_SIZE = CHUNK

    from vibecli.models.gguf_info import read_gguf

    if not remote.sha256:
        raise VibeError(
            f"the hub reports no sha256 for {remote.name} (not an LFS file), so it cannot be checked; not pulled"
        )
    folder = local_dir(root, listing.repo)
    target = folder / Path(remote.name).name
    record = target.with_name(target.name + ".json")
    if target.is_file() and _read_json(record).get("sha256") == remote.sha256:
        return Pulled(target, listing.repo, remote.name, listing.commit, remote.sha256, remote.size, 0, 0.0, already=True)
    partial = target.with_name(target.name + ".part")
    partial_record = target.with_name(target.name + ".part.json")
    started = time.perf_counter()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if _read_json(partial_record).get("sha256") != remote.sha256 or not partial.is_file() \
                or partial.stat().st_size > remote.size:
            partial.unlink(missing_ok=True)  # a partial of another version of the file is no use
            partial_record.write_text(json.dumps({"sha256": remote.sha256, "commit": listing.commit}))
        have = partial.stat().st_size if partial.is_file() else 0
        free = shutil.disk_usage(folder).free
        if remote.size - have > free:
            raise OSError(errno.ENOSPC, "No space left on device")
        url = hf_hub_url(listing.repo, remote.name, revision=listing.commit, endpoint=endpoint())
        meta = get_hf_file_metadata(url, endpoint=endpoint())
        if meta.size is not None and meta.size != remote.size:
            raise VibeError(f"the hub reports two sizes for {remote.name} ({meta.size} and {remote.size}); not pulled")
        headers = build_hf_headers()
        location = meta.location or url
        if _host(location) != _host(url):
            headers.pop("authorization", None)  # a signed CDN link: the token stays with the hub
        with partial.open("ab") as handle:
            sink = _HashingSink(handle, partial, remote.size, progress)
            http_get(location, sink, resume_size=have, headers=headers, expected_size=remote.size, tqdm_class=_NoBar)
        if sink.hexdigest() != remote.sha256:
            _discard(partial, partial_record)
            raise VibeError(
                f"{remote.name}: sha256 {sink.hexdigest()[:16]}... does not match the hub's {remote.sha256[:16]}...; "
                "the file was not kept"
            )
        try:
            read_gguf(partial)
        except VibeError as exc:
            _discard(partial, partial_record)
            reason = exc.message.replace(str(partial), remote.name)
            raise VibeError(f"{reason}; not a model llama.cpp can load, the file was not kept") from None
        os.replace(partial, target)
        partial_record.unlink(missing_ok=True)
        record.write_text(json.dumps({
            "repo": listing.repo, "file": remote.name, "commit": listing.commit, "sha256": remote.sha256,
            "size": remote.size, "pulled_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }, indent=1))
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
            _discard(partial, partial_record)
            raise VibeError(
                f"not enough disk space in {folder} for {Path(remote.name).name} ({human(remote.size)}); "
                "the partial file was removed"
            ) from None
        if isinstance(exc, VibeError):
            raise
        raise hub_error(exc, listing.repo, remote.name) from None
    except Exception as exc:  # noqa: BLE001 - hub and network failures become one line, by type
        if isinstance(exc, VibeError):
            raise
        raise hub_error(exc, listing.repo, remote.name) from None
    return Pulled(target, listing.repo, remote.name, listing.commit, remote.sha256, remote.size, have,
                  time.perf_counter() - started)


class _HashingSink:
    """The file http_get writes to: hashes and reports the bytes as they arrive, after those already there."""

    def __init__(self, handle, path: Path, total: int, progress: Progress | None):
        self.handle, self.total, self.progress = handle, total, progress
        self.digest = hashlib.sha256()
        self.done = 0
        with path.open("rb") as existing:
            while block := existing.read(4 << 20):
                self.digest.update(block)
                self.done += len(block)
        self._report()

    def write(self, data: bytes) -> int:
        self.handle.write(data)
        self.digest.update(data)
        self.done += len(data)
        self._report()
        return len(data)

    def tell(self) -> int:
        return self.handle.tell()

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.handle.seek(offset, whence)

    def truncate(self, size: int | None = None) -> int:
        # the server ignored our Range and sends the whole file again: start the hash over
        result = self.handle.truncate(size)
        self.digest, self.done = hashlib.sha256(), self.handle.tell()
        return result

    def hexdigest(self) -> str:
        return self.digest.hexdigest()

    def _report(self) -> None:
        if self.progress:
            self.progress(self.done, self.total)


class _NoBar:
    """huggingface_hub's own tqdm bar, switched off: vibecli draws its own."""

    def __init__(self, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass

    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def _discard(*files: Path) -> None:
    for path in files:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).netloc


def _check_repo_id(repo: str) -> None:
    if not re.fullmatch(r"[A-Za-z0-9][\w.-]*/[\w.-]+", repo):
        raise VibeError(f"not a hub repository id: {repo!r} (expected OWNER/NAME, for example Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF)")


def endpoint() -> str:
    """HF_ENDPOINT as it is now (huggingface_hub reads it once, at import)."""
    from huggingface_hub import constants

    return os.environ.get("HF_ENDPOINT", "").rstrip("/") or constants.ENDPOINT


def hub_error(exc: Exception, repo: str, filename: str | None = None) -> VibeError:
    """One line for a failure of the hub or of the network."""
    from huggingface_hub import errors

    where = endpoint()
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    if isinstance(exc, errors.GatedRepoError):
        return VibeError(f"{repo} is gated: accept its terms on the hub, then set HF_TOKEN (HTTP {status})")
    if status == 401 or status == 403:
        return VibeError(f"not authorized for {repo} at {where} (HTTP {status}): set HF_TOKEN to a token that can read it")
    if isinstance(exc, errors.RevisionNotFoundError):
        return VibeError(f"{repo} has no such revision at {where}")
    if isinstance(exc, errors.RemoteEntryNotFoundError):
        return VibeError(f"{repo} has no file {filename!r} at {where} (HTTP 404)")
    if isinstance(exc, errors.RepositoryNotFoundError) or status == 404:
        return VibeError(f"no repository {repo} at {where} (HTTP {status or 404}); check the name")
    if status is not None:
        return VibeError(f"the hub at {where} answered HTTP {status} for {repo}; try again later")
    if isinstance(exc, errors.OfflineModeIsEnabled):
        return VibeError("HF_HUB_OFFLINE is set: vibecli cannot pull while huggingface_hub is offline")
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if "Consistency check failed" in text:
        return VibeError(f"the download of {filename} ended early ({text}); run the same command to resume")
    return VibeError(f"cannot reach the hub at {where}: {text}")


def human(size: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} GB"
