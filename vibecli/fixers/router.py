"""Which fixer a request maps to. It declines (None) whenever it is unsure: a wrong route costs a
bad edit, a missed one only the model's usual path.

A request is first reduced to its parts (`phrasing`: greetings, politeness, filler and short
reasons off). Exactly one part must be a tool's intent; every other part must be context that
asks for nothing ("This class targets py3 only."). In the part that is the intent, the places it
names are taken off when they are places the tool can honour: the project or the file as a whole,
one of the request's files, a definition in them (ruff's result is then narrowed to it), a line
range. What is left must be one intent of the table (`intents`) or a rename of a top-level name.
Anything else ("... and add a docstring", "don't ...", "in the loop", a method, a parameter) is
left to the model."""

from __future__ import annotations

import builtins
import re
from functools import lru_cache

from vibecli.fixers import Route, phrasing, shapes
from vibecli.fixers.phrasing import Lazy
from vibecli.fixers.rename import defines, valid_name
from vibecli.fixers.scope import line_spans

_WHOLE = Lazy(
    r"(?:^|(?<=[\s,]))(?:(?:in|across|throughout|through|over|for|within|on|to)\s+(?:all\s+(?:of\s+)?)?"
    r"(?:the\s+|this\s+|our\s+|my\s+|that\s+)?(?:(?:whole|entire|full|rest of the|current)\s+)?(?:file|module|"
    r"code|codebase|code base|project|repo|repository|package|library|lib|app|source(?: tree| code)?|tree|src|"
    r"thing|files|modules|everything|it)|(?:in|across|for|to)\s+(?:every|each|all)\s+(?:the\s+)?(?:python\s+)?"
    r"(?:files?|modules?)|everywhere|here|in here|in there|globally|project-wide|repo-wide|codebase-wide|"
    r"package-wide|file-wide|across the board|throughout)(?=$|[\s,])", re.IGNORECASE)
_KIND = r"(?:function|func|method|class|def|module|file)"
_PLACE = Lazy(
    rf"(?:^|(?<=[\s,]))(?:in|inside|within|from|of|for|throughout|across|on)\s+(?:the\s+)?(?:(?P<kind>{_KIND})\s+)?"
    rf"`?(?P<name>[A-Za-z_][\w./-]*?)(?:\(\))?`?(?:\s+(?P<kind_after>{_KIND}))?(?=$|[\s,])", re.IGNORECASE,
    hints=("in ", "inside", "within", "from ", "of ", "for ", "throughout", "across", "on "))
_LINES_PHRASE = Lazy(r"\s*(?:,\s*)?\(?\s*\b(?:(?:on|in|at|for)\s+)?lines?\s+\d+(?:\s*(?:-|–|to|through)\s*\d+)?"
                           r"\b\s*\)?", re.IGNORECASE)

_ID = r"`?(?P<{}>[A-Za-z_]\w*)(?:\(\))?`?"
_OLD, _NEW = _ID.format("old"), _ID.format("new")
_DEFINITION = (r"(?:(?:top-level|module-level|global|public|private)\s+)?(?:function|func|class|variable|var|constant|"
               r"const|global|symbol|exception|helper|decorator|enum|dataclass)")
_DEFINITION_WORDS = Lazy(rf"\b(?:the\s+)?{_DEFINITION}\s+(?=`?[A-Za-z_])|(?<=[\w`)])\s+{_DEFINITION}\b",
                         re.IGNORECASE, hints=("func", "class", "var", "const", "global", "symbol", "exception",
                                               "helper", "decorator", "enum"))
"""Words that say what kind of top-level name is renamed ("the `load` function"): taken off."""
_ALSO = (r"(?:,?\s+(?:and\s+)?(?:update|fix|change|adjust|rename)\s+(?:all\s+|every\s+)?(?:of\s+)?(?:its\s+|the\s+|"
         r"their\s+)?(?:callers|references|usages|uses|imports|call sites|occurrences|mentions|importers)(?:\s+too)?|"
         r",?\s+(?:including|with|along with|plus)\s+(?:all\s+)?(?:of\s+)?(?:its\s+|the\s+)?(?:callers|references|"
         r"usages|uses|imports|call sites|occurrences))?")
_RENAME_FORMS = (
    ("renam", rf"rename:?\s+(?:the\s+)?{_OLD}(?:\s+(?:to be|to|as|into)\s+|\s*(?:->|=>)\s*|\s*:\s*|,?\s+call it\s+){_NEW}"),
    ("change", rf"change\s+(?:the\s+)?name\s+(?:of\s+)?{_OLD}\s+(?:to|into)\s+{_NEW}"),
    ("change", rf"change\s+{_OLD}'s\s+name\s+to\s+{_NEW}"),
    (" be ", rf"(?:the\s+)?{_OLD}\s+(?:should|must|needs to|has to|ought to|could|can|will)\s+be\s+(?:called|named|"
             rf"renamed(?:\s+to)?)\s+{_NEW}"),
    ("it ", rf"(?:call|name)\s+(?:it|this|that)\s+{_NEW}\s+(?:instead of|rather than|not)\s+{_OLD}"),
    ("give", rf"give\s+{_OLD}\s+the\s+name\s+{_NEW}"),
    ("renamed", rf"(?:i want|i'd like|i would like|please have|have|get|we want)\s+{_OLD}\s+renamed\s+(?:to|as)\s+{_NEW}"),
    ("name", rf"use\s+(?:the\s+)?name\s+{_NEW}\s+(?:for|instead of)\s+{_OLD}"),
    ("better", rf"{_NEW}\s+(?:would be|is)\s+a\s+better\s+name\s+(?:for|than)\s+{_OLD}"),
    ("->", rf"{_OLD}\s*->\s*{_NEW}"),
    ("=>", rf"{_OLD}\s*=>\s*{_NEW}"),
)
"""The ways to ask for a rename, each with a word it holds; a bare arrow (the last two) is checked
harder, since `load -> str` may be a return type."""
_TYPING_NAMES = frozenset("Any List Dict Tuple Set Optional Union Callable Iterable Iterator Sequence Mapping "
                          "None Self Type Literal".split())


