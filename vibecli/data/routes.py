"""Route examples: requests with the route an exact tool takes for them (`ruff <intent>`,
`rename <old> <new>`) or `none`, as {prompt, answer} rows the training engine reads.

Two sources:
- the synthetic edit tasks (`data synth`): a request of a kind ruff's rules carry out (the task
  records which rules it was checked against) routes to that intent; a rename of a name a file
  defines at top level routes to the rename; every other kind to `none`. Kinds that a tool does
  only sometimes (a loop to a comprehension, `dict.get`) are left out: their label would be a guess.
- hand-written phrase tables (`route_phrases`): several phrasings of each intent, near misses that
  must stay with the model, and ways to ask for a rename, filled with names and paths from the
  synthetic tasks, some with a context sentence or politeness around them.

The prompt and the answers are `fixers.model_router`'s, so what is trained is what is asked."""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterable

from vibecli.data import route_phrases
from vibecli.fixers import Route
from vibecli.fixers.model_router import answer_for, defined_words, options_for, prompt_for

KIND_INTENTS = {
    "any_all": "any/all", "fstring_format": "f-strings", "fstring_percent": "f-strings", "is_none": "is None",
    "remove_unused_import": "unused imports", "simplify_return": "return condition",
    "suppress": "contextlib.suppress", "ternary": "ternary",
}
"""Synth kinds whose requests ruff's fixes carry out (when the task lists the rules it was checked against)."""
RENAME_KINDS = ("rename", "rename_function", "rename_across_files")
AMBIGUOUS_KINDS = ("dict_get", "list_comprehension")
"""A tool does these only for some shapes of code: no label either way."""
_FILE = re.compile(r"^### File: (?P<path>.+)\n```[\w+-]*\n(?P<text>.*?)^```$", re.MULTILINE | re.DOTALL)


def request_and_files(prompt: str) -> tuple[str, dict[str, str]]:
    """A synth prompt's request and the files it shows (after its few-shot examples)."""
    task = prompt[prompt.rfind("=== Task"):]
    request = task.rsplit("### Request:", 1)[-1].split("\n### Answer:", 1)[0].strip()
    return request, {m.group("path").strip(): m.group("text") for m in _FILE.finditer(task)}


def synth_label(row: dict) -> tuple[str, dict[str, str], Route | None] | None:
    """The request, its files and its route (None: `none`); None when the task gives no label."""
    meta = row.get("meta") or {}
    kind = meta.get("kind", "")
    if kind in AMBIGUOUS_KINDS or meta.get("language", "python") != "python":
        return None
    request, files = request_and_files(row["prompt"])
    if not request or not files:
        return None
    if kind in KIND_INTENTS:
        if not meta.get("ruff_rules"):
            return None
        return request, files, Route("ruff", {"intent": KIND_INTENTS[kind]})
    if kind in RENAME_KINDS:
        return request, files, _rename_in(request, files, row.get("answer", ""))
    return request, files, None


def _rename_in(request: str, files: dict[str, str], answer: str) -> Route | None:
    """The top-level rename the answer carries out, among those the request's words allow."""
    for option in options_for(request, files):
        if option.startswith(" rename "):
            old, new = option.split()[1:]
            if re.search(rf"\b{re.escape(new)}\b", answer) and not re.search(rf"\b{re.escape(old)}\b", answer):
                return Route("rename", {"old": old, "new": new})
    return None


def synth_examples(rows: Iterable[dict], per_kind: int, seed: int = 0, per_rename: int | None = None,
                   per_ruff: int | None = None) -> list[dict]:
    """At most `per_kind` labelled examples of each synth kind, drawn at random; of a rename kind,
    `per_rename` of each label (rename or none), of a kind ruff does `per_ruff` (both default `per_kind`)."""
    by_kind: dict[str, list[dict]] = {}
    for row in rows:
        labelled = synth_label(row)
        if labelled is None:
            continue
        request, files, route = labelled
        kind = row["meta"]["kind"] + ("" if route is None else f":{route.name}")
        by_kind.setdefault(kind, []).append(_example(request, defined_words(request, files), route,
                                                     "synth:" + row["meta"]["kind"]))
    rng = random.Random(seed)
    out = []
    for kind in sorted(by_kind):
        found = by_kind[kind]
        rng.shuffle(found)
        cap = per_rename if kind.endswith(":rename") else per_ruff if kind.endswith(":ruff") else per_kind
        out += found[:per_kind if cap is None else cap]
    return out


