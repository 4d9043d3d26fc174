"""A small mutation harness: do the unit tests notice when the core code is changed?

    python tools/mutation.py                      # every target below
    python tools/mutation.py positions geometry   # some
    python tools/mutation.py --list positions     # print the mutants, run nothing

For each function of a target module it makes small mutants one at a time (``+`` to ``-``,
``<`` to ``<=``, a constant changed, ``and`` to ``or``, a ``not`` dropped, ...), swaps the
mutated function into the running process (every module that imported it sees the mutant),
and runs the tests that exercise that function. A mutant is *killed* when a test fails or
errors, and *survives* when every test passes. Surviving mutants are either gaps in the
tests or equivalent to the original (no input can tell them apart); the report lists each
one so that a person can decide which.

Tests are chosen per function: those whose source names the function or one of the public
functions that (transitively) call it. Torch and the test modules are imported once, so a
mutant costs only its tests. The report goes to ``bench/results/mutation.md``.
"""

from __future__ import annotations

import argparse
import ast
import copy
import importlib
import io
import signal
import sys
import time
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "mutation.md"
TIMEOUT_S = 120

# module -> (test files, the core functions to mutate: the recipes, not validation or messages)
TARGETS: dict[str, tuple[list[str], set[str]]] = {
    "positions": (["tests/test_positions.py"], {
        "sinusoidal", "rope_frequencies", "rope", "_power_of_two_slopes", "alibi_slopes",
        "alibi_bias", "relative_positions", "relative_position_bucket"}),
    "geometry": (["tests/test_geometry.py"], {
        "_pair", "unit_rows", "cosine_similarity", "dot_product", "euclidean_distance",
        "manhattan_distance", "_order_ties_by_index", "_block_topk", "_merge"}),
    "pathologies": (["tests/test_pathologies.py"], {
        "center", "top_directions", "all_but_the_top", "skewness"}),
    "bias": (["tests/test_bias.py"], {"weat"}),
    "evaluate": (["tests/test_evaluate.py"], {"_spearman_ci", "purity_score"}),
    "sgns": (["tests/test_sgns.py"], {"keep_probabilities"}),
}

SWAPS: dict[type, type] = {
    ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div, ast.Pow: ast.Mult, ast.Mod: ast.FloorDiv,
    ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is,
    ast.In: ast.NotIn, ast.NotIn: ast.In, ast.And: ast.Or, ast.Or: ast.And,
}


@dataclass
class Mutant:
    function: str
    line: int
    what: str
    tree: ast.FunctionDef


def _is_message(node: ast.AST, parents: dict) -> bool:
    """Inside a ``raise`` or an f-string: changing it alters a message, not a result."""
    while node in parents:
        node = parents[node]
        if isinstance(node, (ast.Raise, ast.JoinedStr, ast.Assert)):
            return True
    return False


def mutants_of(fn: ast.FunctionDef) -> list[Mutant]:
    """Every single-point mutant of one function."""
    parents = {child: node for node in ast.walk(fn) for child in ast.iter_child_nodes(node)}
    spots = [n for n in ast.walk(fn) if n is not fn and not _is_message(n, parents)]
    out: list[Mutant] = []
    for i, node in enumerate(spots):
        for what, change in _changes(node):
            tree = copy.deepcopy(fn)
            up = {c: p for p in ast.walk(tree) for c in ast.iter_child_nodes(p)}
            target = [n for n in ast.walk(tree) if n is not tree and not _is_message(n, up)][i]
            change(target)
            out.append(Mutant(fn.name, node.lineno, what, tree))
    return out


def _changes(node: ast.AST):
    """(description, in-place edit) pairs for one node."""
    if isinstance(node, (ast.BinOp, ast.AugAssign, ast.BoolOp)) and type(node.op) in SWAPS:
        new = SWAPS[type(node.op)]
        yield (f"{type(node.op).__name__} -> {new.__name__}",
               lambda n, new=new: setattr(n, "op", new()))
    elif isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in SWAPS:
        new = SWAPS[type(node.ops[0])]
        yield (f"{type(node.ops[0]).__name__} -> {new.__name__}",
               lambda n, new=new: setattr(n, "ops", [new()]))
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub)):
        yield f"drop {type(node.op).__name__}", lambda n: _replace_with(n, n.operand)
    elif (isinstance(node, ast.Constant) and type(node.value) in (int, float)
          and not isinstance(node.value, bool)):
        new = node.value + 1 if isinstance(node.value, int) else (node.value * 2 or 1.0)
        yield f"{node.value!r} -> {new!r}", lambda n, new=new: setattr(n, "value", new)
    elif isinstance(node, ast.Constant) and isinstance(node.value, bool):
        yield f"{node.value} -> {not node.value}", lambda n: setattr(n, "value", not n.value)


def _replace_with(node: ast.AST, other: ast.AST) -> None:
    """Turn ``node`` into a copy of ``other`` in place (its parent keeps pointing at it)."""
    node.__class__ = other.__class__
    node.__dict__.update(copy.deepcopy(other).__dict__)


