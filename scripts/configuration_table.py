"""Write the tables of docs/configuration.md from the settings' declarations (vibecli/settings.py).

    python scripts/configuration_table.py           # rewrite the generated part of the page
    python scripts/configuration_table.py --check   # exit 1 when the page differs (tests/test_configuration_doc.py)

Only the text between the two markers is generated; the rest of the page is written by hand.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from vibecli.settings import DECLARED  # noqa: E402
from vibecli.settings_spec import Declared  # noqa: E402

PAGE = ROOT / "docs" / "configuration.md"
BEGIN = "<!-- the tables below are generated from vibecli/settings.py by scripts/configuration_table.py -->"
END = "<!-- end of the generated tables -->"
HEADER = "| key | type | default | environment | flag | meaning |\n| --- | --- | --- | --- | --- | --- |"


def tables() -> str:
    sections: dict[str, list[str]] = {}
    for item in DECLARED.values():
        sections.setdefault(item.spec.section, []).append(_row(item))
    return "\n\n".join(f"### {title}\n\n{HEADER}\n" + "\n".join(rows) for title, rows in sections.items())


def _row(item: Declared) -> str:
    cells = (f"`{item.name}`", _type(item), _default(item), _environment(item), _flag(item), item.spec.doc)
    return "| " + " | ".join(cells) + " |"


def _type(item: Declared) -> str:
    spec = item.spec
    if spec.shown_type:
        return spec.shown_type
    if spec.choices:
        return ", ".join(f"`{c}`" for c in spec.choices)
    kind = next(t for t in item.types if t is not type(None))
    name = {str: "string", int: "integer", float: "number", bool: "true/false"}[kind]
    if spec.minimum is not None and spec.maximum is not None:
        return f"{name} {spec.minimum}-{spec.maximum}"
    if spec.above is not None:
        return f"{name} > {spec.above}"
    if spec.minimum is not None:
        return f"{name} ≥ {spec.minimum}"
    return name


def _default(item: Declared) -> str:
    value = item.default
    if item.spec.shown_default is not None:
        return item.spec.shown_default
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return f"`{value}`"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _environment(item: Declared) -> str:
    if not item.spec.env:
        return "(files only)"
    off = f", or `{item.spec.env_off}=1`" if item.spec.env_off else ""
    return f"`{item.env_name}`{off}"


def _flag(item: Declared) -> str:
    spec = item.spec
    if not spec.flag:
        return "—"
    names = f"`{spec.flag}`" + (f"/`{spec.short}`" if spec.short else "")
    return f"{names} ({', '.join(spec.commands)})"


def rendered(page: str) -> str:
    start, end = page.index(BEGIN) + len(BEGIN), page.index(END)
    return f"{page[:start]}\n\n{tables()}\n\n{page[end:]}"


def main(argv: list[str]) -> int:
    page = PAGE.read_text(encoding="utf-8")
    wanted = rendered(page)
    if "--check" in argv:
        if wanted != page:
            print(f"{PAGE.relative_to(ROOT)} differs from the declarations: run python scripts/configuration_table.py",
                  file=sys.stderr)
            return 1
        return 0
    PAGE.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
