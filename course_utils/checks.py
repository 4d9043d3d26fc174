"""Exercise checkers: call one with your function and read the verdict.

Each ``check_*`` runs your function on cases whose answers it knows and returns a
``Verdict`` (shown as one friendly line in a notebook). ``verdict.passed`` is ``True``
only when every case is right. Checkers never raise: an exercise left as
``raise NotImplementedError`` gets a "not attempted yet" verdict, so a notebook with
unfinished exercises still runs top to bottom.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


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


def _run(exercise: str, fn: Callable, cases: list[tuple[tuple, Callable[[object], str | None]]],
         hint: str) -> Verdict:
    """Call ``fn(*args)`` per case; each judge returns None when right, else what was wrong."""
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


def _close_judge(expected, what: str, atol: float = 1e-5, want: str = "tensor"):
    """A judge for an array answer: right type (``want`` = "tensor" or "array"), shape, values.

    NaN never counts as close. A torch answer to a numpy exercise is accepted and converted.
    """
    import numpy as np
    import torch

    expected = np.asarray(expected.detach().cpu() if hasattr(expected, "detach") else expected,
                          dtype=np.float64)

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


def _fresh_rng():
    """A numpy generator seeded anew from the OS on every call: no answer can be keyed on a
    fixed set of inputs, and a checker's cases differ from one run to the next."""
    import numpy as np

    return np.random.default_rng(np.random.SeedSequence().entropy)


def _forbidden_use(fn: Callable, forbidden: dict[str, str]) -> str | None:
    """The first forbidden call that ``fn`` (or a helper function it calls) names, else None.

    ``forbidden`` maps a dotted name (``"scipy.stats.spearmanr"``) to how the prompt words
    it. A name counts when the function's code refers to that very object (whatever it was
    imported as) or reads an attribute of that name (``stats.spearmanr``).
    """
    import builtins
    import importlib
    import types

    targets, attrs = {}, {}
    for dotted, label in forbidden.items():
        module, _, attr = dotted.rpartition(".")
        attrs[attr] = label if attrs.get(attr, label) == label else f"a library's {attr}"
        try:
            targets[id(getattr(importlib.import_module(module), attr))] = label
        except (ImportError, AttributeError):
            pass
    seen: set[int] = set()

    def names_of(code):
        yield from code.co_names
        for const in code.co_consts:
            if isinstance(const, types.CodeType):
                yield from names_of(const)

    def scan(f, depth: int) -> str | None:
        f = getattr(f, "__func__", f)
        code = getattr(f, "__code__", None)
        if code is None or id(f) in seen or depth > 3:
            return None
        seen.add(id(f))
        env = getattr(f, "__globals__", {})
        closure = [c.cell_contents for c in (f.__closure__ or ()) if c.cell_contents is not None]
        for obj in closure:
            if id(obj) in targets:
                return targets[id(obj)]
        for name in names_of(code):
            obj = env.get(name, getattr(builtins, name, None))
            if obj is None:
                if name in attrs:  # an attribute read such as stats.spearmanr
                    return attrs[name]
                continue
            if id(obj) in targets:
                return targets[id(obj)]
            if isinstance(obj, types.FunctionType) and obj.__module__ == getattr(f, "__module__",
                                                                                   None):
                found = scan(obj, depth + 1)  # a helper the learner wrote
                if found:
                    return found
        for obj in closure:
            if isinstance(obj, types.FunctionType):
                found = scan(obj, depth + 1)
                if found:
                    return found
        return None

    return scan(fn, 0)


def _scalar(got) -> float | None:
    """A real number from a float, numpy scalar or 0-d array/tensor; None for anything else."""
    import numbers

    if hasattr(got, "detach"):
        got = got.detach().cpu().numpy()
    if hasattr(got, "shape") and hasattr(got, "item") and getattr(got, "shape", None) == ():
        got = got.item()
    if isinstance(got, bool) or not isinstance(got, numbers.Real):
        return None
    return float(got)


# --------------------------------------------------------------------------- lesson 01


def check_one_hot(one_hot: Callable) -> Verdict:
    """Exercise 1.1: ``one_hot_encode(ids, num_classes)`` -> float tensor (n, num_classes)."""
    import torch

    def judge_for(ids: torch.Tensor, n: int):
        expected = torch.zeros(len(ids), n)
        expected[torch.arange(len(ids)), ids] = 1.0

        def judge(got):
            if not isinstance(got, torch.Tensor):
                return f"expected a torch.Tensor, got {type(got).__name__}"
            if tuple(got.shape) != tuple(expected.shape):
                return f"for {len(ids)} ids and {n} classes expected shape " \
                       f"{tuple(expected.shape)}, got {tuple(got.shape)}"
            if not got.is_floating_point():
                return f"expected a float tensor (so it can multiply a matrix), got {got.dtype}"
            if not torch.equal(got.float(), expected):
                return f"wrong values for ids {ids.tolist()}"
            return None

        return judge

    gen = torch.Generator().manual_seed(11)
    cases = []
    for ids, n in [(torch.tensor([0, 2, 1]), 3), (torch.tensor([4, 4, 0]), 6),
                   (torch.randint(0, 50, (20,), generator=gen), 50),
                   (torch.tensor([], dtype=torch.long), 5)]:
        cases.append(((ids, n), judge_for(ids, n)))
    return _run("1.1 one-hot", one_hot, cases,
                "start from torch.zeros(len(ids), num_classes) and set one 1 per row")


