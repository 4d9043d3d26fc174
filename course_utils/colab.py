"""Run the course on Google Colab: fetch it, install what Colab lacks, and do nothing elsewhere.

Every lesson's first code cell is ``COLAB_CELL`` (a test keeps them equal). On Colab it clones
the course, runs this file from the clone with ``runpy`` (nothing is importable before the
install, and the course changes no ``sys.path``) and calls ``setup_colab``, which installs the
course and what Colab lacks. In JupyterLab, on Binder, under nbval and in CI the cell does
nothing: one dictionary lookup, no output, no import beyond ``sys``.

``REPOSITORY`` is the one place the course's GitHub name lives: the Colab cell, the README's
launch badges (a test compares them) and the site read it. It is a placeholder until the course
is published: change it here, run ``python tools/colab_cell.py`` (it rewrites the cell in every
notebook) and update the two badges at the top of README.md.
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

# where the course is published (a placeholder until then): the Colab cell, the README's launch
# badges and the site use this name; after changing it run tools/colab_cell.py
REPOSITORY = "embeddings-course/embeddings-in-llms"
COLAB_DIR = "/content/course"

# Colab already ships these (its own torch and CUDA build, its notebook frontend and widgets),
# and the test tools are not needed there: reinstalling them would fight Colab's versions
COLAB_PROVIDES = frozenset({"torch", "jupyterlab", "ipykernel", "ipywidgets", "nbclient",
                            "nbformat", "pytest", "nbval", "ruff"})

COLAB_CELL = f'''\
# On Colab: fetch the course and install what Colab lacks. Anywhere else this does nothing.
import sys

if "google.colab" in sys.modules:
    import os
    import runpy
    import subprocess

    course = "{COLAB_DIR}"
    if not os.path.isdir(course):
        url = "https://github.com/{REPOSITORY}"
        subprocess.run(["git", "clone", "-q", "--depth", "1", url, course], check=True)
    runpy.run_path(f"{{course}}/course_utils/colab.py")["setup_colab"](course)
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
