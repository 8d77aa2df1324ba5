# CPython 3.11.7 (PSF-2.0), Lib/traceback.py; see README.md

def _safe_string(value, what, func=str):
    try:
        return func(value)
    except:
        return f'<{what} {func.__name__}() failed>'
