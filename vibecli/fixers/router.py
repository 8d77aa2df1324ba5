"""Which fixer a request maps to, by a table of the ways people write the requests a tool carries
out exactly. It declines (None) whenever it is unsure: a wrong route costs a bad edit, a missed
one only the model's usual path. The whole request must be one of the table's intents, with at
most a scope (a definition of the files, a line range, the file itself) and politeness around it;
anything more ("... and add a docstring", "don't ...", "in the loop") is left to the model."""

from __future__ import annotations

import re
from dataclasses import dataclass

from vibecli.fixers import Route
from vibecli.fixers.rename import defines, valid_name
from vibecli.fixers.scope import line_spans


@dataclass(frozen=True)
class Intent:
    name: str
    pattern: re.Pattern
    codes: tuple[str, ...]


def _intent(name: str, codes: str, *patterns: str) -> Intent:
    return Intent(name, re.compile("|".join(f"(?:{p})" for p in patterns)), tuple(codes.split()))


_Q = r"[`'\"]?"
_F = r"f-?strings?"
INTENTS = (
    _intent("f-strings", "UP031 UP032",
            rf"(?:use|switch to|prefer|use python'?s) {_F}(?: instead(?: of (?:the )?[\w.%() '\"-]+)?)?"
            r"(?: for (?:the )?(?:string )?formatting)?",
            r"(?:convert|change|rewrite|turn|replace|switch|migrate) (?:the |this |these |all |every )?(?:old[- ]style )?"
            r"(?:string )?(?:formatting|format calls?|\.?format\(?\)?(?: calls?)?|%[- ]?formatting|percent[- ]formatting|"
            rf"format strings?|strings?|string formatting)(?: calls)? (?:(?:in)?to|with|into) {_F}",
            r"modernize (?:the )?string formatting"),
    _intent("unused imports", "F401",
            r"(?:remove|delete|drop|clean up|get rid of|strip|prune) (?:the |all |any |all the )?unused imports?"),
    _intent("sort imports", "I001",
            r"(?:sort|order|reorder|organi[sz]e|isort) (?:the |all |all the )?imports?(?: alphabetically)?",
            r"isort(?: (?:this|the) (?:file|module))?", r"put the imports in order"),
    _intent("comprehension", "PERF401 C400 C401 C402 C403 C404 C417",
            r"(?:use|rewrite (?:this|it|the loop) (?:as|with|using)|convert (?:this|the) (?:for )?loop (?:to|into)|"
            r"turn (?:this|the) (?:for )?loop into|replace (?:this|the) (?:for )?loop with) an? (?:list |set |dict )?"
            r"comprehension(?: instead)?"),
    _intent("simplify condition", "SIM101 SIM102 SIM103 SIM108 SIM109 SIM114 SIM201 SIM202 SIM208 SIM210 SIM211 "
            "SIM212 SIM220 SIM221 SIM222 SIM223 PLR1714",
            r"simplify (?:the |this |these )?(?:conditions?|conditionals?|boolean (?:expressions?|logic)|if(?: statements?)?|"
            r"if[- ]else|comparisons?|(?:boolean )?checks?|logic)"),
    _intent("ternary", "SIM108",
            r"use an? (?:ternary|conditional expression|one-line if|inline if)(?: operator| expression)?(?: instead)?"),
    _intent("is None", "E711",
            rf"use {_Q}is(?: not)? none{_Q}(?: (?:instead of|rather than) {_Q}[=!]= none{_Q})?(?: for (?:the )?none checks?)?",
            r"compare (?:to|with) none using is"),
    _intent("unused variables", "F841",
            r"(?:remove|delete|drop|get rid of) (?:the |all |any )?unused (?:local )?variables?"),
    _intent("dict.get", "SIM401", rf"use {_Q}(?:dict\.)?get\(?\)?{_Q}(?: instead(?: of (?:the |an )?if(?:[- ]else)?)?)?"),
    _intent("any/all", "SIM110 SIM111",
            rf"use {_Q}(?:any|all)\(?\)?{_Q}(?: (?:instead of|rather than) (?:the |a |this )?(?:for )?loop)?"),
    _intent("builtin generics", "UP006 UP035",
            r"use (?:builtin|built-in|modern|pep ?585|lowercase) (?:generic )?(?:types?|generics|type hints|annotations)"),
    _intent("union syntax", "UP007 UP045",
            r"use (?:the )?(?:x \| none|x \| y|\| (?:union )?syntax|pep ?604(?: unions?| syntax)?)(?: for (?:the )?"
            r"(?:optional|union)s?)?"),
    _intent("super()", "UP008", r"use (?:plain |bare |zero-argument |argument-less )?super\(\)(?: without arguments)?"),
    _intent("object base", "UP004",
            rf"remove (?:the )?(?:useless |redundant |explicit )?(?:inheritance from )?{_Q}object{_Q}(?: base(?: class)?)?"),
    _intent("pyupgrade", "UP",
            r"(?:upgrade|modernize) (?:the )?(?:syntax|code)(?: to (?:modern )?python ?3(?:\.\d+)?)?", r"pyupgrade"),
    _intent("trailing whitespace", "W291 W293", r"(?:remove|strip|delete|trim) (?:the |all |any )?trailing whitespace"),
    _intent("unnecessary pass", "PIE790",
            rf"remove (?:the |all )?(?:unnecessary|useless|redundant) {_Q}pass{_Q}(?: statements?)?"),
    _intent("else after return", "RET505",
            rf"remove (?:the )?(?:unnecessary|useless|superfluous|redundant) {_Q}else{_Q}(?: after (?:a |the )?return)?"),
    _intent("keys()", "SIM118",
            rf"remove (?:the )?(?:unnecessary |redundant )?{_Q}\.?keys\(\){_Q}(?: calls?)?(?: from (?:the )?"
            r"(?:in|membership) (?:checks?|tests?))?"),
    _intent("fix ruff", "",
            r"fix (?:what|everything|all(?: that)?) ruff (?:reports|complains about|flags|finds)",
            r"fix (?:the |all )?ruff (?:errors|warnings|findings|issues|violations|lint(?: errors)?)",
            r"apply ruff(?:'s)? (?:safe )?(?:auto)?fix(?:es)?", r"run ruff --fix"),
)

