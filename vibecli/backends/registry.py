"""The backends vibecli can make, by name. (The models it knows are `vibecli.models.catalog`.)

A backend is one module with a factory, `make(settings, wiring) -> Backend`, and one entry here
(or one `register` call, as a test or a plugin makes). `--backend NAME`, `backend: NAME`, a
profile's `type: NAME`, trust's notion of a local backend and the unknown-backend error all read
this registry. A factory is named "module:function" and imported only when its backend is made,
so the registry costs nothing at start-up.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Union

if TYPE_CHECKING:
    from vibecli.core import Backend
    from vibecli.settings import Settings


class Wiring:
    """What a factory may need besides the settings: where the caches live and how to talk to the user.

    A plain class, not a dataclass: this module is imported on every start-up that checks a
    backend's name (the pre-commit fast path among them), and a dataclass costs ~1 ms to make.
    """

    __slots__ = ("cache_dir", "verbose", "assemble_progress", "on_wait", "on_note")

    def __init__(self, cache_dir: Path, verbose: bool = False,
                 assemble_progress: Callable[[int, int], None] | None = None,
                 on_wait: Callable[[], None] | None = None, on_note: Callable[[str], None] | None = None):
        self.cache_dir = cache_dir
        self.verbose = verbose
        self.assemble_progress = assemble_progress
        """Called with (bytes done, bytes total) while the embedded model is assembled."""
        self.on_wait = on_wait
        """Called once when another process holds the model and this one waits for it."""
        self.on_note = on_note
        """A line for the user (the fit check's warnings)."""


Factory = Callable[["Settings", Wiring], "Backend"]


class BackendKind:
    __slots__ = ("name", "factory", "local", "needs")

    def __init__(self, name: str, factory: Union[Factory, str], local: bool = False,
                 needs: tuple[tuple[str, str], ...] = ()):
        self.name = name
        self.factory = factory
        """The function that makes one from the settings, or its "module:function" name."""
        self.local = local
        """It runs on this machine: choosing it sends nothing over the network (see `trust`)."""
        self.needs = needs
        """(setting, how to give it) that must be set for it, checked when the settings load."""

    def __repr__(self) -> str:
        return f"BackendKind({self.name!r}, {self.factory!r}, local={self.local})"

    def make(self, settings: "Settings", wiring: Wiring) -> Backend:
        factory = self.factory
        if isinstance(factory, str):
            module, _, function = factory.partition(":")
            factory = getattr(importlib.import_module(module), function)
        return factory(settings, wiring)

    def missing(self, settings: "Settings") -> str | None:
        """How to give the first setting it needs that is not set; None when nothing is missing."""
        for key, how in self.needs:
            if not getattr(settings, key):
                return how
        return None


_KINDS: dict[str, BackendKind] = {}


def register(name: str, factory: Union[Factory, str], *, local: bool = False,
             needs: tuple[tuple[str, str], ...] = ()) -> BackendKind:
    """Make a backend known by `name` (a later registration of the same name replaces it)."""
    kind = BackendKind(name, factory, local, needs)
    _KINDS[name] = kind
    return kind


def unregister(name: str) -> None:
    _KINDS.pop(name, None)


def names() -> tuple[str, ...]:
    return tuple(_KINDS)


def get(name: str) -> BackendKind | None:
    return _KINDS.get(name)


def is_local(name: object) -> bool:
    kind = _KINDS.get(name) if isinstance(name, str) else None
    return kind is not None and kind.local


register("llama", "vibecli.backends.llama_factory:make", local=True)
register("replay", "vibecli.backends.replay:make", local=True,
         needs=(("replay_file", "--replay-file FILE (or replay_file in config)"),))
register("openai", "vibecli.backends.openai:make",
         needs=(("endpoint", "--endpoint URL (or endpoint in config)"),))