def check_embedding_memory(embedding_memory_mib: Callable) -> Verdict:
    """Exercise 1.2: ``embedding_memory_mib(vocab_size, dim, bytes_per_param)`` -> MiB."""
    cases = []
    for v, d, b in [(30522, 768, 4), (50257, 768, 2), (32000, 4096, 2), (10, 10, 4)]:
        expected = v * d * b / 2**20

        def judge(got, expected=expected, v=v, d=d, b=b):
            # `<=` then `not`: NaN compares False to everything, so a NaN answer fails
            close = isinstance(got, int | float) and abs(got - expected) <= 1e-6 * max(1, expected)
            if not close:
                return f"for V={v}, d={d}, {b} bytes per parameter expected {expected:.2f} MiB, " \
                       f"got {got!r}"
            return None

        cases.append(((v, d, b), judge))
    return _run("1.2 embedding memory", embedding_memory_mib, cases,
                "a table has V x d numbers; 1 MiB = 2**20 bytes")


def check_oov_rate(oov_rate: Callable) -> Verdict:
    """Exercise 1.3: ``held_out_oov_rate(train_tokens, test_tokens, vocab_size)`` -> float."""
    from collections import Counter

    def reference(train, test, size):
        counts = Counter(train)
        keep = {t for t, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:size]}
        return sum(t not in keep for t in test) / len(test)

    train = "the cat sat on the mat the dog sat on the log a cat and a dog".split()
    test = "the cat sat on a hat with the bat".split()
    cases = []
    for size in (1, 3, 5, 100):
        expected = reference(train, test, size)

        def judge(got, expected=expected, size=size):
            if not isinstance(got, int | float) or not abs(got - expected) <= 1e-9:
                return f"with vocab_size={size} expected {expected:.4f}, got {got!r}"
            return None

        cases.append(((train, test, size), judge))
    return _run("1.3 OOV rate", oov_rate, cases,
                "keep the vocab_size most frequent training tokens (Counter.most_common), then "
                "count test tokens, repeats included, that are not kept")


def check_masked_mean(masked_mean: Callable) -> Verdict:
    """Exercise 1.4: ``masked_mean_pool(vectors (B, T, d), mask (B, T))`` -> (B, d)."""
    import torch

    gen = torch.Generator().manual_seed(3)
    x = torch.randn(3, 5, 4, generator=gen)
    mask = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]])
    expected = torch.stack([x[i, : int(mask[i].sum())].mean(0) for i in range(3)])
    noisy = x.clone()
    noisy[mask == 0] = 1e3  # what sits in padded positions must not matter

    def judge(got):
        if not isinstance(got, torch.Tensor) or tuple(got.shape) != (3, 4):
            shape = tuple(got.shape) if hasattr(got, "shape") else type(got).__name__
            return f"expected a tensor of shape (3, 4), got {shape}"
        if not torch.allclose(got, expected, atol=1e-5):
            return "values differ from the mean over unmasked positions"
        return None

    return _run("1.4 masked mean", masked_mean, [((x, mask), judge), ((noisy, mask), judge)],
                "multiply by mask[..., None], sum over T, divide by mask.sum(1, keepdim=True)")


# --------------------------------------------------------------------------- lesson 03


def check_sinusoidal(sinusoidal_encoding: Callable) -> Verdict:
    """Exercise 3.1: ``sinusoidal_encoding(n_positions, dim)`` -> (n_positions, dim)."""
    from course_utils.positions import sinusoidal

    cases = [((n, d), _close_judge(sinusoidal(n, d), f"for n_positions={n}, dim={d}"))
             for n, d in [(4, 2), (10, 8), (64, 32), (1, 6)]]
    return _run("3.1 sinusoidal", sinusoidal_encoding, cases,
                "pe[:, 0::2] = sin(pos * omega), pe[:, 1::2] = cos(pos * omega) with "
                "omega = 10000 ** (-arange(0, dim, 2) / dim)")


def check_rope(rope_rotate: Callable) -> Verdict:
    """Exercise 3.2: ``rope_rotate(x (T, d), positions (T,))``, split-half convention."""
    import torch

    from course_utils.positions import rope

    gen = torch.Generator().manual_seed(5)
    cases = []
    for T, d in [(3, 2), (5, 8), (7, 16)]:
        x = torch.randn(T, d, generator=gen)
        pos = torch.randint(0, 200, (T,), generator=gen)
        cases.append(((x, pos), _close_judge(rope(x, pos), f"for x of shape ({T}, {d})",
                                              atol=1e-4)))
    return _run("3.2 RoPE", rope_rotate, cases,
                "angles = positions[:, None] * 10000 ** (-arange(0, d, 2) / d); pair x[:, i] "
                "with x[:, i + d//2]; the first half becomes x1*cos - x2*sin, the second "
                "x1*sin + x2*cos")


def check_alibi_slopes(head_slopes: Callable) -> Verdict:
    """Exercise 3.3: ``head_slopes(n_heads)`` -> list of ALiBi slopes (powers of two)."""
    from course_utils.positions import alibi_slopes

    def judge_for(n):
        expected = alibi_slopes(n).tolist()

        def judge(got):
            try:
                values = [float(v) for v in got]
            except TypeError:
                return f"expected a list of {n} floats, got {type(got).__name__}"
            if len(values) != n:
                return f"for {n} heads expected {n} slopes, got {len(values)}"
            if not all(abs(a - b) <= 1e-6 for a, b in zip(values, expected, strict=True)):
                return f"for {n} heads expected {[round(v, 5) for v in expected]}, " \
                       f"got {[round(v, 5) for v in values]}"
            return None

        return judge

    return _run("3.3 ALiBi slopes", head_slopes, [((n,), judge_for(n)) for n in (1, 2, 8, 16)],
                "start = 2 ** (-8 / n_heads); the slopes are start ** 1, start ** 2, ..., "
                "start ** n_heads")


