"""Names that make something run: git's own folder in every spelling git itself refuses, and the
protected paths (`settings.protected_paths`).

Another file system may take a name for a different one: NTFS drops trailing dots and spaces and
reads `name:stream` as `name`, and has 8.3 short names (`GIT~1`); HFS+ ignores some Unicode code
points (U+200C...) and case; macOS composes accents. The rules follow git's `is_ntfs_dotgit`,
`is_ntfs_dot_generic` and `is_hfs_dotgit` (git/path.c, git/utf8.c): a name any of them could take
for a protected one is protected.
"""

from __future__ import annotations

import unicodedata
from fnmatch import fnmatchcase
from pathlib import PurePosixPath

# code points HFS+ ignores in names (git's is_hfs_dotgit skips the same ones)
_HFS_IGNORABLE = frozenset(
    [0x200C, 0x200D, 0x200E, 0x200F, 0xFEFF, *range(0x202A, 0x202F), *range(0x206A, 0x2070)]
)
# NTFS 8.3 fall-back short names git computes for its own dot files (is_ntfs_dot_generic's callers)
_SHORT_PREFIXES = {".gitmodules": "gi7eba", ".gitattributes": "gi7d29", ".gitignore": "gi250a", ".mailmap": "maba30"}


def _drop_ignorable(name: str) -> str:
    return "".join(c for c in name if ord(c) not in _HFS_IGNORABLE)


def _only_dots_and_spaces(rest: str) -> bool:
    """NTFS reads `name. .` and `name:stream` as `name`."""
    return rest.split(":", 1)[0].strip(" .") == ""


def is_dotgit(component: str) -> bool:
    """`.git` as some file system could read it: `.GIT`, `.git.`, `.git `, `.git::$INDEX_ALLOCATION`,
    `git~1`, `.g\\u200cit`."""
    name = _drop_ignorable(component).lower()
    for spelling in (".git", "git~1"):
        if name.startswith(spelling) and _only_dots_and_spaces(name[len(spelling):]):
            return True
    return False


def _is_short_name(component: str, dotname: str, prefix: str) -> bool:
    """An NTFS 8.3 name for `dotname` (`.gitmodules`): `GITMOD~1` ... `~4`, or the fall-back
    `GI7EBA~N` (up to six characters of a hash, `~`, then digits, eight characters in all)."""
    name, bare = component.lower(), dotname[1:]
    if name[:6] == bare[:6] and name[6:7] == "~" and name[7:8] in ("1", "2", "3", "4"):
        return _only_dots_and_spaces(name[8:])
    if len(name) < 8:
        return False
    tilde = name.find("~", 0, 7)
    if tilde < 0 or name[:tilde] != prefix[:tilde] or name[tilde + 1] not in "123456789":
        return False
    digits = name[tilde + 2 : 8]
    return (digits == "" or digits.isdigit()) and _only_dots_and_spaces(name[8:])


def normal_name(component: str) -> str:
    """A name as the strictest file system compares it: ignorable code points dropped, an NTFS
    stream and trailing dots and spaces cut, accents composed, case folded."""
    name = _drop_ignorable(component).split(":", 1)[0].rstrip(" .")
    return unicodedata.normalize("NFC", name).casefold()


def _matches(parts: list[str], pattern: list[str]) -> bool:
    """`pattern` matches the whole path or a folder it is in (`**`: any number of folders)."""
    if not pattern:
        return True
    if pattern[0] == "**":
        return any(_matches(parts[i:], pattern[1:]) for i in range(len(parts) + 1))
    return bool(parts) and fnmatchcase(parts[0], pattern[0]) and _matches(parts[1:], pattern[1:])


def protected_by(relpath: str, patterns: tuple[str, ...] | list[str]) -> str | None:
    """The first pattern that protects this repository-relative path, or None.

    A pattern without `/` is a name at any depth (and everything in a folder of that name);
    one with `/` is anchored at the repository's root."""
    raw = list(PurePosixPath(relpath).parts)
    parts = [normal_name(p) for p in raw]
    for pattern in patterns:
        cleaned = pattern.strip().strip("/")
        if not cleaned:
            continue
        if "/" not in cleaned:
            folded = normal_name(cleaned)
            if any(fnmatchcase(part, folded) for part in parts):
                return pattern
            prefix = _SHORT_PREFIXES.get(folded)
            if prefix and any(_is_short_name(part, folded, prefix) for part in raw):
                return pattern
        elif _matches(parts, [p if p == "**" else normal_name(p) for p in cleaned.split("/")]):
            return pattern
    return None
