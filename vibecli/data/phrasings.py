"""How people ask for each kind of edit: terse ("use f-strings") and descriptive (what, where and
why), naming the target by name (`{T}` is `name`) or only by what it does ("the function that
returns ..."), from the docstring. Written here for this data, not taken from any benchmark.
"""

from __future__ import annotations

import random
import re
from string import Formatter

P: dict[str, tuple[list[str], list[str]]] = {
    "docstring": (["Add a docstring to {T}.", "document {T}", "{T} needs a docstring"],
                  ["Write a docstring for {T} that says what it does, its arguments and what it returns.",
                   "{T} has no documentation; add a docstring explaining its purpose so readers do not have to work it out from the code."]),
    "type_hints": (["Add type hints to {T}.", "type-annotate {T}", "add annotations"],
                   ["Annotate the parameters and the return value of {T} with type hints, so a type checker can check its callers.",
                    "Give every argument of {T} a type annotation and add the return type."]),
    "validate_input": (["Validate the input of {T}.", "{T} should raise {exc} on bad input"],
                       ["Make {T} check its arguments first and raise {exc} when `{condition}`, instead of failing later with a confusing error.",
                        "Add input validation to {T}: if `{condition}`, raise {exc}({message!r})."]),
    "error_handling": (["Handle {exc} in {T}.", "catch {exc} in {T}"],
                       ["In {T}, `{first}` can raise {exc}; catch it and handle it there instead of letting it propagate.",
                        "Add error handling to {T} for the case where `{first}` raises {exc}."]),
    "default_value": (["Give `{param}` a default of `{value}`.", "make `{param}` optional"],
                      ["Callers of {T} usually pass `{value}` for `{param}`; make that the parameter's default so they can leave it out.",
                       "Make the `{param}` argument of {T} optional, defaulting to `{value}`."]),
    "add_parameter": (["Add a `{param}` parameter to {T}.", "make `{value}` configurable in {T}"],
                      ["{T} hard-codes `{value}`; add a parameter `{param}` with that default and use it instead, so callers can change it.",
                       "Turn the constant `{value}` in {T} into a keyword parameter `{param}` (default `{value}`)."]),
    "rename_function": (["Rename `{name}` to `{new}`.", "rename {name} -> {new}"],
                        ["The name `{name}` does not follow the project's naming; rename it to `{new}` and update every place that uses it.",
                         "Rename the function `{name}` to `{new}`, including its calls in this file."]),
    "rename_variable": (["Rename `{old}` to `{new}` in {T}.", "better name for `{old}`"],
                        ["In {T}, the variable `{old}` says nothing about what it holds; rename it to `{new}`.",
                         "Give the local variable `{old}` in {T} a descriptive name: `{new}`."]),
    "fix_comparison": (["Fix the comparison in {T}.", "fix the bug in {T}", "wrong condition in {T}"],
                       ["{T} has a bug: the condition `{bad}` is the wrong way round; it should be `{good}`.",
                        "The check `{bad}` in {T} is inverted. Fix it so it tests `{good}`."]),
    "fix_off_by_one": (["Fix the off-by-one in {T}.", "off-by-one error in {T}"],
                       ["{T} has an off-by-one error: {symptom}. `{wrong}` should be `{right}`.",
                        "There is an off-by-one bug in {T} ({symptom}); fix it."]),
    "fix_bug": (["Fix the bug in {T}.", "Fix bugs.", "{T} is broken; fix it."],
                ["{T} gives wrong results. It should {doc}; find the mistake and fix it.",
                 "Something in {T} is wrong: it is meant to {doc}. Fix the code so it does."]),
    "remove_dead_code": (["Remove dead code from {T}.", "delete the unreachable code"],
                         ["{T} contains code that can never run ({where}); remove it.",
                          "Clean up {T}: take out the statement that is never executed."]),
    "simplify_return": (["Simplify the return in {T}.", "return the condition directly"],
                        ["In {T}, the if/else that returns True or False is redundant: return the condition itself.",
                         "Replace the `if ...: return True else: return False` in {T} with a single return of the boolean expression."]),
    "fstring_format": (["Use f-strings.", "use an f-string in {T}", "convert .format() to f-string"],
                       ["In {T}, replace `{old}` with an f-string: it is shorter and easier to read.",
                        "Rewrite the str.format call in {T} as an f-string, keeping the same output."]),
    "fstring_percent": (["Use f-strings.", "replace % formatting in {T}"],
                        ["In {T}, replace the old %-formatting `{old}` with an f-string that gives the same text.",
                         "Modernize the string formatting in {T}: use an f-string instead of the % operator."]),
    "list_comprehension": (["Use a comprehension.", "turn the loop into a {collection} comprehension"],
                           ["In {T}, the loop that builds `{var}` can be a {collection} comprehension; rewrite it that way.",
                            "Replace the for loop that fills `{var}` in {T} with a {collection} comprehension."]),
    "comprehension_to_loop": (["Use a plain for loop for `{var}`.", "unroll the comprehension in {T}"],
                              ["The {collection} comprehension that builds `{var}` in {T} is hard to step through in a debugger; write it as an explicit for loop.",
                               "Rewrite the comprehension for `{var}` in {T} as a loop that adds one item at a time."]),
    "with_open": (["Use a with statement.", "open the file with `with` in {T}"],
                  ["{T} opens a file and closes it by hand, so the file stays open if something raises; use a `with` block instead.",
                   "Use a context manager for `{handle}` in {T} so the file is always closed."]),
    "enumerate": (["Use enumerate.", "use enumerate in {T}"],
                  ["In {T}, the loop indexes `{seq}` with range(len(...)); loop with enumerate() to get `{index}` and `{item}` directly.",
                   "Replace `range(len({seq}))` and the indexing in {T} with enumerate."]),
    "dict_get": (["Use dict.get.", "use .get() in {T}"],
                 ["In {T}, the if/else that looks up `{key}` in `{mapping}` can be a single `{mapping}.get({key}, {default})`.",
                  "Simplify the lookup of `{var}` in {T} with dict.get and a default."]),
    "any_all": (["Use {func}().", "simplify the loop with {func}"],
                ["The loop in {T} that returns True or False can be one `return {func}(...)` over a generator expression.",
                 "Replace the for loop with early returns in {T} by the built-in {func}()."]),
    "early_return": (["Use an early return in {T}.", "guard clause", "reduce nesting in {T}"],
                     ["{T} nests its main work inside an if/else; handle the `{condition}` case first with a guard clause that {exit} early, and un-indent the rest.",
                      "Flatten {T}: handle the special case at the top and leave early, so the normal path is not nested."]),
    "ternary": (["Use a conditional expression.", "one-line the if/else in {T}"],
                ["In {T}, the if/else that assigns `{var}` can be one line with a conditional expression.",
                 "Replace the if/else assignment to `{var}` in {T} with `x if cond else y`."]),
    "set_membership": (["Use a set for the membership test.", "set literal for `in` in {T}"],
                       ["In {T}, test membership against a set instead of a sequence: `in` on a set is a constant-time lookup.",
                        "Use a set literal for the values {values} that {T} checks with `in`."]),
    "str_join": (["Use str.join.", "use join instead of += in {T}"],
                 ["{T} builds a string with += in a loop, which is quadratic; use {sep}.join({seq}) instead.",
                  "Replace the string concatenation loop in {T} with a single str.join call."]),
    "defaultdict": (["Use defaultdict.", "use collections.defaultdict in {T}"],
                    ["In {T}, `{var}` is filled with setdefault/get calls; make it a defaultdict({factory}) so the updates read simply.",
                     "Replace the manual default handling for `{var}` in {T} with collections.defaultdict."]),
    "dataclass": (["Make {T} a dataclass.", "convert {T} to @dataclass"],
                  ["{T} only stores {fields} in its __init__; make it a dataclass with those fields so __init__, __repr__ and __eq__ are generated.",
                   "Turn the class {T} into a dataclass: declare {fields} as annotated fields and drop the hand-written __init__."]),
    "add_repr": (["Add a __repr__ to {T}.", "give {T} a repr"],
                 ["Objects of {T} print as `<... object at 0x...>`; add a __repr__ that shows {fields}.",
                  "Implement __repr__ for the class {T} so debugging output shows {fields}."]),
    "sort_key": (["Sort by `{key}`.", "use {func}() with a key in {T}"],
                 ["In {T}, `{func}` should order {seq} by `{key}`, not by the items themselves; pass key=.",
                  "Make {T} use `{key}` as the sort key in its {func}() call."]),
    "add_method": (["Add a method `{signature}` to {T}.", "implement {T}.{method}"],
                   ["Add a method `{signature}` to the class {T} to {doc}.",
                    "{T} needs a `{method}` method: it should {doc}. Signature: `{signature}`."]),
    "add_function": (["Add a function `{signature}`.", "write {name}()"],
                     ["Add a function `{signature}` to {doc}.",
                      "Write a new function `{name}` (signature `{signature}`) that does this: {doc}."]),
    "extract_helper": (["Extract a helper `{helper}` from {T}.", "factor out {helper}()"],
                       ["Move the expression in {T} that computes this into its own function `{signature}` and call it from {T}.",
                        "Refactor {T}: extract part of its logic into a helper function named `{helper}` ({signature}) and use it there."]),
    "inline_helper": (["Inline `{helper}` into {T}.", "inline {helper}()"],
                      ["`{helper}` is only used once, by {T}; inline its expression there and delete the helper.",
                       "Remove the one-line helper `{helper}` by writing its expression directly where {T} calls it."]),
    "rename_across_files": (["Rename `{name}` to `{new}` everywhere.", "rename {name} -> {new} in both files"],
                            ["Rename the function `{name}` in {file} to `{new}`, and update the import and the call in {other}.",
                             "`{name}` is a poor name; call it `{new}` instead, in {file} where it is defined and in {other} which uses it."]),
    "add_test": (["Add a test for `{name}`.", "test {name}"],
                 ["Add a test `{test}` to {file} that checks `{name}`.",
                  "Write a unit test in {file} for the function `{name}` ({doc}), named `{test}`."]),
    "remove_unused_import": (["Remove unused imports.", "drop the unused import"],
                             ["The file imports {imports} but never uses it; remove the unused import(s).",
                              "Clean up the imports: {imports} is not used anywhere in this file."]),
    "isinstance_check": (["Use isinstance.", "use isinstance in {T}"],
                         ["In {T}, `type({obj}) == {cls}` rejects subclasses of {cls}; use isinstance() instead.",
                          "Replace the exact type comparison on `{obj}` in {T} with isinstance({obj}, {cls})."]),
    "is_none": (["Compare to None with `is`.", "use `is None` in {T}"],
                ["In {T}, comparisons with None use == or !=; use `is None` / `is not None`, as PEP 8 says.",
                 "Fix the None checks in {T}: compare with `is`, not with equality."]),
    "lru_cache": (["Cache the results of {T}.", "memoize {T}"],
                  ["{T} is called repeatedly with the same arguments and always returns the same result; cache it with functools ({decorator}).",
                   "Add a functools cache decorator to {T} so repeated calls with the same arguments are not recomputed."]),
    "logging": (["Use logging instead of print.", "replace print with logging in {T}"],
                ["{T} writes messages with print(); send them through the logging module at {level} level so the caller controls the output.",
                 "Replace the print() calls in {T} with logging calls (level {level})."]),
    "pathlib": (["Use pathlib.", "use pathlib in {T}"],
                ["In {T}, replace {calls} with the equivalent pathlib.Path methods.",
                 "Move {T} from os.path to pathlib: wrap the path in Path and use its methods."]),
    "suppress": (["Use contextlib.suppress.", "replace try/except/pass in {T}"],
                 ["In {T}, the try/except {exc}: pass block only ignores the error; write it as `with contextlib.suppress({exc}):`.",
                  "Use contextlib.suppress({exc}) in {T} instead of catching and passing."]),
}
"""kind: (terse phrasings, descriptive phrasings)."""

