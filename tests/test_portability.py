"""course_utils (and tools/) run on Windows and macOS too: no POSIX-only call without a fallback.

The scan reads the source (it imports nothing) and flags APIs that do not exist or behave
differently off Linux: fork, fcntl/resource/termios/pwd/grp, POSIX-only signals, user ids,
hard-coded POSIX paths such as '/tmp', shell pipelines, and text files opened without an
encoding (Windows' default is not UTF-8). A hit is allowed only with a reason in ALLOWED
(a guard or a fallback next to it); an ALLOWED entry that no longer matches fails too.
"""

from __future__ import annotations

import ast

import pytest

from tests.nbutils import REPO

SCANNED = [REPO / "course_utils", REPO / "tools"]

POSIX_MODULES = {"fcntl", "resource", "termios", "tty", "pty", "pwd", "grp", "posix", "crypt",
                 "syslog", "spwd", "nis"}
POSIX_ATTRIBUTES = {
    "os": {"fork", "forkpty", "getuid", "geteuid", "getgid", "getegid", "setsid", "setpgrp",
           "killpg", "getpgid", "sched_getaffinity", "sched_setaffinity", "uname", "nice",
           "mkfifo", "statvfs", "WNOHANG", "wait3", "wait4", "getloadavg", "chown", "lchown",
           "O_NONBLOCK"},
    "signal": {"SIGKILL", "SIGALRM", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGQUIT", "SIGCHLD",
               "SIGPIPE", "alarm", "setitimer", "pause", "pthread_kill", "siginterrupt"},
}
POSIX_PATH_PREFIXES = ("/tmp", "/dev/", "/proc/", "/sys/", "/usr/", "/etc/", "/var/",
                       "/home/", "/root", "/content")

# (file relative to the repository, what the scan reports) -> why it is fine
ALLOWED = {
    ("course_utils/colab.py", "POSIX path '/content/course'"):
        "Colab's own folder, used only after on_colab() is True (Colab runs Linux)",
    ("tools/mutation.py", "os.getloadavg"):
        "behind hasattr(os, 'getloadavg'): the report says 'unknown' on Windows",
    ("course_utils/sgns.py", "os.sched_getaffinity"):
        "inside try/except AttributeError, falling back to os.cpu_count() on macOS and Windows",
    ("tools/mutation.py", "signal.SIGALRM"):
        "a per-mutant time limit for `make mutation`, a maintainer's tool run on Linux CI",
    ("tools/mutation.py", "signal.alarm"):
        "a per-mutant time limit for `make mutation`, a maintainer's tool run on Linux CI",
}


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _text_mode(call: ast.Call) -> bool:
    mode = call.args[1] if len(call.args) > 1 else next(
        (k.value for k in call.keywords if k.arg == "mode"), None)
    if mode is None:
        return True
    return not (isinstance(mode, ast.Constant) and "b" in str(mode.value))


def scan_source(source: str) -> list[str]:
    """What in ``source`` is POSIX-only or not portable, one description per hit."""
    hits = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""])
            hits += [f"import of POSIX-only module {n.split('.')[0]!r}" for n in names
                     if n.split(".")[0] in POSIX_MODULES]
            if isinstance(node, ast.ImportFrom) and node.module in POSIX_ATTRIBUTES:
                hits += [f"{node.module}.{a.name}" for a in node.names
                         if a.name in POSIX_ATTRIBUTES[node.module]]
        elif isinstance(node, ast.Attribute):
            name = _dotted(node)
            if name and name.count(".") == 1:
                module, attr = name.split(".")
                if attr in POSIX_ATTRIBUTES.get(module, ()):
                    hits.append(name)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value.startswith(POSIX_PATH_PREFIXES) and " " not in node.value[:20]:
                hits.append(f"POSIX path {node.value!r}")
        elif isinstance(node, ast.Call):
            name = _dotted(node.func) or ""
            keywords = {k.arg: k.value for k in node.keywords}
            shell = keywords.get("shell")
            if isinstance(shell, ast.Constant) and shell.value is True:
                hits.append(f"{name}(shell=True)")
            if "preexec_fn" in keywords:
                hits.append(f"{name}(preexec_fn=...)")
            if name.endswith("set_start_method") and node.args and \
                    getattr(node.args[0], "value", None) == "fork":
                hits.append("multiprocessing start method 'fork'")
            method = node.func.attr if isinstance(node.func, ast.Attribute) else ""
            if "encoding" not in keywords:
                if name in ("open", "io.open") and _text_mode(node):
                    hits.append(f"{name}() in text mode without encoding=")
                elif method in ("read_text", "write_text"):
                    hits.append(f".{method}() in text mode without encoding=")
    return hits


