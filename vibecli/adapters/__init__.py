"""The LoRA adapter that ships with vibecli and applies over the embedded model by default.

`gemma-3-270m-edit-1.gguf` was trained by `vibecli train` on 323 synthetic edit tasks (mix 4 of
scripts/adapter_data.py: the `algorithms` package from PyPI, MIT, and Python's standard library)
and passes 8 of 191 EditEval tasks against the plain model's 2 on the same machine (README,
"The shipped adapter").
It is a derivative of google/gemma-3-270m and falls under the Gemma Terms of Use (NOTICE).

The `adapter` setting chooses: unset applies this one over the embedded model (not over any
other model); a path applies that adapter; `none` applies none.
"""

from __future__ import annotations

from pathlib import Path

SHIPPED = Path(__file__).with_name("gemma-3-270m-edit-1.gguf")
ROUTE = Path(__file__).with_name("gemma-3-270m-route-1.gguf")
"""The route adapter over the embedded model: which exact tool a request asks for, or none
(`vibecli.fixers.model_router`; trained from `scripts/route_data.py`'s set, docs/adapters.md)."""
NONE = "none"


def chosen_adapter(setting: str | None, embedded_model: bool) -> Path | None:
    """The adapter file the `adapter` setting asks for, over the embedded model or another one."""
    if setting and setting.strip().lower() == NONE:
        return None
    if setting:
        return Path(setting).expanduser()
    return SHIPPED if embedded_model and SHIPPED.is_file() else None


def label(adapter: Path | None) -> str:
    """The adapter in effect, as `model info` and the session banner show it."""
    if adapter is None:
        return NONE
    if adapter == SHIPPED:
        return f"{SHIPPED.stem} (shipped)"
    return str(adapter) if adapter.is_file() else f"{adapter} (not found)"
