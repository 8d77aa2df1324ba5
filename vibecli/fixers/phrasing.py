"""A request as people write it, reduced to its parts: the sentences left once greetings,
politeness, filler and short reasons are taken off. The router then asks that exactly one part be
a tool's intent and every other part be context (a sentence that asks for no change: "This class
targets py3 only.", "Ruff is complaining.").

Everything here errs towards keeping words: a word it does not know stays, and a part it cannot
explain away makes the router decline. A reason or an aside that itself asks for something
("(and add a docstring)", "because we need to log it") is not taken off; the request is then more
than one intent and goes to the model."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import cached_property

MAX_CHARS = 400
"""A longer request is a description of work, not one tool's intent."""

CHANGE_VERBS = frozenset("""
add adjust allow annotate append apply avoid bump cache call catch change check clean collapse
combine comment convert correct create deal declare dedent dedupe deduplicate define delete
deprecate describe disable do document drop edit eliminate emit enable ensure escape explain
export expose extract fill fix flatten format generate get give handle hide implement improve
include indent inline insert introduce keep kill let lint log lower make mark memoize merge
migrate modernise modernize modify move nuke optimise optimize order organise organize parse port
prevent prune put raise refactor reformat reimplement rename reorder reorganise reorganize repair
replace resolve restore restructure return revert review rework rewrite run set shorten simplify
sort speed split start stop strip support swap switch test throw tidy transform translate trim
try turn tweak undo unindent unroll update upgrade use validate wrap write
""".split())
"""Base forms of verbs that ask for a change: a sentence with one of them is a request, not
context. Nouns with the same spelling ("the use of %") make a sentence count as a request too,
which only ever makes the router decline."""

WANT_WORDS = frozenset("""
should must need needs needed ought want wants wish hope expect expected supposed rather
don't dont do not never without instead also why how please pls plz bug bugs broken wrong
incorrect fail fails failing failed crash crashes crashing slow outdated stale typo missing
todo fixme hack leak leaks too plus
""".split())
"""Words of a sentence that asks for something or reports a problem without a change verb
("The docstring is outdated.", "load should return None."): such a sentence is never context."""

LINT_WORDS = frozenset("ruff ruff's linter lint flake8 pyflakes ci".split())
"""Problem words are context when the sentence is about the linter ("Ruff reports errors.")."""
LINT_PROBLEMS = frozenset("error errors warning warnings complaining complains complaint complaints failing fails "
                          "fail failed flags flagging red".split())


class Lazy:
    """A pattern compiled the first time a text holds one of its hints (lower-case words or
    pieces, one of which every match holds): most requests need a few of the router's patterns,
    and compiling all of them would cost every fresh process (routing runs before every edit)."""

    def __init__(self, pattern: str, flags: int = 0, hints: tuple[str, ...] = ()):
        self.pattern, self.flags, self.hints = pattern, flags, hints

    @cached_property
    def compiled(self) -> re.Pattern:
        return re.compile(self.pattern, self.flags)

    def _may(self, text: str) -> bool:
        lowered = text.lower()
        return not self.hints or any(hint in lowered for hint in self.hints)

    def search(self, text: str) -> re.Match | None:
        return self.compiled.search(text) if self._may(text) else None

    def match(self, text: str) -> re.Match | None:
        return self.compiled.match(text) if self._may(text) else None

    def finditer(self, text: str) -> Iterator[re.Match]:
        return self.compiled.finditer(text) if self._may(text) else iter(())

    def sub(self, replacement: str | Callable[[re.Match], str], text: str) -> str:
        return self.compiled.sub(replacement, text) if self._may(text) else text

    def split(self, text: str) -> list[str]:
        return self.compiled.split(text) if self._may(text) else [text]


_DETERMINERS = frozenset("a an the this that these those its their my our your each every some any of".split())
_SYMBOLS = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2192": "->",
                          "\u21d2": "=>", "\u2013": "-", "\u2014": " - ", "\u00a0": " "})
