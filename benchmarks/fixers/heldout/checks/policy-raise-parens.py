from support import findings, load

assert not findings("policy.py", "RSE102")
policy = load("policy.py").CookiePolicy()
for method in (policy.set_ok, policy.return_ok):
    try:
        method(None, None)
    except NotImplementedError:
        pass
    else:
        raise AssertionError(f"{method.__name__} did not raise")
assert policy.domain_return_ok("x", None) is True and policy.path_return_ok("/", None) is True
