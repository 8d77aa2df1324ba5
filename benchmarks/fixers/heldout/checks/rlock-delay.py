import tempfile

import diskcache
from support import load

recipes = load("recipes.py")
with tempfile.TemporaryDirectory() as folder, diskcache.Cache(folder) as cache:
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        cache.set("k", (None, 0))  # the other holder lets go

    recipes.time.sleep = sleep
    cache.set("k", ("someone-else", 1))
    recipes.RLock(cache, "k", delay=0.05).acquire()
    assert slept == [0.05], slept
    cache.set("k", ("someone-else", 1))
    recipes.RLock(cache, "k").acquire()
    assert slept == [0.05, 0.001], slept
    held = cache.get("k")[1]
    rlock = recipes.RLock(cache, "k", expire=None, tag=None, delay=0.2)
    rlock.acquire()
    rlock.release()
    assert cache.get("k")[1] == held
