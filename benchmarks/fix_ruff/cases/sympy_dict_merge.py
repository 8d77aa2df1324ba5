# sympy 1.14.0 (BSD-3-Clause), sympy/utilities/iterables.py; see README.md

def dict_merge(*dicts):
    """Merge dictionaries into a single dictionary. """
    merged = {}

    for dict in dicts:
        merged.update(dict)

    return merged
