# CPython 3.11.7 (PSF-2.0), Lib/curses/ascii.py; see README.md

def _ctoi(c):
    if type(c) == type(""):
        return ord(c)
    else:
        return c
