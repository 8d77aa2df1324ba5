# stack_data 0.6.3 (MIT), stack_data/utils.py; see README.md

def some_str(value):
    try:
        return str(value)
    except:
        return '<unprintable %s object>' % type(value).__name__
