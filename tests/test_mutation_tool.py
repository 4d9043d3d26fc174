"""The mutation harness (`make mutation`) makes the mutants it says and swaps them in."""

from __future__ import annotations

import ast
import importlib.util
import sys

from tests.nbutils import REPO

spec = importlib.util.spec_from_file_location("mutation", REPO / "tools" / "mutation.py")
mutation = importlib.util.module_from_spec(spec)
sys.modules["mutation"] = mutation  # dataclasses look their module up there
spec.loader.exec_module(mutation)

SOURCE = '''
def f(x, n=2):
    if x < 0 and n:
        raise ValueError(f"x must be >= {0}")
    return -x + n * 3
'''


def test_mutants_change_one_spot_and_never_a_message():
    fn = ast.parse(SOURCE).body[0]
    found = {m.what for m in mutation.mutants_of(fn)}
    assert {"Lt -> LtE", "And -> Or", "Add -> Sub", "Mult -> Div", "drop USub", "3 -> 4",
            "2 -> 3"} <= found
    for m in mutation.mutants_of(fn):
        assert "must be >=" in ast.unparse(m.tree)  # the message is left alone
        assert ast.unparse(m.tree) != ast.unparse(fn)


def test_callers_are_transitive():
    tree = ast.parse("def a():\n    return 1\ndef b():\n    return a()\ndef c():\n    return b()\n")
    assert mutation._callers(tree)["a"] == {"a", "b", "c"}


def test_swap_reaches_every_module_that_imported_the_function():
    import course_utils.positions as positions
    from tests import test_positions

    original = positions.sinusoidal
    undo = mutation._swap(positions, "sinusoidal", lambda *a, **k: "mutant")
    try:
        assert positions.sinusoidal() == "mutant"
        assert getattr(test_positions, "sinusoidal", positions.sinusoidal)() == "mutant"
    finally:
        for mod, attr, old in undo:
            setattr(mod, attr, old)
    assert positions.sinusoidal is original


def test_every_target_function_is_defined_by_exactly_one_course_utils_module():
    # fails with the names when a function in TARGETS is renamed, removed or copied: a
    # function that moved to another module is found there without any change
    trees = mutation.module_trees()
    for target, (_, names) in mutation.TARGETS.items():
        where = mutation.locate(names, trees, prefer=target)
        assert set(where) == {n.rsplit(".", 1)[-1] for n in names}


def test_a_missing_or_duplicated_target_stops_the_run_with_its_name():
    import pytest

    trees = {"course_utils.a": ast.parse("def f():\n    return 1\n"),
             "course_utils.b": ast.parse("def f():\n    return 2\ndef g():\n    return 3\n")}
    assert mutation.locate({"g"}, trees) == {"g": "course_utils.b"}  # found where it lives
    with pytest.raises(mutation.TargetError, match=r"no course_utils module defines \['h'\]"):
        mutation.locate({"g", "h"}, trees)
    with pytest.raises(mutation.TargetError, match="defined in more than one module"):
        mutation.locate({"f"}, trees)
    assert mutation.locate({"b.f"}, trees) == {"f": "course_utils.b"}  # qualified: one
    assert mutation.locate({"f"}, trees, prefer="a") == {"f": "course_utils.a"}


def test_main_refuses_a_target_function_that_no_module_defines(monkeypatch, capsys):
    monkeypatch.setitem(mutation.TARGETS, "positions",
                        (["tests/test_positions.py"], {"no_such_function"}))
    monkeypatch.setattr(sys, "argv", ["mutation.py", "--list", "positions"])
    assert mutation.main() == 2
    assert "no_such_function" in capsys.readouterr().err


def test_callers_cross_modules_through_imports():
    trees = {"course_utils.low": ast.parse("def f():\n    return 1\n"),
             "course_utils.high": ast.parse(
                 "def g():\n    from course_utils.low import f\n    return f()\n"
                 "class C:\n    def run(self):\n        return g()\n")}
    callers = mutation.global_callers(trees)
    assert callers[("course_utils.low", "f")] == {
        ("course_utils.low", "f"), ("course_utils.high", "g"), ("course_utils.high", "C")}


def test_each_function_runs_the_tests_that_name_it_then_the_fastest_within_the_budget():
    seconds = {"slow_direct": 50.0, "a": 1.0, "b": 2.0, "c": 30.0}
    chosen = mutation.fastest(["c", "b", "a", "slow_direct"], seconds, {"slow_direct"},
                              budget=53.0)
    assert chosen == ["a", "b", "slow_direct"]  # fastest first; "c" is past the budget
    assert mutation.fastest(["c", "b"], seconds, set(), budget=0.5) == ["b"]  # at least one