_ABBREVIATIONS = Lazy(r"\b(e\.g|i\.e|etc|vs|cf)\.", re.IGNORECASE, hints=("e.g.", "i.e.", "etc.", "vs.", "cf."))
_CODE = Lazy(r"`[^`\n]*`", hints=("`",))
_BREAK = Lazy(r"[.!?;]+(?=\s|$)|\n|\s+-{1,2}\s+(?!\d)|,\s*(?:so|therefore|hence|thus)\b,?\s*", re.IGNORECASE)

_LEADS = frozenset(p.strip() for p in """
hey there|hi there|hello there|hey|hi|hello|yo|ok|okay|alright|right|so|well|also|now|then|next|quick one|
quick request|small thing|one more thing|one thing|small request|small change|quick change|please|pls|plz|kindly|
just|quickly|simply|can you|could you|would you|will you|can u|could u|would you mind|would it be possible to|
is it possible to|can we|could we|shall we|let's|lets|let us|go ahead and|i'd like you to|i would like you to|
i want you to|i need you to|i'd like to|i would like to|i want to|i need to|we need to|we should|you should|we could|
need to|time to|help me|try to|make sure to|be sure to|feel free to|i think we should|maybe|perhaps|it'd be nice to|
it would be nice to|would be nice to|gonna need you to|mind you""".replace("\n", "").split("|"))
"""Greetings and politeness a request may start with."""
_LABELS = frozenset("nit note request task chore cleanup clean-up refactor style todo".split())
"""Words that label a request when a colon follows ("chore: sort imports")."""
_TAILS = frozenset(p.strip() for p in """
please|pls|plz|thanks|thank you|thanks a lot|thank you so much|many thanks|thx|ty|cheers|for me|if you can|
if you could|if possible|when you can|when you get a chance|asap|real quick|quickly|ok|okay|:)|:-)|where possible|
wherever possible|where it makes sense|wherever it makes sense|where applicable|wherever applicable|
if it makes sense""".replace("\n", "").split("|"))
"""Politeness and filler a request may end with."""
_ASIDE = Lazy(r"(?:^|(?<=\s))\(([^()]*)\)(?=$|[\s,])", hints=("(",))
_LINES_ASIDE = Lazy(r"^(?:on |in |at |for )?lines?\s+\d+(?:\s*(?:-|to|through)\s*\d+)?$", re.IGNORECASE,
                    hints=("line",))
_LEADING_REASON = Lazy(r"^(?:since|because|as|now that|given that|seeing as|seeing that)\s+([^,]+),\s*",
                       re.IGNORECASE, hints=("since", "because", "as", "now that", "given that", "seeing"))
_TRAILING_REASON = Lazy(
    r"[,\s]+(?:since|because|'?cause|given that|now that|seeing as|so that|so|as(?= (?:we|it|this|that|they|"
    r"python|py|our|ruff)\b))\s+(.+)$", re.IGNORECASE,
    hints=("since", "because", "cause", "given that", "now that", "seeing as", " so", " as "))
_PURPOSE = Lazy(
    r"[,\s]+(?:(?:in order )?to (?:make|keep|get) (?:\S+ ){1,2}(?:happy|passing|pass|green|clean|cleaner|quiet|"
    r"quieter|readable|more readable|pythonic|more pythonic|idiomatic|more idiomatic|modern|consistent|shorter|"
    r"simpler|tidier|nicer|neater|compliant)|for (?:better )?(?:readability|clarity|consistency|style|brevity|"
    r"performance|speed|cleanliness|simplicity|pep ?8(?: compliance)?|python 3(?:\.\d+)?|py3|modern python))$",
    re.IGNORECASE, hints=(" to ", " for "))


