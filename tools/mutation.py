"""A small mutation harness: do the unit tests notice when the core code is changed?

    python tools/mutation.py                      # every target below
    python tools/mutation.py positions geometry   # some
    python tools/mutation.py --list positions     # print the mutants, run nothing
    python tools/mutation.py sgns --only make_pairs,sigmoid   # rerun some functions
    python tools/mutation.py --render             # rewrite the report from the stored results

For each function of a target it makes small mutants one at a time (``+`` to ``-``,
``<`` to ``<=``, a constant changed, ``and`` to ``or``, a ``not`` dropped, ...), swaps the
mutated function into the running process (every module that imported it sees the mutant),
and runs the tests that exercise that function. A mutant is *killed* when a test fails or
errors, and *survives* when every test passes. Surviving mutants are either gaps in the
tests or equivalent to the original (no input can tell them apart); the report lists each
one, with the reason from ``EQUIVALENT`` for those a person has judged equivalent.

TARGETS name functions, not modules: the harness finds the ``course_utils`` module that
defines each one, so moving a function to another module needs no change here (and a
merge of such a move cannot conflict with this file). A name that no module defines, or
that two modules define, stops the run with a message naming it: a renamed function must
be renamed here too, instead of silently dropping out of the check.

Tests are chosen per function: those whose source names the function or one of the
functions that (transitively) call it, in any ``course_utils`` module, searched in the
target's test files plus ``tests/test_<module>.py`` of every module involved (so a test
file split along with its module is found too). The tests that name the function itself
always run; its callers' tests are added fastest first up to ``BUDGET_S`` seconds, so that a
surviving mutant (which runs them all) stays affordable on a busy machine. Test times are
measured once and kept in ``bench/results/mutation_times.json`` (delete it to re-measure).
Before the mutants, the chosen tests run once unmutated: they must pass, or every mutant
would count as killed. Each mutant's tests run fastest first and stop at the first failure.
Torch and the test modules are imported once, so a mutant costs only its tests. The
results go to ``bench/results/mutation.json`` (one entry per target, merged across runs)
and the report, rendered from all entries, to ``bench/results/mutation.md``.

Left out on purpose: the Numba kernels of ``w2v_engine`` (``@njit`` functions). A mutant
of one is a new dispatcher that must be compiled again (seconds of JIT per mutant, and the
kernels' ``cache=True`` files would have to be kept apart), and the tests that reach them
train whole models. They are pinned another way: ``reference_sgns_loop`` (plain NumPy,
mutated here) and the engine must give the same vectors from the same random stream
(``tests/test_sgns.py``), so a change to a kernel's arithmetic fails that test. Input
checking and messages are left out too: they have their own tests in test_bad_input.py.
"""

from __future__ import annotations

import argparse
import ast
import copy
import importlib
import io
import json
import os
import signal
import sys
import time
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "course_utils"
RESULTS = ROOT / "bench" / "results" / "mutation.md"
STORE = ROOT / "bench" / "results" / "mutation.json"
TIMEOUT_S = 120  # one mutant's tests; an endless loop made by a mutant counts as killed
BUDGET_S = 15.0  # per function: its fastest tests up to this much baseline time (at least one)
TIMES = ROOT / "bench" / "results" / "mutation_times.json"  # baseline seconds per test

# target -> (its test files, the core functions to mutate: the recipes, not validation or
# messages). Functions are found by name in whichever course_utils module defines them.
TARGETS: dict[str, tuple[list[str], set[str]]] = {
    "positions": (["tests/test_positions.py"], {
        "sinusoidal", "rope_frequencies", "rope", "_power_of_two_slopes", "alibi_slopes",
        "alibi_bias", "relative_positions", "relative_position_bucket"}),
    "geometry": (["tests/test_geometry.py", "tests/test_recipe_pins.py",
                 "tests/test_bad_input.py"], {
        "_pair", "unit_rows", "_cosine", "cosine_similarity", "dot_product",
        "euclidean_distance", "manhattan_distance",
        "topk_scores", "_mark_padding", "_exclusion_groups", "_order_ties_by_index",
        "_block_topk", "_running_topk", "_merge", "_scan",
        "nearest_neighbors", "analogy_scores", "solve_analogy",
        "center", "top_directions", "all_but_the_top", "mean_cosine", "k_occurrence",
        "skewness", "weat"}),
    "evaluate": (["tests/test_evaluate.py", "tests/test_recipe_pins.py",
                 "tests/test_bad_input.py"], {
        "analogy_accuracy", "_lookup", "unit_rows_keep_zero", "_row_spearman", "spearman_interval",
        "paired_bootstrap", "similarity_score", "purity_score"}),
    "sgns": (["tests/test_sgns.py", "tests/test_recipe_pins.py",
                 "tests/test_bad_input.py"], {
        "keep_probabilities", "noise_distribution", "noise_table", "make_pairs", "sgns_loss",
        "sparse_sgd_step", "sigmoid", "reference_sgns_step", "reference_sgns_loop",
        "_split_slices"}),
}

