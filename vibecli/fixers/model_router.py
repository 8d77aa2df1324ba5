"""The model's route: when the rules (`router`) decline, the embedded model with its route
adapter chooses among every route the request could mean, or `none`.

The answer is constrained to the routes that exist for these files: `ruff <intent>` for each
intent of the table, `rename <old> <new>` where `old` is a word of the request that one of the
files defines at top level and `new` another word of the request, and `none`. So the model never
names a rule, a file or a name that is not there; what it decides is which one, and whether.
A route it is not sure of (`MIN_PROBABILITY`) is declined: a missed route costs the model's usual
path, a wrong one a wrong edit.

The same prompt and answers are what the training engine learns from (`vibecli.data.routes`)."""

from __future__ import annotations

import keyword
import re
from typing import Protocol

from vibecli.fixers import Route
from vibecli.fixers.intents import INTENTS
from vibecli.fixers.rename import defines, valid_name
from vibecli.fixers.router import scope

MIN_PROBABILITY = 0.8
"""The route's probability, renormalised over the allowed answers, below which it is declined."""
MAX_REQUEST_CHARS = 600
"""Longer requests are left to the model's usual path: routes are one-line asks."""
NONE = "none"
_BY_NAME = {intent.name: intent for intent in INTENTS}
_WORD = re.compile(r"(?<![A-Za-z0-9_'’])[A-Za-z_][A-Za-z0-9_]*")
"""A word of the request; not the `s` of a possessive ("encode()'s")."""
_PLAIN_WORDS = frozenset(
    "a an the to into in on of for from with by as at it its this that these those and or but not no be is are "
    "was were should would could can will must please rename renamed call called name named instead than "
    "everywhere across throughout all every each file module function class method variable project repo code "
    "use make change update fix callers references usages imports too also so then just here there".split())


class Chooses(Protocol):
    def pick(self, prompt: str, options: list[str]): ...


def prompt_for(instruction: str, defined: list[str]) -> str:
    """The question: the request on one line, and which of its words the files define at top level
    (what a rename may rename: without it, a method's rename reads like a function's)."""
    return (f"Route this code edit request to an exact tool, or none.\nRequest: {' '.join(instruction.split())}\n"
            f"Defined: {', '.join(defined) if defined else '-'}\nTool:")


def defined_words(instruction: str, files: dict[str, str]) -> list[str]:
    """The request's words that exactly one of the files defines at top level."""
    words = dict.fromkeys(_WORD.findall(instruction))
    return [w for w in words if valid_name(w) and sum(defines(t, w) for t in files.values()) == 1]


def answer_for(route: Route | None) -> str:
    """The route as the model answers it (with the leading space the prompt's `Tool:` expects)."""
    if route is None:
        return f" {NONE}"
    if route.name == "rename":
        return f" rename {route.args['old']} {route.args['new']}"
    return f" ruff {route.args['intent']}"


def options_for(instruction: str, files: dict[str, str]) -> list[str]:
    words = list(dict.fromkeys(_WORD.findall(instruction)))
    olds = defined_words(instruction, files)
    news = [w for w in words if valid_name(w) and not keyword.iskeyword(w) and w.lower() not in _PLAIN_WORDS
            and not any(_bound(t, w) for t in files.values())]
    renames = [f" rename {old} {new}" for old in olds for new in news if new != old]
    return [f" {NONE}", *(f" ruff {name}" for name in _BY_NAME), *renames]


def _bound(text: str, name: str) -> bool:
    """Whether a module binds `name` at top level: a definition, an assignment or an import."""
    return defines(text, name) or bool(re.search(
        rf"^(?:from\s+\S+\s+)?import\s+[^\n]*\b{re.escape(name)}\b", text, re.MULTILINE))


def model_route(instruction: str, files: dict[str, str], picker: Chooses,
                min_probability: float = MIN_PROBABILITY) -> tuple[Route | None, object]:
    """The route the model picks (None: `none`, unsure, or not one vibecli may take), and the pick."""
    if not files or not all(p.endswith((".py", ".pyi")) for p in files) or len(instruction) > MAX_REQUEST_CHARS:
        return None, None
    picked = picker.pick(prompt_for(instruction, defined_words(instruction, files)), options_for(instruction, files))
    if picked.probability < min_probability:
        return None, picked
    return parse(picked.option, instruction, files), picked


def parse(answer: str, instruction: str, files: dict[str, str]) -> Route | None:
    """The route an answer names, with its scope and arguments; None for `none` or an answer
    that does not hold."""
    kind, _, rest = answer.strip().partition(" ")
    if kind == "ruff" and rest in _BY_NAME:
        intent = _BY_NAME[rest]
        if intent.name == "fix ruff" and "ruff" not in instruction.lower():
            return None
        symbols, lines = scope(instruction, files)
        return Route("ruff", {"codes": intent.codes, "symbols": symbols, "lines": lines, "intent": intent.name})
    if kind == "rename":
        old, _, new = rest.partition(" ")
        defining = [p for p, t in files.items() if defines(t, old)]
        if len(defining) == 1 and valid_name(new) and not any(_bound(t, new) for t in files.values()):
            return Route("rename", {"old": old, "new": new, "file": defining[0]})
    return None
