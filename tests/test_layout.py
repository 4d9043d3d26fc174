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


# issue 15's bar: modules of about 600 lines at most, functions of about 50 (a little slack,
# so that a docstring line does not fail CI; a module past it should be split along a seam)
MAX_MODULE_LINES, MAX_FUNCTION_LINES = 620, 60


def sizes() -> tuple[dict[str, int], dict[str, int]]:
    import ast

    modules, functions = {}, {}
    for path in sorted((REPO / "course_utils").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        name = str(path.relative_to(REPO))
        modules[name] = len(source.splitlines())
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                functions[f"{name}::{node.name}"] = node.end_lineno - node.lineno + 1
    return modules, functions


def test_modules_and_functions_stay_small():
    modules, functions = sizes()
    assert len(modules) > 20 and len(functions) > 300  # the scan saw the package
    big = {m: n for m, n in modules.items() if n > MAX_MODULE_LINES}
    long = {f: n for f, n in functions.items() if n > MAX_FUNCTION_LINES}
    assert not big, f"modules over {MAX_MODULE_LINES} lines (split along a seam): {big}"
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines (extract named steps): {long}"