def route(instruction: str, files: dict[str, str]) -> Route | None:
    """The fixer for a request over `files` (repository-relative path -> text), or None."""
    if not files or not all(p.endswith((".py", ".pyi")) for p in files):
        return None
    parts = phrasing.parts(instruction)
    if not parts:
        return None
    found = []
    for part in parts:
        chosen = _route_part(part, files)
        if chosen is not None:
            found.append(chosen)
        elif not phrasing.is_context(part):
            return None
    if len(found) != 1 or (found[0].args.get("intent") == "fix ruff" and "ruff" not in instruction.lower()):
        return None  # "fix what it reports" is ruff's only when the request names ruff
    return found[0]


def _route_part(part: str, files: dict[str, str]) -> Route | None:
    lines = tuple(line_spans(part))
    text = _LINES_PHRASE.sub("", part).strip(" ,") if lines else part
    text = " ".join(_WHOLE.sub("", text).split()).strip(" ,")
    core, symbols, named_files = _places(text, files)
    if not core:
        return None
    if not lines:  # a rename names a place only to say where the name is defined
        renamed = _rename(text, files, [])
        if renamed is None and not symbols and named_files:
            renamed = _rename(core, files, named_files)
        if renamed is not None:
            return renamed
    intent = shapes.match(_unquoted(core))
    if intent is None:
        return None
    return Route("ruff", {"codes": intent.codes, "symbols": tuple(symbols), "lines": lines, "intent": intent.name})


def _places(text: str, files: dict[str, str]) -> tuple[str, list[str], list[str]]:
    """The text less the places it names that are one of the files or a definition in them; the
    definitions and the files named. A place that is neither stays in the text."""
    symbols: list[str] = []
    named_files: list[str] = []
    kept = []
    last = 0
    for match in _PLACE.finditer(text):
        name = match.group("name")
        kind = (match.group("kind") or match.group("kind_after") or "").lower()
        as_file = _file_named(name, files, kind)
        if as_file is not None:
            named_files.append(as_file)
        elif kind not in ("module", "file") and _defined(name.removesuffix("()"), files):
            symbols.append(name.removesuffix("()"))
        else:
            continue
        kept.append(text[last:match.start()])
        last = match.end()
    kept.append(text[last:])
    core = " ".join("".join(kept).split()).strip(" ,")
    return core, symbols, named_files


def _file_named(name: str, files: dict[str, str], kind: str) -> str | None:
    """The request's file a place names: its path, its file name, or (called a module or file, or
    spelt with dots) its module name."""
    for path in files:
        base = path.rsplit("/", 1)[-1]
        stem = base.rsplit(".", 1)[0]
        module = path.rsplit(".", 1)[0].replace("/", ".")
        if name in (path, base) or (kind in ("module", "file") and name == stem) or ("." in name and (
                module == name or module.endswith("." + name))):
            return path
    return None


def _bare(index: int) -> bool:
    """Whether the rename form is a bare arrow (the last two of _RENAME_FORMS)."""
    return index >= len(_RENAME_FORMS) - 2


@lru_cache(maxsize=None)
def _rename_form(index: int) -> re.Pattern:
    return re.compile(_RENAME_FORMS[index][1] + ("" if _bare(index) else _ALSO), re.IGNORECASE)


def _rename(core: str, files: dict[str, str], named_files: list[str]) -> Route | None:
    core = _DEFINITION_WORDS.sub("", core)
    lowered = core.lower()
    match, bare = None, False
    for index, (key, _) in enumerate(_RENAME_FORMS):
        if key in lowered:
            match = _rename_form(index).fullmatch(core)
            if match:
                bare = _bare(index)
                break
    if match is None:
        return None
    old, new = match.group("old"), match.group("new")
    if not (valid_name(old) and valid_name(new)) or old == new:
        return None
    if bare and (new in vars(builtins) or new in _TYPING_NAMES or old in _TYPING_NAMES
                 or old[:1].isupper() != new[:1].isupper()):
        return None  # `load -> str`, `load -> Config` read as a return type as much as a rename
    defining = [p for p, t in files.items() if defines(t, old)]
    if len(defining) != 1 or any(defines(t, new) for t in files.values()):
        return None
    if any(f != defining[0] for f in named_files):
        return None
    return Route("rename", {"old": old, "new": new, "file": defining[0]})


def _unquoted(text: str) -> str:
    """The text without the quotes and backticks people put around code ("use `is None`")."""
    return " ".join(re.sub(r"`|(?<![\w])['\"]|['\"](?![\w])", "", text).split())


def _defined(name: str, files: dict[str, str]) -> bool:
    last = name.rsplit(".", 1)[-1]
    if not valid_name(last):
        return False
    pattern = re.compile(rf"^\s*(?:async\s+def|def|class)\s+{re.escape(last)}\b", re.MULTILINE)
    return any(pattern.search(text) for text in files.values())


def scope(instruction: str, files: dict[str, str]) -> tuple[tuple[str, ...], tuple]:
    """The definitions and line ranges a request names in `files`: where a ruff route's changes
    are kept."""
    _, symbols, _ = _places(" ".join(instruction.split()), files)
    return tuple(symbols), tuple(line_spans(instruction))
