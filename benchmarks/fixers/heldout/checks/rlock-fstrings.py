import tempfile

import diskcache
from support import findings, load, text

assert not findings("recipes.py", "UP032")
assert ".format(" not in text("recipes.py")
recipes = load("recipes.py")
with tempfile.TemporaryDirectory() as folder, diskcache.Cache(folder) as cache:
    rlock = recipes.RLock(cache, "user-123")
    rlock.acquire()
    rlock.acquire()
    value, count = cache.get("user-123")
    assert count == 2 and value.count("-") == 1
    rlock.release()
    rlock.release()
    try:
        rlock.release()
    except AssertionError:
        pass
    else:
        raise AssertionError("release of an unheld lock passed")
