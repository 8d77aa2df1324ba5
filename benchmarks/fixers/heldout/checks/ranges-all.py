from support import load

module = load("intranges.py")
assert sorted(module.__all__) == ["intranges_contain", "intranges_from_list"]
namespace = {}
exec("from intranges import *", namespace)
assert "intranges_from_list" in namespace and "_encode_range" not in namespace and "bisect" not in namespace
