from support import load

module = load("input_base.py")
dummy = module.DummyInput()
assert isinstance(dummy, module.Input)
assert dummy.closed is True
assert dummy.read_keys() == [] and dummy.flush_keys() == []
assert isinstance(dummy.typeahead_hash(), str)
with dummy.raw_mode(), dummy.cooked_mode(), dummy.attach(lambda: None), dummy.detach():
    pass
dummy.flush()
dummy.close()
