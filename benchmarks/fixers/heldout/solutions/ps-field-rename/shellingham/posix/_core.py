import collections

Process = collections.namedtuple("Process", "argv pid ppid")
