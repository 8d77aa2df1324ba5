"""Reading a request as one of the shapes any intent can take, and so as one intent of the table:

- *use* a target: "use f-strings", "switch it to plain super()", "make it use T", "`not in` instead
  of `not x in y`", "replace Optional[X] with X | None", "% formatting -> f-strings";
- *remove* a thing: "drop the redundant parentheses after raise", "get rid of the pointless pass";
- *fix* a problem: "clean up the `if x == True` comparisons", "fix the yoda conditions".

The words a shape leaves free (what comes after "instead of", what "replace ... with" replaces)
may not ask for anything themselves: a change verb there makes the request decline.

Only the intents whose keys the request holds are compiled and tried: compiling the whole table
would cost tens of milliseconds in every fresh process, and routing runs before every edit."""

from __future__ import annotations

import re
from functools import lru_cache

from vibecli.fixers.intents import INTENTS, Intent
from vibecli.fixers.phrasing import Lazy, has_change_verb

_THE = r"(?:(?:all|any|each|every|both)(?: of)? )?(?:the |this |these |that |those |my |our |its |a |an )?"
_ADJECTIVES = (r"unnecessary|useless|redundant|pointless|superfluous|extra|needless|extraneous|unneeded|stray|spurious|"
               r"leftover|obsolete|outdated|deprecated|explicit|excess|excessive|old|legacy|noisy|dangling|unwanted")
_REMOVE = (r"remove|delete|drop|strip(?: out)?|get rid of|eliminate|ditch|kill|nuke|cut(?: out)?|lose|clean up|"
           r"clear out|prune|trim|take out|toss|purge|axe|zap")
_FIX = (r"fix|fix up|clean up|tidy(?: up)?|sort out|address|resolve|correct|repair|clear up|deal with|get rid of|"
        r"remove|eliminate|simplify|rewrite|clean")
_USE = (r"use|prefer|switch to|switch over to|go with|move to|migrate to|change to|convert to|adopt|start using|"
        r"opt for|stick to|stick with")
_TURN = (r"switch|change|convert|move|migrate|port|update|rewrite|refactor|turn|modernize|modernise|transform|"
         r"replace|swap(?: out)?|redo")


def _first_words(alternatives: str) -> tuple[str, ...]:
    """The first word of each alternative of a word list ("get rid of|strip(?: out)?" -> get, strip)."""
    return tuple(dict.fromkeys(a.split(" ")[0].split("(")[0] for a in alternatives.split("|")))


_REMOVING = Lazy(rf"(?:{_REMOVE}) {_THE}(?P<adjectives>(?:(?:{_ADJECTIVES})(?:,? (?:and |or )?| ))*)",
                 hints=_first_words(_REMOVE))
_FIXING = Lazy(rf"(?:{_FIX}) {_THE}(?:(?:{_ADJECTIVES})(?:,? (?:and |or )?| ))*", hints=_first_words(_FIX))
_USING = Lazy(rf"(?:(?:{_USE})|make(?: (?P<object>.+?))? use) (?:a |an |the )?", hints=(*_first_words(_USE), "make"))
_TURNING = Lazy(rf"(?:{_TURN}) ", hints=_first_words(_TURN))
_CONNECTOR = Lazy(r" (?:with|for|to|into|->|=>|as|using) (?:use |using )?(?:a |an |the )?")
_INSTEAD = Lazy(r" (?:instead of|rather than|in place of|over|not) ", hints=(" instead", " rather", " in place", " over ",
                                                                           " not "))
_INSTEAD_OF = Lazy(r" (?:instead of|rather than|in place of) ", hints=(" instead", " rather", " in place"))
_ARROW = Lazy(r" ?(?:->|=>) ", hints=("->", "=>"))
_JOINS = frozenset(", and then to also plus or so".split())
_GENERIC_WORDS = frozenset("it this that them these those everything things the a an all of its existing current code "
                           "function functions class classes method methods module file line lines bit part one ones "
                           "snippet block blocks here".split())
_TYPING_NAME = Lazy(
    r"(?:\btyping\.|\b(?=(?:List|Dict|Tuple|Set|FrozenSet|Type|Deque|DefaultDict|OrderedDict|Counter|ChainMap|Optional|"
    r"Union)\[)|(?<=.)\b(?=(?:List|Dict|Tuple|FrozenSet|Deque|DefaultDict|OrderedDict|ChainMap|Optional|Union)\b))"
    r"(?P<name>[A-Z]\w*)", hints=("typing.", "list", "dict", "tuple", "set", "type", "deque", "ordereddict", "counter",
                                "chainmap", "optional", "union"))


