"""Ranking files by personalized PageRank over the reference graph (scipy sparse matrices).

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
    """Files x names (uses) times names x files (definitions) is the file -> file link matrix."""
    import numpy as np
    from scipy import sparse

    paths = sorted(tags)
    n = len(paths)
    if n == 0:
        return Ranking({})
    index = {p: i for i, p in enumerate(paths)}
    defined = defined if defined is not None else definers(tags)
    names = {name: j for j, name in enumerate(k for k, v in defined.items() if len(v) <= MAX_DEFINERS)}
    use_rows, use_cols, use_vals = [], [], []
    for src, t in tags.items():
        i = index[src]
        for name, count in t.refs.items():
            j = names.get(name)
            if j is not None:
                use_rows.append(i)
                use_cols.append(j)
                use_vals.append(math.sqrt(count))
    def_rows, def_cols, def_vals = [], [], []
    for name, j in names.items():
        targets = defined[name]
        weight = _name_weight(name, len(targets), name in mentioned)
        for dst in targets:
            def_rows.append(j)
            def_cols.append(index[dst])
            def_vals.append(weight)
    uses = sparse.csr_matrix((use_vals, (use_rows, use_cols)), shape=(n, len(names)))
    defs = sparse.csr_matrix((def_vals, (def_rows, def_cols)), shape=(len(names), n))
    links = (uses @ defs).tocsr()  # links[src, dst]
    links.setdiag(0)
    links.eliminate_zeros()
    out_weight = np.asarray(links.sum(axis=1)).ravel()
    dangling = out_weight == 0
    walk = (sparse.diags(np.where(dangling, 0.0, 1.0 / np.where(dangling, 1.0, out_weight))) @ links).T.tocsr()
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
        nxt = DAMPING * (walk @ r + r[dangling].sum() * restart) + (1 - DAMPING) * restart
        done = np.abs(nxt - r).sum() < 1e-9
        r = nxt
        if done:
            break
    r = (r + restart) / 2  # the files that matter to the request first, then what they lean on
    used_by = np.diff(uses.tocsc().indptr)  # how many files use each name
    return Ranking(
        {p: float(r[i]) for p, i in index.items()},
        {p: w for p, w in boosts.items() if p in index},
        _Incoming(links, paths),
        {name: int(used_by[j]) for name, j in names.items()},
    )


class _Incoming:
    """The files that link to a file, read from the link matrix only when asked (--explain)."""

    def __init__(self, links, paths: list[str]):
        self.by_column = links.tocsc()
        self.paths = paths
        self.index = {p: i for i, p in enumerate(paths)}

    def get(self, relpath: str, default=None) -> dict[str, float]:
        i = self.index.get(relpath)
        if i is None:
            return default if default is not None else {}
        lo, hi = self.by_column.indptr[i], self.by_column.indptr[i + 1]
        rows, vals = self.by_column.indices[lo:hi], self.by_column.data[lo:hi]
        return {self.paths[r]: float(v) for r, v in zip(rows, vals)}


def _name_weight(name: str, defined_in: int, mentioned: bool) -> float:
    weight = 1.0 / defined_in  # a name many files define says little about which one is meant
    if mentioned:
        weight *= 10
    if name.startswith("_"):
        weight *= 0.1
    if len(name) >= 8:
        weight *= 2  # long names are specific; `run` and `get` are everywhere
    return weight
