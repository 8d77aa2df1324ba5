"""Prompt templates from the top-level `prompts/` folder, rendered with StrictUndefined."""

from __future__ import annotations

from functools import lru_cache

from vibecli.paths import package_data


@lru_cache(maxsize=None)
def _environment():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(package_data("prompts"))),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )


def render(name: str, **variables) -> str:
    return _environment().get_template(name).render(**variables)
