from support import identifiers, load

assert "EnvironmentError" not in identifiers("shellingham/posix/ps.py")
ps = load("shellingham/posix/ps.py")
assert ps.PsNotAvailable.__mro__[1] is OSError
ps.subprocess.check_output = lambda cmd: b"  1     0 /sbin/init\n 100    1 bash\n"
assert [p.pid for p in ps.iter_process_parents("100")] == ["100", "1"]
