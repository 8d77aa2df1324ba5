# CPython 3.11.7 (PSF-2.0), Lib/multiprocessing/spawn.py; see README.md

def is_forking(argv):
    '''
    Return whether commandline indicates we are forking
    '''
    if len(argv) >= 2 and argv[1] == '--multiprocessing-fork':
        return True
    else:
        return False
