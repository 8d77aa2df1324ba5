"""Edit tasks with known answers, made from real code that nobody here wrote.

Each task takes one real definition as the *answer* and degrades it into the *before* state:
the docstring taken out becomes "add a docstring to X", the error handling taken out becomes
"handle the case where ...", a flipped comparison becomes "fix the bug in X". The answer is
vibecli's own symbol-anchored edit (`@@ replace PATH NAME` and the definition), checked by
applying it with vibecli's edit engine to the before-file: it must give back the original.

Python tasks are made with `ast` (behaviour-level: docstrings, annotations, error handling,
guard clauses, default values, comprehensions, renames); the other addressable languages
(JavaScript, TypeScript, Go, Rust, Java, C, C++) get renames and flipped comparisons through
tree-sitter's definitions.
"""

from __future__ import annotations

import ast
import hashlib
import random
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from vibecli.core import ApplyError, Edit, EnvelopeError
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


# --- Python -----------------------------------------------------------------------------------

_NEGATED = {ast.Lt: ">=", ast.LtE: ">", ast.Gt: "<=", ast.GtE: "<", ast.Eq: "!=", ast.NotEq: "==",
            ast.Is: "is not", ast.IsNot: "is", ast.In: "not in", ast.NotIn: "in"}
_OPS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=",
        ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in"}


def _first_line(text: str) -> str:
    line = text.strip().split("\n")[0].strip().rstrip(".")
    return line[:1].lower() + line[1:] if line else ""


def _unparse_def(node: ast.AST) -> str:
    return ast.unparse(node) + "\n"


def _strip_docstring(fn: ast.FunctionDef) -> ast.FunctionDef | None:
    if len(fn.body) < 2 or not (isinstance(fn.body[0], ast.Expr) and isinstance(fn.body[0].value, ast.Constant)
                                and isinstance(fn.body[0].value.value, str)):
        return None
    fn.body = fn.body[1:]
    return fn


def py_docstring(fn, name):
    stripped = _strip_docstring(fn)
    if stripped is None:
        return None
    return stripped, f"Add a docstring to {name}."


def py_annotations(fn, name):
    args = fn.args.posonlyargs + fn.args.args + fn.args.kwonlyargs
    if not (fn.returns or any(a.annotation for a in args)):
        return None
    for a in args + [x for x in (fn.args.vararg, fn.args.kwarg) if x]:
        a.annotation = None
    fn.returns = None
    return fn, f"Add type annotations to {name}."


def py_comparison(fn, name):
    compares = [n for n in ast.walk(fn) if isinstance(n, ast.Compare) and len(n.ops) == 1 and type(n.ops[0]) in _NEGATED]
    parents = {child: node for node in ast.walk(fn) for child in ast.iter_child_nodes(node)}
    compares = [c for c in compares if isinstance(parents.get(c), (ast.If, ast.While, ast.Return, ast.IfExp, ast.Assert))]
    if not compares:
        return None
    target = compares[0]
    good = ast.unparse(target)
    kind = type(target.ops[0])
    target.ops = [ast.parse(f"a {_NEGATED[kind]} b", mode="eval").body.ops[0]]
    bad = ast.unparse(target)
    return fn, f"Fix the bug in {name}: the condition `{bad}` is the wrong way round; it should be `{good}`."


def py_error_handling(fn, name):
    for parent in ast.walk(fn):
        body = getattr(parent, "body", None)
        if not isinstance(body, list):
            continue
        for i, stmt in enumerate(body):
            if isinstance(stmt, ast.Try) and stmt.handlers and not stmt.finalbody and not stmt.orelse and all(
                h.type is not None for h in stmt.handlers
            ):
                caught = ", ".join(ast.unparse(h.type) for h in stmt.handlers)
                first = ast.unparse(stmt.body[0]).split("\n")[0]
                parent.body = body[:i] + stmt.body + body[i + 1 :]
                return fn, f"In {name}, handle the case where `{first}` raises {caught}."
    return None


def py_guard(fn, name):
    body = fn.body
    start = 1 if _strip_docstring(ast.parse(ast.unparse(fn)).body[0]) is not None else 0
    for i in range(start, min(len(body), start + 3)):
        stmt = body[i]
        if isinstance(stmt, ast.If) and not stmt.orelse and len(stmt.body) == 1 and isinstance(stmt.body[0], ast.Raise) \
                and stmt.body[0].exc is not None and len(body) > i + 1:
            exc = stmt.body[0].exc
            exc_name = ast.unparse(exc.func if isinstance(exc, ast.Call) else exc)
            fn.body = body[:i] + body[i + 1 :]
            return fn, f"Make {name} raise {exc_name} when `{ast.unparse(stmt.test)}`."
    return None


def py_default(fn, name):
    args = fn.args
    if not args.defaults or args.vararg or args.kwonlyargs:
        return None
    positional = args.posonlyargs + args.args
    arg = positional[len(positional) - len(args.defaults)]
    value = ast.unparse(args.defaults[0])
    if len(value) > 30:
        return None
    args.defaults = args.defaults[1:]
    if any(a.arg == arg.arg for a in positional[len(positional) - len(args.defaults):]):
        return None
    return fn, f"Give the parameter `{arg.arg}` of {name} the default value `{value}`."


