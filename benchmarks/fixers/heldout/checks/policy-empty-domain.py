from support import load

policy = load("policy.py").CookiePolicy()
assert policy.domain_return_ok("", None) is False
assert policy.domain_return_ok("example.com", None) is True
assert policy.domain_return_ok(".example.com", None) is True
assert policy.path_return_ok("/", None) is True