def check_relative_bias(toeplitz_bias: Callable) -> Verdict:
    """Exercise 3.4: ``toeplitz_bias(values (2T-1,), T)`` -> (T, T) with values[j - i + T - 1]."""
    import torch

    from course_utils.positions import relative_positions

    cases = []
    for T in (1, 3, 6):
        values = torch.arange(2 * T - 1, dtype=torch.float32) * 1.5 - 2
        expected = values[relative_positions(T, T) + T - 1]
        cases.append(((values, T), _close_judge(expected, f"for seq_len={T}")))
    return _run("3.4 relative bias", toeplitz_bias, cases,
                "build the offsets j - i with torch.arange(T)[None, :] - torch.arange(T)[:, None], "
                "add T - 1 and index values with them")


# --------------------------------------------------------------------------- lesson 02


def check_xavier_uniform(xavier_uniform_table: Callable) -> Verdict:
    """Exercise 2.1: ``xavier_uniform_table(num_embeddings, dim)`` -> U(±sqrt(6/(V+d)))."""
    import math

    import torch

    def judge_for(v: int, d: int):
        bound = math.sqrt(6 / (v + d))

        def judge(got):
            if not isinstance(got, torch.Tensor):
                return f"expected a torch.Tensor, got {type(got).__name__}"
            if tuple(got.shape) != (v, d):
                return f"expected shape ({v}, {d}), got {tuple(got.shape)}"
            if not got.is_floating_point():
                return f"expected a float tensor, got {got.dtype}"
            if not torch.isfinite(got).all():
                return "the table holds NaN or inf values"
            if got.abs().max().item() > bound * (1 + 1e-6):
                return f"for V={v}, d={d} every entry must lie within ±{bound:.4f}, " \
                       f"found {got.abs().max().item():.4f}"
            std = got.std().item()
            if abs(std - bound / math.sqrt(3)) > 0.05 * bound / math.sqrt(3):
                return f"for V={v}, d={d} a uniform U(±{bound:.4f}) has std " \
                       f"{bound / math.sqrt(3):.4f}, yours has {std:.4f}"
            if abs(got.mean().item()) > 0.05 * bound:
                return "the mean should be about 0: draw from -b to +b"
            return None

        return judge

    return _run("2.1 Xavier uniform", xavier_uniform_table,
                [((v, d), judge_for(v, d)) for v, d in [(2000, 32), (500, 300), (30000, 8)]],
                "torch.rand(V, d) is U(0, 1): scale it to U(-b, b) with (2 * r - 1) * b")


def check_tied_initial_loss(tied_initial_loss: Callable) -> Verdict:
    """Exercise 2.2: ``tied_initial_loss(emb, prev, nxt)`` -> mean cross-entropy (float)."""
    import torch

    gen = torch.Generator().manual_seed(7)
    cases = []
    for scale, V, d, B in [(0.02, 50, 8, 30), (1.0, 200, 16, 64), (0.5, 10, 4, 1)]:
        emb = torch.randn(V, d, generator=gen) * scale
        prev = torch.randint(0, V, (B,), generator=gen)
        nxt = torch.randint(0, V, (B,), generator=gen)
        expected = torch.nn.functional.cross_entropy(emb[prev] @ emb.T, nxt).item()

        def judge(got, expected=expected, V=V, scale=scale):
            if isinstance(got, torch.Tensor) and got.numel() == 1:
                got = got.item()
            if not isinstance(got, int | float):
                return f"expected a float, got {type(got).__name__}"
            if not abs(got - expected) <= 1e-4 * max(1.0, abs(expected)):
                return f"for V={V} rows of scale {scale} expected {expected:.4f}, got {got:.4f}"
            return None

        cases.append(((emb, prev, nxt), judge))
    return _run("2.2 tied initial loss", tied_initial_loss, cases,
                "logits = emb[prev] @ emb.T has shape (B, V); the loss is the mean of "
                "-log_softmax(logits)[row, nxt[row]]")


def check_oov_mean_fill(fill_oov_with_mean: Callable) -> Verdict:
    """Exercise 2.3: ``fill_oov_with_mean(emb (V, d), found (V,) bool)`` -> (V, d)."""
    import torch

    gen = torch.Generator().manual_seed(4)
    cases = []
    for V, d, missing in [(6, 3, [1, 4]), (20, 5, list(range(0, 20, 3))), (4, 2, [])]:
        emb = torch.randn(V, d, generator=gen)
        found = torch.ones(V, dtype=torch.bool)
        found[missing] = False
        expected = emb.clone()
        expected[~found] = emb[found].mean(0)
        original = emb.clone()
        tensor_judge = _close_judge(expected, f"for {len(missing)} missing rows of {V}")

        def judge(got, original=original, emb=emb, tensor_judge=tensor_judge):
            if not torch.equal(emb, original):
                return "your function changed emb in place; work on emb.clone()"
            return tensor_judge(got)

        cases.append(((emb, found), judge))
    return _run("2.3 OOV mean fill", fill_oov_with_mean, cases,
                "out = emb.clone(); out[~found] = emb[found].mean(0)")


def check_most_moved(most_moved: Callable) -> Verdict:
    """Exercise 2.4: ``most_moved(before, after, words, k)`` -> k words, farthest first."""
    import torch

    before = torch.zeros(5, 2)
    after = torch.tensor([[0.0, 1], [3, 4], [0, 0], [-2, 0], [0.5, 0.5]])
    words = ["a", "b", "c", "d", "e"]
    gen = torch.Generator().manual_seed(8)
    big_before = torch.randn(50, 4, generator=gen)
    big_after = big_before + torch.randn(50, 4, generator=gen)
    big_words = [f"w{i}" for i in range(50)]
    cases = []
    for args in [(before, after, words, 2), (before, after, words, 5),
                 (big_before, big_after, big_words, 7)]:
        dist = (args[1] - args[0]).norm(dim=1)
        expected = [args[2][i] for i in dist.argsort(descending=True)[: args[3]].tolist()]

        def judge(got, expected=expected):
            if not isinstance(got, list) or not all(isinstance(w, str) for w in got):
                return f"expected a list of words, got {type(got).__name__}"
            if got != expected:
                return f"expected {expected}, got {got}"
            return None

        cases.append((args, judge))
    return _run("2.4 most moved", most_moved, cases,
                "distances = (after - before).norm(dim=1); take distances.topk(k).indices and "
                "look the words up")