@lru_cache(maxsize=1)
def _keys() -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for index, intent in enumerate(INTENTS):
        for key in intent.keys:
            found.setdefault(key, []).append(index)
    return found


@lru_cache(maxsize=None)
def _compiled(index: int) -> dict[str, re.Pattern]:
    """An intent's patterns by field, compiled the first time a request holds one of its keys."""
    intent = INTENTS[index]
    return {field: re.compile(getattr(intent, field)) for field in ("use", "remove", "fix", "whole")
            if getattr(intent, field)}


def match(request: str) -> Intent | None:
    """The intent a request (one sentence, its scope taken off) states exactly, or None."""
    text = normal(request)
    candidates = sorted({n for key, indices in _keys().items() if key in text for n in indices})
    if not candidates:
        return None
    shapes = _shapes(text)
    for index in candidates:
        intent, patterns = INTENTS[index], _compiled(index)
        if "whole" in patterns and patterns["whole"].fullmatch(text):
            return intent
        for shape, target, free, adjectives in shapes:
            field = "use" if shape == "alone" and intent.alone else shape
            if field in patterns and patterns[field].fullmatch(target.strip()):
                if field == "remove" and intent.adjective and not adjectives:
                    continue
                if field == "use" and intent.old and _specific(free) and not re.search(intent.old, free):
                    continue
                return None if _asks(free) else intent
    return None


def normal(request: str) -> str:
    """The request in lower case, the typing module's capitalised names (which only case tells from
    the builtins: `List` and `list`) spelt `typing.list`."""
    return _TYPING_NAME.sub(lambda m: "typing." + m.group("name"), request).lower().replace("typing.typing.", "typing.")


def _shapes(text: str) -> list[tuple[str, str, str, bool]]:
    """Each way the request reads as a shape: (field, what it is about, words left free, whether it
    named adjectives)."""
    shapes = []
    removing = _REMOVING.match(text)
    if removing:
        shapes.append(("remove", text[removing.end():], "", bool(removing.group("adjectives"))))
    fixing = _FIXING.match(text)
    if fixing:
        shapes.append(("fix", text[fixing.end():], "", False))
    using = _USING.match(text)
    if using:
        shapes += [("use", t, f, False) for t, f in _split_instead(text[using.end():], using.group("object") or "")]
    verb = _TURNING.match(text)
    if verb:
        for c in _CONNECTOR.compiled.finditer(text, verb.end()):
            if c.start() > verb.end():
                shapes += [("use", t, f, False) for t, f in _split_instead(text[c.end():], text[verb.end(): c.start()])]
    if not (using or verb):  # "T instead of X" with no verb before it
        for split in _INSTEAD_OF.finditer(text):
            shapes.append(("use", text[: split.start()].removeprefix("a ").removeprefix("the "), text[split.end():],
                           False))
    for split in _ARROW.finditer(text):
        shapes.append(("use", text[split.end():], text[: split.start()], False))
    shapes.append(("alone", text, "", False))  # the target alone: "f-strings please"
    return shapes


def _split_instead(rest: str, free: str) -> list[tuple[str, str]]:
    """A target with the "instead of ..." after it taken off, each way it can be read."""
    found = [(rest, free)]
    if rest.endswith(" instead"):
        found.append((rest[: -len(" instead")], free))
    for split in _INSTEAD.finditer(rest):
        found.append((rest[: split.start()], f"{free} {rest[split.end():]}"))
    return found


def _specific(free: str) -> bool:
    """Whether free words name what is replaced, beyond "it", "this code", "the function"."""
    return any(w not in _GENERIC_WORDS for w in re.findall(r"[^\s,]+", free))


def _asks(free: str) -> bool:
    """Whether the words a shape leaves free hold a request of their own: a verb of change after
    "and", "then", "to" or a comma ("instead of % and add a docstring"), or "but", "don't". A verb
    that only names what is replaced ("instead of append in a loop") does not count."""
    words = re.findall(r",|[a-z']+", free)
    if any(w in ("but", "don't", "dont") for w in words):
        return True
    return any(has_change_verb([w]) and i and words[i - 1] in _JOINS for i, w in enumerate(words))
