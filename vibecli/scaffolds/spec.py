"""`scaffold.yaml`: a scaffold's name, description, typed variables, install and test commands.

A malformed file is one error that names the file and the field.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vibecli.core import VibeError

SPEC_FILE = "scaffold.yaml"
TEMPLATE_DIR = "template"
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
IDENTIFIER_RE = re.compile(r"^[a-z][a-z0-9_]*$")
TEXT_RE = re.compile(r"^[A-Za-z0-9 _.,!?:()+-]*$")
"""Plain text that is safe inside any template (a Python or JS string, HTML, TOML): no quotes,
backslashes, braces or angle brackets."""
TYPES = ("name", "identifier", "string", "integer", "boolean", "choice")
MAX_NAME = 40
_KEYS = {"name", "label", "description", "language", "variables", "install", "test", "edit_paths", "examples"}
_VAR_KEYS = {"type", "description", "default", "pattern", "max_length", "min", "max", "choices"}


class ScaffoldError(VibeError):
    """A scaffold that cannot be loaded or rendered."""


@dataclass(frozen=True)
class Variable:
    name: str
    type: str
    description: str
    default: Any
    pattern: str | None = None
    max_length: int = 60
    min: int | None = None
    max: int | None = None
    choices: tuple[str, ...] = ()

    def check(self, value: Any) -> Any:
        """The value converted to this type; ValueError says why it is not valid."""
        if self.type == "integer":
            if isinstance(value, bool):
                raise ValueError("must be an integer")
            try:
                number = int(value)
            except (TypeError, ValueError):
                raise ValueError("must be an integer") from None
            if isinstance(value, float) and value != number:
                raise ValueError("must be an integer")
            if self.min is not None and number < self.min:
                raise ValueError(f"must be at least {self.min}")
            if self.max is not None and number > self.max:
                raise ValueError(f"must be at most {self.max}")
            return number
        if self.type == "boolean":
            if isinstance(value, bool):
                return value
            lowered = str(value).lower()
            if lowered in ("true", "yes", "on", "1"):
                return True
            if lowered in ("false", "no", "off", "0"):
                return False
            raise ValueError("must be true or false")
        if not isinstance(value, str):
            raise ValueError("must be a string")
        if self.type == "choice" and value not in self.choices:
            raise ValueError(f"must be one of {', '.join(self.choices)}")
        if self.type == "name" and (not NAME_RE.match(value) or len(value) > MAX_NAME):
            raise ValueError(f"must be lowercase letters and digits in words joined by '-', at most {MAX_NAME}")
        if self.type == "identifier" and (not IDENTIFIER_RE.match(value) or keyword.iskeyword(value)
                                          or len(value) > MAX_NAME):
            raise ValueError("must be a lowercase identifier (letters, digits, _), not a keyword")
        if self.type == "string":
            if not value.strip():
                raise ValueError("must not be empty")
            if len(value) > self.max_length:
                raise ValueError(f"must be at most {self.max_length} characters")
            if not TEXT_RE.match(value):
                raise ValueError("may hold only letters, digits, spaces and _ . , ! ? : ( ) + -")
        if self.pattern and not re.fullmatch(self.pattern, value):
            raise ValueError(f"must match {self.pattern}")
        return value

    def sanitized(self, value: Any) -> Any:
        """A name or identifier made valid (`My App!` -> `my-app`); other types as they are."""
        if self.type not in ("name", "identifier") or not isinstance(value, str):
            return value
        sep = "-" if self.type == "name" else "_"
        words = re.findall(r"[a-z0-9]+", value.lower())
        text = sep.join(words)[:MAX_NAME].strip(sep)
        if not text:
            return self.default
        if not text[0].isalpha():
            text = ("app" if self.type == "name" else "x") + sep + text
        if keyword.iskeyword(text):
            text += "_"
        return text

    def describe(self) -> str:
        kind = {
            "name": "lowercase words joined by -",
            "identifier": "one lowercase word",
            "string": "short text",
            "integer": "a whole number",
            "boolean": "true or false",
            "choice": "one of " + ", ".join(self.choices),
        }[self.type]
        return f"{self.name} ({kind}): {self.description}"


@dataclass(frozen=True)
class Example:
    description: str
    variables: dict


@dataclass(frozen=True)
class Scaffold:
    name: str
    description: str
    folder: Path
    variables: tuple[Variable, ...]
    install: tuple[str, ...] = ()
    test: str | None = None
    edit_paths: tuple[str, ...] = ()
    examples: tuple[Example, ...] = ()
    language: str = ""
    source: str = "shipped"
    label: str = ""
    """What kind of project it is, in a few words as a person would say them ("a REST API"):
    what the model picks among (measured: it picks far better among such words than among names)."""

    @property
    def template(self) -> Path:
        return self.folder / TEMPLATE_DIR

    def variable(self, name: str) -> Variable | None:
        return next((v for v in self.variables if v.name == name), None)

    def to_json(self) -> dict:
        return {
            "name": self.name, "label": self.label, "description": self.description, "language": self.language, "source": self.source,
            "folder": str(self.folder), "install": list(self.install), "test": self.test,
            "variables": [{"name": v.name, "type": v.type, "default": v.default, "description": v.description}
                          for v in self.variables],
        }


@dataclass
class _Reader:
    """Reads one scaffold.yaml; every error names the file and the field."""

    path: Path

    def fail(self, where: str, message: str) -> ScaffoldError:
        return ScaffoldError(f"{self.path}: {where}: {message}")

    def text(self, data: dict, key: str, where: str, required: bool = True) -> str | None:
        value = data.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, "required, a non-empty string" if value is None else "must be a non-empty string")
        return value.strip()

    def strings(self, data: dict, key: str) -> tuple[str, ...]:
        value = data.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(key, "must be a list of non-empty strings")
        return tuple(value)


def load_scaffold(folder: Path, source: str = "shipped") -> Scaffold:
    import yaml

    path = folder / SPEC_FILE
    reader = _Reader(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScaffoldError(f"{path}: cannot read: {exc.strerror}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ScaffoldError(f"{path}: not valid YAML: {first}") from None
    if not isinstance(data, dict):
        raise reader.fail("(top level)", "must be a mapping of keys to values")
    for key in data:
        if key not in _KEYS:
            raise reader.fail(str(key), f"unknown field (known: {', '.join(sorted(_KEYS))})")
    name = reader.text(data, "name", "name")
    if not NAME_RE.match(name):
        raise reader.fail("name", f"{name!r} must be lowercase letters and digits in words joined by '-'")
    description = reader.text(data, "description", "description")
    if "\n" in description:
        raise reader.fail("description", "must be one line")
    variables = _variables(reader, data.get("variables"))
    test = reader.text(data, "test", "test", required=False)
    examples = _examples(reader, data.get("examples", []), variables)
    if not (folder / TEMPLATE_DIR).is_dir():
        raise ScaffoldError(f"{folder}: has no {TEMPLATE_DIR}/ folder with the project's files")
    return Scaffold(
        name=name, description=description, folder=folder, variables=variables,
        install=reader.strings(data, "install"), test=test, edit_paths=reader.strings(data, "edit_paths"),
        examples=examples, language=reader.text(data, "language", "language", required=False) or "", source=source,
        label=_label(reader, data, name),
    )


def _label(reader: _Reader, data: dict, name: str) -> str:
    label = reader.text(data, "label", "label", required=False) or name
    if "\n" in label or len(label) > 60:
        raise reader.fail("label", "must be one short line")
    return label


def _variables(reader: _Reader, raw: Any) -> tuple[Variable, ...]:
    if not isinstance(raw, dict) or not raw:
        raise reader.fail("variables", "required, a mapping of variable names to their definitions")
    variables = []
    for name, spec in raw.items():
        where = f"variables.{name}"
        if not isinstance(name, str) or not IDENTIFIER_RE.match(name):
            raise reader.fail(where, "a variable name must be a lowercase identifier")
        if not isinstance(spec, dict):
            raise reader.fail(where, "must be a mapping with at least `type` and `default`")
        for key in spec:
            if key not in _VAR_KEYS:
                raise reader.fail(f"{where}.{key}", f"unknown field (known: {', '.join(sorted(_VAR_KEYS))})")
        kind = spec.get("type")
        if kind not in TYPES:
            raise reader.fail(f"{where}.type", f"must be one of {', '.join(TYPES)}, not {kind!r}")
        for key in ("max_length", "min", "max"):
            if key in spec and (not isinstance(spec[key], int) or isinstance(spec[key], bool)):
                raise reader.fail(f"{where}.{key}", "must be an integer")
        choices = spec.get("choices", [])
        if kind == "choice" and (not isinstance(choices, list) or not choices
                                 or not all(isinstance(c, str) and TEXT_RE.match(c) for c in choices)):
            raise reader.fail(f"{where}.choices", "a choice needs a list of plain strings")
        pattern = spec.get("pattern")
        if pattern is not None:
            try:
                re.compile(pattern)
            except (re.error, TypeError) as exc:
                raise reader.fail(f"{where}.pattern", f"not a regular expression: {exc}") from None
        if "default" not in spec:
            raise reader.fail(f"{where}.default", "required")
        variable = Variable(
            name=name, type=kind, description=str(spec.get("description", name)), default=spec["default"],
            pattern=pattern, max_length=spec.get("max_length", 60), min=spec.get("min"), max=spec.get("max"),
            choices=tuple(choices),
        )
        try:
            variable = Variable(**{**vars(variable), "default": variable.check(variable.default)})
        except ValueError as exc:
            raise reader.fail(f"{where}.default", f"{variable.default!r} {exc}") from None
        variables.append(variable)
    first = variables[0]
    if first.name != "project_name" or first.type != "name":
        raise reader.fail("variables", "the first variable must be `project_name`, of type name")
    return tuple(variables)


def _examples(reader: _Reader, raw: Any, variables: tuple[Variable, ...]) -> tuple[Example, ...]:
    if not isinstance(raw, list):
        raise reader.fail("examples", "must be a list of {description, variables}")
    known = {v.name: v for v in variables}
    examples = []
    for number, item in enumerate(raw):
        where = f"examples[{number}]"
        if not isinstance(item, dict) or not isinstance(item.get("description"), str) \
                or not isinstance(item.get("variables"), dict):
            raise reader.fail(where, "must have a string `description` and a mapping `variables`")
        for key, value in item["variables"].items():
            if key not in known:
                raise reader.fail(f"{where}.variables.{key}", "not a variable of this scaffold")
            try:
                known[key].check(value)
            except ValueError as exc:
                raise reader.fail(f"{where}.variables.{key}", f"{value!r} {exc}") from None
        examples.append(Example(item["description"], dict(item["variables"])))
    return tuple(examples)


def discover(folders: list[tuple[Path, str]]) -> dict[str, Scaffold]:
    """Every scaffold in these folders (each holds one folder per scaffold); a later folder's
    scaffold replaces an earlier one of the same name (user scaffolds override shipped ones)."""
    found: dict[str, Scaffold] = {}
    for base, source in folders:
        if not base.is_dir():
            continue
        for folder in sorted(p for p in base.iterdir() if p.is_dir() and (p / SPEC_FILE).is_file()):
            scaffold = load_scaffold(folder, source)
            found[scaffold.name] = scaffold
    return found
