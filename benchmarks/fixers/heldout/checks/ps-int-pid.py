from support import load

ps = load("shellingham/posix/ps.py")
ps.subprocess.check_output = lambda cmd: b"  1     0 /sbin/init\n 100    1 bash\n 200  100 python x.py\n"
for pid in (200, "200"):
    found = list(ps.iter_process_parents(pid))
    assert [str(p.pid) for p in found] == ["200", "100", "1"], (pid, found)
    assert found[0].args == ("python", "x.py")
assert list(ps.iter_process_parents(999)) == []
assert len(list(ps.iter_process_parents(200, max_depth=2))) == 2
