"""`vibecli train --eval`: the new adapter against the one in effect, the ledger's figures, and
the shipping rule's verdict (vibecli.train.ledger) that decides whether it becomes the default."""

from __future__ import annotations

from pathlib import Path

from vibecli import paths
from vibecli.adapters import NONE
from vibecli.cli.console import Env
from vibecli.core import VibeError


def evaluate(env: Env, base: Path, adapter: Path, held: list[dict], limit: int, edit_format: str, threads: int | None,
             data: Path | None = None, incumbent: Path | None = None) -> dict:
    """The report: held-out answers and EditEval for both, and the verdict (applied when it ships)."""
    from vibecli.train import evaluate as ev
    from vibecli.train import ledger

    report: dict = {"baseline": str(incumbent) if incumbent else "the plain model"}
    if held:
        env.info(f"Held-out: {len(held)} examples, base then adapter")
        report["held_out"] = vars(ev.held_out(_backend_maker(base, incumbent, threads), adapter, held))
    data = data or ev.find_editeval()
    extra = ["--model", str(base)] + (["--threads", str(threads)] if threads else [])
    try:
        env.info(f"EditEval ({limit or 'all'} tasks, {edit_format} format): base, then adapter")
        report["editeval_base"] = ev.editeval(incumbent, limit=limit, edit_format=edit_format, extra=extra, data=data)
        report["editeval_adapter"] = ev.editeval(adapter, limit=limit, edit_format=edit_format, extra=extra, data=data)
    except FileNotFoundError:
        report["editeval"] = "skipped: benchmarks/editeval.py is not in this installation (run from a checkout)"
    except Exception as exc:  # the benchmark is a separate program; its failure is reported, not fatal
        report["editeval"] = f"failed: {exc}"
    ran = (report.get("editeval_adapter") or {}).get("tasks", 0)
    complete = whole_set(ran, limit, data)
    result = ledger.verdict(report.get("editeval_adapter"), report.get("editeval_base"), report.get("held_out"),
                            complete=complete)
    report["adapter_wins"] = result.ships
    report["verdict"] = result.reason
    if result.ships:
        make_default(adapter)
        report["default"] = f"adapter: {adapter} set in {paths.user_config_file()}"
    else:
        report["default"] = "unchanged: " + result.reason
    return report


def whole_set(ran: int, limit: int, data: Path | None) -> bool:
    """Whether an EditEval run of `ran` tasks covered all of `data`: without --eval-limit it did;
    with one, only if the set has no more tasks than ran (a limit of 191 on EditEval-191 is the whole set)."""
    if not limit:
        return True
    if data is None or not data.is_file():
        return False
    with data.open(encoding="utf-8") as handle:
        return ran >= sum(1 for line in handle if line.strip())


def _backend_maker(base: Path, incumbent: Path | None, threads: int | None):
    from vibecli.backends import make_backend
    from vibecli.settings import Settings

    def backend(path):
        path = path or incumbent
        settings = Settings(model=str(base), adapter=str(path) if path else NONE, threads=threads)
        return make_backend(settings, paths.cache_dir())

    return backend


def checkpoint_evaluator(env: Env, base: Path, out: Path, threads: int | None, data: Path | None):
    """EditEval on the fixed subset (evaluate.SUBSET), for the learning curve at checkpoints."""
    from vibecli.train import evaluate as ev

    source = data or ev.find_editeval()
    if source is None:
        raise VibeError("--eval-every needs EditEval: give --eval-data FILE (../shared/eval/editeval.jsonl)")
    subset = out / "editeval-subset.jsonl"
    ev.write_subset(source, subset)
    extra = ["--model", str(base)] + (["--threads", str(threads)] if threads else [])

    def evaluate_checkpoint(adapter: Path, step: int) -> dict:
        try:
            summary = ev.editeval(adapter, limit=0, edit_format="auto", extra=extra, data=subset)
        except Exception as exc:  # a failed evaluation is a point missing from the curve, not a failed run
            return {"error": str(exc)[:300]}
        return {key: summary[key] for key in ("tasks", "passed", "pass_at_1", "well_formed_share", "landed",
                                              "no_change", "rejected")}

    return evaluate_checkpoint


def make_default(adapter: Path) -> None:
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
