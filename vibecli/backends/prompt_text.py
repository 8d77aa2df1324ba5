"""A prompt as the plain text that a completion model continues, for every backend that takes text."""

from __future__ import annotations

from vibecli.core import SECTION_MARKERS, Message

HEADING = SECTION_MARKERS[1]


def flatten(prompt: str | list[Message]) -> str:
    """Messages as one text: a system message as it is, every other under a `### ROLE:` heading."""
    if isinstance(prompt, str):
        return prompt
    return "".join(f"{m.content}\n" if m.role == "system" else f"{HEADING}{m.role}:\n{m.content}\n" for m in prompt)
