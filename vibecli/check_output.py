"""What a failing check's output names: the problems (file, line, message) of the common linters,
type checkers, compilers and test runners in their default formats, and, when none parses, every
file of the repository the output mentions.

One parser per shape of line, tried in order on each line (colours stripped first):

- `path:line[:col]: message`: ruff --output-format concise, flake8, pylint, mypy, go vet and go
  build (`vet: path:...` too), gcc, eslint -f unix, pytest's traceback frames and --tb=line;
- `path:line:col - error: message`: pyright, tsc --pretty;
- `path(line,col): error TS1234: message`: tsc;
- `--> path:line:col` under a header line: ruff's default (full) format, rustc and cargo;
- `FAILED|ERROR path[::test] [- message]`: pytest's short summary;
- `File "path", line N`: Python tracebacks (an import error inside a pytest collection error);
- a file's name on a line, then `  line:col  error|warning  message  rule`: eslint's default (stylish).

Paths outside the repository (a library's frame in a traceback) are left out: they are never
what vibecli may change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")
_PATH = r"[^\s:(\"'][^:(\"'\n]*?\.[A-Za-z0-9]+"

_COLON = re.compile(rf"^(?:vet: )?(?P<path>{_PATH}):(?P<line>\d+)(?::\d+)?:(?:\s*(?P<msg>.*))?$")
_DASH = re.compile(rf"^\s*(?P<path>{_PATH}):(?P<line>\d+):\d+ - (?P<msg>(?:error|warning|information)\b.*)$")
_TSC = re.compile(rf"^(?P<path>{_PATH})\((?P<line>\d+),\d+\):\s*(?P<msg>.+)$")
_ARROW = re.compile(rf"^\s*--> (?P<path>{_PATH}):(?P<line>\d+)(?::\d+)?\s*$")
_PYTEST = re.compile(r"^(?:FAILED|ERROR) (?P<path>[^\s:]+\.py)(?:::(?P<test>\S+))?(?: - (?P<msg>.+))?$")
_TRACEBACK = re.compile(r"^\s*(?:E\s+)?File \"(?P<path>[^\"]+)\", line (?P<line>\d+)")
_STYLISH = re.compile(r"^\s+(?P<line>\d+):\d+\s+(?:error|warning)\s+(?P<msg>.+?)\s*$")
_MENTION = re.compile(r"[\w./\\-]*\w\.[A-Za-z0-9]+")
_WORD_BREAK = re.compile(r"[\s\"'`()\[\]{}<>,;|=]+")
_LINE_SUFFIX = re.compile(r"(?::\d+)*:?$")

MAX_PARSED_CHARS = 1 << 20
"""Of a check's output, the first and last half of this much is read for problems: the rest of a
runaway output names nothing a person could act on either."""
MAX_LINE_CHARS = 4096
"""A longer line is no tool's report of a problem; none of the patterns is tried on it."""
MAX_MENTIONS = 1000


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


def plain(output: str) -> str:
    """The output without colours and terminal sequences (a tool forced to colour, tsc --pretty)."""
    return _ANSI.sub("", output)


def parse_problems(output: str, root: Path) -> list[Problem]:
    """Every problem the output names in a file of the repository at `root`, in order, each once."""
    problems: list[Problem] = []
    header = ""  # the last line at the margin: the message an `-->` line points from
    stylish_file = None
    for line in _lines(output):
        found = _one_line(line, header)
        if found is not None:
            problems.append(found)
        elif line and not line[0].isspace() and _is_file(root, line):
            stylish_file = line
        elif stylish_file and (m := _STYLISH.match(line)):
            problems.append(Problem(stylish_file, int(m.group("line")), m.group("msg")))
        if line and not line[0].isspace():
            header = line
    inside = []
    for problem in problems:
        relpath = repository_path(problem.path, root)
        if relpath is not None:
            inside.append(Problem(relpath, problem.line, problem.message))
    return list(dict.fromkeys(inside))


def _one_line(line: str, header: str) -> Problem | None:
    if m := _ARROW.match(line):
        return Problem(m.group("path"), int(m.group("line")), header.strip() or "here")
    if m := _PYTEST.match(line):
        return Problem(m.group("path"), None, " ".join(filter(None, [m.group("test"), m.group("msg")])) or "failed")
    if m := _TRACEBACK.match(line):
        return Problem(m.group("path"), int(m.group("line")), "in the traceback")
    for pattern in (_DASH, _COLON, _TSC):
        if m := pattern.match(line):
            return Problem(m.group("path"), int(m.group("line")), (m.group("msg") or "").strip() or "here")
    return None


def mentioned_files(output: str, root: Path) -> list[str]:
    """Files of the repository the output names anywhere, in order: when no line parses as a problem."""
    words = []
    for line in _lines(output):
        for word in _WORD_BREAK.split(line):
            word = _LINE_SUFFIX.sub("", word.strip(".:"))
            if _MENTION.fullmatch(word):
                words.append(word)
    found = []
    for word in list(dict.fromkeys(words))[:MAX_MENTIONS]:
        relpath = repository_path(word, root)
        if relpath is not None and (root / relpath).is_file():
            found.append(relpath)
    return list(dict.fromkeys(found))


def _lines(output: str):
    if len(output) > MAX_PARSED_CHARS:
        half = MAX_PARSED_CHARS // 2
        output = output[:half] + "\n" + output[-half:]
    for raw in plain(output).splitlines():
        if len(raw) <= MAX_LINE_CHARS:
            yield raw.rstrip()


def repository_path(path: str, root: Path) -> str | None:
    """The path relative to the repository's root, when it names a place inside it (not under .git)."""
    candidate = Path(path.strip())
    try:
        top = root.resolve()
        full = (candidate if candidate.is_absolute() else root / candidate).resolve()
        relpath = full.relative_to(top)
    except (ValueError, OSError, RuntimeError):
        return None
    if not relpath.parts or relpath.parts[0] == ".git":
        return None
    return relpath.as_posix()


def _is_file(root: Path, line: str) -> bool:
    try:
        return Path(root, line).is_file()
    except (OSError, ValueError):
        return False
