"""What every exercise checker shares: the verdict, running a learner's function over cases,
judges for arrays and numbers, fresh inputs, and enforcing a prompt's "do not use X".

Heavy libraries (numpy, torch) are imported inside the functions that need them, so
``import course_utils.checks`` stays light.
"""

from __future__ import annotations

import builtins
import functools
import math
import numbers
import types
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

Judge = Callable[[object], "str | None"]


@dataclass(frozen=True)
class Verdict:
    """The outcome of one exercise check."""

    exercise: str
    passed: bool
    message: str

    def __repr__(self) -> str:
        mark = "✅ correct" if self.passed else "❌ not yet"
        return f"{mark} [{self.exercise}]: {self.message}"

    __str__ = __repr__


def run_cases(exercise: str, fn: Callable, cases: list[tuple[tuple, Judge]],
              hint: str) -> Verdict:
    """Call ``fn(*args)`` per case; each judge returns None when right, else what was wrong.

    Never raises: a stub, a crash, or a result the judge cannot read becomes a failed verdict.
    """
    if not callable(fn):
        return Verdict(exercise, False, f"pass your function itself, not {type(fn).__name__}")
    for args, judge in cases:
        try:
            got = fn(*args)
        except NotImplementedError:
            return Verdict(exercise, False,
                           "not attempted yet: replace `raise NotImplementedError` with your code")
        except Exception as exc:  # a learner's bug: report it, don't crash the notebook
            return Verdict(exercise, False,
                           f"your function raised {type(exc).__name__}: {exc}. Hint: {hint}")
        try:
            problem = judge(got)
        except Exception as exc:
            problem = f"the result could not be checked ({type(exc).__name__}: {exc})"
        if problem:
            return Verdict(exercise, False, f"{problem}. Hint: {hint}")
    return Verdict(exercise, True, f"all {len(cases)} cases pass")


def fresh_rng():
    """A numpy Generator seeded anew on every call, so a checker never judges the same inputs
    twice (an answer that memorises the inputs of one run fails the next one)."""
    import os

    import numpy as np

    return np.random.default_rng(int.from_bytes(os.urandom(8), "little"))


# --------------------------------------------------------------------------- judges


def as_float64(got):
    """A learner's array answer (torch or numpy, any float dtype) as float64 numpy."""
    import numpy as np

    if hasattr(got, "detach"):
        got = got.detach().cpu().double().numpy()
    return np.asarray(got, dtype=np.float64)


def as_number(got, integral: bool = False) -> float | None:
    """A real number from a Python or numpy number or a one-element array/tensor; None for
    anything else (a bool, a string, a longer array). ``integral``: whole-number types only."""
    if hasattr(got, "detach"):
        got = got.detach().cpu().numpy()
    if hasattr(got, "item") and getattr(got, "size", None) == 1:
        got = got.item() if getattr(got, "ndim", 0) == 0 else got.reshape(-1)[0].item()
    kind = numbers.Integral if integral else numbers.Real
    if isinstance(got, bool) or not isinstance(got, kind):
        return None
    return float(got)


def scalar_judge(expected: float, what: str = "", *, rel: float = 0.0, abs_tol: float = 0.0,
                 wrong: str | Callable[[float], str] | None = None,
                 integral: bool = False) -> Judge:
    """A judge for a number answer, within ``rel``/``abs_tol`` of ``expected`` (NaN fails).

    ``what`` describes the case ("for V=..., d=..."); ``wrong`` is the message for a wrong
    value, or a function of the learner's value giving it (default: "<what>: your value ...
    is not right"), which may name a known mistake. No message may show ``expected``.
    Python, numpy and one-element torch numbers all count; ``integral``: whole numbers only.
    """
    prefix = f"{what}: " if what else ""

    def judge(got):
        value = as_number(got, integral)
        if value is None:
            shape = getattr(got, "shape", None)
            if shape is not None and tuple(shape) != ():
                return f"{prefix}expected one number, got shape {tuple(shape)}"
            kind = "a whole number" if integral else "a number"
            return f"{prefix}expected {kind}, got {type(got).__name__}"
        if math.isclose(value, expected, rel_tol=rel, abs_tol=abs_tol):
            return None
        if wrong is None:
            return f"{prefix}your value {value:.4g} is not right"
        return wrong(value) if callable(wrong) else wrong

    return judge


def close_judge(expected, what: str, atol: float = 1e-5, want: str = "tensor") -> Judge:
    """A judge for an array answer: right type (``want`` = "tensor" or "array"), shape, values.

    NaN never counts as close. A torch answer to a numpy exercise is accepted and converted.
    """
    import numpy as np
    import torch

    expected = as_float64(expected)

    def judge(got):
        if want == "tensor" and not isinstance(got, torch.Tensor):
            return f"expected a torch.Tensor, got {type(got).__name__}"
        if hasattr(got, "detach"):
            got = got.detach().cpu().numpy()
        if not isinstance(got, np.ndarray):
            return f"expected a numpy array, got {type(got).__name__}"
        if tuple(got.shape) != expected.shape:
            return f"{what}: expected shape {expected.shape}, got {tuple(got.shape)}"
        got = got.astype(np.float64)
        if not np.allclose(got, expected, atol=atol):
            worst = float(np.nanmax(np.abs(got - expected))) if np.isfinite(got).any() else np.nan
            return f"{what}: values differ from the reference (largest difference {worst:.3g})"
        return None

    return judge


