"""Training examples from the logbook, in exactly the prompt and answer format vibecli uses.

An example is the prompt of a run's first attempt and the answer that was applied, written in
the canonical envelope (`vibecli.edits.envelope.format_envelope`). A run whose change a person
later amended gives the person's version as the answer instead (symbol-anchored `replace`
edits where the definitions line up, else `rewrite`). Preference pairs put a rejected answer
(an attempt the checks or the parser refused, an applied answer that was reverted, or
vibecli's own answer that a person amended) against the accepted one for the same prompt.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

from vibecli.core import Edit
from vibecli.data.examples import answer_text
from vibecli.data.scrub import scrub, scrub_prompt
from vibecli.edits import languages, syntax
from vibecli.edits.envelope import format_envelope

NEAR_DUPLICATE = 0.9
"""Jaccard similarity of word trigrams (request, files and answer) above which an example is a near-duplicate."""


@dataclass
class ExportOptions:
    kept_only: bool = False
    """Only changes that git history shows kept: committed, with later commits on top and no revert
    (or amended by a person, whose version is then the answer)."""
    corrected: bool = True
    """A run a person amended gives the person's version as the answer."""


@dataclass
class Summary:
    runs: int = 0
    examples: int = 0
    corrected: int = 0
    pairs: int = 0
    no_answer: int = 0
    filtered: int = 0
    duplicates: int = 0
    secrets: int = 0
    by_outcome: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return dict(vars(self))


def _fence(path: str) -> str:
    spec = languages.language_for(path)
    return spec.fence if spec else ""


def _edits_answer(edits_json: str | None) -> str | None:
    if not edits_json:
        return None
    edits = [Edit(**e) for e in json.loads(edits_json)]
    if not edits:
        return None
    return format_envelope(edits, _fence(edits[0].path))


def accepted_call(run: dict) -> dict | None:
    """The call whose parsed edits were applied: the last one with edits and no error."""
    if run["status"] != "applied":
        return None
    for call in reversed(run["calls"]):
        if call["edits"] and not call["error"]:
            return call
    return None


def first_prompt(run: dict) -> str | None:
    return run["calls"][0]["prompt"] if run["calls"] else None


def rejected_answers(run: dict) -> list[str]:
    """Answers the parser, the edit engine or the checks turned down, in vibecli's own words."""
    out = []
    by_attempt: dict[int, list[dict]] = {}
    for call in run["calls"]:
        by_attempt.setdefault(call["attempt"], []).append(call)
    for calls in by_attempt.values():
        last = calls[-1]
        if last["error"] and last["edits"]:
            out.append(_edits_answer(last["edits"]))
        elif last["error"] and last["kind"] == "answer" and last["output"].strip():
            out.append(answer_text(last["output"]))
    return [a for a in out if a]


def candidate_pairs(run: dict) -> list[tuple[str, str, str]]:
    """(prompt, chosen, rejected) from the candidates of one attempt: one that passed the checks in
    its copy of the tree (or was chosen and then passed them) against one that failed them."""
    prompts = {}
    for call in run.get("calls") or []:
        prompts.setdefault(call["attempt"], call["prompt"])
    by_attempt: dict[int, list[dict]] = {}
    for candidate in run.get("candidates") or []:
        by_attempt.setdefault(candidate["attempt"], []).append(candidate)
    checks_passed = run.get("checks") == "passed"
    out = []
    for attempt, candidates in by_attempt.items():
        good = [c for c in candidates if c["verdict"] == "passed" or (c["verdict"] == "chosen" and checks_passed)]
        bad = [c for c in candidates if c["verdict"] == "failed"]
        prompt = prompts.get(attempt)
        if not prompt:
            continue
        for chosen in good:
            for rejected in bad:
                better, worse = _edits_answer(chosen["edits"]), _edits_answer(rejected["edits"])
                if better and worse and better.strip() != worse.strip():
                    out.append((prompt, better, worse))
    return out


def corrected_answer(detail: dict) -> str | None:
    """The person's version of the files as an answer: `replace` per changed definition where
    the two versions have the same definitions, else the whole file."""
    edits = []
    for path in detail.get("files", []):
        old, new = (detail.get("vibecli") or {}).get(path), (detail.get("after") or {}).get(path)
        if new is None or old is None or old == new:
            continue
        edits.extend(_file_edits(path, old, new))
    if not edits:
        return None
    return format_envelope(edits, _fence(edits[0].path))


def _file_edits(path: str, old: str, new: str) -> list[Edit]:
    language = syntax.language_of(path)
    if language and languages.by_name(language).addressable:
        old_defs = {d.name: d for d in syntax.definitions(language, old.encode())}
        new_defs = {d.name: d for d in syntax.definitions(language, new.encode())}
        top_old = [n for n in old_defs if "." not in n]
        top_new = [n for n in new_defs if "." not in n]
        if old_defs and top_old == top_new and _outside(old, old_defs, top_old) == _outside(new, new_defs, top_new):
            edits = []
            for name in top_new:
                a, b = _text(old, old_defs[name]), _text(new, new_defs[name])
                if a != b:
                    edits.append(Edit("replace", path, b if b.endswith("\n") else b + "\n", symbol=name))
            if edits:
                return edits
    return [Edit("rewrite", path, new)]


