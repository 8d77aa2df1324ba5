"""Ranking files by personalized PageRank over the reference graph.

A file that uses a name links to the files that define it. The random walk restarts at the
files that matter for this request: the ones the user named, the ones the instruction points at
(by path or by an identifier they define) and the ones changed recently.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from vibecli.context.tags import FileTags

DAMPING = 0.85
MAX_DEFINERS = 20
"""A name defined in more files than this (`get`, `run`, `__init__`) links nothing: it says
nothing about which definition a use means, and would add a link to every one of them."""
WEIGHTS = {"named": 50.0, "path mentioned": 20.0, "defines a mentioned name": 20.0, "words match": 10.0,
           "recently changed": 3.0}
"""How often the walk restarts at a file, for each reason it matters to this request."""


@dataclass
class Ranking:
    rank: dict[str, float]
    reasons: dict[str, list[str]] = field(default_factory=dict)
    """Why the walk restarts at a file more often: the WEIGHTS keys that apply."""
    incoming: Any = field(default_factory=dict)
    """For each file, `.get(file)` gives the files that link to it and the weight of each link."""
    ref_count: dict[str, int] = field(default_factory=dict)
    """How many files use each defined name."""


def definers(tags: dict[str, FileTags]) -> dict[str, set[str]]:
    """Short name (the last part of a qualified one) -> files that define it."""
    out: dict[str, set[str]] = defaultdict(set)
    for relpath, t in tags.items():
        for name in t.names:
            out[name].add(relpath)
    return out


def rank_files(tags: dict[str, FileTags], boosts: dict[str, list[str]], mentioned: set[str],
               defined: dict[str, set[str]] | None = None) -> Ranking:
    """PageRank over file -> file links, each link a use of a name to one of its definitions.

    Plain numpy on edge arrays: scipy.sparse would do the same products, but importing it costs
    0.23 s of CPU here, most of the 0.3 s a warm map may take (measured)."""
    import numpy as np

    paths = sorted(tags)
    n = len(paths)
    if n == 0:
        return Ranking({})
    index = {p: i for i, p in enumerate(paths)}
    defined = defined if defined is not None else definers(tags)
    names = {name: j for j, name in enumerate(k for k, v in defined.items() if len(v) <= MAX_DEFINERS)}
    use_file, use_name, use_weight = [], [], []
    for src, t in tags.items():
        i = index[src]
        for name, count in t.refs.items():
            j = names.get(name)
            if j is not None:
                use_file.append(i)
                use_name.append(j)
                use_weight.append(math.sqrt(count))
    pointer, def_file, name_weight = [0], [], []
    for name in names:
        targets = defined[name]
        def_file.extend(index[d] for d in targets)
        pointer.append(len(def_file))
        name_weight.append(_name_weight(name, len(targets), name in mentioned))
    src, dst, weight = _edges(np, use_file, use_name, use_weight, pointer, def_file, name_weight)
    out_weight = np.bincount(src, weights=weight, minlength=n)
    dangling = out_weight == 0
    share = weight / np.where(out_weight == 0, 1.0, out_weight)[src]
    # the walk restarts at the files that matter to this request; at any file when none does
    restart = np.zeros(n)
    for relpath, why in boosts.items():
        if relpath in index:
            restart[index[relpath]] += sum(WEIGHTS[w] for w in why)
    if not restart.any():
        restart[:] = 1.0
    restart /= restart.sum()
    r = restart.copy()
    for _ in range(100):
        walked = np.bincount(dst, weights=share * r[src], minlength=n)
        nxt = DAMPING * (walked + r[dangling].sum() * restart) + (1 - DAMPING) * restart
        done = np.abs(nxt - r).sum() < 1e-9
        r = nxt
        if done:
            break
    r = (r + restart) / 2  # the files that matter to the request first, then what they lean on
    used_by = np.bincount(np.asarray(use_name, dtype=np.int64), minlength=len(names))
    return Ranking(
        {p: float(r[i]) for p, i in index.items()},
        {p: w for p, w in boosts.items() if p in index},
        _Incoming(src, dst, weight, paths),
        {name: int(used_by[j]) for name, j in names.items()},
    )


def _edges(np, use_file, use_name, use_weight, pointer, def_file, name_weight):
    """Every (user file, defining file) pair of every use, without self-links, as arrays."""
    use_file = np.asarray(use_file, dtype=np.int64)
    use_name = np.asarray(use_name, dtype=np.int64)
    pointer = np.asarray(pointer, dtype=np.int64)
    def_file = np.asarray(def_file, dtype=np.int64)
    fan = pointer[use_name + 1] - pointer[use_name]  # definers of each used name
    starts = np.repeat(pointer[use_name], fan)
    within = np.arange(fan.sum()) - np.repeat(np.cumsum(fan) - fan, fan)
    src = np.repeat(use_file, fan)
    dst = def_file[starts + within]
    weight = np.repeat(np.asarray(use_weight) * np.asarray(name_weight)[use_name], fan)
    keep = src != dst
    return src[keep], dst[keep], weight[keep]


class _Incoming:
    """The files that link to a file, read from the edges only when asked (--explain)."""

    def __init__(self, src, dst, weight, paths: list[str]):
        self.src, self.dst, self.weight, self.paths = src, dst, weight, paths
        self.index = {p: i for i, p in enumerate(paths)}

    def get(self, relpath: str, default=None) -> dict[str, float]:
        i = self.index.get(relpath)
        out: dict[str, float] = {}
        if i is None:
            return default if default is not None else out
        mask = self.dst == i
        for s, w in zip(self.src[mask], self.weight[mask]):
            out[self.paths[s]] = out.get(self.paths[s], 0.0) + float(w)
        return out


def _name_weight(name: str, defined_in: int, mentioned: bool) -> float:
    weight = 1.0 / defined_in  # a name many files define says little about which one is meant
    if mentioned:
        weight *= 10
    if name.startswith("_"):
        weight *= 0.1
    if len(name) >= 8:
        weight *= 2  # long names are specific; `run` and `get` are everywhere
    return weight
