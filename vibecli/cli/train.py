"""`vibecli train`: a LoRA adapter from training examples, exported as GGUF for llama.cpp."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from vibecli import paths
from vibecli.adapters import NONE, chosen_adapter
from vibecli.cli import options as o
from vibecli.cli.console import Env
from vibecli.cli.wiring import handled
from vibecli.core import UsageError, VibeError
from vibecli.settings import EDIT_FORMATS

app = typer.Typer(rich_markup_mode=None)
TRAIN = "Training"
EVAL = "Evaluation"


class RichProgress:
    """Steps, loss and ETA on stderr at a terminal; one line per checkpoint elsewhere."""

    def __init__(self, env: Env):
        self.env = env
        self.bar = None
        self.task = None
        self.total = 0
        self.last_line = 0.0

    def start(self, total: int) -> None:
        self.total = total
        if not self.env.interactive:
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

        self.bar = Progress(
            TextColumn("Training"), BarColumn(), MofNCompleteColumn(), TextColumn("loss {task.fields[loss]}"),
            TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), console=self.env.err,
        )
        self.bar.start()
        self.task = self.bar.add_task("train", total=total, loss="-")

    def step(self, done: int, loss: float) -> None:
        if self.bar is not None:
            self.bar.update(self.task, completed=done, loss=f"{loss:.3f}")
        elif time.monotonic() - self.last_line > 30 or done == self.total:
            self.last_line = time.monotonic()
            self.env.info(f"step {done}/{self.total} loss {loss:.3f}")

    def note(self, text: str) -> None:
        if self.bar is not None:
            self.bar.console.print(text, markup=False, highlight=False)  # a path's `[...]` is not markup
        else:
            self.env.info(text)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


def _rows(data: list[Path], logbook: bool, env: Env) -> list[dict]:
    from vibecli.data.examples import read_jsonl

    rows = []
    for path in data:
        rows.extend(read_jsonl(path.expanduser()))
    if logbook and paths.logbook_file().exists():
        from vibecli.data.export import ExportOptions, export
        from vibecli.logbook import Logbook

        examples, _, summary = export(Logbook(paths.logbook_file()).runs_with_calls(), ExportOptions())
        env.info(f"{summary.examples} examples from the logbook")
        rows.extend(examples)
    return rows


def _base_model(model: str | None, env: Env) -> Path:
    from vibecli.backends import resolve_model
    from vibecli.settings import Settings

    return resolve_model(Settings(model=model), paths.cache_dir()).path


def _incumbent(model: str | None) -> Path | None:
    """The adapter in effect over the model trained on: what a new adapter must beat to become
    the default (the shipped one over the embedded model, unless config says otherwise)."""
    from vibecli.cli.wiring import settings_for

    return chosen_adapter(settings_for(None, {}).adapter, embedded_model=model is None)


@app.command(epilog=o.EXIT_CODES_HELP)
def train(
    data: Annotated[Optional[List[Path]], typer.Option("--data", help="JSON Lines of {prompt, answer} (from `vibecli data export` or `data synth`); repeatable.", rich_help_panel=TRAIN)] = None,
    logbook: Annotated[bool, typer.Option("--logbook", help="Also train on everything `vibecli data export` would give.", rich_help_panel=TRAIN)] = False,
    out: Annotated[Optional[Path], typer.Option("--out", help="Folder for adapter.gguf, the checkpoint and train.json (default: a new one under the data dir).", rich_help_panel=TRAIN)] = None,
    model: o.Model = None,
    steps: Annotated[int, typer.Option("--steps", help="Optimizer steps of one example each (0: one pass over the data).", rich_help_panel=TRAIN)] = 0,
    minutes: Annotated[float, typer.Option("--minutes", help="Stop and export before this many minutes of training (0: no limit).", rich_help_panel=TRAIN)] = 25.0,
    rank: Annotated[int, typer.Option("--rank", help="LoRA rank.", rich_help_panel=TRAIN)] = 16,
    alpha: Annotated[float, typer.Option("--alpha", help="LoRA alpha (scale = alpha / rank).", rich_help_panel=TRAIN)] = 32.0,
    learning_rate: Annotated[float, typer.Option("--learning-rate", help="Peak learning rate (warm-up, then cosine).", rich_help_panel=TRAIN)] = 2e-4,
    max_length: Annotated[int, typer.Option("--max-length", help="Skip examples longer than this many tokens.", rich_help_panel=TRAIN)] = 1024,
    copy_weight: Annotated[float, typer.Option("--copy-weight", help="Loss weight of answer lines that copy the file shown (changed lines weigh 1).", rich_help_panel=TRAIN)] = 0.3,
    unlikelihood: Annotated[float, typer.Option("--unlikelihood", min=0.0, help="Weight of a loss that pushes down the token copying the file would give where the answer departs from it (0: off).", rich_help_panel=TRAIN)] = 0.0,
    holdout: Annotated[float, typer.Option("--holdout", help="Share of the examples kept out of training, for --eval.", rich_help_panel=TRAIN)] = 0.1,
    seed: Annotated[int, typer.Option("--seed", help="Seed for the split, the order and the initial weights.", rich_help_panel=TRAIN)] = 0,
    resume: Annotated[bool, typer.Option("--resume", help="Continue from the checkpoint in --out.", rich_help_panel=TRAIN)] = False,
    checkpoint_every: Annotated[int, typer.Option("--checkpoint-every", help="Steps between checkpoints.", rich_help_panel=TRAIN)] = 20,
    threads: o.Threads = None,
    device: Annotated[str, typer.Option("--device", help="auto (a GPU when torch sees one), cpu, cuda or mps.", rich_help_panel=TRAIN)] = "auto",
    evaluate: Annotated[bool, typer.Option("--eval", help="Compare base and adapter (held-out examples, EditEval); make the adapter the default only if it wins.", rich_help_panel=EVAL)] = False,
    eval_limit: Annotated[int, typer.Option("--eval-limit", help="EditEval tasks to run (0: all 191).", rich_help_panel=EVAL)] = 0,
    eval_format: Annotated[str, typer.Option("--eval-format", help="Edit format for EditEval (auto: what `vibecli edit` uses by default).", rich_help_panel=EVAL)] = "auto",
    eval_data: Annotated[Optional[Path], typer.Option("--eval-data", help="EditEval-format JSON Lines to evaluate on (default: ../shared/eval/editeval.jsonl beside the checkout).", rich_help_panel=EVAL)] = None,
    json_: o.Json = False,
    quiet: o.Quiet = False,
) -> None:
    """Train a LoRA adapter (loss only on the answers) and export it as a GGUF adapter for llama.cpp."""
    env = Env(json=json_, quiet=quiet)
    result = {}
    with handled(env):
        from vibecli.train import require_extra

        require_extra()
        if not data and not logbook:
            raise UsageError("give --data FILE (from `vibecli data synth` or `data export`) and/or --logbook")
        if not 0 <= holdout < 1:
            raise UsageError("--holdout must be at least 0 and below 1")
        if eval_format not in EDIT_FORMATS:
            raise UsageError(f"--eval-format {eval_format}: use {', '.join(EDIT_FORMATS)}")
        if eval_data is not None:
            eval_data = eval_data.expanduser().resolve()
            if not eval_data.is_file():
                raise UsageError(f"--eval-data {eval_data}: no such file")
        rows = _rows(data or [], logbook, env)
        if not rows:
            raise VibeError("no training examples")
        from vibecli.train.dataset import split
        from vibecli.train.loop import TrainConfig
        from vibecli.train.loop import train as run_training

        train_rows, held = split(rows, holdout, seed)
        out_dir = (out or paths.data_dir() / "adapters" / time.strftime("%Y%m%d-%H%M%S")).expanduser().resolve()
        if resume and not (out_dir / "checkpoint" / "state.json").is_file():
            raise UsageError(f"--resume: no checkpoint in {out_dir}")
        base = _base_model(model, env)
        config = TrainConfig(
            base=base, rows=train_rows, out=out_dir, hf_cache=paths.cache_dir() / "models", steps=steps,
            minutes=minutes, rank=rank, alpha=alpha, learning_rate=learning_rate, max_length=max_length,
            copy_weight=copy_weight, unlikelihood=unlikelihood, seed=seed, checkpoint_every=checkpoint_every, resume=resume,
            threads=threads, device=device,
        )
        env.info(f"{len(train_rows)} training examples, {len(held)} held out; base {base.name}; out {out_dir}")
        progress = RichProgress(env)
        try:
            trained = run_training(config, progress)
        finally:
            progress.stop()
        from vibecli.backends.adapter import check_adapter

        info = check_adapter(trained.adapter, base)
        result = {**trained.as_dict(), "adapter_bytes": info.size, "adapter_tensors": info.tensors}
        result.pop("losses")
        if evaluate:
            result["eval"] = _evaluate(env, base, trained.adapter, held, eval_limit, eval_format, threads, eval_data,
                                       _incumbent(model))
        (out_dir / "train.json").write_text(json.dumps({**result, "losses": trained.losses}, indent=2) + "\n")
    if env.json:
        env.emit_json({"status": "done", **result})
        return
    env.info(
        f"adapter {result['adapter']} ({result['adapter_bytes'] / 1e6:.1f} MB, {result['adapter_tensors']} matrices): "
        f"{result['steps']} steps in {result['seconds']:.0f} s on {result['device']}, "
        f"loss {result['first_loss']} -> {result['last_loss']}"
    )
    if "eval" in result:
        env.info(json.dumps(result["eval"]))


def _evaluate(env: Env, base: Path, adapter: Path, held: list[dict], limit: int, edit_format: str, threads: int | None,
              data: Path | None = None, incumbent: Path | None = None) -> dict:
    """The new adapter against the incumbent ("base": the plain model, or the adapter in effect now)."""
    from vibecli.backends import make_backend
    from vibecli.settings import Settings
    from vibecli.train import evaluate as ev

    report: dict = {"baseline": str(incumbent) if incumbent else "the plain model"}

    def backend(path):
        path = path or incumbent
        settings = Settings(model=str(base), adapter=str(path) if path else NONE, threads=threads)
        return make_backend(settings, paths.cache_dir())

    if held:
        env.info(f"Held-out: {len(held)} examples, base then adapter")
        report["held_out"] = vars(ev.held_out(backend, adapter, held))
    extra = ["--model", str(base)] + (["--threads", str(threads)] if threads else [])
    try:
        env.info(f"EditEval ({limit or 'all'} tasks, {edit_format} format): base, then adapter")
        report["editeval_base"] = ev.editeval(incumbent, limit=limit, edit_format=edit_format, extra=extra, data=data)
        report["editeval_adapter"] = ev.editeval(adapter, limit=limit, edit_format=edit_format, extra=extra, data=data)
    except FileNotFoundError:
        report["editeval"] = "skipped: benchmarks/editeval.py is not in this installation (run from a checkout)"
    except Exception as exc:  # the benchmark is a separate program; its failure is reported, not fatal
        report["editeval"] = f"failed: {exc}"
    wins = _wins(report)
    report["adapter_wins"] = wins
    if wins:
        _make_default(adapter)
        report["default"] = f"adapter: {adapter} set in {paths.user_config_file()}"
    else:
        report["default"] = "unchanged: the adapter did not win"
    return report


def _wins(report: dict) -> bool:
    if "editeval_adapter" in report:
        return report["editeval_adapter"]["passed"] > report["editeval_base"]["passed"]
    held = report.get("held_out")
    return bool(held) and held["adapter_exact"] > held["base_exact"]


def _make_default(adapter: Path) -> None:
    import yaml

    config = paths.user_config_file()
    try:
        current = yaml.safe_load(config.read_text(encoding="utf-8")) if config.is_file() else {}
        current = current or {}
        current["adapter"] = str(adapter.resolve())
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(yaml.safe_dump(current, sort_keys=False), encoding="utf-8")
    except (OSError, yaml.YAMLError) as exc:
        raise VibeError(f"cannot set the adapter in {config}: {exc}") from None