def phrase_examples(names: list[str], paths: list[str], renames: list[tuple[str, str]], seed: int = 0,
                    copies: int = 2, near_miss_copies: int = 3, rename_copies: int = 4) -> list[dict]:
    """Every phrasing of every intent (`copies` times), every near miss (`near_miss_copies` times)
    and every rename form with a pair from `renames` (`rename_copies` times); names and paths
    filled in at random each time, some with a context sentence or politeness added."""
    rng = random.Random(seed)
    out = []
    for _ in range(copies):
        for intent, requests in route_phrases.REQUESTS.items():
            for text in requests:
                request, defined = _filled(text, rng, names, paths)
                out.append(_example(_dressed(request, rng), defined, Route("ruff", {"intent": intent}),
                                    "phrase:" + intent))
    for _ in range(near_miss_copies):
        for text in route_phrases.NEAR_MISSES:
            request, defined = _filled(text, rng, names, paths)
            out.append(_example(_dressed(request, rng), defined, None, "phrase:near-miss"))
    for text in route_phrases.RENAMES:
        for _ in range(rename_copies):
            old, new = rng.choice(renames)
            request, defined = _filled(text, rng, names, paths, old=old, new=new)
            out.append(_example(_dressed(request, rng), defined, Route("rename", {"old": old, "new": new}),
                                "phrase:rename"))
    return out


def compound_examples(examples: list[dict], count: int, seed: int = 0) -> list[dict]:
    """Two requests in one, `none` whatever the first asks: a tool's request joined to one that
    is not a tool's ("use f-strings in load, and also make it return a list"). One route for one
    part would do only half of what was asked; the model must see the second part."""
    rng = random.Random(seed)
    tools = [e for e in examples if e["answer"] != answer_for(None)]
    others = [e for e in examples if e["answer"] == answer_for(None) and len(request_of(e)) < 140]
    out = []
    for _ in range(count if tools and others else 0):
        first, second = rng.choice(tools), rng.choice(others)
        joiner = rng.choice((" and ", ", and also ", ". Also, ", "; then ", ", plus ", " and then "))
        tail = request_of(second).rstrip(".")
        request = f"{request_of(first).rstrip('.')}{joiner}{tail[:1].lower() + tail[1:]}"
        defined = list(dict.fromkeys(first["meta"]["defined"] + second["meta"]["defined"]))
        out.append(_example(request, defined, None, "compound"))
    return out


def request_of(example: dict) -> str:
    """The request a route example asks about."""
    return example["meta"]["request"]


def _filled(text: str, rng: random.Random, names: list[str], paths: list[str], **given: str
            ) -> tuple[str, list[str]]:
    """The request, and the names in it that its (imagined) files define: `{name}` and `{old}`."""
    values = {"name": rng.choice(names), "file": rng.choice(paths), "old": "", "new": "", **given}
    defined = [values[k] for k in ("name", "old") if "{" + k + "}" in text]
    return text.format(**values), list(dict.fromkeys(defined))


def _dressed(text: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.15:
        return f"{rng.choice(route_phrases.CONTEXT)} {text}"
    if roll < 0.3:
        polite = rng.choice(route_phrases.POLITE)
        return f"{polite}{text}" if not polite.startswith(" ") else f"{text.rstrip('.')}{polite}"
    return text


def _example(request: str, defined: list[str], route: Route | None, origin: str) -> dict:
    return {"prompt": prompt_for(request, defined), "answer": answer_for(route),
            "meta": {"source": "route", "origin": origin, "request": request, "defined": defined}}


def names_and_paths(rows: Iterable[dict], limit: int = 5000) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    """Top-level names, file paths and (old, new) rename pairs from synth tasks, to fill phrasings with."""
    names, paths, renames = set(), set(), set()
    for row in rows:
        request, files = request_and_files(row["prompt"])
        paths |= set(files)
        for text in files.values():
            names |= set(re.findall(r"^(?:async\s+def|def|class)\s+([A-Za-z_]\w*)", text, re.MULTILINE))
        meta = row.get("meta") or {}
        if meta.get("kind") in RENAME_KINDS and meta.get("language", "python") == "python" and request and files:
            found = _rename_in(request, files, row.get("answer", ""))  # the prompt is parsed once, above
            if found is not None:
                renames.add((found.args["old"], found.args["new"]))
        if len(names) >= limit:
            break
    return sorted(names), sorted(paths), sorted(renames)


def mix(examples: list[dict]) -> Counter:
    """Examples per answer kind (`none`, `rename`, `ruff <intent>`), for the census."""
    return Counter(e["answer"].split()[0] if not e["answer"].startswith(" ruff") else e["answer"].strip()
                   for e in examples)

