"""Where synthetic tasks come from: folders, installed packages and downloaded wheels or sdists,
each with its package name, version and licence as its own metadata states them.

Only permissive licences are used (PERMISSIVE); a package whose metadata names any other licence
(MPL, LGPL, GPL, ...), even beside a permissive one, is left out whole, and so is one whose
licence cannot be read. Archives are read in memory: nothing is unpacked, installed or run.
"""

from __future__ import annotations

import email
import re
import sysconfig
import tarfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

PERMISSIVE = frozenset({"MIT", "MIT-0", "BSD-2-Clause", "BSD-3-Clause", "BSD", "0BSD", "Apache-2.0", "PSF-2.0",
                        "ISC", "Unlicense", "Zlib"})
"""MPL-2.0 is weak copyleft (changed files stay MPL), so it is not here; "BSD" is the trove
classifier's "BSD License", which does not say which clauses."""

SKIP_PARTS = frozenset({"_vendor", "vendor", "vendored", "site-packages", "node_modules", "__pycache__", ".git",
                        "idlelib", "lib2to3", "build", "docs", "doc", "examples", "benchmarks"})
"""Vendored copies would repeat another package's code under this one's licence and name."""
TEST_PARTS = frozenset({"test", "tests", "testing"})
MAX_FILE_BYTES = 400_000
CODE_SUFFIXES = (".py", ".js", ".ts", ".go", ".rs", ".java", ".c", ".cc", ".cpp", ".h")

# SPDX ids from the free-text `License` field and trove classifiers
_NAMES = [
    (r"\bmit-0\b", "MIT-0"), (r"\b(mit|expat)\b", "MIT"), (r"\b0bsd\b", "0BSD"),
    (r"bsd[- ]?3|3[- ]clause|new bsd|modified bsd", "BSD-3-Clause"), (r"bsd[- ]?2|2[- ]clause|simplified bsd", "BSD-2-Clause"),
    (r"\bbsd\b", "BSD"), (r"apache", "Apache-2.0"), (r"\bpsf|python software foundation", "PSF-2.0"),
    (r"\bisc\b", "ISC"), (r"unlicense", "Unlicense"), (r"\bzlib\b", "Zlib"),
    (r"\blgpl|lesser general public", "LGPL"), (r"\bagpl|affero", "AGPL"), (r"\bgpl\b|general public license", "GPL"),
    (r"\bmpl\b|mozilla public", "MPL-2.0"), (r"public domain", "Public-Domain"), (r"\bepl\b|eclipse public", "EPL"),
]
# licence texts (a LICENSE file, or a whole text pasted into the `License` field)
_TEXTS = [
    ("Permission is hereby granted, free of charge", "MIT"),
    ("Apache License", "Apache-2.0"),
    ("Permission to use, copy, modify, and/or distribute this software for any", "ISC"),
    ("This is free and unencumbered software released into the public domain", "Unlicense"),
    ("GNU LESSER GENERAL PUBLIC LICENSE", "LGPL"),
    ("GNU GENERAL PUBLIC LICENSE", "GPL"),
    ("Mozilla Public License", "MPL-2.0"),
    ("PYTHON SOFTWARE FOUNDATION LICENSE", "PSF-2.0"),
]


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    licence: str
    """An SPDX-like id or expression, as read: `MIT`, `Apache-2.0 OR BSD-2-Clause`, `unknown`."""
    licence_from: str
    """Which field said so: License-Expression, License, Classifier, LICENSE file, stdlib."""

    @property
    def permissive(self) -> bool:
        return licence_permissive(self.licence)


@dataclass
class Source:
    package: Package
    origin: str
    files: list[tuple[str, str]] = field(default_factory=list)
    """(path inside the source, text) of each code file, tests left out."""
    tests: list[tuple[str, str]] = field(default_factory=list)


def licence_permissive(expression: str) -> bool:
    """`A OR B` is usable when one side is; `A AND B` (and `A, B`) only when all are."""
    expression = expression.strip()
    if not expression or expression == "unknown":
        return False
    alternatives = re.split(r"\s+OR\s+", expression.strip("()"))
    return any(all(part.strip("() ") in PERMISSIVE for part in re.split(r"\s+AND\s+|,\s*", alt)) for alt in alternatives)


def licence_from_text(text: str) -> str | None:
    if "Redistribution and use in source and binary forms" in text:
        return "BSD-3-Clause" if re.search(r"Neither the name|names of its\s+contributors", text) else "BSD-2-Clause"
    for needle, spdx in _TEXTS:
        if needle.lower() in text.lower():
            return spdx
    return None


