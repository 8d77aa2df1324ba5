"""Secrets out of training data: keys, tokens, private keys and `.env` values become `<redacted>`."""

from __future__ import annotations

import re

REDACTED = "<redacted>"

_PATTERNS = [
    # whole private keys
    re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?-----END [A-Z0-9 ]*PRIVATE KEY-----", re.S),
    re.compile(r"\bAKIA[0-9A-Z]{16}\b"),  # AWS access key id
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}\b"),  # GitHub tokens
    re.compile(r"\bgithub_pat_[A-Za-z0-9_]{30,}\b"),
    re.compile(r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}\b"),  # OpenAI / Anthropic style keys
    re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b"),  # Slack
    re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),  # Google API key
    re.compile(r"\bhf_[A-Za-z0-9]{30,}\b"),  # Hugging Face
    re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\b"),  # JWT
    re.compile(r"(?<=://)[^/\s:@]+:[^/\s@]+(?=@)"),  # user:password@ in URLs
]
# NAME = "value" where NAME says it is secret; the value goes, the name stays
_ASSIGNED = re.compile(
    r"""(?ix)
    (\b[\w.-]*(?:api[_-]?key|secret|token|passw(?:or)?d|passwd|private[_-]?key|access[_-]?key|auth)[\w.-]*
     \s*[:=]\s*)
    (["']?)([^\s"',;]{6,})\2
    """
)
_ENV_LINE = re.compile(r"(?m)^(\s*(?:export\s+)?[A-Z][A-Z0-9_]*\s*=\s*)(\S.*)$")


def scrub(text: str, *, env_file: bool = False) -> tuple[str, int]:
    """(scrubbed text, number of secrets replaced)."""
    count = 0
    for pattern in _PATTERNS:
        text, n = pattern.subn(REDACTED, text)
        count += n

    def assigned(match: re.Match) -> str:
        nonlocal count
        if match.group(3) == REDACTED or match.group(3).startswith(("<", "os.", "getenv", "self.", "None")):
            return match.group(0)
        count += 1
        return f"{match.group(1)}{match.group(2)}{REDACTED}{match.group(2)}"

    text = _ASSIGNED.sub(assigned, text)
    if env_file:
        text, n = _ENV_LINE.subn(lambda m: m.group(1) + REDACTED, text)
        count += n
    return text, count


def scrub_prompt(text: str) -> tuple[str, int]:
    """A prompt may show `.env` files: their values all go, whatever their names."""
    parts = re.split(r"(?m)^(### File: .*)$", text)
    total = 0
    out = []
    env_next = False
    for part in parts:
        if part.startswith("### File: "):
            name = part[len("### File: "):].strip()
            env_next = name.rsplit("/", 1)[-1].startswith(".env")
            out.append(part)
            continue
        cleaned, n = scrub(part, env_file=env_next)
        total += n
        out.append(cleaned)
        env_next = False
    return "".join(out), total
