"""Prompt templates from the top-level `prompts/` folder, rendered with StrictUndefined."""

from __future__ import annotations

import textwrap
from functools import lru_cache

from vibecli.core import SECTION_STOPS, Edit
from vibecli.edits.envelope import DONE, format_envelope
from vibecli.paths import package_data

ANSWER_STOPS = (DONE, *SECTION_STOPS)
"""Where a free answer to an edit prompt ends: its `@@ done`, or the start of a new part of the
prompt (`core.SECTION_MARKERS`), which the model writes when it goes on past its answer."""


@lru_cache(maxsize=None)
def _environment():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(package_data("prompts"))),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )


def render(name: str, **variables) -> str:
    return _environment().get_template(name).render(**variables)


@lru_cache(maxsize=None)
def _examples() -> list[dict]:
    import yaml

    return yaml.safe_load((package_data("prompts") / "examples.yaml").read_text(encoding="utf-8"))


def example_answer(example: dict, edit_format: str) -> str:
    """One few-shot example's answer, in the given edit format."""
    path, old, new = example["path"], example["old"], example["new"]
    indent = old[: len(old) - len(old.lstrip())]
    placed = textwrap.indent(new, indent)
    if edit_format == "symbol":
        edit = Edit("replace", path, new, symbol=example["symbol"])
    elif edit_format == "search":
        edit = Edit("search", path, placed, search=old)
    else:
        edit = Edit("rewrite", path, example["before"].replace(old, placed))
    return format_envelope([edit], "python")


def edit_prompt(edit_format: str, files: list[dict], instruction: str, failures: list, repo_map: str = "") -> str:
    examples = [
        {
            "files": [{"path": e["path"], "text": e["before"]}],
            "request": e["request"],
            "answer": example_answer(e, edit_format),
        }
        for e in _examples()
    ]
    return render(f"edit-{edit_format}.j2", examples=examples, files=files, instruction=instruction, failures=failures,
                  repo_map=repo_map)
