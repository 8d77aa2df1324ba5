from support import load

ps = load("shellingham/posix/ps.py")
assert list(ps.PS_COMMAND) == ["ps", "-ww", "-o", "pid=", "-o", "ppid=", "-o", "args="]
seen = []


def fake(cmd):
    seen.append(list(cmd))
    return b"  1     0 /sbin/init\n"


ps.subprocess.check_output = fake
assert [p.pid for p in ps.iter_process_parents("1")] == ["1"]
assert seen == [list(ps.PS_COMMAND)]
ps.PS_COMMAND = ["ps", "-A"] if isinstance(ps.PS_COMMAND, list) else ("ps", "-A")
list(ps.iter_process_parents("1"))
assert seen[-1] == ["ps", "-A"], "iter_process_parents does not read PS_COMMAND"
