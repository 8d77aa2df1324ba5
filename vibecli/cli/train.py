"""`vibecli train`: a LoRA adapter from training examples, exported as GGUF for llama.cpp."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from vibecli import paths
from vibecli.adapters import chosen_adapter
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
        rows.extend(_read(path, read_jsonl))
    if logbook and paths.logbook_file().exists():
        from vibecli.data.export import ExportOptions, export
        from vibecli.logbook import Logbook

        examples, _, summary = export(Logbook(paths.logbook_file()).runs_with_calls(), ExportOptions())
        env.info(f"{summary.examples} examples from the logbook")
        rows.extend(examples)
    return rows


def _read(path: Path, read_jsonl) -> list[dict]:
    path = path.expanduser()
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    return read_jsonl(path)


def _pairs(files: list[Path]) -> list[dict]:
    """Preference pairs, as `data export --pairs` writes them; a malformed line is a one-line error."""
    pairs = []
    for path in files:
        path = path.expanduser()
        if not path.is_file():
            raise UsageError(f"{path}: no such file")
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise VibeError(f"cannot read {path}: {exc}") from None
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise VibeError(f"{path}:{number}: not JSON: {exc.msg}") from None
            if not isinstance(row, dict) or not all(isinstance(row.get(k), str) for k in ("prompt", "chosen", "rejected")):
                raise VibeError(f"{path}:{number}: a preference pair needs prompt, chosen and rejected (as `data export --pairs` writes)")
            pairs.append(row)
    return pairs


def _base_model(model: str | None) -> Path:
    from vibecli.models import resolve_model
    from vibecli.settings import Settings

    return resolve_model(Settings(model=model), paths.cache_dir()).path


def _incumbent(model: str | None) -> Path | None:
    """The adapter in effect over the model trained on: what a new adapter must beat to become
    the default (the shipped one over the embedded model, unless config says otherwise)."""
    from vibecli.cli.wiring import settings_for

    return chosen_adapter(settings_for(None, {}).adapter, embedded_model=model is None)


def _rank() -> int:
    return int(os.environ.get("RANK", "0"))


@contextmanager
def _graceful_stop():
    """SIGTERM (`kill PID`) ends training at the next step, with a checkpoint and the adapter written."""
    asked = []
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: asked.append(signum))
    try:
        yield lambda: bool(asked)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _background(env: Env, out_dir: Path) -> dict:
    """Starts the same `vibecli train` command detached, its output in OUT/train.log."""
    args = sys.argv[sys.argv.index("train") + 1:] if "train" in sys.argv else []
    args = [a for a in args if a not in ("--background", "--json")]  # the log is for people
    if "--out" not in args:
        args += ["--out", str(out_dir)]
    out_dir.mkdir(parents=True, exist_ok=True)
    log = out_dir / "train.log"
    with log.open("ab") as handle:
        child = subprocess.Popen([sys.executable, "-m", "vibecli", "train", *args], stdin=subprocess.DEVNULL,
                                 stdout=handle, stderr=handle, start_new_session=True, env=dict(os.environ))
    (out_dir / "train.pid").write_text(f"{child.pid}\n")
    return {"status": "started", "pid": child.pid, "out": str(out_dir), "log": str(log),
            "curve": str(out_dir / "curve.jsonl")}


@dataclass
class Evaluation:
    after: bool
    """--eval: EditEval and held-out answers for the new adapter and the one in effect."""
    limit: int
    edit_format: str
    data: Path | None
    incumbent: Path | None


def _run(env: Env, config, rows: list[dict], held: list[dict], evaluation: Evaluation) -> dict:
    """Trains; on rank 0 also checks the result, writes ledger.json and runs --eval."""
    from vibecli.models.digest import file_sha256
    from vibecli.train import ledger
    from vibecli.train.loop import train as run_training

    env.info(f"{len(config.rows)} training examples, {len(config.pairs)} pairs, {len(held)} held out; "
             f"base {config.base.name}; out {config.out}")
    evaluator = None
    if config.eval_every and _rank() == 0:
        from vibecli.cli.train_eval import checkpoint_evaluator

        config.out.mkdir(parents=True, exist_ok=True)
        evaluator = checkpoint_evaluator(env, config.base, config.out, config.threads, evaluation.data)
    progress = RichProgress(env)
    try:
        with _graceful_stop() as stop:
            trained = run_training(config, progress, should_stop=stop, evaluate_checkpoint=evaluator)
    finally:
        progress.stop()
    result = {**trained.as_dict()}
    losses = result.pop("losses")
    if _rank() != 0:
        return result
    result["adapter_bytes"] = trained.adapter.stat().st_size
    if not config.full:
        from vibecli.backends.adapter import check_adapter

        result["adapter_tensors"] = check_adapter(trained.adapter, config.base).tensors
    settings = {"rank": None if config.full else config.rank, "alpha": None if config.full else config.alpha,
                "full": config.full, "lr": config.learning_rate, "batch": config.batch, "processes": trained.processes,
                "max_length": config.max_length, "copy_weight": config.copy_weight,
                "unlikelihood": config.unlikelihood, "beta": config.beta if config.pairs else None, "seed": config.seed}
    record = ledger.entry(rows=rows, held=held, pairs=config.pairs, result=result, settings=settings, base=config.base,
                          base_sha256=file_sha256(config.base, config.hf_cache))
    if evaluation.after:
        from vibecli.cli.train_eval import evaluate

        result["eval"] = evaluate(env, config.base, trained.adapter, held, evaluation.limit, evaluation.edit_format,
                                  config.threads, evaluation.data, evaluation.incumbent)
        _add_figures(record, result["eval"])
    result["ledger"] = str(ledger.write(config.out, record))
    (config.out / "train.json").write_text(json.dumps({**result, "losses": losses}, indent=2) + "\n")
    return result


def _add_figures(record: dict, report: dict) -> None:
    from vibecli.train import ledger

    if "editeval_adapter" in report:
        record["editeval"] = ledger.editeval_figures(report["editeval_adapter"])
        record["editeval_incumbent"] = {"adapter": report["baseline"],
                                        **ledger.editeval_figures(report["editeval_base"])}
    if "held_out" in report:
        record["held_out"] = report["held_out"]
    record["verdict"] = {"ships": report["adapter_wins"], "reason": report["verdict"]}


@app.command(epilog=o.EXIT_CODES_HELP)
@o.takes_settings("train")
def train(
    data: Annotated[Optional[List[Path]], typer.Option("--data", help="JSON Lines of {prompt, answer} (from `vibecli data export` or `data synth`); repeatable.", rich_help_panel=TRAIN)] = None,
    pairs: Annotated[Optional[List[Path]], typer.Option("--pairs", help="JSON Lines of preference pairs {prompt, chosen, rejected} (`data export --pairs`), trained with a DPO loss; repeatable.", rich_help_panel=TRAIN)] = None,
    logbook: Annotated[bool, typer.Option("--logbook", help="Also train on everything `vibecli data export` would give.", rich_help_panel=TRAIN)] = False,
    out: Annotated[Optional[Path], typer.Option("--out", help="Folder for adapter.gguf, the checkpoint, curve.jsonl, train.json and ledger.json (default: a new one under the data dir).", rich_help_panel=TRAIN)] = None,
    flags: o.SettingFlags = None,
    steps: Annotated[int, typer.Option("--steps", min=0, help="Optimizer steps (0: one pass over the data).", rich_help_panel=TRAIN)] = 0,
    minutes: Annotated[float, typer.Option("--minutes", min=0.0, help="Stop and export before this many minutes of training (0: no limit).", rich_help_panel=TRAIN)] = 25.0,
    batch: Annotated[int, typer.Option("--batch", min=1, help="Examples per optimizer step (per process under torchrun).", rich_help_panel=TRAIN)] = 8,
    micro: Annotated[int, typer.Option("--micro", min=1, help="Examples run side by side within a step (padded); 1 suits a CPU, 4-16 a GPU.", rich_help_panel=TRAIN)] = 1,
    full: Annotated[bool, typer.Option("--full", help="Train every weight, not a LoRA adapter (for a GPU); writes model.gguf.", rich_help_panel=TRAIN)] = False,
    rank: Annotated[int, typer.Option("--rank", min=1, help="LoRA rank.", rich_help_panel=TRAIN)] = 16,
    alpha: Annotated[float, typer.Option("--alpha", help="LoRA alpha (scale = alpha / rank).", rich_help_panel=TRAIN)] = 32.0,
    learning_rate: Annotated[Optional[float], typer.Option("--learning-rate", help="Peak learning rate (warm-up, then cosine); default 2e-4, or 5e-5 with --full.", rich_help_panel=TRAIN)] = None,
    max_length: Annotated[int, typer.Option("--max-length", help="Skip examples longer than this many tokens.", rich_help_panel=TRAIN)] = 1024,
    copy_weight: Annotated[float, typer.Option("--copy-weight", help="Loss weight of answer lines that copy the file shown (changed lines weigh 1).", rich_help_panel=TRAIN)] = 0.3,
    unlikelihood: Annotated[float, typer.Option("--unlikelihood", min=0.0, help="Weight of a loss that pushes down the token copying the file would give where the answer departs from it (0: off).", rich_help_panel=TRAIN)] = 0.0,
    beta: Annotated[float, typer.Option("--beta", min=0.0, help="DPO beta for --pairs.", rich_help_panel=TRAIN)] = 0.1,
    holdout: Annotated[float, typer.Option("--holdout", help="Share of the examples kept out of training, for --eval.", rich_help_panel=TRAIN)] = 0.1,
    seed: Annotated[int, typer.Option("--seed", help="Seed for the split, the order and the initial weights.", rich_help_panel=TRAIN)] = 0,
    resume: Annotated[bool, typer.Option("--resume", help="Continue from the checkpoint in --out (data order, learning rate and optimizer as they were).", rich_help_panel=TRAIN)] = False,
    checkpoint_every: Annotated[int, typer.Option("--checkpoint-every", min=0, help="Steps between checkpoints.", rich_help_panel=TRAIN)] = 20,
    background: Annotated[bool, typer.Option("--background", help="Run detached: print the process id and return; output in OUT/train.log, `kill PID` stops it with a checkpoint.", rich_help_panel=TRAIN)] = False,
    device: Annotated[str, typer.Option("--device", help="auto (a GPU when torch sees one), cpu, cuda or mps.", rich_help_panel=TRAIN)] = "auto",
    evaluate: Annotated[bool, typer.Option("--eval", help="Compare base and adapter (held-out examples, EditEval); make the adapter the default only if the shipping rule says so.", rich_help_panel=EVAL)] = False,
    eval_every: Annotated[int, typer.Option("--eval-every", min=0, help="Run EditEval's fixed 24-task sample on every Nth checkpoint into curve.jsonl (0: never; minutes each).", rich_help_panel=EVAL)] = 0,
    eval_limit: Annotated[int, typer.Option("--eval-limit", help="EditEval tasks to run (0: all 191).", rich_help_panel=EVAL)] = 0,
    eval_format: Annotated[str, typer.Option("--eval-format", help="Edit format for EditEval (auto: what `vibecli edit` uses by default).", rich_help_panel=EVAL)] = "auto",
    eval_data: Annotated[Optional[Path], typer.Option("--eval-data", help="EditEval-format JSON Lines to evaluate on (default: shared/eval/editeval.jsonl beside the checkout).", rich_help_panel=EVAL)] = None,
    json_: o.Json = False,
    quiet: o.Quiet = False,
) -> None:
    """Train a LoRA adapter (loss only on the answers) and export it as a GGUF adapter for llama.cpp."""
    model, threads = flags["model"], flags["threads"]  # its own use of them: the base to train, torch's threads
    main_process = _rank() == 0
    env = Env(json=json_ and main_process, quiet=quiet or not main_process)
    result = {}
    with handled(env):
        from vibecli.train import require_extra

        require_extra()
        if not data and not logbook and not pairs:
            raise UsageError("give --data FILE (from `vibecli data synth` or `data export`), --pairs FILE and/or --logbook")
        if not 0 <= holdout < 1:
            raise UsageError("--holdout must be at least 0 and below 1")
        if eval_format not in EDIT_FORMATS:
            raise UsageError(f"--eval-format {eval_format}: use {', '.join(EDIT_FORMATS)}")
        if full and pairs:
            raise UsageError("--pairs needs the base model as the reference: use it without --full")
        if eval_data is not None:
            eval_data = eval_data.expanduser().resolve()
            if not eval_data.is_file():
                raise UsageError(f"--eval-data {eval_data}: no such file")
        out_dir = (out or paths.data_dir() / "adapters" / time.strftime("%Y%m%d-%H%M%S")).expanduser().resolve()
        if resume and not (out_dir / "checkpoint" / "state.json").is_file():
            raise UsageError(f"--resume: no checkpoint in {out_dir}")
        rows, preference = _rows(data or [], logbook, env), _pairs(pairs or [])
        if not rows and not preference:
            raise VibeError("no training examples")
        if background:
            result = _background(env, out_dir)
        else:
            from vibecli.train.dataset import split
            from vibecli.train.loop import TrainConfig

            train_rows, held = split(rows, holdout, seed)
            config = TrainConfig(
                base=_base_model(model), rows=train_rows, pairs=preference, out=out_dir,
                hf_cache=paths.cache_dir() / "models", steps=steps, minutes=minutes, batch=batch, micro=micro,
                rank=rank, alpha=alpha, learning_rate=learning_rate or (5e-5 if full else 2e-4), max_length=max_length,
                copy_weight=copy_weight, unlikelihood=unlikelihood, beta=beta, full=full, seed=seed,
                checkpoint_every=checkpoint_every, eval_every=eval_every, resume=resume, threads=threads, device=device,
            )
            evaluation = Evaluation(evaluate, eval_limit, eval_format, eval_data, _incumbent(model) if evaluate else None)
            result = _run(env, config, rows, held, evaluation)
    if env.json:
        env.emit_json({"status": "done", **result} if not background else result)
        return
    if background:
        env.info(f"training in the background: pid {result['pid']}; output in {result['log']}, learning curve in "
                 f"{result['curve']}; `kill {result['pid']}` stops it with a checkpoint (--resume goes on)")
        return
    if main_process:
        env.info(
            f"{'model' if full else 'adapter'} {result['adapter']} ({result['adapter_bytes'] / 1e6:.1f} MB): "
            f"{result['steps']} steps, {result['tokens']} tokens in {result['seconds']:.0f} s on {result['device']}"
            f"{' x' + str(result['processes']) if result['processes'] > 1 else ''}, loss {result['first_loss']} -> {result['last_loss']}"
        )
        if "eval" in result:
            env.info(json.dumps(result["eval"]))