STYLES = ("terse", "descriptive")
TERSE_SHARE = 0.4


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name}


_NOT_VERBS = {"a", "an", "the", "this", "helper", "internal", "given", "if", "when", "simple", "base", "return"}


def third_person(doc: str) -> str:
    """"return the values" -> "returns the values": a docstring's imperative read after "that"."""
    word, _, rest = doc.partition(" ")
    if not word.isalpha() or word.endswith("s") or word in _NOT_VERBS - {"return"}:
        return doc
    ending = "es" if word.endswith(("sh", "ch", "x", "o")) else "s"
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        word, ending = word[:-1], "ies"
    return f"{word}{ending} {rest}".strip()


def _described(kind: str, target: str, doc: str, is_method: bool) -> str:
    if kind in ("dataclass", "add_repr", "add_method"):
        return f"the class for {doc}" if doc else "the class"
    what = "method" if is_method else "function"
    if not doc:
        return f"the {what}"
    first = doc.split(" ")[0]
    if first in _NOT_VERBS - {"return"} or not first.isalpha():
        return f"the {what} for {doc}"
    return f"the {what} that {third_person(doc)}"


def phrase(kind: str, slots: dict[str, str], target: str, rng: random.Random, *, is_method: bool = False) -> tuple[str, str, str]:
    """(request, style, naming): a phrasing of the kind with its slots filled in."""
    terse, descriptive = P[kind]
    style = "terse" if rng.random() < TERSE_SHARE else "descriptive"
    doc = slots.get("doc", "")
    naming = "behaviour" if doc and rng.random() < 0.4 and kind not in ("rename_function", "rename_across_files", "add_method", "extract_helper", "add_test") else "name"
    name = slots.get("name") or target
    values = dict(slots, T=f"`{name}`" if naming == "name" else _described(kind, name, doc, is_method))
    choices = [t for t in (terse if style == "terse" else descriptive) if _fields(t) <= set(values) and
               all(values[f] for f in _fields(t))]
    if not choices:
        style = "descriptive" if style == "terse" else "terse"
        choices = [t for t in (terse if style == "terse" else descriptive) if _fields(t) <= set(values) and
                   all(values[f] for f in _fields(t))]
    if not choices:
        return "", style, naming
    template = rng.choice(choices)
    if "{T}" not in template:
        # "Use f-strings." names no target; "Rename `a` to `b`" names it without {T}
        naming = "name" if re.search(r"\{(name|old|var|helper|signature|param|test)\b", template) else "none"
    text = template.format_map(values)
    return text[:1].upper() + text[1:], style, naming
