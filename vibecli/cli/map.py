"""`vibecli map [PATHS...]`: the repo map a request would see, and why."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from vibecli.cli import options as o
from vibecli.cli.console import Env
from vibecli.cli.wiring import handled, settings_for

app = typer.Typer(rich_markup_mode=None)


@app.command("map", epilog=o.EXIT_CODES_HELP)
@o.takes_settings("map")
def map_(
    paths_: Annotated[Optional[List[str]], typer.Argument(metavar="[PATHS]...", help="Files the request names (shown in full, so left out of the map).")] = None,
    tokens: Annotated[Optional[int], typer.Option("--tokens", min=1, help="Token budget of the map (default: map_tokens from config).")] = None,
    instruction: Annotated[Optional[str], typer.Option("--instruction", "-i", help="Rank for this request, as `edit` would.")] = None,
    explain: Annotated[bool, typer.Option("--explain", help="Show why each file ranked where it did, and what was skipped.")] = False,
    estimate: Annotated[bool, typer.Option("--estimate", help="Count tokens with a safe estimate instead of the model's tokenizer.")] = False,
    flags: o.SettingFlags = None,
    json_: o.Json = False,
) -> None:
    """Print the repo map: the best-ranked definitions of the repository's files, cut to the token budget.

    Tokens are counted with the model's own tokenizer (its vocabulary only is read)."""
    from vibecli import paths
    from vibecli.context.cache import cache_file
    from vibecli.context.repomap import RepoMap
    from vibecli.core import estimate_tokens
    from vibecli.context.sources import work_tree_root
    from vibecli.core import VibeError
    from vibecli.workspace import Workspace

    env = Env(json=json_)
    with handled(env):
        started = time.perf_counter()
        cwd = Path.cwd()
        root = work_tree_root(cwd)  # git itself: GitPython's import would cost a third of a warm map
        if root is None:
            raise VibeError(f"not inside a git work tree: {cwd} (run `git init`)")
        settings = settings_for(root, flags, env)
        budget = tokens or settings.map_tokens
        focus = [Workspace(root).user_path(p, cwd) for p in paths_ or []]
        repo_map = RepoMap(root, cache_file(paths.cache_dir(), root), settings.max_file_bytes)
        counter, count = ("estimate", estimate_tokens) if estimate else _model_counter(settings, repo_map.cache)
        ranking = None
        if explain:  # the reasons need the ranking itself
            found, ranking = repo_map.scan().build(focus, instruction or "", budget, count)
        else:
            found = repo_map.remembered_build(focus, instruction or "", budget, count, counter)
        total_s = time.perf_counter() - started
    skipped = dict(sorted(repo_map.listing.skipped.items()))
    why = [_why(repo_map, ranking, p) for p in found.files] if explain else []
    if env.json:
        obj = {"map": found.text, **found.to_json(), "shown": found.files, "skipped": skipped,
               "scan": {"files": repo_map.mapped, "parsed": repo_map.cache.parsed, "seconds": round(repo_map.scan_s, 3)},
               "total_s": round(total_s, 3), "counter": "estimate" if estimate else "model"}
        if explain:
            obj["explain"] = why
        env.emit_json(obj)
        return
    env.write(found.text)
    if explain:
        env.err.print(f"\n[bold]{found.tokens}[/] of {found.budget} tokens ({'estimated' if estimate else 'model tokenizer'}); "
                      f"{len(found.files)} files shown, {found.left_out} left out; {found.definitions} of "
                      f"{found.definitions_total} definitions", markup=True)
        for row in why:
            links = ", ".join(f"{p} ({w:.2f})" for p, w in row["linked_from"]) or "none"
            env.err.print(f"{row['path']}: rank {row['rank']:.4f}; {'; '.join(row['reasons']) or 'graph only'}; "
                          f"used by {links}", markup=False)
        left = ", ".join(f"{n} {k}" for k, n in skipped.items()) or "none"
        env.err.print(f"skipped: {left}; {repo_map.mapped} files mapped, {repo_map.cache.parsed} parsed this run, "
                      f"scan {repo_map.scan_s:.2f}s, total {total_s:.2f}s", markup=False)


def _why(repo_map, ranking, relpath: str) -> dict:
    incoming = sorted(ranking.incoming.get(relpath, {}).items(), key=lambda kv: -kv[1])[:3]
    return {"path": relpath, "rank": ranking.rank.get(relpath, 0.0), "reasons": ranking.reasons.get(relpath, []),
            "linked_from": incoming}


def _model_counter(settings, cache):
    """(the model's identity, its tokenizer through the counts the tag cache keeps): the vocabulary
    is loaded only for a text not counted before, so a map of an unchanged repository loads none."""
    from vibecli import paths
    from vibecli.models import model_key

    def load():
        from vibecli.models import resolve_model
        from vibecli.backends.llama_lib import vocab_counter

        return vocab_counter(resolve_model(settings, paths.cache_dir()).path)

    key = model_key(settings, paths.cache_dir())
    return key, cache.counter(key, load)
