"""Every public course_utils function has a row in the bad-input catalog of tests/README.md.

A row's first cell names the function as `module.name` (a method as `module.Class.name`)
and its last cell the tests that try it, as `tests/file.py::test_name`. The modules are found
with ``pkgutil``, so a new module, and a new public function in it, fails here by name
until it has its rows.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import pytest

import course_utils
from tests.nbutils import REPO

# every course_utils module (private ones too: their public names are used across modules)
MODULES = sorted(m.name for m in pkgutil.iter_modules(course_utils.__path__))

README = REPO / "tests" / "README.md"
SECTION = "## Bad input, catalogued"
ROW = re.compile(r"^\|\s*`([\w.]+)`\s*\|(.*)\|\s*$")
TEST_REF = re.compile(r"`?(tests/[\w/]+\.py)::(\w+)")


def public_names(module_name: str) -> list[str]:
    """`module.name` for each public function and class defined in the module, and
    `module.Class.name` for each public method or property a class defines. A package
    (`checks`) counts as one module: the names defined in any of its submodules."""
    module = importlib.import_module(f"course_utils.{module_name}")
    inside = pkgutil.iter_modules(getattr(module, "__path__", []), f"{module.__name__}.")
    parts = [module] + [importlib.import_module(info.name) for info in inside]
    return [name for part in parts for name in defined_names(part, module_name)]


def defined_names(module, prefix: str) -> list[str]:
    """The public functions, classes and methods defined in ``module``, as `prefix.name`."""
    names = []
    for name, obj in vars(module).items():
        if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
            continue
        if inspect.isclass(obj):
            names.append(f"{prefix}.{name}")
            for attr, member in vars(obj).items():
                if attr.startswith("_"):
                    continue
                if callable(member) or isinstance(member, classmethod | staticmethod | property):
                    names.append(f"{prefix}.{name}.{attr}")
        elif inspect.isfunction(obj):
            names.append(f"{prefix}.{name}")
    return names


def catalog_rows() -> list[tuple[str, list[str]]]:
    """(function, [cells after the first]) for every catalog row of tests/README.md."""
    rows = []
    text = README.read_text(encoding="utf-8")
    assert SECTION in text, f"tests/README.md has no {SECTION!r} section"
    for line in text.split(SECTION, 1)[1].splitlines():
        match = ROW.match(line.strip())
        if match:
            rows.append((match.group(1), [c.strip() for c in match.group(2).split("|")]))
    return rows


@pytest.mark.parametrize("module_name", MODULES)
def test_every_public_function_has_a_catalog_row(module_name):
    catalogued = {name for name, _ in catalog_rows()}
    missing = [n for n in public_names(module_name) if n not in catalogued]
    assert not missing, (f"no row in tests/README.md for {', '.join(missing)}: add one per bad "
                         "input its tests try (function | bad input | error | message | test)")


def test_every_row_names_a_public_function_and_real_tests():
    known = {n for m in MODULES for n in public_names(m)}
    problems = []
    for name, cells in catalog_rows():
        if name.split(".")[0] in MODULES and name not in known:
            problems.append(f"{name}: not a public name of course_utils.{name.split('.')[0]}")
        if len(cells) != 4:
            problems.append(f"{name}: expected 5 columns, got {len(cells) + 1}")
            continue
        refs = TEST_REF.findall(cells[-1])
        if not refs:
            problems.append(f"{name}: the test column names no tests/file.py::test_name")
        for path, test in refs:
            source = REPO / path
            if not source.is_file() or f"def {test}(" not in source.read_text(encoding="utf-8"):
                problems.append(f"{name}: {path}::{test} does not exist")
    assert not problems, "\n".join(problems)


def test_the_catalog_sees_functions_classes_and_methods():
    names = set(public_names("text"))
    assert {"text.word_tokenize", "text.Vocab", "text.Vocab.build", "text.Vocab.pad_id"} <= names
    assert "text.Counter" not in names and "text._check_text" not in names


def test_the_catalog_sees_every_checker_of_the_checks_package():
    import course_utils.checks as checks

    names = set(public_names("checks"))
    exported = {f"checks.{n}" for n in checks.__all__}
    assert exported <= names, exported - names  # every checker the notebooks import
    assert {"checks.Verdict", "checks.run_cases", "checks.check_one_hot",
            "checks.check_index_bytes"} <= names
    assert not any(n.startswith("checks._") or ".lesson0" in n for n in names)
    assert len(catalog_rows()) > 100
