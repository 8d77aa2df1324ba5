# CPython 3.11.7 (PSF-2.0), Lib/posixpath.py; see README.md

def _get_sep(path):
    if isinstance(path, bytes):
        return b'/'
    else:
        return '/'
