"""Which paths vibecli may read and write: inside the work tree, never in .git, never through a link."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from vibecli.core import Refused


class Workspace:
    def __init__(self, root: Path):
        self.root = root.resolve()

    def user_path(self, given: str, cwd: Path) -> str:
        """A path the user named (relative to cwd, or absolute inside the root) -> repository-relative."""
        candidate = Path(given) if os.path.isabs(given) else cwd / given
        lexical = Path(os.path.normpath(candidate))
        try:
            rel = lexical.relative_to(self.root)
        except ValueError:
            raise Refused(f"{given}: outside the repository {self.root}") from None
        return self.checked(rel.as_posix(), shown=given)

    def checked(self, relpath: str, shown: str | None = None) -> str:
        """A repository-relative path that is safe to write; raises Refused otherwise.

        Model answers come through here too: they are not trusted (files can carry prompt injections).
        """
        shown = shown or relpath
        pure = PurePosixPath(relpath)
        if not relpath or not pure.parts or pure.is_absolute() or "\\" in relpath or ":" in pure.parts[0]:
            raise Refused(f"{shown}: not a path inside the repository")
        if any(part in ("..", "") for part in pure.parts):
            raise Refused(f"{shown}: leaves the repository")
        if any(part.lower() == ".git" for part in pure.parts):
            raise Refused(f"{shown}: inside .git; vibecli never writes there")
        current = self.root
        for part in pure.parts:
            current = current / part
            if current.is_symlink():
                raise Refused(f"{shown}: goes through a symbolic link; vibecli does not edit through links")
        if not current.resolve().is_relative_to(self.root):
            raise Refused(f"{shown}: leaves the repository")
        return pure.as_posix()

    def absolute(self, relpath: str) -> Path:
        return self.root / relpath
