"""The package imports where POSIX-only modules do not exist (Windows): every module of vibecli,
imported in a fresh interpreter in which `fcntl`, `resource`, `termios` and the like raise
ImportError when vibecli's own code asks for them."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

POSIX_ONLY = ("fcntl", "resource", "termios", "tty", "pty", "pwd", "grp", "posix", "syslog", "crypt", "nis",
              "spwd", "readline", "curses", "_posixsubprocess")

PROBE = textwrap.dedent('''
    import importlib, importlib.abc, pkgutil, sys

    BLOCKED = set(sys.argv[1].split(","))
    seen = []

    class NotOnWindows(importlib.abc.MetaPathFinder):
        """Refuses a POSIX-only module to code of vibecli; other libraries branch on the platform themselves."""

        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] not in BLOCKED:
                return None
            frame = sys._getframe(1)
            while frame is not None and frame.f_globals.get("__name__", "").startswith(("importlib", "_frozen")):
                frame = frame.f_back
            importer = frame.f_globals.get("__name__", "") if frame is not None else ""
            if importer == "vibecli" or importer.startswith("vibecli."):
                seen.append((importer, name))
                raise ImportError(f"No module named {name!r} (as on Windows)")
            return None

    for name in BLOCKED:
        if name != "posix":  # os is built on it; vibecli never names it
            sys.modules.pop(name, None)
    sys.meta_path.insert(0, NotOnWindows())
    import vibecli

    failed, count = [], 0
    for info in pkgutil.walk_packages(vibecli.__path__, "vibecli."):
        if info.name in ("vibecli.__main__",):
            continue  # runs the command line
        count += 1
        try:
            importlib.import_module(info.name)
        except ImportError as exc:
            failed.append(f"{info.name}: {exc}")
    print(f"imported {count} modules")
    for line in failed + [f"asked for {n} in {i}" for i, n in seen]:
        print(line)
    sys.exit(1 if failed or seen else 0)
''')


def test_every_module_imports_without_posix_only_modules():
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", PROBE, ",".join(POSIX_ONLY)], capture_output=True, text=True,
                          cwd=root, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    modules = [f for f in (root / "vibecli").rglob("*.py") if f.name != "__main__.py" and f.parent.name != "__pycache__"]
    assert int(done.stdout.split()[1]) == len(modules) - 1  # every module was tried (the package itself first)


def test_the_probe_catches_a_module_level_posix_import(tmp_path):
    """The probe itself: a vibecli module with `import fcntl` at the top fails under it."""
    package = tmp_path / "vibecli"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "locks.py").write_text("import fcntl\n")
    done = subprocess.run([sys.executable, "-c", PROBE, ",".join(POSIX_ONLY)], capture_output=True, text=True,
                          cwd=tmp_path, timeout=60, env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 1 and "vibecli.locks: No module named 'fcntl'" in done.stdout, done.stdout + done.stderr