def _callers(tree: ast.Module) -> dict[str, set[str]]:
    """For each top-level function, itself and every function that (transitively) calls it."""
    defs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    calls = {name: {n.id for n in ast.walk(fn) if isinstance(n, ast.Name) and n.id in defs}
             for name, fn in defs.items()}
    out = {name: {name} for name in defs}
    changed = True
    while changed:
        changed = False
        for caller, callees in calls.items():
            for callee in callees:
                for group in out.values():
                    if callee in group and caller not in group:
                        group.add(caller)
                        changed = True
    return out


def _tests_naming(test_files: list[str], names: set[str]) -> list[str]:
    """pytest node ids of the tests whose source mentions any of ``names``."""
    ids = []
    for rel in test_files:
        source = (ROOT / rel).read_text(encoding="utf-8")
        tree = ast.parse(source)
        helpers = "\n".join(ast.get_source_segment(source, n) or "" for n in tree.body
                            if not (isinstance(n, ast.FunctionDef) and n.name.startswith("test")))
        helper_hit = any(name in helpers for name in names)
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test"):
                text = ast.get_source_segment(source, node) or ""
                if any(name in text for name in names) or (helper_hit and "(" in text):
                    ids.append(f"{rel}::{node.name}")
    return ids


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout(f"mutant ran past {TIMEOUT_S} s")


def _swap(module, name: str, new) -> list[tuple[object, str, object]]:
    """Put ``new`` wherever the original function object is bound; return how to undo it."""
    old = getattr(module, name)
    undo = []
    for mod in list(sys.modules.values()):
        space = getattr(mod, "__dict__", None)
        if not space:
            continue
        for attr, value in list(space.items()):
            if value is old:
                undo.append((mod, attr, old))
                setattr(mod, attr, new)
    return undo


def run_tests(node_ids: list[str]) -> bool:
    """True when every test passes (the mutant survives)."""
    import pytest

    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(TIMEOUT_S)
    try:
        with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
            code = pytest.main([*node_ids, "-x", "-q", "-p", "no:cacheprovider",
                                "-W", "ignore"])
    except _Timeout:
        return False
    finally:
        signal.alarm(0)
    return code == 0


def mutate_module(name: str, list_only: bool = False) -> dict:
    test_files, core = TARGETS[name]
    module = importlib.import_module(f"course_utils.{name}")
    source = Path(module.__file__).read_text(encoding="utf-8")
    tree = ast.parse(source)
    callers = _callers(tree)
    killed, survived, no_tests = 0, [], []
    for fn in (n for n in tree.body if isinstance(n, ast.FunctionDef)):
        if fn.name not in core:
            continue
        tests = _tests_naming(test_files, callers[fn.name])
        for m in mutants_of(fn):
            label = f"{name}.{m.function} line {m.line}: {m.what}"
            if list_only:
                print(label)
                continue
            if not tests:
                no_tests.append(label)
                continue
            code = compile(ast.Module([m.tree], type_ignores=[]), module.__file__, "exec")
            space = dict(module.__dict__)
            try:
                exec(code, space)
            except Exception:  # the mutant does not even define a function: killed
                killed += 1
                continue
            new = space[m.function]  # defined against a copy of the globals: rebind to the module's
            new = type(new)(new.__code__, module.__dict__, new.__name__, new.__defaults__,
                            new.__closure__)
            new.__kwdefaults__ = space[m.function].__kwdefaults__
            undo = _swap(module, m.function, new)
            try:
                alive = run_tests(tests)
            finally:
                for mod, attr, old in undo:
                    setattr(mod, attr, old)
            if alive:
                survived.append(label)
            else:
                killed += 1
            print(("SURVIVED " if alive else "killed   ") + label, flush=True)
    return {"killed": killed, "survived": survived, "untested": no_tests}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", default=list(TARGETS))
    parser.add_argument("--list", action="store_true", help="print the mutants, run nothing")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    lines = ["# Mutation check", "",
             "| module | mutants | killed | survived | no test selected | killed share |",
             "|---|---:|---:|---:|---:|---:|"]
    details: list[str] = []
    start = time.perf_counter()
    for name in args.modules:
        r = mutate_module(name, args.list)
        if args.list:
            continue
        total = r["killed"] + len(r["survived"]) + len(r["untested"])
        share = r["killed"] / total if total else 1.0
        lines.append(f"| {name} | {total} | {r['killed']} | {len(r['survived'])} | "
                     f"{len(r['untested'])} | {share:.1%} |")
        details += [f"## {name}: surviving mutants", ""] + [f"- {s}" for s in r["survived"]]
        details += ["", f"## {name}: mutants no test selected", ""]
        details += [f"- {s}" for s in r["untested"]] + [""]
    if args.list:
        return 0
    lines += ["", f"Run time: {time.perf_counter() - start:.0f} s.", ""] + details
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines[:len(args.modules) + 4]))
    print(f"report: {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
