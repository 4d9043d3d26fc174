"""The lists of modules kept in prose match the package: the module map in
``course_utils/__init__.py`` and the README's layout table name every module, and no other."""

from __future__ import annotations

import pkgutil
import re

import course_utils
from tests.nbutils import REPO

MODULES = {m.name for m in pkgutil.iter_modules(course_utils.__path__)
           if not m.name.startswith("_") or m.name == "__main__"}


def map_in_docstring() -> set[str]:
    return set(re.findall(r"^- ``(\w+)``", course_utils.__doc__ or "", flags=re.M))


def readme_layout() -> set[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| `course_utils/` |")]
    assert len(rows) == 1, "README.md's layout table has no single `course_utils/` row"
    return set(re.findall(r"`(\w+)`", rows[0].split("|")[2]))


def drift(listed: set[str], where: str) -> str:
    """'' when ``listed`` names exactly the package's modules, else what is missing or stale."""
    if listed == MODULES:
        return ""
    return (f"{where} is out of date: missing {sorted(MODULES - listed)}, "
            f"stale {sorted(listed - MODULES)}")


def test_package_docstring_maps_every_module():
    mapped = map_in_docstring()
    assert mapped, "course_utils/__init__.py's docstring has no module map (lines '- ``name``: …')"
    assert not drift(mapped, "the module map in course_utils/__init__.py")


def test_readme_layout_lists_every_module():
    assert not drift(readme_layout(), "README.md's layout table")


def test_drift_names_a_missing_and_a_stale_module():
    message = drift(MODULES - {"data"} | {"old_module"}, "the map")
    assert "missing ['data']" in message and "stale ['old_module']" in message
