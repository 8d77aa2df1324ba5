import tempfile

import diskcache
from support import load

recipes = load("recipes.py")
with tempfile.TemporaryDirectory() as folder, diskcache.Cache(folder) as cache:
    rlock = recipes.RLock(cache, "k")
    assert rlock.locked() is False
    rlock.acquire()
    assert rlock.locked() is True
    rlock.acquire()
    rlock.release()
    assert rlock.locked() is True
    rlock.release()
    assert rlock.locked() is False
    cache.set("k", ("someone-else", 1))
    assert recipes.RLock(cache, "k").locked() is True
