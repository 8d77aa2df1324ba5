"""Fixers: exact tools (ruff's own fixes, a scope-aware rename) that carry out some requests by
construction, so that the model is asked only for what only a model can do.

A request goes to the router (`router.route`), which names a fixer and its arguments or declines;
the fixer turns the files into a `Candidate` (the new texts of the files it changes), and
`candidate.changes` validates that the way a model's answer is validated before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Route:
    """A fixer and its arguments, as the router chose them."""

    name: str
    """`ruff` or `rename`."""
    args: dict = field(default_factory=dict)
    """ruff: `codes` (rule codes; empty: the project's own selection), `symbols` and `lines` (the
    request's scope), `own` (in `vibecli fix`: findings vibecli's exact fixes took where ruff has
    none, by rule); rename: `old`, `new`."""

    def to_json(self) -> dict:
        return {"name": self.name, "args": {k: list(v) if isinstance(v, tuple) else v for k, v in self.args.items()}}


@dataclass(frozen=True)
class Candidate:
    """What a fixer made: the resulting text of every file it changes (repository-relative paths)."""

    route: Route
    texts: dict[str, str]
    dropped: int = 0
    """Changes left out because they lay outside the request's scope."""
