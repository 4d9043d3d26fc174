"""pytest plugin for the notebook runs (``make notebooks``: ``-p tests.nbval_guard``).

1. Offline: every notebook kernel starts with ``tests/offline.py`` installed, through an
   IPython startup file in a temporary IPYTHONDIR (kernels inherit the environment).
2. Figures: ``plt.show()`` in a kernel fails on a figure whose Axes hold no plotted data
   (``tests/figure_guard.py``, installed through the same startup file).
3. Kernel death fails fast: nbval waits for a cell's reply for the whole cell timeout even
   when the kernel is gone (killed by the OOM killer, a segfault). Here the wait polls every
   second and stops with "the notebook's kernel died" as soon as the kernel is dead.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from queue import Empty


class KernelDiedError(RuntimeError):
    """The kernel running a notebook exited while a cell was executing."""


def guarded_ipython_dir() -> str:
    """A fresh IPYTHONDIR whose startup files install the offline and figure guards in every
    kernel."""
    startup = Path(tempfile.mkdtemp(prefix="course-ipython-")) / "profile_default" / "startup"
    startup.mkdir(parents=True)
    guard = (Path(__file__).with_name("offline.py")).read_text(encoding="utf-8")
    (startup / "00-offline-guard.py").write_text(guard + "\ninstall()\n", encoding="utf-8")
    figures = (Path(__file__).with_name("figure_guard.py")).read_text(encoding="utf-8")
    (startup / "01-figure-guard.py").write_text(figures + "\ninstall()\n", encoding="utf-8")
    return str(startup.parents[1])


def pytest_configure(config):
    os.environ["IPYTHONDIR"] = guarded_ipython_dir()
    os.environ.setdefault("PYTHONHASHSEED", "0")
    _patch_nbval()


def _patch_nbval() -> None:
    from nbval.kernel import RunningKernel

    def await_reply(self, msg_id, timeout=None):
        deadline = None if timeout is None else time.monotonic() + float(timeout)
        while True:
            wait = 1.0 if deadline is None else min(1.0, deadline - time.monotonic())
            if wait <= 0:
                raise Empty
            try:
                msg = self.get_message(stream="shell", timeout=wait)
            except Empty:
                if not self.is_alive():
                    raise KernelDiedError(
                        "the notebook's kernel died while running this cell (killed by the "
                        "OOM killer or a crash?); run the notebook in JupyterLab to see where, "
                        "and check its memory use with `make bench`") from None
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                if msg["content"]["status"] == "aborted":
                    raise RuntimeError("Kernel aborted execution request")
                return

    RunningKernel.await_reply = await_reply
