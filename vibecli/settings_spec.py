"""How a setting is declared (`setting(...)` on a field of vibecli.settings.Settings), and what is derived
from that one declaration: the check of a value from a file, the environment or a flag; the parsing of an
environment variable; the flags of each command (vibecli.cli.options); the tables of docs/configuration.md
(scripts/configuration_table.py). Nothing here knows a particular setting."""

from __future__ import annotations

import types
import typing
from dataclasses import MISSING, Field, field, fields
from typing import Any, Callable, NamedTuple

from vibecli.errors import UsageError, VibeError


class Spec(NamedTuple):  # a NamedTuple, not a dataclass: a third of the import time (the fix fast path reads it)
    """One setting, besides its name, type and default (the dataclass field's own)."""

    doc: str
    """What it does: the `meaning` column of docs/configuration.md."""
    section: str
    """The table of docs/configuration.md it is listed in (and the help panel of its flag)."""
    flag: str | None = None
    """The command-line option that sets it for one run: `--max-tokens`; `--fit-check/--no-fit-check`
    for an on/off pair; with `switch`, a flag that takes no value."""
    short: str | None = None
    """A one-letter alias of the flag, `-m`."""
    help: str | None = None
    """The flag's line in `--help`."""
    commands: tuple[str, ...] = ()
    """The commands that take the flag, as typed: `edit`, `model bench`."""
    switch: Any = None
    """For a flag without a value (`--no-commit`): the value it sets (False)."""
    choices: tuple = ()
    minimum: float | None = None
    maximum: float | None = None
    above: float | None = None
    """An exclusive lower bound: `above=0` is "positive"."""
    accepts: tuple = ()
    """The types a file may give, when they are not the field's own (a mapping for a tuple of pairs)."""
    convert: Callable[[Any, str], Any] | None = None
    """A further check and conversion, `(value, source) -> value`; raises ValueError("must be ...")."""
    env: bool = True
    """Read from VIBECLI_<KEY>; False: a mapping or a list, set in files only."""
    env_off: str | None = None
    """A variable that turns a true/false setting off when set to anything but empty or 0."""
    shown_type: str | None = None
    shown_default: str | None = None

    def flag_names(self) -> tuple[str, ...]:
        return tuple(self.flag.split("/")) + ((self.short,) if self.short else ()) if self.flag else ()


def setting(default: Any, *, trust: dict | None = None, **spec: Any) -> Any:
    """A field of Settings with its declaration; `trust` is one of vibecli.settings' ALWAYS, NETWORK, OUTSIDE."""
    return field(default=default, metadata={**(trust or {}), "spec": Spec(**spec)})


class Declared(NamedTuple):
    """A setting as every layer reads it: the field, its declaration, and the Python types it holds."""

    name: str
    spec: Spec
    types: tuple
    default: Any

    @property
    def env_name(self) -> str:
        return f"VIBECLI_{self.name.upper()}"

    @property
    def accepted(self) -> tuple:
        return self.spec.accepts or self.types

    @property
    def flag(self) -> str:
        """The flag as an error names it."""
        return self.spec.flag.split("/")[0] if self.spec.flag else f"--{self.name.replace('_', '-')}"


def declared(cls: type) -> dict[str, Declared]:
    found = {}
    for f in fields(cls):
        spec = f.metadata.get("spec")
        if spec is None:
            raise TypeError(f"{cls.__name__}.{f.name} is not declared with setting(...)")
        found[f.name] = Declared(f.name, spec, _types_of(cls, f), _default(f))
    return found


_PLAIN = {"str": str, "int": int, "float": float, "bool": bool, "None": type(None), "tuple": tuple}


def _types_of(cls: type, f: Field) -> tuple:
    """The types a field's annotation allows; `str | None` read as written (get_type_hints costs more)."""
    names = [n.strip() for n in f.type.split("|")] if isinstance(f.type, str) else []
    if names and all(n in _PLAIN for n in names):
        found = tuple(_PLAIN[n] for n in names)
    else:
        found = _hinted(typing.get_type_hints(cls)[f.name])
    return tuple(t for kind in found for t in ((float, int) if kind is float else (kind,)))  # YAML's 1 is 1.0


def _default(f: Field) -> Any:
    return f.default if f.default is not MISSING else f.default_factory()  # type: ignore[misc]


def _hinted(hint: Any) -> tuple:
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        return tuple(t for a in typing.get_args(hint) for t in _hinted(a))
    return (typing.get_origin(hint) or hint,)


def check(item: Declared, value: Any, source: str, flag: bool = False) -> Any:
    """`value` made the setting's, or one error that names where it came from: for a flag, the flag as
    typed (exit 2); for a file or the environment, the source and the key (exit 1)."""
    subject = item.flag if flag else f"{source}: '{item.name}'"
    error = UsageError if flag else VibeError
    if isinstance(value, str) and "\0" in value:
        raise UsageError(f"{subject} holds a NUL character")
    allowed = item.accepted
    if (isinstance(value, bool) and bool not in allowed) or not isinstance(value, allowed):
        raise error(f"{subject} must be {type_names(allowed)}, not {value!r}")
    try:
        if item.spec.convert is not None:
            value = item.spec.convert(value, source)
        _check_range(item.spec, value)
    except ValueError as exc:
        raise error(f"{subject} {exc}, not {value!r}") from None
    if isinstance(value, int) and not isinstance(value, bool) and float in item.types:
        return float(value)
    return value


def _check_range(spec: Spec, value: Any) -> None:
    if spec.choices and value not in spec.choices:
        raise ValueError(f"must be one of {', '.join(spec.choices)}")
    if value is None or isinstance(value, (bool, str, tuple, dict, list)):
        return
    low, high = spec.minimum, spec.maximum
    if spec.above is not None and value <= spec.above:
        raise ValueError("must be positive" if spec.above == 0 else f"must be more than {spec.above}")
    if low is not None and high is not None and not low <= value <= high:
        raise ValueError(f"must be from {low} to {high}")
    if low is not None and value < low:
        raise ValueError("must not be negative" if low == 0 else f"must be {low} or more" if low < 0
                         else f"must be at least {low}")


def parse_env(item: Declared, raw: str) -> Any:
    """The value an environment variable's text stands for; checked afterwards like any other."""
    allowed = item.accepted
    if raw == "" and type(None) in allowed:
        return None
    try:
        if bool in allowed:
            lowered = raw.lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off"):
                return False
            if str in allowed:
                return raw
            raise ValueError(raw)
        if int in allowed and float not in allowed:
            return int(raw)
        if float in allowed:
            return float(raw)
    except ValueError:
        raise VibeError(f"environment {item.env_name}: '{item.name}' must be {type_names(allowed)}, "
                        f"not {raw!r}") from None
    return raw


def type_names(allowed: tuple) -> str:
    names = {str: "a string", int: "an integer", float: "a number", bool: "true or false", type(None): "empty",
             dict: "a mapping", list: "a list", tuple: "a list"}
    return " or ".join(dict.fromkeys(names[t] for t in allowed))
