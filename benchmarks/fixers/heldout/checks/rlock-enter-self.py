import tempfile

import diskcache
from support import load

recipes = load("recipes.py")
with tempfile.TemporaryDirectory() as folder, diskcache.Cache(folder) as cache:
    rlock = recipes.RLock(cache, "k")
    with rlock as held:
        assert held is rlock
        assert cache.get("k")[1] == 1
    assert cache.get("k")[1] == 0