def _text(source: str, definition) -> str:
    return source.encode()[definition.start_byte:definition.end_byte].decode()


def _outside(source: str, defs: dict, names: list[str]) -> str:
    """The file with its top-level definitions cut out: what `replace` edits cannot change."""
    data = source.encode()
    spans = sorted((defs[n].start_byte, defs[n].end_byte) for n in names)
    pieces, at = [], 0
    for start, end in spans:
        pieces.append(data[at:start])
        at = end
    pieces.append(data[at:])
    return b"\0".join(pieces).decode()


def _paths_in(answer: str) -> list[str]:
    return re.findall(r"(?m)^@@ \S+ (\S+)", answer)


def _clean(prompt: str, answer: str, summary: Summary) -> tuple[str, str]:
    prompt, n1 = scrub_prompt(prompt)
    env = any(p.rsplit("/", 1)[-1].startswith(".env") for p in _paths_in(answer))
    answer, n2 = scrub(answer, env_file=env)
    summary.secrets += n1 + n2
    return prompt, answer


class _Dedup:
    """Exact duplicates by hash; near-duplicates by trigram Jaccard among examples of similar size."""

    def __init__(self, threshold: float = NEAR_DUPLICATE):
        self.threshold = threshold
        self.hashes: set[str] = set()
        self.shingles: list[tuple[int, set]] = []

    def seen(self, prompt: str, answer: str) -> bool:
        task = prompt[prompt.rfind("=== Task"):] if "=== Task" in prompt else prompt
        words = (task + " " + answer).lower().split()
        key = hashlib.sha256(" ".join(words).encode()).hexdigest()
        if key in self.hashes:
            return True
        grams = {" ".join(words[i:i + 3]) for i in range(max(1, len(words) - 2))}
        size = len(grams)
        for other_size, other in self.shingles:
            if min(size, other_size) < self.threshold * max(size, other_size):
                continue
            if len(grams & other) / max(1, len(grams | other)) >= self.threshold:
                return True
        self.hashes.add(key)
        self.shingles.append((size, grams))
        return False


def merge_runs(logbooks: list[list[dict]]) -> list[dict]:
    """The runs of several logbooks (several machines, or copies of one) as one list, oldest
    first, each run once: where copies of a run differ, the one whose outcome was checked last,
    since git history only adds to what is known of a run."""
    by_id: dict[str, dict] = {}
    for runs in logbooks:
        for run in runs:
            kept = by_id.get(run["id"])
            if kept is None or (run.get("outcome_at") or 0) > (kept.get("outcome_at") or 0):
                by_id[run["id"]] = run
    return sorted(by_id.values(), key=lambda run: (run["started_at"], run["id"]))


def export(runs: list[dict], options: ExportOptions) -> tuple[list[dict], list[dict], Summary]:
    """(examples, preference pairs, summary) from logbook runs (each with its calls)."""
    summary = Summary()
    examples, pairs = [], []
    dedup = _Dedup()
    for run in runs:
        summary.runs += 1
        outcome = run.get("outcome") or run["status"]
        summary.by_outcome[outcome] = summary.by_outcome.get(outcome, 0) + 1
        prompt = first_prompt(run)
        call = accepted_call(run)
        if prompt is None:
            summary.no_answer += 1
            continue
        detail = json.loads(run["outcome_detail"]) if run.get("outcome_detail") else {}
        applied = _edits_answer(call["edits"]) if call else None
        answer, source = applied, "applied"
        if outcome == "amended" and options.corrected:
            human = corrected_answer(detail)
            if human:
                answer, source = human, "human"
        kept = outcome == "amended" or (
            outcome == "applied" and run.get("commit_sha") and run.get("outcome_head") not in (None, run.get("commit_sha"))
            and run.get("checks") != "failed"
        )
        rejected = rejected_answers(run)
        if outcome == "reverted" and applied:
            rejected.append(applied)
        if source == "human" and applied:
            rejected.append(applied)
        meta = {"run_id": run["id"], "outcome": outcome, "checks": run.get("checks"), "source": source,
                "repo": run.get("repo_root"), "started_at": run["started_at"]}
        if answer and outcome != "reverted" and (kept or not options.kept_only):
            clean_prompt, clean_answer = _clean(prompt, answer, summary)
            if dedup.seen(clean_prompt, clean_answer):
                summary.duplicates += 1
            else:
                examples.append({"prompt": clean_prompt, "answer": clean_answer, "meta": meta})
                summary.examples += 1
                summary.corrected += source == "human"
                for worse in dict.fromkeys(rejected):
                    if worse.strip() == answer.strip():
                        continue
                    _, clean_worse = _clean(prompt, worse, summary)
                    pairs.append({"prompt": clean_prompt, "chosen": clean_answer, "rejected": clean_worse, "meta": meta})
                    summary.pairs += 1
        elif answer:
            summary.filtered += 1
        else:
            summary.no_answer += 1
        for prompt_text, better, worse in dict.fromkeys(candidate_pairs(run)):
            clean_prompt, clean_better = _clean(prompt_text, better, summary)
            _, clean_worse = _clean(prompt_text, worse, summary)
            pairs.append({"prompt": clean_prompt, "chosen": clean_better, "rejected": clean_worse,
                          "meta": {**meta, "source": "candidates"}})
            summary.pairs += 1
    return examples, pairs, summary
