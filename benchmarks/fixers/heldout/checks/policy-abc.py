import abc

from support import load

CookiePolicy = load("policy.py").CookiePolicy
assert isinstance(CookiePolicy, abc.ABCMeta)
try:
    CookiePolicy()
except TypeError:
    pass
else:
    raise AssertionError("CookiePolicy() should not be instantiable")


class Half(CookiePolicy):
    def set_ok(self, cookie, request):
        return True


class Full(Half):
    def return_ok(self, cookie, request):
        return False


try:
    Half()
except TypeError:
    pass
else:
    raise AssertionError("a policy without return_ok should not be instantiable")
full = Full()
assert full.set_ok(None, None) is True and full.return_ok(None, None) is False
assert full.domain_return_ok("example.com", None) is True and full.path_return_ok("/", None) is True