# --------------------------------------------------------------------------- lesson 05
# Every lesson-05 checker draws fresh cases on each call (a new seed from the OS), never shows
# the expected value of a case it judged, and accepts numpy or torch answers in any float dtype.


def _l05_rng():
    import numpy as np

    return np.random.default_rng()


def _l05_source_uses(fn: Callable, names: tuple[str, ...]) -> str | None:
    """The first of ``names`` that appears in ``fn``'s source code, or None."""
    import inspect

    try:
        source = inspect.getsource(fn)
    except (OSError, TypeError):
        return None
    return next((name for name in names if name in source), None)


def _l05_number(got) -> float | None:
    """A real number from a Python, numpy or 0-d torch/numpy answer; None otherwise."""
    import numbers

    import numpy as np

    if hasattr(got, "detach"):
        got = got.detach().cpu().numpy()
    if isinstance(got, np.ndarray) and got.ndim == 0:
        got = got[()]
    if isinstance(got, bool | np.bool_) or not isinstance(got, numbers.Real):
        return None
    return float(got)


def check_sgns_gradients(sgns_gradients: Callable) -> Verdict:
    """Exercise 5.1: ``sgns_gradients(v (d,), u_pos (d,), u_neg (K, d))`` -> three gradients
    of the loss of one pair, derived by hand (no autograd)."""
    import numpy as np
    import torch
    import torch.nn.functional as F

    used = _l05_source_uses(sgns_gradients, ("autograd", "backward(", "requires_grad"))
    if used:
        return Verdict("5.1 SGNS gradients", False, f"your function uses `{used}`: derive the "
                       "gradients by hand, autograd is what they are checked against")

    def judge_for(v, u_pos, u_neg):
        leaves = [t.detach().double().clone().requires_grad_() for t in (v, u_pos, u_neg)]
        a, b, c = leaves
        loss = -F.logsigmoid(a @ b) - F.logsigmoid(-(c @ a)).sum()
        expected = [g.numpy() for g in torch.autograd.grad(loss, leaves)]
        d, k = len(v), len(u_neg)

        def judge(got):
            if not isinstance(got, tuple | list) or len(got) != 3:
                return "expected a tuple (grad_v, grad_u_pos, grad_u_neg)"
            for name, g, e in zip(("grad_v", "grad_u_pos", "grad_u_neg"), got, expected,
                                  strict=True):
                if hasattr(g, "detach"):
                    g = g.detach().cpu().numpy()
                if not isinstance(g, np.ndarray) or g.shape != e.shape:
                    shape = tuple(g.shape) if hasattr(g, "shape") else type(g).__name__
                    return f"{name} should have shape {e.shape}, got {shape}"
                if not np.allclose(g.astype(np.float64), e, rtol=1e-4, atol=1e-5):
                    return f"{name} is not the gradient of the loss for d={d}, K={k}"
            return None

        return judge

    rng = _l05_rng()
    cases = []
    for d, k, scale in [(int(rng.integers(2, 5)), 1, 1.0), (int(rng.integers(4, 9)),
                                                          int(rng.integers(2, 7)), 1.0),
                        (int(rng.integers(3, 7)), int(rng.integers(2, 5)), 4.0)]:
        dtype = torch.float32 if d % 2 else torch.float64
        args = tuple(torch.from_numpy(rng.normal(0, scale, size)).to(dtype)
                     for size in (d, d, (k, d)))
        cases.append((args, judge_for(*args)))
    return _run("5.1 SGNS gradients", sgns_gradients, cases,
                "write the loss as -log sigmoid(x) for the true pair plus -log sigmoid(-x) for "
                "each negative, with x a dot product; differentiate log sigmoid once, then use "
                "the chain rule: the derivative of v.u with respect to v is u, and to u is v")


def check_sgns_step(sgns_step: Callable) -> Verdict:
    """Exercise 5.2: ``sgns_step(w_in, w_out, inp, out, negatives, lr)`` updates both tables in
    place: one word2vec update for one pair, negatives equal to ``out`` skipped."""
    import numpy as np

    from course_utils.sgns import reference_sgns_step

    used = _l05_source_uses(sgns_step, ("reference_sgns_step", "sparse_sgd_step", "autograd",
                                        "backward("))
    if used:
        return Verdict("5.2 the word2vec update", False, f"your function uses `{used}`: write "
                       "the update yourself from the gradients of exercise 5.1")
    rng = _l05_rng()
    cases = []
    for case in range(4):
        V, d = int(rng.integers(6, 14)), int(rng.integers(3, 9))
        dtype = np.float64 if case == 1 else np.float32
        w_in = rng.normal(0, 0.5, (V, d)).astype(dtype)
        w_out = rng.normal(0, 0.5, (V, d)).astype(dtype)
        inp, out = (int(x) for x in rng.choice(V, 2, replace=False))
        others = [w for w in range(V) if w != out]
        negatives = [int(x) for x in rng.choice(others, int(rng.integers(2, 5)), replace=False)]
        if case >= 2:  # the edge word2vec handles: a negative that is the true word, skipped
            negatives.insert(int(rng.integers(0, len(negatives) + 1)), out)
        lr = float(rng.uniform(0.2, 0.8))
        exp_in, exp_out = w_in.astype(np.float64), w_out.astype(np.float64)
        reference_sgns_step(exp_in, exp_out, inp, out, negatives, lr)
        got_in, got_out = w_in.copy(), w_out.copy()
        k = len(negatives)

        def call(tables=(got_in, got_out), rest=(inp, out, negatives, lr)):
            return (*tables, *rest)

        def judge(result, got_in=got_in, got_out=got_out, exp_in=exp_in, exp_out=exp_out,
                  skip=case >= 2, k=k):
            if result is not None and not isinstance(result, tuple | list):
                return ("update w_in and w_out in place and return None, got "
                        f"{type(result).__name__}")
            if not np.allclose(got_out, exp_out, atol=1e-5):
                why = " (a negative equal to the true word must be skipped)" if skip else ""
                return f"w_out is not right after one step with {k} negatives{why}"
            if not np.allclose(got_in, exp_in, atol=1e-5):
                return f"w_in is not right after one step with {k} negatives"
            return None

        cases.append((call(), judge))
    return _run("5.2 the word2vec update", sgns_step, cases,
                "for each target (the true word with label 1, each negative that differs from "
                "it with label 0) the step is lr * (label - sigmoid(v.u)); u moves by that times "
                "v, and v moves by the sum over targets of that times u, using the values from "
                "before this step; change the rows in place")


