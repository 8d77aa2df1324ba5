"""Edit tasks with known answers, made from real code that nobody here wrote.

Each task takes one real definition as the *answer* and degrades it into the *before* state:
the docstring taken out becomes "add a docstring to X", the error handling taken out becomes
"handle the case where ...", a flipped comparison becomes "fix the bug in X". The answer is
vibecli's own symbol-anchored edit (`@@ replace PATH NAME` and the definition), checked by
applying it with vibecli's edit engine to the before-file: it must give back the original.

Python tasks are made with `ast` (behaviour-level: docstrings, annotations, error handling,
guard clauses, default values, comprehensions, renames, planted bugs: `py_transforms`), plus
functions taken out of their file and asked for by signature and docstring; the other
addressable languages (JavaScript, TypeScript, Go, Rust, Java, C, C++) get renames and flipped
comparisons through tree-sitter's definitions.
"""

from __future__ import annotations

import ast
import hashlib
import random
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from vibecli.core import ApplyError, Edit, EnvelopeError
from vibecli.data.py_transforms import PY_TRANSFORMS, docstring_line, imperative, unparse_def
from vibecli.edits import languages, syntax
from vibecli.edits.apply import Context, apply_edits
from vibecli.edits.envelope import format_envelope
from vibecli.edits.fileio import SourceFile

MIN_LINES, MAX_LINES = 3, 40
"""Definitions this long make a task: small like the files people ask about, short to train on."""
MAX_FILE_BYTES = 400_000
SKIP_PARTS = ("test", "tests", "idlelib", "lib2to3", "site-packages", "node_modules", "__pycache__", ".git")


@dataclass(frozen=True)
class Task:
    kind: str
    language: str
    path: str
    """The file name shown to the model (the source file's base name)."""
    before: str
    after: str
    instruction: str
    answer: str
    """The answer in vibecli's edit format, ending with `@@ done`."""
    origin: str
    """Where the code came from, `FILE:LINE`."""


def _memory_file(relpath: str, text: str) -> SourceFile:
    return SourceFile(relpath=relpath, path=Path(relpath), text=text, newline="\n", bom=False, mode=0o644, digest="")


def verify(task: Task) -> bool:
    """The answer, applied by vibecli's edit engine to the before-file, gives the after-file."""
    from vibecli.edits.envelope import parse_envelope

    try:
        edits = parse_envelope(task.answer)
        changes = apply_edits(edits, {task.path: _memory_file(task.path, task.before)}, {})
    except (ApplyError, EnvelopeError):
        return False
    return len(changes) == 1 and changes[0].new_text.rstrip("\n") == task.after.rstrip("\n") and task.before != task.after


def _add_function_task(path: Path, fn, other, header: str) -> Task | None:
    """The function taken out of its file, asked for by its signature and what its docstring says."""
    doc = docstring_line(fn)
    if not doc:
        return None
    signature = f"{fn.name}({ast.unparse(fn.args)})"
    if len(signature) > 80:
        return None
    definition, neighbour = unparse_def(fn), unparse_def(other)
    before = header + neighbour
    after = header + neighbour + "\n\n" + definition
    answer = format_envelope([Edit("append", path.name, definition)], "python")
    return Task("add_function", "python", path.name, before, after, f"Add a function `{signature}` to {doc}." if imperative(doc) else f"Add a function `{signature}`: {doc}.",
                answer, f"{path}:{fn.lineno}")


