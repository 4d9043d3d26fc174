"""Run the course on Google Colab: fetch it, install what Colab lacks, and do nothing elsewhere.

A lesson's first cell (``COLAB_CELL`` below) clones the course on Colab and calls
``setup_colab``; in JupyterLab, on Binder, under nbval and in CI it does nothing at all.
"""

from __future__ import annotations

import os
import re
import site
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

__all__ = ["REPOSITORY", "COLAB_CELL", "on_colab", "colab_requirements", "setup_colab"]

# where the course is published: the Colab cell, launch badges and the site use this name
REPOSITORY = "embeddings-course/embeddings-in-llms"
COLAB_DIR = "/content/course"

# Colab already ships these (its own torch and CUDA build, its notebook frontend and widgets),
# and the test tools are not needed there: reinstalling them would fight Colab's versions
COLAB_PROVIDES = frozenset({"torch", "jupyterlab", "ipykernel", "ipywidgets", "nbclient",
                            "nbformat", "pytest", "nbval", "ruff"})

COLAB_CELL = f'''\
# On Colab, fetch and install the course first (this cell does nothing anywhere else)
import os
import subprocess
import sys

if "google.colab" in sys.modules and not os.path.isdir("{COLAB_DIR}"):
    url = "https://github.com/{REPOSITORY}"
    subprocess.run(["git", "clone", "-q", "--depth", "1", url, "{COLAB_DIR}"], check=True)
    sys.path.insert(0, "{COLAB_DIR}")  # Colab only: the course is not installed yet
    from course_utils.colab import setup_colab

    setup_colab("{COLAB_DIR}")
'''


def on_colab() -> bool:
    """True inside a Google Colab kernel (it imports ``google.colab`` at start-up)."""
    return "google.colab" in sys.modules


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[@]", requirement, maxsplit=1)[0].strip().lower()


def colab_requirements(requirements_text: str) -> list[str]:
    """The lines of ``requirements.txt`` that Colab still needs (``-e .`` included)."""
    keep = []
    for line in requirements_text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line and _name(line).replace("_", "-") not in COLAB_PROVIDES:
            keep.append(line)
    return keep


def setup_colab(course_dir: str | os.PathLike = COLAB_DIR, *,
                run: Callable[..., object] = subprocess.run) -> bool:
    """On Colab, install the course from ``course_dir`` (a clone) and ``cd`` into its notebooks.

    Returns False and does nothing when not on Colab, so a lesson can call it unconditionally.
    ``run`` is ``subprocess.run`` (tests pass a fake one).
    """
    if not on_colab():
        return False
    course = Path(course_dir)
    requirements = course / "requirements.txt"
    if not requirements.is_file():
        raise FileNotFoundError(
            f"{requirements} is missing: clone the course first, e.g. "
            f"`git clone https://github.com/{REPOSITORY} {COLAB_DIR}`")
    lines = colab_requirements(requirements.read_text(encoding="utf-8"))
    # `-e .` is relative to the working directory, hence cwd=course
    run([sys.executable, "-m", "pip", "install", "-q", *lines], check=True, cwd=course)
    for folder in site.getsitepackages():
        site.addsitedir(folder)  # picks up the editable install without a kernel restart
    os.chdir(course / "notebooks")
    return True
