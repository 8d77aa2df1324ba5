import inspect
import os
import tempfile
import threading

import diskcache
from support import findings, load, original, text

assert not findings("recipes.py", "UP032")
assert ".format(" not in text("recipes.py")
recipes = load("recipes.py")
before = {"__init__", "acquire", "release", "__enter__", "__exit__"}
added = [n for n, v in vars(recipes.RLock).items() if n not in before and not n.startswith("__")
         and (callable(v) or isinstance(v, (property, staticmethod, classmethod)))]
assert added, "no helper method on RLock"
with tempfile.TemporaryDirectory() as folder, diskcache.Cache(folder) as cache:
    rlock = recipes.RLock(cache, "k")
    expected = f"{os.getpid()}-{threading.get_ident()}"
    results = []
    for name in added:
        value = getattr(rlock, name)
        results.append(value() if callable(value) else value)
    assert expected in results, results
    for method in (recipes.RLock.acquire, recipes.RLock.release):
        assert "get_ident" not in inspect.getsource(method), "the pid-tid string is still built inline"
    rlock.acquire()
    assert cache.get("k") == (expected, 1)
    rlock.release()
assert "get_ident" in original("recipes.py")