def _python_tasks(path: Path, text: str, rng: random.Random) -> Iterator[Task]:
    try:
        module = ast.parse(text)
    except (SyntaxError, ValueError):
        return
    functions = [n for n in module.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    imports = [n for n in module.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    for index, fn in enumerate(functions):
        length = (fn.end_lineno or fn.lineno) - fn.lineno + 1
        if not MIN_LINES <= length <= MAX_LINES:
            continue
        after_def = unparse_def(fn)
        # a neighbour, when small, so the model learns to leave the rest of a file alone
        neighbour = ""
        if index + 1 < len(functions) and rng.random() < 0.5:
            other = functions[index + 1]
            if (other.end_lineno or other.lineno) - other.lineno < 15:
                neighbour = unparse_def(other)
        for kind, transform in PY_TRANSFORMS.items():
            degraded = transform(ast.parse(after_def).body[0], fn.name)
            if degraded is None:
                continue
            node, instruction = degraded
            before_def = unparse_def(node)
            if before_def == after_def:
                continue
            symbol = node.name
            header = _imports_used(imports, [fn] + ([functions[index + 1]] if neighbour else []))
            before = header + before_def + ("\n\n" + neighbour if neighbour else "")
            after = header + after_def + ("\n\n" + neighbour if neighbour else "")
            answer = format_envelope([Edit("replace", path.name, after_def, symbol=symbol)], "python")
            yield Task(kind, "python", path.name, before, after, instruction, answer, f"{path}:{fn.lineno}")
        if index > 0 and (functions[index - 1].end_lineno or 0) - functions[index - 1].lineno < 15:
            other = functions[index - 1]
            task = _add_function_task(path, fn, other, _imports_used(imports, [fn, other]))
            if task is not None:
                yield task


def _imports_used(imports: list[ast.stmt], definitions: list[ast.AST]) -> str:
    """The module's import lines that bind a name these definitions use, as the file's head: real
    files start with imports, and a model that drops them breaks the file."""
    used = {n.id for d in definitions for n in ast.walk(d) if isinstance(n, ast.Name)}
    used |= {n.value.id for d in definitions for n in ast.walk(d)
             if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)}
    lines = []
    for node in imports:
        kept = [a for a in node.names if (a.asname or a.name).split(".")[0] in used]
        if not kept:
            continue
        clone = ast.ImportFrom(node.module, kept, node.level) if isinstance(node, ast.ImportFrom) else ast.Import(kept)
        lines.append(ast.unparse(clone))
    return "\n".join(lines) + "\n\n\n" if lines else ""


# --- other languages, through tree-sitter -----------------------------------------------------

_COMPARISON = re.compile(r"(?<=[\w)\]]) (<=|>=|<|>|==|!=|===|!==) (?=[\w(\-\"'!])")
_FLIP = {"<": ">=", ">=": "<", ">": "<=", "<=": ">", "==": "!=", "!=": "==", "===": "!==", "!==": "==="}
_CONDITION = re.compile(r"^\s*(if|while|return|\} else if|else if)\b")


def _ts_tasks(path: Path, text: str, language: str) -> Iterator[Task]:
    source = text.encode("utf-8")
    for definition in syntax.definitions(language, source):
        if definition.kind not in ("function", "method") or "." in definition.name or "#" in definition.name:
            continue
        length = definition.end_line - definition.start_line + 1
        if not MIN_LINES <= length <= MAX_LINES:
            continue
        line_start = source.rfind(b"\n", 0, definition.start_byte) + 1
        if source[line_start:definition.start_byte].strip():
            continue  # the definition shares its first line with other code
        body = source[line_start:definition.end_byte].decode("utf-8") + "\n"
        body = textwrap.dedent(body)
        fence = languages.by_name(language).fence
        name = definition.name
        for kind, made in (("comparison", _flip_comparison(body, name)), ("rename", _rename_camel(body, name))):
            if made is None:
                continue
            before, instruction, symbol = made
            answer = format_envelope([Edit("replace", path.name, body, symbol=symbol)], fence)
            yield Task(kind, language, path.name, before, body, instruction, answer, f"{path}:{definition.start_line}")


def _flip_comparison(body: str, name: str):
    lines = body.split("\n")
    for i, line in enumerate(lines):
        if not _CONDITION.match(line):
            continue
        matches = list(_COMPARISON.finditer(line))
        if len(matches) != 1:
            continue
        match = matches[0]
        good_op = match.group(1)
        bad_line = line[: match.start(1)] + _FLIP[good_op] + line[match.end(1):]
        lines[i] = bad_line
        return ("\n".join(lines),
                f"Fix the bug in {name}: in `{bad_line.strip()}` the comparison is the wrong way round; "
                f"it should use `{good_op}`.", name)
    return None


def _rename_camel(body: str, name: str):
    if "_" in name or not re.search(r"[a-z][A-Z]", name):
        return None
    snake = re.sub(r"(?<=[a-z0-9])([A-Z])", lambda m: "_" + m.group(1).lower(), name)
    if re.search(rf"\b{re.escape(snake)}\b", body):
        return None
    before = re.sub(rf"\b{re.escape(name)}\b", snake, body)
    return before, f"Rename {snake} to {name}, in camelCase like the rest of the code.", snake


# --- walking a tree of sources ----------------------------------------------------------------


def source_files(root: Path) -> Iterator[Path]:
    if root.is_file():
        yield root
        return
    for path in sorted(root.rglob("*")):
        if any(part in SKIP_PARTS or part.startswith("test_") for part in path.relative_to(root).parts):
            continue
        if path.is_file() and not path.is_symlink() and languages.language_for(path.name):
            yield path


def tasks_from(root: Path, *, seed: int = 0, limit: int | None = None, kinds: set[str] | None = None,
               exclude_texts: set[str] = frozenset()) -> Iterator[Task]:
    """Verified tasks from every source file under root, in a seeded order per file."""
    rng = random.Random(seed)
    count = 0
    seen: set[str] = set()
    for path in source_files(root):
        spec = languages.language_for(path.name)
        if spec is None or not spec.addressable:
            continue
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                continue
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        made = _python_tasks(path, text, rng) if spec.name == "python" else _ts_tasks(path, text, spec.name)
        for task in made:
            if kinds and task.kind not in kinds:
                continue
            key = hashlib.sha256((task.before + task.instruction).encode()).hexdigest()
            if key in seen or _normalized(task.after) in exclude_texts or not verify(task):
                continue
            seen.add(key)
            yield task
            count += 1
            if limit and count >= limit:
                return


def answer_in(task: Task, edit_format: str) -> tuple[str, str]:
    """The edit format a `vibecli edit` prompt for this task would use, and the task's answer in it.

    `symbol` keeps the symbol-anchored answer; `whole` rewrites the file; `auto` resolves as
    `vibecli edit` does (whole for files of at most SMALL_FILE_LINES lines), so that training
    prompts and answers match what the model sees under the default setting."""
    from vibecli.conversation import resolve_format

    edit_format = resolve_format(edit_format, {task.path: _memory_file(task.path, task.before)})
    if edit_format == "symbol":
        return "symbol", task.answer
    after = task.after if task.after.endswith("\n") else task.after + "\n"
    return "whole", format_envelope([Edit("rewrite", task.path, after)], task.language)


def _normalized(text: str) -> str:
    return " ".join(text.split())


def symbols_for(path: str, text: str) -> list[str]:
    return Context.of({path: _memory_file(path, text)}).symbols[path]
