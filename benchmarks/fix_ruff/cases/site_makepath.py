# CPython 3.11.7 (PSF-2.0), Lib/site.py; see README.md

import os


def makepath(*paths):
    dir = os.path.join(*paths)
    try:
        dir = os.path.abspath(dir)
    except OSError:
        pass
    return dir, os.path.normcase(dir)