def check_keep_probability(keep_probability: Callable) -> Verdict:
    """Exercise 5.3: ``keep_probability(count, total, sample=1e-3)`` -> float in (0, 1]."""
    import math

    rng = _l05_rng()
    cases = []
    total = int(rng.integers(200_000, 2_000_000))
    sample = float(rng.choice([1e-3, 1e-4, 5e-4]))
    t = sample * total
    # a very frequent word, one near the threshold, and a rare one (capped at 1)
    for count in [int(rng.uniform(50, 200) * t), int(rng.uniform(2, 6) * t),
                  max(1, int(rng.uniform(0.1, 0.9) * t))]:
        expected = min(1.0, (math.sqrt(count / t) + 1) * t / count)

        def judge(got, expected=expected, count=count):
            value = _l05_number(got)
            if value is None:
                return f"expected a number, got {type(got).__name__}"
            if not math.isclose(value, expected, rel_tol=1e-5):
                return f"for count={count:,}, total={total:,}, sample={sample} your answer is off"
            return None

        cases.append(((count, total, sample), judge))
    return _run("5.3 subsampling", keep_probability, cases,
                "word2vec's formula uses the threshold t = sample * total counts; a probability "
                "can never exceed 1")


def expected_pairs_reference(n: int, window: int) -> float:
    """Expected (context, centre) pairs of an n-word sentence with a window drawn in 1..window."""
    return sum(min(r, i) + min(r, n - 1 - i) for i in range(n) for r in range(1, window + 1)) \
        / window


def check_expected_pairs(expected_pairs: Callable) -> Verdict:
    """Exercise 5.4: ``expected_pairs(n, window)`` -> the expected number of (context, centre)
    pairs word2vec's dynamic window makes from one sentence of ``n`` words."""
    import math

    rng = _l05_rng()
    cases = []
    window = int(rng.integers(3, 8))
    for n in [1, 2, int(rng.integers(3, window + 1)), int(rng.integers(20, 200))]:
        expected = expected_pairs_reference(n, window)

        def judge(got, expected=expected, n=n):
            value = _l05_number(got)
            if value is None:
                return f"expected a number, got {type(got).__name__}"
            if not math.isclose(value, expected, rel_tol=1e-6, abs_tol=1e-9):
                edge = " (words near the ends have fewer neighbours)" if n <= window else ""
                return f"for n={n}, window={window} your answer is off{edge}"
            return None

        cases.append(((n, window), judge))
    return _run("5.4 pairs per sentence", expected_pairs, cases,
                "average over the window sizes r = 1..window, each equally likely; word i has "
                "min(r, i) neighbours on its left and as many on its right as the sentence has")