def parts(instruction: str) -> list[str] | None:
    """The request's sentences less filler, each non-empty; None when an aside or a reason asks for
    something itself, or the request is too long to be one intent. Code in backticks is kept whole."""
    if len(instruction) > MAX_CHARS:
        return None
    text = _ABBREVIATIONS.sub(r"\1", instruction.translate(_SYMBOLS))
    code: list[str] = []
    text = _CODE.sub(lambda m: code.append(m.group(0)) or f"\x00{len(code) - 1}\x00", text)
    found = []
    for sentence in _BREAK.split(text):
        cleaned = _clean(" ".join(sentence.split()))
        if cleaned is None:
            return None
        if cleaned:
            found.append(re.sub(r"\x00(\d+)\x00", lambda m: code[int(m.group(1))], cleaned))
    return found


def is_context(sentence: str) -> bool:
    """Whether a sentence asks for nothing: no change verb, no wish, no reported problem."""
    words = re.findall(r"[a-z][a-z0-9']*", _CODE.sub(" ", sentence).lower())
    if not words or len(words) > 24 or words[0] in ("and", "or", "then", "next", "after"):
        return False  # "(and the dead code)": a second thing to do, not a reason
    about_lint = any(w in LINT_WORDS for w in words)
    if about_lint:  # "Ruff fails on this file.": the linter's complaint is what the request is about
        words = [w for w in words if w not in LINT_PROBLEMS]
    if any(w in WANT_WORDS or w.endswith("n't") for w in words) or has_change_verb(words):
        return False
    return about_lint or not any(w in LINT_PROBLEMS or w.startswith("error") for w in words)


def has_change_verb(words: list[str]) -> bool:
    """Whether lower-case words hold a verb of change; one after an article or a determiner is a
    noun ("a set", "the use of %", "this check") and does not count."""
    return any(w in CHANGE_VERBS and (i == 0 or words[i - 1] not in _DETERMINERS) for i, w in enumerate(words))


def _clean(sentence: str) -> str | None:
    previous = None
    while sentence != previous:
        previous = sentence
        sentence = _without_filler(sentence).strip(" ,:-")
        sentence = _PURPOSE.sub("", sentence)
        for pattern in (_LEADING_REASON, _TRAILING_REASON):
            match = pattern.search(sentence)
            if match and _explained(match.group(1)) is None:
                return None
            if match:
                sentence = (sentence[: match.start()] + sentence[match.end():]).strip(" ,")
        for match in reversed(list(_ASIDE.finditer(sentence))):
            aside = match.group(1).strip()
            if _LINES_ASIDE.match(aside) or len(aside.split()) < 2:
                continue  # a line range is the request's scope, a lone word is code ("(object)"): both stay
            if _explained(aside) is None:
                return None
            sentence = (sentence[: match.start()] + sentence[match.end():]).strip()
        sentence = " ".join(sentence.split())
    return sentence


def _without_filler(sentence: str) -> str:
    """The sentence less the greetings, labels and politeness at its two ends."""
    words = sentence.split()
    while words:
        if words[0].lower().endswith(":") and words[0].lower().rstrip(":") in _LABELS:
            words = words[1:]
            continue
        lead = next((n for n in range(5, 0, -1) if " ".join(words[:n]).lower().rstrip(",:!") in _LEADS), 0)
        tail = next((n for n in range(5, 0, -1) if " ".join(words[-n:]).lower().lstrip(",").rstrip(",!.")
                     in _TAILS), 0)
        if not lead and not tail and not _is_emoji(words[-1]):
            break
        words = words[lead:len(words) - tail] if lead or tail else words[:-1]
        if words:
            words[-1] = words[-1].rstrip(",")
    return " ".join(words)


def _is_emoji(word: str) -> bool:
    return all(0x2600 <= ord(c) <= 0x27BF or 0x1F300 <= ord(c) <= 0x1FAFF for c in word)


def _explained(aside: str) -> str | None:
    """An aside or a reason that can be dropped ("" when empty), or None when it asks for something."""
    aside = re.sub(r"\x00\d+\x00", "", aside).strip()
    return aside if not aside or is_context(aside) else None