def scan_tree() -> dict[tuple[str, str], int]:
    found: dict[tuple[str, str], int] = {}
    for folder in SCANNED:
        for path in sorted(folder.rglob("*.py")):
            rel = path.relative_to(REPO).as_posix()
            for hit in scan_source(path.read_text(encoding="utf-8")):
                found[(rel, hit)] = found.get((rel, hit), 0) + 1
    return found


def test_no_posix_only_call_without_a_reason():
    unexplained = sorted(f"{f}: {hit}" for f, hit in scan_tree() if (f, hit) not in ALLOWED)
    assert not unexplained, (
        "POSIX-only or non-portable code (Windows/macOS learners run course_utils too): add a "
        "fallback, or a reason in ALLOWED:\n" + "\n".join(unexplained))


def test_every_allowed_entry_still_matches_something():
    stale = [key for key in ALLOWED if key not in scan_tree()]
    assert not stale, f"ALLOWED entries that no longer match anything (remove them): {stale}"


def test_the_scan_sees_the_package():
    files = {f for folder in SCANNED for f in folder.rglob("*.py")}
    assert REPO / "course_utils" / "data.py" in files and len(files) >= 10


@pytest.mark.parametrize("source, expected", [
    ("import os\nos.fork()", "os.fork"),
    ("import fcntl", "import of POSIX-only module 'fcntl'"),
    ("import resource\nresource.setrlimit(1, (1, 1))", "import of POSIX-only module 'resource'"),
    ("from resource import getrusage", "import of POSIX-only module 'resource'"),
    ("import signal\nsignal.signal(signal.SIGALRM, print)", "signal.SIGALRM"),
    ("import os, signal\nos.kill(1, signal.SIGKILL)", "signal.SIGKILL"),
    ("from signal import SIGKILL", "signal.SIGKILL"),
    ("import os\nuid = os.getuid()", "os.getuid"),
    ("cache = '/tmp/course'", "POSIX path '/tmp/course'"),
    ("import subprocess\nsubprocess.run('a | b', shell=True)", "subprocess.run(shell=True)"),
    ("import subprocess\nsubprocess.Popen(['a'], preexec_fn=None)",
     "subprocess.Popen(preexec_fn=...)"),
    ("import multiprocessing as mp\nmp.set_start_method('fork')",
     "multiprocessing start method 'fork'"),
    ("text = open('x.txt').read()", "open() in text mode without encoding="),
    ("from pathlib import Path\nPath('x').read_text()", ".read_text() in text mode without"),
    ("from pathlib import Path\nPath('x').write_text('y')", ".write_text() in text mode without"),
])
def test_the_scan_catches_posix_only_code(source, expected):
    hits = scan_source(source)
    assert any(expected in hit for hit in hits), hits


@pytest.mark.parametrize("source", [
    "import os\npath = os.path.join(os.path.expanduser('~'), 'x')",
    "import tempfile\nfolder = tempfile.mkdtemp()",
    "data = open('x.bin', 'rb').read()",
    "from pathlib import Path\nPath('x').read_text(encoding='utf-8')",
    "import subprocess, sys\nsubprocess.run([sys.executable, '-m', 'pip', 'list'], check=True)",
    "import signal\nsignal.signal(signal.SIGINT, print)",  # SIGINT exists on Windows
    "url = 'https://example.org/tmp/x'",
])
def test_the_scan_leaves_portable_code_alone(source):
    assert scan_source(source) == []
