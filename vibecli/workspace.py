"""Which paths vibecli may read and write: inside the work tree, never in .git, never through a link,
never a protected path the user did not name, never a name that another file's takes on a
case-insensitive file system."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path, PurePosixPath

from vibecli.core import Refused, UsageError
from vibecli.protected import is_dotgit, protected_by
from vibecli.settings import PROTECTED_PATHS


_DRIVE = re.compile(r"[A-Za-z]:")
"""`C:x` is a path on another drive on Windows (a name like `:(top)x` is a plain one: git reads it literally)."""


def _same(folder: Path, root: Path) -> bool:
    try:
        return folder.resolve() == root
    except OSError:
        return False


def _has_control(text: str) -> bool:
    return any(ord(c) < 32 or 127 <= ord(c) < 160 for c in text)


class Workspace:
    def __init__(self, root: Path, protected: tuple[str, ...] = PROTECTED_PATHS):
        self.root = root.resolve()
        self.protected = protected
        self.named: set[str] = set()
        """Repository-relative paths the user named for this run: protected ones among them may be written."""

    def user_path(self, given: str, cwd: Path, named: bool = True) -> str:
        """A path the user named (relative to cwd, or absolute inside the root) -> repository-relative.

        `named`: the user named it for this run (a protected path may then be written); False for
        paths found on their behalf (files a check's output points at)."""
        if "\0" in given:
            raise UsageError(f"{given!r}: a path with a NUL character")
        candidate = Path(given) if os.path.isabs(given) else cwd / given
        rel = self._below_root(Path(os.path.normpath(candidate)))
        if rel is None:
            raise Refused(f"{given}: outside the repository {self.root}")
        relpath = rel.as_posix()
        if named:
            self.named.add(relpath)
        return self.checked(relpath, shown=given)

    def _below_root(self, lexical: Path) -> Path | None:
        """The path relative to the root, also when it reaches the root through a link (`/tmp` on
        macOS, a linked home folder); links below the root are left for `checked` to refuse."""
        if lexical.is_relative_to(self.root):
            return lexical.relative_to(self.root)
        return next((lexical.relative_to(f) for f in lexical.parents if _same(f, self.root)), None)

    def checked(self, relpath: str, shown: str | None = None) -> str:
        """A repository-relative path that is safe to write; raises Refused otherwise.

        Model answers come through here too: they are not trusted (files can carry prompt injections).
        """
        shown = shown or relpath
        pure = PurePosixPath(relpath)
        if not relpath or not pure.parts or pure.is_absolute() or "\\" in relpath or _DRIVE.match(relpath):
            raise Refused(f"{shown!r}: not a path inside the repository")
        if _has_control(relpath):
            raise Refused(f"{shown!r}: a name with control characters; vibecli does not write such names")
        if any(part in ("..", "") for part in pure.parts):
            raise Refused(f"{shown}: leaves the repository")
        if any(is_dotgit(part) for part in pure.parts):
            raise Refused(f"{shown}: inside .git (or a name git takes for it); vibecli never writes there")
        pattern = protected_by(relpath, self.protected)
        if pattern is not None and pure.as_posix() not in self.named:
            raise Refused(f"{shown}: a protected path ({pattern}); vibecli writes it only when you name it "
                          "on the command line")
        try:
            self._walk(pure, shown)
        except OSError as exc:  # a name too long, a folder that cannot be read
            raise Refused(f"{shown}: not a path vibecli can write here: {exc.strerror}") from None
        return pure.as_posix()

    def _walk(self, pure: PurePosixPath, shown: str) -> None:
        current = self.root
        for part in pure.parts:
            self._no_case_twin(current, part, shown)
            current = current / part
            if current.is_symlink():
                raise Refused(f"{shown}: goes through a symbolic link; vibecli does not edit through links")
        if not current.resolve().is_relative_to(self.root):
            raise Refused(f"{shown}: leaves the repository")

    @staticmethod
    def _no_case_twin(folder: Path, name: str, shown: str) -> None:
        """A new name that differs from an existing one only by case or accents is the same file on
        macOS and Windows: writing it there would overwrite the other."""
        try:
            siblings = os.listdir(folder)
        except OSError:
            return  # a folder that does not exist yet has no files to collide with
        if name in siblings:
            return
        key = unicodedata.normalize("NFC", name).casefold()
        twin = next((s for s in siblings if unicodedata.normalize("NFC", s).casefold() == key), None)
        if twin is not None:
            raise Refused(f"{shown}: its name collides with {twin} on a case-insensitive file system")

    def absolute(self, relpath: str) -> Path:
        return self.root / relpath
