"""`vibecli model bench`"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from vibecli import paths
from vibecli.cli import options as o
from vibecli.cli.console import Env
from vibecli.cli.wiring import handled, settings_for
from vibecli.core import UsageError


@o.takes_settings("model bench")
def bench(
    flags: o.SettingFlags = None,
    prompt_tokens: Annotated[int, typer.Option("--prompt-tokens", help="Prompt length to evaluate.")] = 1024,
    gen_tokens: Annotated[int, typer.Option("--gen-tokens", help="Tokens to generate.")] = 128,
    json_: o.Json = False,
) -> None:
    """Prompt evaluation and generation tokens/s of the model on this machine, the memory it takes,
    and the prompt cache's restore time and hit rate. Loads the model: run it alone."""
    from vibecli.backends import make_backend
    from vibecli.backends.bench import run_bench
    from vibecli.cli.wiring import _AssembleBar

    env = Env(json=json_)
    with handled(env):
        if not 64 <= prompt_tokens <= 16384 or not 1 <= gen_tokens <= 4096:
            raise UsageError("--prompt-tokens must be 64 to 16384 and --gen-tokens 1 to 4096")
        settings = settings_for(None, {**flags, "backend": "llama"})
        bar = _AssembleBar(env)
        try:
            backend = make_backend(settings, paths.cache_dir(), verbose=env.verbose, assemble_progress=bar.update)
        finally:
            bar.close()
        backend.context_length = max(backend.context_length, prompt_tokens + gen_tokens + 64)
        if not env.json:
            env.info(f"Benchmarking {backend.model_name}: {prompt_tokens} prompt tokens, {gen_tokens} generated...")
        result = {**run_bench(backend, prompt_tokens, gen_tokens).to_json(),
                  "adapter": str(backend.adapter) if backend.adapter else None}  # the shipped one too
    if env.json:
        env.emit_json(result)
        return
    table = Table(show_header=False, box=None)
    rows = [
        ("model", result["model"] + (f" + adapter {result['adapter']}" if result["adapter"] else "")),
        ("load", f"{result['load_s']} s"),
        ("prompt eval", f"{result['prompt_eval_tok_s']} tokens/s ({result['prompt_tokens']} tokens)"),
        ("generation", f"{result['gen_tok_s']} tokens/s ({result['gen_tokens']} tokens)"),
        ("peak memory", f"{result['peak_rss_mb']} MB RSS"),
        ("KV cache", f"{result['kv_mb_per_1k_tokens']} MB per 1,000 tokens"),
        ("cache restore", "off" if result["cache_restore_s"] is None else f"{result['cache_restore_s']} s"),
        ("cache hit rate", "-" if result["cache_hit_rate"] is None
         else f"{result['cache_hit_rate']:.0%} of {result['cache_lookups']} lookups"),
        ("cache size", f"{result['cache_size_mb']} MB"),
        ("exact lookup", "yes: prompt-lookup drafts cannot change answers on this build" if result["lookup_exact"]
         else "no: this build computes batches differently (README, Speed); `lookup: auto` leaves drafts off"),
        ("draft check", f"{result['check_row_cost']} of a one-token decode per further row; drafts that are always "
                        f"right would make generation at most {result['lookup_ceiling']}x as fast"),
    ]
    for key, value in rows:
        table.add_row(key, str(value))
    env.out.print(table)