_POLITE_START = re.compile(r"^(?:(?:please|pls|kindly|can you|could you|would you|let's|go ahead and|now)[,\s]+)+", re.IGNORECASE)
_POLITE_END = re.compile(r"(?:[,\s]+(?:please|thanks|thank you|for me))+$", re.IGNORECASE)
_NAME = r"`?([A-Za-z_][\w./-]*(?:\(\))?)`?"
_KIND = r"(?:function|method|class|def|module|file)"
_SCOPE_END = re.compile(rf"\s+(?:in|inside|within|of|for|throughout)\s+(?:the\s+)?(?:{_KIND}\s+)?{_NAME}(?:\s+{_KIND})?$")
_SCOPE_START = re.compile(rf"^(?:in|inside|within)\s+(?:the\s+)?(?:{_KIND}\s+)?{_NAME}(?:\s+{_KIND})?\s*,\s*")
_WHOLE = re.compile(r"\s+(?:in (?:this|the) (?:file|module|code)|here|everywhere|throughout(?: the (?:file|module|code))?|"
                    r"across the (?:file|module))$")
_LINES_PHRASE = re.compile(r"\s*(?:,\s*)?\b(?:on|in|at|for)\s+lines?\s+\d+(?:\s*(?:-|–|to|through)\s*\d+)?\b")
_RENAME = re.compile(
    rf"(?:rename|change the name of) (?:the )?(?:function |class |variable |constant |global |symbol )?{_NAME}"
    rf"(?: (?:function|class|variable|constant))? (?:to|as|into) {_NAME}"
    r"(?: (?:everywhere|across the (?:project|repo|repository|codebase)|in all files|and (?:update|fix) "
    r"(?:all |every )?(?:its )?(?:callers|references|usages|uses|imports|call sites)))?", re.IGNORECASE)


def route(instruction: str, files: dict[str, str]) -> Route | None:
    """The fixer for a request over `files` (repository-relative path -> text), or None."""
    text = " ".join(instruction.split())
    if not text or "\n" in instruction.strip() or len(text) > 200:
        return None
    text = _POLITE_END.sub("", _POLITE_START.sub("", text.rstrip(".!").strip(), count=1)).strip()
    if not files or not all(p.endswith((".py", ".pyi")) for p in files):
        return None
    renamed = _rename(text, files)
    if renamed is not None:
        return renamed
    return _ruff(text, files)


def _rename(text: str, files: dict[str, str]) -> Route | None:
    match = _RENAME.fullmatch(text)
    if not match:
        return None
    old, new = match.group(1), match.group(2)
    if not (valid_name(old) and valid_name(new)) or old == new:
        return None
    defining = [p for p, t in files.items() if defines(t, old)]
    if len(defining) != 1 or any(defines(t, new) for t in files.values()):
        return None
    return Route("rename", {"old": old, "new": new, "file": defining[0]})


def _ruff(text: str, files: dict[str, str]) -> Route | None:
    lines = tuple(line_spans(text))
    core = _LINES_PHRASE.sub("", text).lower() if lines else text.lower()
    symbols: list[str] = []
    core = _strip_scope(core, text, files, symbols)
    if core is None:
        return None
    for intent in INTENTS:
        if intent.pattern.fullmatch(core):
            return Route("ruff", {"codes": intent.codes, "symbols": tuple(symbols), "lines": lines,
                                  "intent": intent.name})
    return None


def _strip_scope(core: str, original: str, files: dict[str, str], symbols: list[str]) -> str | None:
    """The request less its scope; the definitions it names go to `symbols`. None: a scope that is
    neither a definition in the files, nor one of the files, nor the file as a whole."""
    core = _WHOLE.sub("", core)
    for pattern in (_SCOPE_START, _SCOPE_END):
        match = pattern.search(core)
        if not match:
            continue
        name = _cased(match.group(1), original).removesuffix("()")
        if name in files or any(p.rsplit("/", 1)[-1] == name for p in files):
            pass  # the file itself: the whole of it
        elif _defined(name, files):
            symbols.append(name)
        else:
            return None
        core = core[: match.start()] + core[match.end():]
    return core.strip()


def _cased(lowered: str, original: str) -> str:
    """The name as the user wrote it (the request is matched in lower case)."""
    found = re.search(re.escape(lowered), original, re.IGNORECASE)
    return found.group(0) if found else lowered


def _defined(name: str, files: dict[str, str]) -> bool:
    last = name.rsplit(".", 1)[-1]
    if not valid_name(last):
        return False
    pattern = re.compile(rf"^\s*(?:async\s+def|def|class)\s+{re.escape(last)}\b", re.MULTILINE)
    return any(pattern.search(text) for text in files.values())
