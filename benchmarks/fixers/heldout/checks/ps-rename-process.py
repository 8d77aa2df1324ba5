from support import identifiers, imported_from, load, top_level

core_file, ps_file = "shellingham/posix/_core.py", "shellingham/posix/ps.py"
assert "ProcessInfo" in top_level(core_file)
assert "Process" not in identifiers(core_file) and "Process" not in identifiers(ps_file)
assert "ProcessInfo" in imported_from(ps_file, "_core")
ps = load(ps_file)
ps.subprocess.check_output = lambda cmd: b"  1     0 /sbin/init\n 100    1 bash -l\n"
found = list(ps.iter_process_parents("100"))
assert [p.pid for p in found] == ["100", "1"] and found[0].args == ("bash", "-l")
assert type(found[0]) is load(core_file).ProcessInfo