def _names_in(text: str) -> list[str]:
    low = text.lower()
    found = []
    for pattern, spdx in _NAMES:
        if re.search(pattern, low):
            found.append(spdx)
            if spdx in ("LGPL", "AGPL"):
                break  # "lesser general public license" also matches GPL's pattern
    if "BSD-3-Clause" in found or "BSD-2-Clause" in found or "0BSD" in found:
        found = [f for f in found if f != "BSD"]
    return found


def licence_of(metadata: email.message.Message, licence_file: str | None = None) -> tuple[str, str]:
    """(licence, where it was read) from core metadata: License-Expression wins; else the License
    field and the trove classifiers together (any non-permissive one among them decides); else a
    LICENSE file's text."""
    expression = (metadata.get("License-Expression") or "").strip()
    if expression:
        return expression, "License-Expression"
    field_text = (metadata.get("License") or "").strip()
    found: list[str] = []
    where = []
    if field_text and field_text.upper() not in ("UNKNOWN", "NONE"):
        from_text = licence_from_text(field_text) if "\n" in field_text or len(field_text) > 80 else None
        names = [from_text] if from_text else _names_in(field_text)
        if names:
            found += names
            where.append("License")
    classifiers = [c for c in metadata.get_all("Classifier") or [] if c.startswith("License ::")]
    for classifier in classifiers:
        names = _names_in(classifier.split("::")[-1])
        found += [n for n in names if n not in found]
        if names and "Classifier" not in where:
            where.append("Classifier")
    if found:
        return " AND ".join(dict.fromkeys(found)), "+".join(where)
    if licence_file:
        spdx = licence_from_text(licence_file)
        if spdx:
            return spdx, "LICENSE file"
    return "unknown", "none"


def _split_code(source: Source, entries: list[tuple[str, bytes]]) -> Source:
    for relpath, data in sorted(entries):
        parts = PurePosixPath(relpath).parts
        if not relpath.endswith(CODE_SUFFIXES) or len(data) > MAX_FILE_BYTES or any(p in SKIP_PARTS for p in parts):
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        name = parts[-1]
        if any(p in TEST_PARTS for p in parts[:-1]) or name.startswith("test_") or name.endswith("_test.py"):
            if name != "__init__.py" and name != "conftest.py":
                source.tests.append((relpath, text))
        else:
            source.files.append((relpath, text))
    return source


def _archive_entries(path: Path) -> list[tuple[str, bytes]]:
    if path.name.endswith((".whl", ".zip")):
        with zipfile.ZipFile(path) as archive:
            return [(i.filename, archive.read(i)) for i in archive.infolist() if not i.is_dir() and i.file_size <= MAX_FILE_BYTES * 4]
    with tarfile.open(path) as archive:
        out = []
        for member in archive.getmembers():
            if member.isfile() and member.size <= MAX_FILE_BYTES * 4:
                handle = archive.extractfile(member)
                if handle is not None:
                    out.append((member.name, handle.read()))
        return out


def _metadata_of(entries: list[tuple[str, bytes]]) -> tuple[email.message.Message, str | None]:
    """The archive's own core metadata (a wheel's METADATA, an sdist's top PKG-INFO) and its licence file."""
    meta = next((d for n, d in entries if re.fullmatch(r"[^/]+\.dist-info/METADATA", n)), None)
    if meta is None:
        meta = next((d for n, d in entries if re.fullmatch(r"[^/]+/PKG-INFO", n)), b"")
    licence = next((d for n, d in entries if re.search(r"(^|/)(LICEN[CS]E|COPYING)[^/]*$", n, re.I)
                    and n.count("/") <= 3), None)
    return email.message_from_bytes(meta), licence.decode("utf-8", "replace") if licence else None


def from_archive(path: Path) -> Source:
    entries = _archive_entries(path)
    metadata, licence_file = _metadata_of(entries)
    licence, where = licence_of(metadata, licence_file)
    name = metadata.get("Name") or path.name.split("-")[0]
    package = Package(name, metadata.get("Version") or "unknown", licence, where)
    # an sdist's paths start with name-version/: strip it so paths read as in the package
    stripped = []
    for relpath, data in entries:
        if not path.name.endswith(".whl") and "/" in relpath:
            relpath = relpath.split("/", 1)[1]
        if ".dist-info/" in relpath or ".egg-info/" in relpath:
            continue
        stripped.append((relpath, data))
    return _split_code(Source(package, str(path)), stripped)


