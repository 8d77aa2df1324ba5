# prompt_toolkit 3.0.53 (BSD-3-Clause), prompt_toolkit/utils.py; see README.md

from __future__ import annotations
from collections.abc import Callable


def to_str(value: Callable[[], str] | str) -> str:
    "Turn callable or string into string."
    if callable(value):
        return to_str(value())
    else:
        return str(value)


def to_int(value: Callable[[], int] | int) -> int:
    "Turn callable or int into int."
    if callable(value):
        return to_int(value())
    else:
        return int(value)
