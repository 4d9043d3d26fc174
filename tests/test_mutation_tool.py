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
