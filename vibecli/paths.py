"""The one place for user paths: platformdirs, overridable by VIBECLI_HOME."""

from __future__ import annotations

import os
from pathlib import Path

APP = "vibecli"


def home() -> Path | None:
    value = os.environ.get("VIBECLI_HOME")
    return Path(value).expanduser() if value else None


def config_dir() -> Path:
    if base := home():
        return base
    import platformdirs

    return Path(platformdirs.user_config_dir(APP))


def data_dir() -> Path:
    if base := home():
        return base
    import platformdirs

    return Path(platformdirs.user_data_dir(APP))


def cache_dir() -> Path:
    if base := home():
        return base / "cache"
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP))


def pulled_models_dir() -> Path:
    """Models pulled from the Hugging Face hub: `<owner>--<repo>/<file>.gguf` with a `.json` record each."""
    return cache_dir() / "pulled"


def user_config_file() -> Path:
    return config_dir() / "config.yaml"


def user_scaffolds_dir() -> Path:
    """Scaffolds of the user's own, beside the shipped ones (`vibecli new`)."""
    return config_dir() / "scaffolds"


def logbook_file() -> Path:
    return data_dir() / "logbook.db"


def package_data(name: str) -> Path:
    """`prompts/` or `scaffolds/`: installed inside the wheel, or at the top of a checkout."""
    installed = Path(__file__).parent / "_data" / name
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parent.parent / name


def history_file(repo_root: Path) -> Path:
    """The session's prompt history for one repository, keyed by its root."""
    import hashlib

    key = hashlib.sha256(str(repo_root.resolve()).encode("utf-8")).hexdigest()[:16]
    return data_dir() / "history" / f"{repo_root.name}-{key}"