# --------------------------------------------------------------------------- "do not use X"


def _resolve(dotted: str):
    """The object a dotted name ("scipy.stats.spearmanr") names, or None."""
    import importlib

    parts = dotted.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for attr in parts[cut:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return None
        return obj
    return None


def _names_read(code: types.CodeType) -> tuple[set[str], set[str]]:
    """(global or attribute names, keyword-argument names) that ``code`` and the code nested
    in it (lambdas, comprehensions) read. Local variables are in neither."""
    names, keywords = set(), set()
    for name in code.co_names:
        names.update(name.split("."))  # `import torch.autograd` inside the function
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            inner, kw = _names_read(const)
            names |= inner
            keywords |= kw
        elif isinstance(const, tuple) and all(isinstance(c, str) for c in const):
            keywords.update(const)  # the names of keyword arguments: requires_grad=True
    return names, keywords


def _learner_helper(obj, fn) -> bool:
    return isinstance(obj, types.FunctionType) and obj.__module__ == getattr(fn, "__module__", None)


def _scan(fn, targets: dict, attrs: dict, bare: set, found: set, seen: set, depth: int) -> None:
    """Add to ``found`` the labels of the forbidden names ``fn`` uses (globals, names from
    enclosing functions, attributes, keywords), following the helper functions it calls that
    the learner wrote (defined in the same module) 3 levels deep."""
    fn = getattr(fn, "__func__", fn)
    code = getattr(fn, "__code__", None)
    if code is None or id(fn) in seen or depth > 3:
        return
    seen.add(id(fn))
    env = dict(getattr(fn, "__globals__", {}))
    for name, cell in zip(code.co_freevars, fn.__closure__ or (), strict=False):
        try:
            env[name] = cell.cell_contents  # a name from an enclosing function
        except ValueError:  # an empty cell
            continue
    names, keywords = _names_read(code)
    found.update(attrs[k] for k in keywords if k in bare)
    for name in names | set(code.co_freevars):
        obj = env.get(name, getattr(builtins, name, None))
        if obj is not None and id(obj) in targets:
            found.add(targets[id(obj)])
        elif _learner_helper(obj, fn):
            _scan(obj, targets, attrs, bare, found, seen, depth + 1)
        elif name in attrs and (obj is None or name in bare):  # F.one_hot, stats.spearmanr
            found.add(attrs[name])


def forbidden_names_used(fn: Callable, forbidden: list[str] | dict[str, str]) -> list[str]:
    """The forbidden names that ``fn`` (or a helper function it calls) uses, sorted.

    ``forbidden`` lists names, or maps each to how the prompt words it (the label returned).
    A dotted name ("scipy.stats.spearmanr") counts when the code refers to that very object,
    whatever it was imported as, or reads an attribute of its last part (``stats.spearmanr``).
    A bare name ("one_hot") counts when the code reads it as an attribute (``F.one_hot``), as
    a keyword argument, or as a global that is not a function the learner wrote. Local
    variables never count, and a learner's own helper of the same name is read, not blamed.
    Reads the byte code, so a call hidden behind ``getattr`` is left to ``forbid_calls``.
    """
    labels = forbidden if isinstance(forbidden, dict) else {name: name for name in forbidden}
    targets, attrs, bare = {}, {}, set()
    for name, label in labels.items():
        attr = name.rpartition(".")[2]
        attrs[attr] = label if attrs.get(attr, label) == label else f"a library's {attr}"
        if "." not in name:
            bare.add(name)
        elif (obj := _resolve(name)) is not None:
            targets[id(obj)] = label
    found: set[str] = set()
    _scan(fn, targets, attrs, bare, found, set(), 0)
    return sorted(found)


DO_NOT_USE = "the exercise asks you not to use {used}: write it with basic tensor operations"


def forbids(exercise: str, forbidden: list[str] | dict[str, str], message: str = DO_NOT_USE):
    """Decorator for a checker whose prompt says "do not use X": before judging, a function
    that uses a name of ``forbidden`` (see ``forbidden_names_used``) gets a failed verdict,
    ``message`` naming what it used as ``{used}``."""

    def decorate(checker: Callable[[Callable], Verdict]) -> Callable[[Callable], Verdict]:
        @functools.wraps(checker)
        def checked(fn: Callable) -> Verdict:
            used = forbidden_names_used(fn, forbidden) if callable(fn) else []
            if used:
                return Verdict(exercise, False, message.format(used=", ".join(used)))
            return checker(fn)

        return checked

    return decorate


class ForbiddenCallError(RuntimeError):
    """An exercise's function called a library function the exercise asks not to use."""


@contextmanager
def forbid_calls(targets: list[tuple[object, str]]):
    """Context manager: while active, ``module.attr`` for each ``(module, attr)`` raises
    ``ForbiddenCallError`` (so ``F.one_hot`` inside an answer fails even under another name)."""
    saved = [(mod, attr, getattr(mod, attr)) for mod, attr in targets]

    def blocker(name):
        def blocked(*args, **kwargs):
            raise ForbiddenCallError(f"the exercise asks you not to call {name}; "
                                     "build it from simpler operations")
        return blocked

    try:
        for mod, attr, _ in saved:
            setattr(mod, attr, blocker(attr))
        yield
    finally:
        for mod, attr, original in saved:
            setattr(mod, attr, original)