def check_adaptive_input_params(adaptive_input_params: Callable) -> Verdict:
    """Exercise 5.5: ``adaptive_input_params(cutoffs, dims, d_model)`` -> int, by arithmetic."""
    import numbers

    used = _l05_source_uses(adaptive_input_params, ("nn.", "Embedding(", "Linear(",
                                                    "parameters("))
    if used:
        return Verdict("5.5 adaptive input parameters", False, f"your function uses `{used}`: "
                       "count with arithmetic, without building a model")

    def reference(cutoffs, dims, d_model):
        total, lo = 0, 0
        for hi, d in zip(cutoffs, dims, strict=True):
            total += (hi - lo) * d + (d * d_model if d != d_model else 0)
            lo = hi
        return total

    rng = _l05_rng()
    cases = []
    d_model = int(rng.choice([16, 32, 64]))
    first = int(rng.integers(50, 500))
    for cutoffs, dims in [([first], [d_model]),
                          ([first, first + int(rng.integers(100, 900))], [d_model, d_model // 4]),
                          ([first, 2 * first, 5 * first], [d_model, d_model // 2, d_model // 8]),
                          ([first, 3 * first], [d_model // 2, d_model // 2])]:
        expected = reference(cutoffs, dims, d_model)

        def judge(got, expected=expected, cutoffs=cutoffs, dims=dims):
            if isinstance(got, bool) or not isinstance(got, numbers.Integral) \
                    or int(got) != expected:
                return f"for cutoffs={cutoffs}, dims={dims}, d_model={d_model} your count is off"
            return None

        cases.append(((cutoffs, dims, d_model), judge))
    return _run("5.5 adaptive input parameters", adaptive_input_params, cases,
                "per band: rows times width for its table, plus a projection from its width to "
                "d_model unless the two are equal; a band starts where the previous one ended")


# --------------------------------------------------------------------------- lesson 06


def _tied_scores(rng, n: int):
    """Scores with many ties (a few distinct values) and at least two distinct values."""
    while True:
        x = rng.integers(0, rng.integers(2, 6), size=n).astype(float) * rng.uniform(0.5, 3)
        if len(set(x.tolist())) > 1:
            return x


def check_spearman(spearman_rho: Callable) -> Verdict:
    """Exercise 6.1: ``spearman_rho(x, y)`` -> Spearman's rank correlation (ties averaged),
    without scipy.stats' rankdata or spearmanr and without pandas' rank."""
    import numpy as np
    from scipy.stats import spearmanr

    used = _forbidden_use(spearman_rho, {"scipy.stats.spearmanr": "scipy.stats.spearmanr",
                                         "scipy.stats.rankdata": "scipy.stats.rankdata",
                                         "pandas.Series.rank": "pandas' rank"})
    if used:
        return Verdict("6.1 Spearman", False, f"the exercise asks you not to use {used}: rank "
                       "the values yourself, giving tied values the mean of their positions")
    rng = _fresh_rng()
    cases = []
    for n, kind in [(5, "plain"), (int(rng.integers(8, 20)), "ties"),
                    (int(rng.integers(30, 80)), "ties"), (int(rng.integers(20, 60)), "plain")]:
        x = _tied_scores(rng, n) if kind == "ties" else rng.standard_normal(n)
        y = _tied_scores(rng, n) if rng.random() < 0.5 else x + rng.standard_normal(n)
        as_list = rng.random() < 0.5
        args = (x.tolist(), y.tolist()) if as_list else (x, y.astype(np.float32))
        expected = float(spearmanr(x, np.asarray(args[1], dtype=np.float64)).statistic)
        kind = "ties" if len(set(x.tolist())) < n or len(set(y.tolist())) < n else "plain"

        def judge(got, expected=expected, n=n, kind=kind):
            value = _scalar(got)
            if value is None:
                return f"expected a number, got {type(got).__name__}"
            if not abs(value - expected) <= 1e-6:  # NaN fails too
                tied = " with tied values" if kind == "ties" else ""
                return f"for two lists of {n} values{tied} the result differs from Spearman's rho"
            return None

        cases.append((args, judge))
    return _run("6.1 Spearman", spearman_rho, cases,
                "rank each list from 1 to n by sorting; where several values are equal, give "
                "each of them the mean of the positions they occupy; then take Pearson's "
                "correlation of the two rank vectors")


def check_purity(purity: Callable) -> Verdict:
    """Exercise 6.2: ``purity(labels_true, labels_pred)`` -> share of items in their
    cluster's majority class."""
    from collections import Counter

    import numpy as np

    def reference(t, p):
        by_cluster: dict = {}
        for ti, pi in zip(t, p, strict=True):
            by_cluster.setdefault(pi, Counter())[ti] += 1
        return sum(c.most_common(1)[0][1] for c in by_cluster.values()) / len(t)

    rng = _fresh_rng()
    names = np.array(["noun", "verb", "city", "name", "colour"])
    cases = []
    for n, k_true, k_pred in [(int(rng.integers(6, 12)), 2, 1),
                              (int(rng.integers(20, 40)), 3, int(rng.integers(2, 6))),
                              (int(rng.integers(40, 90)), 5, int(rng.integers(3, 8))),
                              (int(rng.integers(10, 30)), 4, 4)]:
        t = rng.integers(0, k_true, n)
        p = rng.choice(rng.choice(100, size=k_pred, replace=False), n)  # ids need not be 0..k-1
        t_arg = names[t].tolist() if rng.random() < 0.5 else t
        p_arg = p.tolist() if rng.random() < 0.5 else p
        expected, k = reference(t.tolist(), p.tolist()), len(set(p.tolist()))

        def judge(got, expected=expected, n=n, k=k):
            value = _scalar(got)
            if value is None:
                return f"expected a number, got {type(got).__name__}"
            if not abs(value - expected) <= 1e-6:
                return f"for {n} items in {k} clusters the purity differs from the reference"
            return None

        cases.append(((t_arg, p_arg), judge))
    return _run("6.2 purity", purity, cases,
                "group the items by predicted cluster; in each group count how many carry its "
                "most frequent true label; add these counts over all groups and divide by the "
                "number of items (big clusters weigh more)")


def check_mean_vector(mean_vector: Callable) -> Verdict:
    """Exercise 6.3: ``mean_vector(kv, tokens)`` -> mean of the known words' vectors (d,),
    zeros of length ``kv.vector_size`` when no word is known."""
    import numpy as np
    from gensim.models import KeyedVectors

    rng = _fresh_rng()
    cases = []
    for dim in (int(rng.integers(2, 6)), int(rng.integers(7, 40))):
        words = [f"w{i}" for i in rng.choice(1000, size=12, replace=False)]
        kv = KeyedVectors(dim)
        kv.add_vectors(words, rng.standard_normal((12, dim)).astype(np.float32))
        unknown = ["zzz", "qqq", "xyzzy"]
        w = [str(t) for t in rng.choice(words, 4)]
        for tokens in [[w[0], w[1]], [w[0], w[0], w[2]], [unknown[0], w[1], unknown[1], w[3]],
                       unknown[:2], []]:
            known = [kv[t] for t in tokens if t in kv.key_to_index]
            expected = np.mean(np.array(known, dtype=np.float64), axis=0) if known \
                else np.zeros(dim)
            what = "no known token" if not known else f"{len(tokens)} tokens"

            def judge(got, expected=expected, what=what, dim=dim):
                if hasattr(got, "detach"):
                    got = got.detach().cpu().numpy()
                arr = np.asarray(got, dtype=np.float64)
                if arr.shape != (dim,):
                    return f"with {what} and {dim}-d vectors expected shape ({dim},), got " \
                           f"{arr.shape}"
                if not np.allclose(arr, expected, atol=1e-5):
                    return f"with {what} and {dim}-d vectors the values differ from the mean " \
                           "of the known tokens' vectors"
                return None

            cases.append(((kv, list(tokens)), judge))
    return _run("6.3 mean vector", mean_vector, cases,
                "keep the tokens the vocabulary knows, repeats included, and average their "
                "vectors; when none is left, the zero vector must still have the embedding's "
                "own length (kv.vector_size)")


def check_paired_bootstrap(paired_bootstrap: Callable) -> Verdict:
    """Exercise 6.4: ``paired_bootstrap(gold, sims_a, sims_b, n_boot, seed)`` ->
    ``(diff, low, high)``: rho(gold, a) - rho(gold, b) and its 95% paired percentile interval."""
    import numpy as np

    from course_utils.evaluate import paired_bootstrap as reference

    used = _forbidden_use(paired_bootstrap, {"scipy.stats.bootstrap": "scipy.stats.bootstrap",
                                             "course_utils.evaluate.paired_bootstrap":
                                             "course_utils.evaluate.paired_bootstrap"})
    if used:
        return Verdict("6.4 paired bootstrap", False,
                       "the exercise asks you to write the resampling yourself, not to call "
                       f"{used}")
    rng = _fresh_rng()
    cases = []
    for n, noise in [(int(rng.integers(60, 120)), 0.3), (int(rng.integers(150, 250)), 0.1)]:
        gold = rng.standard_normal(n)
        a = gold + rng.standard_normal(n)
        b = a + noise * rng.standard_normal(n)  # b shares a's errors: the pairing matters
        if rng.random() < 0.5:
            a, b = b, a
        ref = reference(gold, a, b, n_boot=8000, seed=int(rng.integers(1 << 30)))
        width = ref.ci_high - ref.ci_low
        args = (gold.tolist(), a.astype(np.float32), b, 4000, int(rng.integers(1 << 30)))

        def judge(got, ref=ref, width=width, n=n):
            try:
                diff, low, high = (_scalar(v) for v in got)
            except (TypeError, ValueError):
                return "expected a tuple (diff, low, high) of three numbers"
            if None in (diff, low, high):
                return "expected a tuple (diff, low, high) of three numbers"
            if not abs(diff - ref.diff) <= 1e-5:
                return f"for {n} pairs, diff is not rho(gold, a) - rho(gold, b) on all pairs"
            if not 0.9 * width <= high - low <= 1.1 * width:
                wrong = "too wide" if high - low > width else "too narrow"
                return f"for {n} pairs the interval is {wrong} for a 95% paired interval"
            off = max(abs(low - ref.ci_low), abs(high - ref.ci_high))
            if not off <= 0.15 * width:
                return f"for {n} pairs the interval sits in the wrong place"
            return None

        cases.append((args, judge))
    return _run("6.4 paired bootstrap", paired_bootstrap, cases,
                "in each of the n_boot rounds draw ONE set of n pair indices with replacement "
                "and compute both correlations on it; the interval is the 2.5th and 97.5th "
                "percentile of the n_boot differences")


# --------------------------------------------------------------------------- lesson 04


def check_cosine_matrix(cosine_matrix: Callable) -> Verdict:
    """Exercise 4.1: ``cosine_matrix(a (n, d), b (m, d))`` -> numpy ``(n, m)`` cosines,
    without a library's cosine function."""
    import numpy as np

    used = _forbidden_use(cosine_matrix, {
        "course_utils.geometry.cosine_similarity": "course_utils' cosine_similarity",
        "sklearn.metrics.pairwise.cosine_similarity": "sklearn's cosine_similarity",
        "torch.nn.functional.cosine_similarity": "torch's cosine_similarity",
        "scipy.spatial.distance.cdist": "scipy's cdist"})
    if used:
        return Verdict("4.1 cosine matrix", False, f"the exercise asks you to build it, not to "
                       f"call {used}")
    rng = _fresh_rng()
    cases = []
    for n, m, d in [(1, int(rng.integers(2, 7)), 3), (int(rng.integers(2, 9)), 1, 5),
                    (int(rng.integers(3, 12)), int(rng.integers(3, 12)), int(rng.integers(2, 30)))]:
        # rows of very different lengths: only a real normalization gets cosines right
        a = rng.standard_normal((n, d)) * rng.uniform(0.01, 100, size=(n, 1))
        b = rng.standard_normal((m, d)) * rng.uniform(0.01, 100, size=(m, 1))
        expected = (a / np.linalg.norm(a, axis=1, keepdims=True)) @ \
            (b / np.linalg.norm(b, axis=1, keepdims=True)).T
        if rng.random() < 0.5:
            a, b = a.astype(np.float32), b.astype(np.float32)
        cases.append(((a, b), _close_judge(expected, f"a {a.shape}, b {b.shape}", atol=1e-5,
                                           want="array")))
    return _run("4.1 cosine matrix", cosine_matrix, cases,
                "a cosine is a dot product of unit vectors: scale every row of both inputs to "
                "length 1, then all n x m dot products are one matrix product with the second "
                "input transposed")


def _bisector_question(rng, emb) -> None:
    """Rewrite rows 0-2 so that a (row 0) lies between b and c at about 35 degrees: then
    b - a + c points closer to a than to any other word, and only excluding a avoids it."""
    import numpy as np

    d = emb.shape[1]
    q, _ = np.linalg.qr(rng.standard_normal((d, 2)))
    half = np.deg2rad(rng.uniform(25, 45))
    a = q[:, 0]
    b = np.cos(half) * q[:, 0] + np.sin(half) * q[:, 1]
    c = np.cos(half) * q[:, 0] - np.sin(half) * q[:, 1]
    for row, v in enumerate((a, b, c)):
        emb[row] = v * rng.uniform(0.5, 3)  # lengths differ; directions are what count


def check_analogy(analogy: Callable) -> Verdict:
    """Exercise 4.2: ``analogy(emb (V, d), words, a, b, c)`` -> the best word, all three
    inputs excluded."""
    import numpy as np

    used = _forbidden_use(analogy, {
        "course_utils.geometry.solve_analogy": "course_utils' solve_analogy",
        "course_utils.geometry.analogy_scores": "course_utils' analogy_scores",
        "gensim.models.KeyedVectors.most_similar": "gensim's most_similar"})
    if used:
        return Verdict("4.2 analogy", False, f"the exercise asks you to build it, not to call "
                       f"{used}")
    rng = _fresh_rng()
    cases = []
    for V, d, n_questions in [(int(rng.integers(30, 60)), 4, 8),
                              (int(rng.integers(60, 150)), int(rng.integers(5, 20)), 8)]:
        emb = rng.standard_normal((V, d)) * rng.uniform(0.3, 3, size=(V, 1))  # norms differ
        _bisector_question(rng, emb)
        words = [f"w{i}" for i in rng.permutation(V)]
        unit = emb / np.linalg.norm(emb, axis=1, keepdims=True)
        questions = [(0, 1, 2)] + [tuple(rng.choice(V, 3, replace=False))
                                   for _ in range(n_questions)]
        matrix = emb.astype(np.float32) if d > 4 else emb
        for ia, ib, ic in questions:
            scores = unit @ (unit[ib] - unit[ia] + unit[ic])
            scores[[ia, ib, ic]] = -np.inf
            q = (words[ia], words[ib], words[ic])

            best = float(scores.max())

            def judge(got, scores=scores, q=q, best=best, words=words):
                if not isinstance(got, str):
                    return f"expected a word (a string), got {type(got).__name__}"
                if got in q:
                    return f"for a, b, c = {q} you returned the input word {got!r}; all three " \
                           "inputs must be excluded"
                if got not in words:
                    return f"{got!r} is not one of the words"
                if scores[words.index(got)] < best - 1e-5:  # near-ties count as right
                    return f"for a, b, c = {q} a word with a higher cosine to b - a + c exists"
                return None

            cases.append(((matrix, list(words), *q), judge))
    return _run("4.2 analogy", analogy, cases,
                "scale every row to length 1 first (lengths must not count); score every word "
                "against the unit b minus unit a plus unit c; make the scores of a, b and c "
                "impossible to win before you take the best one")


def check_all_but_the_top(remove_top_directions: Callable) -> Verdict:
    """Exercise 4.3: ``remove_top_directions(emb (n, d), n_components)`` -> ``(n, d)``."""
    import numpy as np

    used = _forbidden_use(remove_top_directions, {
        "course_utils.geometry.all_but_the_top": "course_utils' all_but_the_top"})
    if used:
        return Verdict("4.3 all-but-the-top", False, f"the exercise asks you to build it, not "
                       f"to call {used}")
    rng = _fresh_rng()
    cases = []
    for n, d, k in [(int(rng.integers(30, 80)), 6, 1), (int(rng.integers(80, 200)), 10, 0),
                    (int(rng.integers(50, 150)), int(rng.integers(8, 16)),
                     int(rng.integers(2, 5)))]:
        scales = np.sort(rng.uniform(0.5, 1.0, d))[::-1] * 1.6 ** -np.arange(d) * 8  # distinct
        emb = rng.standard_normal((n, d)) * scales + rng.uniform(1, 4, d)  # a common offset
        centered = emb - emb.mean(0)
        _, _, vh = np.linalg.svd(centered, full_matrices=False)
        expected = centered - (centered @ vh[:k].T) @ vh[:k]
        arg = emb.astype(np.float32) if k > 1 else emb
        cases.append(((arg, k), _close_judge(expected, f"for {n} rows of {d} dims, "
                                                        f"n_components={k}",
                                             atol=1e-4 if arg.dtype == np.float32 else 1e-6,
                                             want="array")))
    return _run("4.3 all-but-the-top", remove_top_directions, cases,
                "first subtract the mean row; the top directions are the first right singular "
                "vectors of the centred matrix; subtract each row's projection on them (with "
                "n_components = 0 only the mean goes)")


def check_mean_pair_cosine(mean_pair_cosine: Callable) -> Verdict:
    """Exercise 4.4: ``mean_pair_cosine(x (n, d))`` -> mean cosine over all pairs i < j."""
    import numpy as np

    used = _forbidden_use(mean_pair_cosine, {
        "course_utils.geometry.mean_cosine": "course_utils' mean_cosine (it samples pairs)"})
    if used:
        return Verdict("4.4 mean pair cosine", False, f"the exercise asks for every pair "
                       f"exactly, not {used}")
    rng = _fresh_rng()
    cases = []
    for n, d, offset in [(2, 3, 0.0), (int(rng.integers(5, 15)), 4, 2.0),
                         (int(rng.integers(20, 80)), int(rng.integers(5, 40)), 0.5)]:
        x = (rng.standard_normal((n, d)) + offset) * rng.uniform(0.1, 10, size=(n, 1))
        if n > 3:
            x[1] = 3 * x[0]  # the same direction twice: that pair counts with cosine 1
        unit = x / np.linalg.norm(x, axis=1, keepdims=True)
        cos = unit @ unit.T
        expected = float(cos[np.triu_indices(n, 1)].mean())
        arg = x.astype(np.float32) if d > 4 else x

        def judge(got, expected=expected, n=n):
            value = _scalar(got)
            if value is None:
                return f"expected a number, got {type(got).__name__}"
            if not abs(value - expected) <= 1e-5:
                return f"for {n} vectors the mean over the {n * (n - 1) // 2} pairs i < j " \
                       "differs from yours"
            return None

        cases.append(((arg,), judge))
    return _run("4.4 mean pair cosine", mean_pair_cosine, cases,
                "compute all cosines at once as in 4.1, then average only the entries above "
                "the diagonal: a vector's cosine with itself is not a pair")
