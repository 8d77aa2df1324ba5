from support import load

core = load("shellingham/posix/_core.py")
assert core.Process._fields == ("argv", "pid", "ppid"), core.Process._fields
ps = load("shellingham/posix/ps.py")
ps.subprocess.check_output = lambda cmd: b"  1     0 /sbin/init\n 100    1 bash -l\n"
found = list(ps.iter_process_parents("100"))
assert found[0].argv == ("bash", "-l") and found[1].argv == ("/sbin/init",)
