# CPython 3.11.7 (PSF-2.0), Lib/gettext.py; see README.md

def _error(value):
    if value:
        return ValueError('unexpected token in plural form: %s' % value)
    else:
        return ValueError('unexpected end of plural form')
