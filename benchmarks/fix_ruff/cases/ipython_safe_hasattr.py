# ipython 8.12.3 (BSD-3-Clause), IPython/utils/dir2.py; see README.md

def safe_hasattr(obj, attr):
    """In recent versions of Python, hasattr() only catches AttributeError.
    This catches all errors.
    """
    try:
        getattr(obj, attr)
        return True
    except:
        return False
