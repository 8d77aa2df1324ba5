# CPython 3.11.7 (PSF-2.0), Lib/asynchat.py; see README.md

def find_prefix_at_end(haystack, needle):
    l = len(needle) - 1
    while l and not haystack.endswith(needle[:l]):
        l -= 1
    return l
