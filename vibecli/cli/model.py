"""`vibecli model info`"""

from __future__ import annotations

import typer
from rich.text import Text

from vibecli import paths
from vibecli.cli import model_bench, options as o
from vibecli.cli.console import Env
from vibecli.cli.wiring import handled, settings_for

app = typer.Typer(rich_markup_mode=None, help="The model vibecli uses.", no_args_is_help=True)


@app.command(epilog=o.EXIT_CODES_HELP)
@o.takes_settings("model info")
def info(flags: o.SettingFlags = None, json_: o.Json = False) -> None:
    """Path, size, sha256, architecture, context length, quantization and parameters of the model, and the adapter applied over it."""
    from vibecli.adapters import SHIPPED, chosen_adapter, label
    from vibecli.models import resolve_model
    from vibecli.models.gguf_info import read_gguf
    from vibecli.cli.wiring import _AssembleBar

    env = Env(json=json_)
    with handled(env):
        settings = settings_for(None, flags)
        bar = _AssembleBar(env)
        try:
            resolved = resolve_model(settings, paths.cache_dir(), bar.update)
        finally:
            bar.close()
        meta = read_gguf(resolved.path)
        facts = {
            "name": resolved.name,
            "path": str(resolved.path),
            "embedded": resolved.embedded,
            "size_bytes": meta.size,
            "sha256": resolved.sha256,
            "architecture": meta.architecture,
            "context_length": meta.context_length,
            "quantization": meta.quantization,
            "parameters": meta.parameters,
        }
        applied = chosen_adapter(settings.adapter, resolved.embedded)
        facts["adapter"] = str(applied) if applied else None
        facts["adapter_shipped"] = applied == SHIPPED
    if env.json:
        env.emit_json(facts)
        return
    shown = {**facts, "adapter": label(applied)}
    del shown["adapter_shipped"]
    for key, value in shown.items():
        env.out.print(Text(f"{key + ':':16}{value}"))


app.command(epilog=o.EXIT_CODES_HELP)(model_bench.bench)
from vibecli.cli import model_store  # noqa: E402  (pull, list, use, rm)

model_store.register(app)
