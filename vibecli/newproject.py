"""`vibecli new` below the CLI: the model chooses a scaffold and fills its variables, then the
project is rendered, put under git with a first commit, and (on request) installed and tested.

Grammars stay tiny: llama.cpp checks a grammar against the whole vocabulary at every token
(262k entries for gemma 3), so the choice is a grammar over the scaffold names alone (a few
tokens), and the variables are decoded freely first and constrained only when the free answer
does not parse (`grammar: lazy`), as edits are.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from vibecli.checks import CheckResult, run_check
from vibecli.core import Backend, Rejected, Usage, UsageError
from vibecli.git import GitRepo, commit_message
from vibecli.run_record import Call, RunRecord
from vibecli.prompts import render
from vibecli.scaffolds.render import render_files, render_text, template_context, write_project
from vibecli.scaffolds.spec import Scaffold, Variable

CHOICE_TOKENS = 16
FILL_TOKENS = 120
MAX_EXAMPLES = 12


@dataclass
class Filled:
    values: dict
    notes: list[str] = field(default_factory=list)
    """What was changed and why: a sanitized name, a model value that was not valid."""


# --- asking the model ---------------------------------------------------------------------


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def choice_grammar(names: list[str]) -> str:
    """Exactly one of these (the scaffolds' labels), after the space that follows `Kind:`."""
    return 'root ::= " " (' + " | ".join(_lit(n) for n in names) + ")\n"


def _value_rule(variable: Variable) -> str:
    quote = '"\\""'
    if variable.type == "name":
        return f'{quote} [a-z] [a-z0-9]{{0,15}} ("-" [a-z0-9]{{1,15}}){{0,3}} {quote}'
    if variable.type == "identifier":
        return f"{quote} [a-z] [a-z0-9_]{{0,23}} {quote}"
    if variable.type == "string":
        return f"{quote} [A-Za-z0-9] [A-Za-z0-9 _.,!?:()+-]{{0,{max(variable.max_length - 1, 0)}}} {quote}"
    if variable.type == "integer":
        return '"-"? [0-9] [0-9]{0,8}'
    if variable.type == "boolean":
        return '("true" | "false")'
    return "(" + " | ".join(_lit(json.dumps(c)) for c in variable.choices) + ")"


def fill_grammar(variables: list[Variable]) -> str:
    """One JSON object with these keys in this order, each value of its variable's type."""
    parts = []
    for number, variable in enumerate(variables):
        prefix = "{" if number == 0 else ", "
        parts.append(f"{_lit(prefix + json.dumps(variable.name) + ': ')} v{number}")
    rules = [f'root ::= " " {" ".join(parts)} "}}"']
    rules += [f"v{n} ::= {_value_rule(v)}" for n, v in enumerate(variables)]
    return "\n".join(rules) + "\n"


def labels_of(scaffolds: list[Scaffold]) -> dict[str, Scaffold]:
    """What the model picks among: the labels, or the names where two labels are the same."""
    labels = {s.label: s for s in scaffolds}
    return labels if len(labels) == len(scaffolds) else {s.name: s for s in scaffolds}


def choice_prompt(scaffolds: list[Scaffold], description: str) -> str:
    label_of = {s.name: label for label, s in labels_of(scaffolds).items()}
    # round-robin over the scaffolds, so that no one label fills the end of the prompt
    examples, rounds = [], max((len(s.examples) for s in scaffolds), default=0)
    for index in range(rounds):
        for scaffold in scaffolds:
            if index < len(scaffold.examples):
                examples.append({"description": scaffold.examples[index].description, "label": label_of[scaffold.name]})
    # the prompt ends right after `Kind:`: the answer is the rest of that line
    return render("new-choose.j2", scaffolds=scaffolds, examples=examples[:MAX_EXAMPLES],
                  description=_one_line(description)).rstrip()


def fill_prompt(scaffold: Scaffold, variables: list[Variable], description: str) -> str:
    names = [v.name for v in variables]
    examples = [
        {"description": e.description, "json": json.dumps({k: e.variables[k] for k in names if k in e.variables})}
        for e in scaffold.examples
        if all(k in e.variables for k in names)
    ]
    return render("new-fill.j2", scaffold=scaffold, variables=variables, examples=examples,
                  description=_one_line(description)).rstrip()


def _one_line(text: str) -> str:
    return " ".join(text.split())


class ProjectModel:
    """The two questions `new` asks the model; every call is kept on the run record."""

    def __init__(self, backend: Backend, run: RunRecord, grammar_mode: str = "lazy"):
        self.backend = backend
        self.run = run
        self.grammar_mode = grammar_mode
        self.usage = Usage()

    def _ask(self, kind: str, prompt: str, grammar: str | None, max_tokens: int) -> str:
        if not self.backend.takes_grammar:
            grammar = None  # a server that drops grammars: the record says what was really asked
        call = Call(number=len(self.run.calls) + 1, attempt=1, kind=kind, temperature=0.0, prompt=prompt,
                    grammar=grammar, output="")
        self.run.calls.append(call)
        generation = self.backend.generate(prompt, grammar=grammar, stop=["\n"], max_tokens=max_tokens,
                                           temperature=0.0)
        call.output = "".join(generation)
        usage = generation.usage
        call.finish, call.prompt_tokens, call.completion_tokens = usage.finish, usage.prompt_tokens, usage.completion_tokens
        call.prompt_eval_s, call.generate_s = usage.prompt_eval_s, usage.generate_s
        self.usage.add(usage)
        return call.output

    def choose(self, scaffolds: list[Scaffold], description: str) -> Scaffold:
        by_name = labels_of(scaffolds)
        if len(scaffolds) == 1:
            return scaffolds[0]
        grammar = None if self.grammar_mode == "off" else choice_grammar(list(by_name))
        answer = self._ask("choose", choice_prompt(scaffolds, description), grammar, CHOICE_TOKENS).strip()
        if answer in by_name:
            return by_name[answer]
        # without a grammar: the longest label the answer starts with
        for name in sorted(by_name, key=len, reverse=True):
            if answer.startswith(name):
                return by_name[name]
        self.run.calls[-1].error = "not a scaffold name"
        raise Rejected(f"the model named no scaffold (it said {answer[:60]!r}); pass --scaffold NAME")

    def fill(self, scaffold: Scaffold, variables: list[Variable], description: str) -> dict:
        """Raw values for these variables (each still to be checked); {} when there are none."""
        if not variables:
            return {}
        prompt = fill_prompt(scaffold, variables, description)
        if self.grammar_mode != "always" or not self.backend.takes_grammar:
            raw = _parse_object(self._ask("fill", prompt, None, FILL_TOKENS))
            # without grammars a second call would be the same greedy question again
            if raw is None:
                self.run.calls[-1].error = "not one JSON object"
            if raw is not None or self.grammar_mode == "off" or not self.backend.takes_grammar:
                return raw or {}
        raw = _parse_object(self._ask("fill", prompt, fill_grammar(variables), FILL_TOKENS))
        if raw is None:
            self.run.calls[-1].error = "not one JSON object"
        return raw or {}


def _parse_object(text: str) -> dict | None:
    try:
        value = json.loads(text.strip())
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


# --- values -------------------------------------------------------------------------------


def settle_values(scaffold: Scaffold, given: dict, proposed: dict, defaults_note: bool = False) -> Filled:
    """Every variable's value: given (--var, --dir) first, then the model's, then the default.

    A name or identifier that is not valid is sanitized, and said so; any other invalid value
    from the model falls back to the default, and is said so (a given one is an error)."""
    filled = Filled({})
    for variable in scaffold.variables:
        if variable.name in given:
            value, origin = given[variable.name], "given"
        elif variable.name in proposed:
            value, origin = proposed[variable.name], "model"
        else:
            filled.values[variable.name] = variable.default
            continue
        try:
            filled.values[variable.name] = variable.check(value)
            continue
        except ValueError as exc:
            problem = str(exc)
        sanitized = variable.sanitized(value)
        if sanitized != value:
            try:
                filled.values[variable.name] = variable.check(sanitized)
                label = "project name" if variable.name == "project_name" else variable.name
                filled.notes.append(f"{label} {value!r} is not a valid {variable.type}; using {sanitized!r}")
                continue
            except ValueError:
                pass
        if origin == "given":
            raise UsageError(f"--var {variable.name}={value!r}: {problem}")
        filled.values[variable.name] = variable.default
        filled.notes.append(f"the model's {variable.name} {value!r} {problem}; using the default {variable.default!r}")
    return filled


# --- the project on disk --------------------------------------------------------------------


def create_project(scaffold: Scaffold, values: dict, description: str, target: Path, model_name: str,
                   run_id: str) -> tuple[GitRepo, str, list[str]]:
    """Render into place, `git init`, commit everything. On any failure nothing is left behind."""
    context = template_context(scaffold, values, description)
    files = render_files(scaffold, context)  # a template error stops here, before anything is written
    existed = target.is_dir()
    write_project(files, target)
    try:
        repo = GitRepo.init(target)
        body = f"Generated by vibecli new from the scaffold {scaffold.name}, for:\n\n{description.strip()}"
        message = commit_message(f"New project from the scaffold {scaffold.name}", body, model_name, run_id)
        sha = repo.commit_all(message)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        if existed:
            target.mkdir(exist_ok=True)
        raise
    return repo, sha, [f.relpath for f in files]


def edit_targets(scaffold: Scaffold, values: dict, description: str) -> list[str]:
    context = template_context(scaffold, values, description)
    return [render_text(p, context) for p in scaffold.edit_paths]


def install_and_test(scaffold: Scaffold, root: Path, timeout: float, progress=None) -> list[CheckResult]:
    """The scaffold's install commands, then its test command; stops at the first failure."""
    results = []
    steps = [("install", c) for c in scaffold.install] + ([("test", scaffold.test)] if scaffold.test else [])
    for name, command in steps:
        if progress is not None:
            progress.phase(f"Running the scaffold's {name} step: {command}")
        result = run_check(name, command, root, timeout)
        results.append(result)
        if not result.passed:
            break
    return results
