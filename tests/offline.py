"""The offline guard: any attempt to reach a non-loopback address fails loudly.

Installed for the unit tests by ``tests/conftest.py`` and for every notebook kernel by the
``tests.nbval_guard`` plugin (as an IPython startup file). This file must stay
self-contained: the plugin copies its source into the kernels' startup folder.
"""

import os
import socket
import traceback

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}
_REAL: dict = {}  # the unpatched functions (tests swap in fakes so nothing can leak)


class NetworkBlockedError(ConnectionRefusedError):
    """Raised instead of opening a connection to the outside world."""


def _is_loopback(host) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    host = str(host).strip("[]").lower()
    return (host in _LOOPBACK_NAMES or host.startswith("127.") or host in ("::1", "0:0:0:0:0:0:0:1")
            or host.startswith("::ffff:127."))


def _culprit() -> str:
    """The innermost frame that is neither the standard library nor an installed package."""
    frames = traceback.extract_stack()[:-3]
    skip = ("site-packages", os.path.dirname(os.__file__), __file__)
    for frame in reversed(frames):
        if not any(part and part in frame.filename for part in skip):
            return f"{frame.filename}:{frame.lineno} ({frame.name}): {frame.line}"
    frame = frames[-1] if frames else None
    return f"{frame.filename}:{frame.lineno}" if frame else "unknown code"


def _blocked(target) -> NetworkBlockedError:
    return NetworkBlockedError(
        f"network access blocked: {_culprit()} tried to reach {target!r}. The course runs "
        "offline: load data and models through course_utils.data, never from the network.")


def install() -> None:
    """Patch ``socket`` so that only loopback and Unix-socket connections go through."""
    if getattr(socket, "_course_offline_guard", False):
        return
    _REAL.update(connect=socket.socket.connect, connect_ex=socket.socket.connect_ex,
                 getaddrinfo=socket.getaddrinfo)

    def _check(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
            raise _blocked(address)

    def connect(self, address):
        _check(self, address)
        return _REAL["connect"](self, address)

    def connect_ex(self, address):
        _check(self, address)
        return _REAL["connect_ex"](self, address)

    def getaddrinfo(host, *args, **kwargs):
        if not _is_loopback(host):
            raise _blocked(host)
        return _REAL["getaddrinfo"](host, *args, **kwargs)

    socket.socket.connect, socket.socket.connect_ex = connect, connect_ex
    socket.getaddrinfo = getaddrinfo
    socket._course_offline_guard = True
