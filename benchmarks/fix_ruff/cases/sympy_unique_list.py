# sympy 1.14.0 (BSD-3-Clause), sympy/utilities/_compilation/util.py; see README.md

def unique_list(l):
    """ Uniquify a list (skip duplicate items). """
    result = []
    for x in l:
        if x not in result:
            result.append(x)
    return result
