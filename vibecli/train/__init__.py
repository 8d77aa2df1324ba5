"""`vibecli train`: a LoRA adapter for the base model, trained on vibecli's own prompts and answers.

Needs the `train` extra (torch, transformers, peft, gguf); nothing here is imported by the rest
of vibecli, and torch loads only inside the functions that use it.
"""

from __future__ import annotations

from vibecli.core import VibeError

EXTRA_HINT = "pip install 'vibecli[train]' (CPU-only torch: add --extra-index-url https://download.pytorch.org/whl/cpu)"


def require_extra() -> None:
    """A clear one-line error when the `train` extra is missing."""
    import importlib.util

    missing = [m for m in ("torch", "transformers", "peft", "gguf") if importlib.util.find_spec(m) is None]
    if missing:
        raise VibeError(f"training needs {', '.join(missing)}: {EXTRA_HINT}")
