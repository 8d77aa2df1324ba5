import collections

ProcessInfo = collections.namedtuple("Process", "args pid ppid")