def _stdlib() -> Path:
    return Path(sysconfig.get_paths()["stdlib"]).resolve()


def from_folder(root: Path) -> Source:
    root = root.resolve()
    if root == _stdlib() or _stdlib() in root.parents:
        import platform

        package = Package("stdlib", platform.python_version(), "PSF-2.0", "stdlib")
    else:
        package = _folder_package(root)
    entries = []
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())
    for path in files:
        relpath = path.name if path == root else path.relative_to(root).as_posix()
        if relpath.endswith(CODE_SUFFIXES):
            try:
                entries.append((relpath, path.read_bytes()))
            except OSError:
                continue
    return _split_code(Source(package, str(root)), entries)


def _folder_package(root: Path) -> Package:
    """A checkout or unpacked package: its PKG-INFO/METADATA if any, else its LICENSE file."""
    folder = root if root.is_dir() else root.parent
    for candidate in [folder, *folder.parents][:3]:
        for meta_name in ("PKG-INFO", "METADATA"):
            meta = candidate / meta_name
            if meta.is_file():
                metadata = email.message_from_string(meta.read_text(encoding="utf-8", errors="replace"))
                licence, where = licence_of(metadata, _licence_file(candidate))
                return Package(metadata.get("Name") or folder.name, metadata.get("Version") or "unknown", licence, where)
        text = _licence_file(candidate)
        if text:
            spdx = licence_from_text(text)
            return Package(folder.name, "unknown", spdx or "unknown", "LICENSE file")
    return Package(folder.name, "unknown", "unknown", "none")


def _licence_file(folder: Path) -> str | None:
    for path in sorted(folder.glob("*")):
        if re.fullmatch(r"(LICEN[CS]E|COPYING)(\.\w+)?", path.name, re.I) and path.is_file():
            return path.read_text(encoding="utf-8", errors="replace")
    return None


def from_installed(name: str) -> Source:
    from importlib import metadata as importlib_metadata

    dist = importlib_metadata.distribution(name)
    licence_text = None
    for file in dist.files or []:
        if re.search(r"(LICEN[CS]E|COPYING)", file.name, re.I):
            try:
                licence_text = file.read_text()
            except OSError:
                pass
            break
    licence, where = licence_of(dist.metadata, licence_text)  # type: ignore[arg-type]
    package = Package(dist.metadata["Name"], dist.version, licence, where)
    entries = []
    for file in dist.files or []:
        relpath = file.as_posix()
        if relpath.endswith(CODE_SUFFIXES) and not relpath.startswith(".."):
            try:
                entries.append((relpath, Path(str(file.locate())).read_bytes()))
            except OSError:
                continue
    return _split_code(Source(package, f"installed:{name}"), entries)


def open_source(spec: str) -> Source:
    """A folder or file, an archive (.whl, .tar.gz, .zip), or the name of an installed package."""
    from vibecli.core import VibeError

    path = Path(spec).expanduser()
    try:
        if path.is_file() and path.name.endswith((".whl", ".tar.gz", ".tgz", ".zip")):
            return from_archive(path)
        if path.exists():
            return from_folder(path)
    except (OSError, zipfile.BadZipFile, tarfile.TarError) as exc:
        raise VibeError(f"--from {spec}: cannot read it: {exc}") from None
    try:
        return from_installed(spec)
    except Exception as exc:  # importlib.metadata raises PackageNotFoundError, a ModuleNotFoundError
        if type(exc).__name__ != "PackageNotFoundError":
            raise
        raise VibeError(f"--from {spec}: no such file, folder or installed package") from None


def census(packages: list[Package], used: dict[str, int] | None = None) -> str:
    """The licence census as lines: each licence, its packages, and what was left out."""
    by_licence: dict[str, list[Package]] = {}
    for package in packages:
        by_licence.setdefault(package.licence, []).append(package)
    lines = []
    for licence, members in sorted(by_licence.items(), key=lambda kv: (not licence_permissive(kv[0]), kv[0])):
        verdict = "used" if licence_permissive(licence) else "LEFT OUT"
        names = ", ".join(f"{p.name} {p.version}" + (f" ({used.get(p.name, 0)})" if used is not None and p.permissive else "")
                          for p in members)
        lines.append(f"{licence} [{verdict}]: {len(members)} package(s): {names}")
    return "\n".join(lines)