# mutants judged equivalent (no input tells them from the original), keyed like the report:
# "function: change in `source line`"; the reason is printed beside each in the report
BLOCK_SIZE = ("a tuning constant of the blocked search: results do not depend on the block sizes "
              "(tests compare blocked and unblocked runs), only speed and memory do")

EQUIVALENT: dict[str, str] = {
    "analogy_accuracy: False -> True in `analogies = load_analogies(lowercase=False)`":
        "the default lookup is case-insensitive (words compared upper-cased), so the questions "
        "ask for the same rows lowercased or not; with case_insensitive=False a caller passes "
        "its own set",
    "analogy_accuracy: True -> False in `for (section, words), row in zip(asked, best, "
    "strict=True):`":
        "best has one row per asked question (it is computed from them); strict only guards a "
        "future edit",
    "unit_rows: GtE -> Gt in `if float(low) >= safe_low and float(high) < torch.inf:`":
        "a norm exactly at the threshold is safe on either path; only which path runs changes",
    "unit_rows: Lt -> LtE in `unsafe = ~torch.isfinite(norms[:, 0]) | (norms[:, 0] < "
    "safe_low)`":
        "a norm exactly at the threshold is safe on either path; only which path runs changes",
    "unit_rows: 1.0 -> 2.0 in `out = x / torch.where(unsafe[:, None], 1.0, norms)`":
        "the unsafe rows' placeholder divisor: those rows are overwritten on the next line",
    "_mark_padding: GtE -> Gt in `if vocab_size - excl.shape[1] >= s.shape[1]:`":
        "at equality the slow path runs and finds no padding either: the shortcut only saves "
        "time",
    "_mark_padding: Lt -> LtE in `valid = np.where((excl >= 0) & (excl < vocab_size), excl, "
    "-1)`":
        "an excluded row >= V never gets here: the masking of the blocks refuses it first "
        "(IndexError)",
    "_mark_padding: 1 -> 2 in `valid = np.where((excl >= 0) & (excl < vocab_size), excl, -1)`":
        "any negative row means 'nothing excluded'",
    "_order_ties_by_index: True -> False in `s, pos = torch.sort(s, dim=1, descending=True, "
    "stable=True)`":
        "descending=False: _merge sorts every block's candidates again, descending and "
        "stable; only the index order within ties carries over, and a stable ascending sort "
        "keeps it too",
    "_order_ties_by_index: True -> False in `s, pos = torch.sort(s, dim=1, descending=True, "
    "stable=True)` (#2)":
        "not equivalent in principle: CPU torch.sort already keeps ties in index order on these "
        "sizes; stable=True makes that a guarantee on every backend",
    "_merge: True -> False in `ms, pos = torch.sort(torch.cat([best_s, cand_s], 1), dim=1, "
    "descending=True, stable=True)` (#2)":
        "not equivalent in principle: CPU torch.sort already keeps ties in index order on these "
        "sizes; stable=True makes that a guarantee on every backend",
    "_exclusion_groups: True -> False in `for s, e in zip(starts.tolist(), ends.tolist(), "
    "strict=True):`":
        "ends is built from starts and has its length; strict only guards a future edit",
    "_block_topk: True -> False in `ss, si = torch.sort(s[rows], dim=1, descending=True, "
    "stable=True)` (#2)":
        "not equivalent in principle: CPU torch.sort already keeps ties in index order on these "
        "sizes; stable=True makes that a guarantee on every backend",
    "analogy_scores: 256 -> 257 in `device: str | None = None, exclude=None, "
    "block_queries: int = 256,`":
        BLOCK_SIZE,
    "analogy_scores: 16384 -> 16385 in `block_vocab = 2048 if len(idx) >= block_queries "
    "else 16_384`":
        BLOCK_SIZE,
    "analogy_scores: 2048 -> 2049 in `block_vocab = 2048 if len(idx) >= block_queries "
    "else 16_384`":
        BLOCK_SIZE,
    "analogy_scores: GtE -> Gt in `block_vocab = 2048 if len(idx) >= block_queries else 16_384`":
        BLOCK_SIZE,
    "solve_analogy: True -> False in `return [(words[int(i)], float(s)) for s, i in "
    "zip(scores[0], idx[0], strict=True) if i >= 0]`":
        "the score and index rows come from one top-k and always have the same length",
    "_block_topk: GtE -> Gt in `crowded = (s >= cand_s[:, -1:]).sum(1) > kk  # a tie "
    "straddles the cut: decide it exactly`":
        "not equivalent in principle: with > no row takes the exact path, and ties at the cut "
        "are left to torch.topk, which on CPU already returns them lowest index first (the "
        "tie tests pass either way); the exact path guards backends that do not",
    "nearest_neighbors: 1 -> 2 in `exclude.append(idx if exclude_query else -1)`":
        "any negative row means 'exclude nothing' (_mark_padding keeps only 0 <= row < V)",
    "nearest_neighbors: 1 -> 2 in `exclude.append(-1)`":
        "any negative row means 'exclude nothing' (_mark_padding keeps only 0 <= row < V)",
    "nearest_neighbors: True -> False in `results = [[(words[int(i)], float(s)) for s, i in "
    "zip(srow, irow, strict=True) if i >= 0]`":
        "the score and index rows come from one top-k and always have the same length",
    "nearest_neighbors: True -> False in `for srow, irow in zip(scores, idx, strict=True)]`":
        "the score and index tensors come from one top-k and always have the same length",
    "skewness: 1 -> 2 in `x = np.asarray(values, dtype=np.float64).reshape(-1)`":
        "numpy reads any negative size in reshape as 'the rest', so reshape(-2) is reshape(-1)",
    "_block_topk: Gt -> GtE in `crowded = (s >= cand_s[:, -1:]).sum(1) > kk  # a tie "
    "straddles the cut: decide it exactly`":
        "a row with exactly kk scores at or above the cut also takes the exact path (a stable "
        "sort), which picks the same kk entries; only slower",
    "purity_score: 1 -> 2 in `table = np.zeros((p_idx.max() + 1, t_idx.max() + 1), dtype=int)`":
        "an extra all-zero row or column of the contingency table changes no row maximum",
    "_split_slices: Gt -> GtE in `return [starts[a:b + 1] for a, b in zip(cuts, cuts[1:], "
    "strict=False) if b > a]`":
        "the cuts are sorted and de-duplicated just before, so b > a always holds",
    "sgns_loss: drop USub in `return -F.logsigmoid(scores[:, 0]) - "
    "F.logsigmoid(-scores[:, 1:]).sum(-1)` (#2)":
        "the sign of sum(-1): on the 2-D (B, K) negatives' scores sum(1) is sum(-1)",
    "make_pairs: 1 -> 2 in `for off in range(1, window + 1):` (#2)":
        "the extra offset window + 1 selects no centre: every drawn reach is at most window",
    "weat: GtE -> Gt in `p = float((perm_stats >= stat - 1e-12).mean())`":
        "differs only when a split's statistic is exactly stat - 1e-12; the tolerance is "
        "there so that the observed split counts despite rounding, which > keeps doing",
    "all_but_the_top: True -> False in `centered = t - t.mean(dim=0, keepdim=True)`":
        "the (d,) mean broadcasts over the rows exactly as the (1, d) one does",
    "center: True -> False in `return _back(t - t.mean(dim=0, keepdim=True), was_torch)`":
        "the (d,) mean broadcasts over the rows exactly as the (1, d) one does",
    "top_directions: True -> False in `centered = t - t.mean(dim=0, keepdim=True)`":
        "the (d,) mean broadcasts over the rows exactly as the (1, d) one does",
    "top_directions: False -> True in `_, _, vh = torch.linalg.svd(centered.double(), "
    "full_matrices=False)`":
        "the full SVD only adds rows past min(n, d) to vh, and [:n_components] drops them",
    "weat: 1e-12 -> 2e-12 in `p = float((perm_stats >= stat - 1e-12).mean())`":
        "a tolerance for rounding: differs only for a split whose statistic lies between "
        "1e-12 and 2e-12 below the observed one",
    "purity_score: 1 -> 2 in `table = np.zeros((p_idx.max() + 1, t_idx.max() + 1), "
    "dtype=int)` (#2)":
        "an extra all-zero row or column of the contingency table changes no row maximum",
    "unit_rows_keep_zero: 1 -> 2 in `return x / np.where(norms == 0, 1, norms)`":
        "only zero rows are divided by it, and 0 / 2 is 0 as 0 / 1 is",
    "sparse_sgd_step: Mult -> Div in `z = scores * signs`":
        "signs are exactly +1 or -1, and x / ±1 equals x * ±1 in floating point",
    "sparse_sgd_step: Mult -> Div in `coef = torch.sigmoid(-z) * signs  # minus d loss / d "
    "score: label - sigmoid(score)`":
        "signs are exactly +1 or -1, and x / ±1 equals x * ±1 in floating point",
    "mean_cosine: Add -> Sub in `j = (i + torch.randint(1, t.shape[0], (n_pairs,), "
    "generator=gen)) % t.shape[0]  # j != i`":
        "equivalent in distribution, not draw for draw: (i - r) mod n, like (i + r) mod n, is "
        "uniform over the rows other than i, so the estimate has the same law; only which "
        "pairs one seed picks changes (no property of the result tells them apart)",
    "reference_sgns_loop: 1 -> 2 in `total = float(epochs) * float(max(n_tok, 1))`":
        "differs only for a corpus of 0 or 1 tokens, which makes no (context, centre) pair, "
        "so no update reads the rate",
    "reference_sgns_loop: Lt -> LtE in `kept = [w for w in sentence if keep[w] >= 1 or "
    "rng.uniform() < keep[w]]`":
        "differs only when a 24-bit uniform draw equals the float32 keep probability exactly; "
        "no feasible test makes the stream hit that value",
    "alibi_slopes: Lt -> LtE in `if closest < n_heads:`":
        "when closest == n_heads it appends slopes[...][: n_heads - closest], an empty slice",
    "relative_position_bucket: Lt -> LtE in `return buckets + torch.where(dist < max_exact, "
    "dist, large)`":
        "at dist == max_exact the log branch gives max_exact + log(1) * ... = max_exact, the "
        "same bucket as the exact branch",
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


class TargetError(LookupError):
    """A TARGETS function that no course_utils module defines, or that two define."""


def module_trees() -> dict[str, ast.Module]:
    """The parsed source of every ``course_utils`` module, by dotted name."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = ast.parse(path.read_text(encoding="utf-8"))
    return out


def locate(names: set[str], trees: dict[str, ast.Module],
           prefer: str | None = None) -> dict[str, str]:
    """{function: the module that defines it at top level}; TargetError if not exactly one.

    A name may be qualified as ``module.function`` (the module's last dotted part) where
    two modules define a function of that name; unqualified, the module named like
    ``prefer`` (the target) wins such a tie.
    """
    where: dict[str, list[str]] = {}
    wanted = {name.rsplit(".", 1)[-1]: name for name in names}
    for module, tree in trees.items():
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name in wanted:
                qual = wanted[node.name]
                if "." in qual and module.rsplit(".", 1)[-1] != qual.split(".")[0]:
                    continue
                where.setdefault(node.name, []).append(module)
    missing = sorted(wanted[n] for n in wanted.keys() - where.keys())
    for name, mods in where.items():
        if len(mods) > 1 and prefer and f"course_utils.{prefer}" in mods:
            where[name] = [f"course_utils.{prefer}"]
    twice = {name: mods for name, mods in where.items() if len(mods) > 1}
    problems = []
    if missing:
        problems.append(f"no course_utils module defines {missing} (moved, renamed or "
                        "removed? fix its name in tools/mutation.py's TARGETS, or drop it)")
    if twice:
        problems.append(f"defined in more than one module: {twice}; write the one meant as "
                        "'module.function' in TARGETS")
    if problems:
        raise TargetError("; ".join(problems))
    return {name: mods[0] for name, mods in where.items()}


def _imported_names(tree: ast.Module, modules: set[str]) -> dict[str, tuple[str, str]]:
    """{local name: (module, name)} for ``from course_utils.x import name`` anywhere."""
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in modules and node.level == 0:
            for alias in node.names:
                out[alias.asname or alias.name] = (node.module, alias.name)
    return out


def global_callers(trees: dict[str, ast.Module]) -> dict[tuple[str, str], set[tuple[str, str]]]:
    """{(module, function): itself and every (module, function or class) that
    (transitively) uses it}, across modules (``from course_utils.x import f`` included)."""
    modules = set(trees)
    uses: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for module, tree in trees.items():
        defs = {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)}
        imported = _imported_names(tree, modules)
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef | ast.ClassDef):
                continue
            refs = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
            callees = {(module, r) for r in refs if r in defs and r != node.name}
            callees |= {imported[r] for r in refs if r in imported}
            uses[(module, node.name)] = callees
    out = {key: {key} for key in uses}
    changed = True
    while changed:
        changed = False
        for caller, callees in uses.items():
            for group in out.values():
                if caller not in group and callees & group:
                    group.add(caller)
                    changed = True
    return out


def _tests_naming(test_files: list[str], names: set[str],
                  direct: set[str] | None = None) -> list[str]:
    """pytest node ids of the tests whose source mentions any of ``names`` (or that call
    anything, when a module-level helper of their file does); those that mention one of
    ``direct`` (the mutated function itself) come first."""
    ids, first = [], []
    for rel in test_files:
        source = (ROOT / rel).read_text(encoding="utf-8")
        tree = ast.parse(source)
        helpers = "\n".join(ast.get_source_segment(source, n) or "" for n in tree.body
                            if not (isinstance(n, ast.FunctionDef) and n.name.startswith("test")))
        helper_hit = any(name in helpers for name in names)
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test"):
                text = ast.get_source_segment(source, node) or ""
                if direct and any(name in text for name in direct):
                    first.append(f"{rel}::{node.name}")
                elif any(name in text for name in names) or (helper_hit and "(" in text):
                    ids.append(f"{rel}::{node.name}")
    return first + ids


def test_files_for(target: str, modules: set[str]) -> list[str]:
    """The target's test files plus ``tests/test_<module>.py`` of each module involved."""
    files = list(TARGETS[target][0])
    for module in sorted(modules):
        rel = f"tests/test_{module.rsplit('.', 1)[-1]}.py"
        if rel not in files and (ROOT / rel).exists():
            files.append(rel)
    return files


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


class _Record:
    """A pytest plugin that keeps each test's outcome and time (setup + call + teardown)."""

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self.failed: list[str] = []

    def pytest_runtest_logreport(self, report):
        test = report.nodeid.split("[", 1)[0]  # every parameter set of a test together
        self.seconds[test] = self.seconds.get(test, 0.0) + report.duration
        if report.failed:
            self.failed.append(report.nodeid)


def run_tests(node_ids: list[str], stop_first: bool = True, record: _Record | None = None,
              timeout_s: int = TIMEOUT_S) -> bool:
    """True when every test passes (the mutant survives)."""
    import pytest

    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(timeout_s)
    try:
        with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
            code = pytest.main([*node_ids, *(["-x"] if stop_first else []), "-q",
                                "-p", "no:cacheprovider", "-W", "ignore"],
                               plugins=[record] if record else None)
    except _Timeout:
        return False
    finally:
        signal.alarm(0)
    return code == 0


def fastest(tests: list[str], seconds: dict[str, float], direct: set[str] = frozenset(),
            budget: float = BUDGET_S) -> list[str]:
    """The tests to run on a function's mutants, fastest first: every test in ``direct``
    (those that name the function), then the others fastest first while the total baseline
    time stays within ``budget`` (at least one test). A killed mutant stops at its first
    failing test (``-x``); a surviving one runs them all, so the budget bounds its cost."""
    out = [t for t in tests if t in direct]
    spent = sum(seconds.get(t, 0.0) for t in out)
    for t in sorted((t for t in tests if t not in direct), key=lambda t: seconds.get(t, 0.0)):
        if out and spent + seconds.get(t, 0.0) > budget:
            break
        out.append(t)
        spent += seconds.get(t, 0.0)
    return sorted(out, key=lambda t: seconds.get(t, 0.0))


def key(function: str, what: str, line_text: str) -> str:
    """How EQUIVALENT and the report name a mutant: stable when lines move or modules split."""
    return f"{function}: {what} in `{line_text.strip()}`"


def mutate_target(target: str, list_only: bool = False, only: set[str] | None = None,
                  save=None) -> dict:
    """Mutate every function of one target (or those in ``only``); return, per function,
    the number killed, the survivors' and the untested mutants' keys, and the seconds.
    ``save(result so far)`` is called after each function, so a stopped run keeps them."""
    core = TARGETS[target][1]
    if only:
        core = {name for name in core if name.rsplit(".", 1)[-1] in only}
    trees = module_trees()
    where = locate(core, trees, prefer=target)
    callers = global_callers(trees)
    plan = []  # (module name, function node, test ids, those that name the function)
    for function, module in sorted(where.items(), key=lambda kv: (kv[1], kv[0])):
        users = callers[(module, function)]
        files = test_files_for(target, {m for m, _ in users})
        tree = trees[module]
        fn = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == function)
        tests = _tests_naming(files, {name for _, name in users}, {function})
        direct = set(_tests_naming(files, set(), {function}))  # the tests that name it
        plan.append((module, fn, tests, direct))
    every = sorted({t for *_, tests, _ in plan for t in tests})
    seconds = json.loads(TIMES.read_text(encoding="utf-8")) if TIMES.exists() else {}
    if not list_only and any(t not in seconds for t in every):
        record = _Record()  # time the tests once (kept in TIMES for the next run)
        run_tests([t for t in every if t not in seconds], stop_first=False, record=record,
                  timeout_s=20 * TIMEOUT_S)
        seconds.update(record.seconds)
        seconds.update({t: TIMEOUT_S for t in every if t not in seconds})  # never ran: last
        if TIMES.exists():  # another target's run may have added its tests meanwhile
            seconds = {**json.loads(TIMES.read_text(encoding="utf-8")), **seconds}
        TIMES.parent.mkdir(parents=True, exist_ok=True)
        TIMES.write_text(json.dumps(seconds, indent=1) + "\n", encoding="utf-8")
    plan = [(module, fn, fastest(tests, seconds, direct)) for module, fn, tests, direct in plan]
    plan.sort(key=lambda p: sum(seconds.get(t, 0.0) for t in p[2]))  # cheapest first
    chosen = sorted({t for _, _, tests in plan for t in tests})
    if not list_only and chosen:
        record = _Record()
        if not run_tests(chosen, stop_first=False, record=record, timeout_s=20 * TIMEOUT_S):
            raise RuntimeError(f"{target}: the selected tests fail without any mutant "
                               f"({record.failed or 'a timeout'}); fix them first")
    functions = {}
    for module_name, fn, tests in plan:
        killed, survived, no_tests, start = 0, [], [], time.perf_counter()
        functions[fn.name] = {"killed": 0, "survived": survived, "untested": no_tests,
                              "tests": len(tests)}
        module = importlib.import_module(module_name)
        lines = Path(module.__file__).read_text(encoding="utf-8").splitlines()
        seen: dict[str, int] = {}
        for m in mutants_of(fn):
            label = key(m.function, m.what, lines[m.line - 1])
            seen[label] = seen.get(label, 0) + 1
            if seen[label] > 1:  # the same change at another spot of the same line
                label += f" (#{seen[label]})"
            if list_only:
                print(f"{module_name} line {m.line}: {label}")
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
            print(("SURVIVED " if alive else "killed   ") + f"{module_name} line {m.line}: "
                  + label, flush=True)
        functions[fn.name].update(killed=killed, seconds=time.perf_counter() - start)
        result = {"functions": functions, "tests": len(chosen), "tests_found": len(every),
                  "modules": sorted(set(where.values()))}
        if save and not list_only:
            save(result)
    return result


def totals(functions: dict) -> dict:
    """A target's counts summed over its functions."""
    return {"killed": sum(f["killed"] for f in functions.values()),
            "survived": [s for f in functions.values() for s in f["survived"]],
            "untested": [s for f in functions.values() for s in f["untested"]],
            "seconds": sum(f.get("seconds", 0.0) for f in functions.values())}


def render(store: dict) -> str:
    """The markdown report of every target in ``store``."""
    lines = ["# Mutation check", "",
             "Made by `make mutation` (`tools/mutation.py`): small mutants of the core "
             "functions, each run against the unit tests that exercise it. *Equivalent* "
             "mutants are survivors that no input can tell from the original (the reason is "
             "given for each); *gaps* are survivors no test kills yet.", "",
             "| target | modules | mutants | killed | equivalent | gaps | no test selected "
             "| killed share | killed or equivalent | run time | load (1/5/15 min) | when |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|"]
    details: list[str] = []
    for target in sorted(store, key=lambda t: list(TARGETS).index(t) if t in TARGETS else 99):
        r = {**store[target], **totals(store[target]["functions"])}
        equivalent = [s for s in r["survived"] if s in EQUIVALENT]
        gaps = [s for s in r["survived"] if s not in EQUIVALENT]
        total = r["killed"] + len(r["survived"]) + len(r["untested"])
        share = r["killed"] / total if total else 1.0
        share_eq = (r["killed"] + len(equivalent)) / total if total else 1.0
        lines.append(f"| {target} | {', '.join(r['modules'])} | {total} | {r['killed']} | "
                     f"{len(equivalent)} | {len(gaps)} | {len(r['untested'])} | {share:.1%} | "
                     f"{share_eq:.1%} | {r['seconds']:.0f} s | {r['load']} | {r['when']} |")
        measured = sorted(r["functions"])
        missing = sorted(n.rsplit(".", 1)[-1] for n in TARGETS.get(target, ((), set()))[1]
                         if n.rsplit(".", 1)[-1] not in r["functions"])
        details += [f"## {target}", "",
                    f"Functions measured ({len(measured)}): {', '.join(measured)}.",
                    *([f"**Not measured yet** ({len(missing)}): {', '.join(missing)}."]
                      if missing else []),
                    "", f"Each function's mutants ran the tests that name it, then its callers' "
                    f"tests fastest first up to {BUDGET_S:.0f} s of baseline time.", ""]
        details += ["Surviving mutants:", ""] if r["survived"] else ["No surviving mutant.", ""]
        details += [f"- {s}: equivalent: {EQUIVALENT[s]}" for s in equivalent]
        details += [f"- {s}: **not killed yet (a gap in the tests)**" for s in gaps]
        if r["untested"]:
            details += ["", "Mutants no test selected:", ""] + [f"- {s}" for s in r["untested"]]
        details.append("")
    lines += ["", "Timings are wall-clock on a shared machine: the load column says how busy "
              "it was.", ""]
    return "\n".join(lines + details) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", default=list(TARGETS))
    parser.add_argument("--list", action="store_true", help="print the mutants, run nothing")
    parser.add_argument("--only", default="", help="comma-separated functions to rerun; the "
                        "stored results of the target's other functions are kept")
    parser.add_argument("--render", action="store_true", help="only write the report again "
                        "from the stored results (after editing EQUIVALENT)")
    args = parser.parse_args()
    if args.render:
        RESULTS.write_text(render(json.loads(STORE.read_text(encoding="utf-8"))),
                           encoding="utf-8")
        return 0
    only = {name.strip() for name in args.only.split(",") if name.strip()} or None
    unknown = [t for t in args.targets if t not in TARGETS]
    if unknown:
        parser.error(f"unknown target(s) {unknown}; choose from {list(TARGETS)}")
    sys.path.insert(0, str(ROOT))
    try:
        trees = module_trees()
        for target in args.targets:
            locate(TARGETS[target][1], trees, prefer=target)
    except TargetError as err:
        print(f"mutation: {err}", file=sys.stderr)
        return 2
    for target in args.targets:
        fresh = [not only]  # a full run replaces the stored target; --only merges into it

        def save(r, target=target, fresh=fresh):
            load = os.getloadavg() if hasattr(os, "getloadavg") else ()  # not on Windows
            r = dict(r, load=" / ".join(f"{x:.1f}" for x in load) or "unknown",
                     when=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))
            # read again just before writing: another run may have stored another target
            store = json.loads(STORE.read_text(encoding="utf-8")) if STORE.exists() else {}
            if not fresh[0] and "functions" in store.get(target, {}):
                r["functions"] = {**store[target]["functions"], **r["functions"]}
            fresh[0] = False
            store[target] = r
            STORE.parent.mkdir(parents=True, exist_ok=True)
            STORE.write_text(json.dumps(store, indent=1) + "\n", encoding="utf-8")
            RESULTS.write_text(render(store), encoding="utf-8")

        r = mutate_target(target, args.list, only, save)
        if args.list:
            continue
        r = {**r, **totals(r["functions"])}
        total = r["killed"] + len(r["survived"]) + len(r["untested"])
        print(f"{target}: {r['killed']}/{total} killed, {len(r['survived'])} survived, "
              f"{len(r['untested'])} without tests, {r['seconds']:.0f} s", flush=True)
    if not args.list:
        print(f"report: {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
