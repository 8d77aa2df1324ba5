"""`vibecli symbols PATH...`"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, List

import typer

from vibecli.cli import options as o
from vibecli.cli.console import Env
from vibecli.cli.wiring import handled

app = typer.Typer(rich_markup_mode=None)


@app.command(epilog=o.EXIT_CODES_HELP)
def symbols(
    paths_: Annotated[List[str], typer.Argument(metavar="PATHS...", help="Source files to list.")],
    json_: o.Json = False,
) -> None:
    """List the addressable definitions: NAME<TAB>KIND<TAB>START<TAB>END per line (1-based lines).

    With several files each line starts with PATH<TAB>. NAME is what `@@ replace PATH NAME` takes."""
    from vibecli.core import VibeError
    from vibecli.edits.fileio import read_source
    from vibecli.edits.syntax import definitions, language_of

    env = Env(json=json_)
    rows = []
    with handled(env):
        for given in paths_:
            language = language_of(given)
            if language is None:
                raise VibeError(f"{given}: no grammar for this kind of file")
            source = read_source(Path(given), given, 10_000_000)
            for d in definitions(language, source.text.encode("utf-8")):
                rows.append((given, d))
    if env.json:
        env.emit_json({"symbols": [{"path": p, "name": d.name, "kind": d.kind, "start_line": d.start_line,
                                    "end_line": d.end_line} for p, d in rows]})
        return
    many = len(paths_) > 1
    for path, d in rows:
        env.write((f"{path}\t" if many else "") + f"{d.name}\t{d.kind}\t{d.start_line}\t{d.end_line}\n")
