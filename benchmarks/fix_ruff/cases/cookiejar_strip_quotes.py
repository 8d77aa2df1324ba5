# CPython 3.11.7 (PSF-2.0), Lib/http/cookiejar.py; see README.md

def strip_quotes(text):
    if text.startswith('"'):
        text = text[1:]
    if text.endswith('"'):
        text = text[:-1]
    return text
