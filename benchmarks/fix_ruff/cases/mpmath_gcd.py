# mpmath 1.3.0 (BSD-3-Clause), mpmath/libmp/libintmath.py; see README.md

def gcd(*args):
    a = 0
    for b in args:
        if a:
            while b:
                a, b = b, a % b
        else:
            a = b
    return a