def py_comprehension(fn, name):
    for parent in ast.walk(fn):
        body = getattr(parent, "body", None)
        if not isinstance(body, list):
            continue
        for i, stmt in enumerate(body):
            if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
                    and isinstance(stmt.value, ast.ListComp) and len(stmt.value.generators) == 1):
                continue
            target, comp = stmt.targets[0].id, stmt.value
            gen = comp.generators[0]
            if gen.is_async:
                continue
            loop = f"{target} = []\nfor {ast.unparse(gen.target)} in {ast.unparse(gen.iter)}:\n"
            inner = f"{target}.append({ast.unparse(comp.elt)})"
            for cond in gen.ifs:
                loop += f"    if {ast.unparse(cond)}:\n"
                inner = "    " + inner
            loop += "    " + inner
            parent.body = body[:i] + ast.parse(loop).body + body[i + 1 :]
            return fn, f"Build `{target}` in {name} with a list comprehension instead of a loop."
    return None


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def py_rename(fn, name):
    if "_" not in name.strip("_") or name.startswith("_") or "." in name:
        return None
    camel = _camel(name)
    if camel == name:
        return None
    fn.name = camel
    return fn, f"Rename {camel} to {name}, the snake_case name PEP 8 asks for."


def _docstring_of(fn) -> str:
    doc = ast.get_docstring(fn) or ""
    line = _first_line(doc)
    return line if 8 <= len(line) <= 120 and not line.endswith(":") else ""


def _imperative(line: str) -> bool:
    """Docstrings in the imperative mood ("Return the ...") read as a request after "to"."""
    word = line.split(" ")[0]
    return word.isalpha() and not word.endswith("s") and word not in ("the", "a", "an", "this", "if", "when", "helper", "internal")


_SWAPPED_BINOPS = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Add, ast.FloorDiv: ast.Mult}
_SWAPPED_BOOLOPS = {ast.And: ast.Or, ast.Or: ast.And}


def _bug_sites(fn) -> list[Callable[[], None]]:
    """Ways to plant one small behavioural bug in fn, each a closure that mutates the tree."""
    sites: list[Callable[[], None]] = []
    for node in ast.walk(fn):
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _NEGATED:
            sites.append(lambda node=node: setattr(node, "ops", [ast.parse(f"a {_NEGATED[type(node.ops[0])]} b",
                                                                              mode="eval").body.ops[0]]))
        elif isinstance(node, ast.BinOp) and type(node.op) in _SWAPPED_BINOPS and not isinstance(node.left, ast.Constant):
            sites.append(lambda node=node: setattr(node, "op", _SWAPPED_BINOPS[type(node.op)]()))
        elif isinstance(node, ast.BoolOp) and type(node.op) in _SWAPPED_BOOLOPS:
            sites.append(lambda node=node: setattr(node, "op", _SWAPPED_BOOLOPS[type(node.op)]()))
        elif isinstance(node, ast.Return) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, bool):
            sites.append(lambda node=node: setattr(node.value, "value", not node.value.value))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            sites.append(lambda node=node: setattr(node, "op", ast.UAdd()))  # rewritten below to drop the `not`
        elif isinstance(node, ast.Constant) and type(node.value) is int and 0 <= node.value <= 8:
            sites.append(lambda node=node: setattr(node, "value", node.value + 1))
    return sites


class _DropUAdd(ast.NodeTransformer):
    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        return node.operand if isinstance(node.op, ast.UAdd) else node


def py_fix_bug(fn, name):
    """A behavioural bug asked about as users do: by what the function should do, or not at all."""
    sites = _bug_sites(fn)
    if not sites:
        return None
    pick = int(hashlib.sha256(name.encode()).hexdigest(), 16)
    sites[pick % len(sites)]()
    fn = _DropUAdd().visit(fn)
    doc = _docstring_of(fn)
    templates = [f"Fix the bug in {name}.", "Fix bugs.", f"{name} does not work as intended; fix it."]
    if doc:
        templates += [f"Fix the bug in {name}. What it should do: {doc}.", f"Fix {name}; it has to {doc}."
                      if _imperative(doc) else f"Fix {name} (what it does: {doc})."] * 2
    return fn, templates[(pick >> 8) % len(templates)]


PY_TRANSFORMS: dict[str, Callable] = {
    "docstring": py_docstring, "annotations": py_annotations, "comparison": py_comparison,
    "error_handling": py_error_handling, "guard": py_guard, "default": py_default,
    "comprehension": py_comprehension, "rename": py_rename, "fix_bug": py_fix_bug,
}


def _add_function_task(path: Path, fn, other, header: str) -> Task | None:
    """The function taken out of its file, asked for by its signature and what its docstring says."""
    doc = _docstring_of(fn)
    if not doc:
        return None
    signature = f"{fn.name}({ast.unparse(fn.args)})"
    if len(signature) > 80:
        return None
    definition, neighbour = _unparse_def(fn), _unparse_def(other)
    before = header + neighbour
    after = header + neighbour + "\n\n" + definition
    answer = format_envelope([Edit("append", path.name, definition)], "python")
    return Task("add_function", "python", path.name, before, after, f"Add a function `{signature}` to {doc}." if _imperative(doc) else f"Add a function `{signature}`: {doc}.",
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
        after_def = _unparse_def(fn)
        # a neighbour, when small, so the model learns to leave the rest of a file alone
        neighbour = ""
        if index + 1 < len(functions) and rng.random() < 0.5:
            other = functions[index + 1]
            if (other.end_lineno or other.lineno) - other.lineno < 15:
                neighbour = _unparse_def(other)
        for kind, transform in PY_TRANSFORMS.items():
            degraded = transform(ast.parse(after_def).body[0], fn.name)
            if degraded is None:
                continue
            node, instruction = degraded
            before_def = _unparse_def(node)
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
