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
            if not isinstance(got, int | float) or abs(got - expected) > 1e-6 * max(1, expected):
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
            if not isinstance(got, int | float) or abs(got - expected) > 1e-9:
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


# --------------------------------------------------------------------------- lesson 05


def check_sgns_gradients(sgns_gradients: Callable) -> Verdict:
    """Exercise 5.1: ``sgns_gradients(v (d,), u_pos (d,), u_neg (K, d))`` -> three gradients."""
    import torch
    import torch.nn.functional as F

    def judge_for(v, u_pos, u_neg):
        leaves = [t.clone().requires_grad_() for t in (v, u_pos, u_neg)]
        a, b, c = leaves
        loss = -F.logsigmoid(a @ b) - F.logsigmoid(-(c @ a)).sum()
        expected = torch.autograd.grad(loss, leaves)

        def judge(got):
            if not isinstance(got, tuple | list) or len(got) != 3:
                return "expected a tuple (grad_v, grad_u_pos, grad_u_neg)"
            for name, g, e in zip(("grad_v", "grad_u_pos", "grad_u_neg"), got, expected,
                                  strict=True):
                if not isinstance(g, torch.Tensor) or tuple(g.shape) != tuple(e.shape):
                    shape = tuple(g.shape) if hasattr(g, "shape") else type(g).__name__
                    return f"{name} should have shape {tuple(e.shape)}, got {shape}"
                if not torch.allclose(g.detach().float(), e, atol=1e-5):
                    return f"{name} differs from autograd's for d={len(v)}, K={len(u_neg)}"
            return None

        return judge

    gen = torch.Generator().manual_seed(5)
    cases = []
    for d, k in [(3, 1), (4, 2), (8, 5)]:
        args = (torch.randn(d, generator=gen), torch.randn(d, generator=gen),
                torch.randn(k, d, generator=gen))
        cases.append((args, judge_for(*args)))
    return _run("5.1 SGNS gradients", sgns_gradients, cases,
                "with g_pos = sigmoid(v.u_pos) - 1 and g_neg = sigmoid(u_neg @ v): grad_v = "
                "g_pos * u_pos + g_neg @ u_neg; grad_u_pos = g_pos * v; "
                "grad_u_neg = g_neg[:, None] * v")


def check_keep_probability(keep_probability: Callable) -> Verdict:
    """Exercise 5.2: ``keep_probability(count, total, sample=1e-3)`` -> float in (0, 1]."""
    import math

    cases = []
    for count, total, sample in [(10_000, 100_000, 1e-3), (500, 1_000_000, 1e-3),
                                 (3, 1_000_000, 1e-3), (20_000, 450_000, 1e-4)]:
        t = sample * total
        expected = min(1.0, (math.sqrt(count / t) + 1) * t / count)

        def judge(got, expected=expected, count=count, total=total, sample=sample):
            if not isinstance(got, int | float) or abs(float(got) - expected) > 1e-9:
                return (f"for count={count}, total={total}, sample={sample} expected "
                        f"{expected:.6f}, got {got!r}")
            return None

        cases.append(((count, total, sample), judge))
    return _run("5.2 subsampling", keep_probability, cases,
                "t = sample * total; (sqrt(count / t) + 1) * t / count, then min(1.0, ...)")


def check_adaptive_input_params(adaptive_input_params: Callable) -> Verdict:
    """Exercise 5.3: ``adaptive_input_params(cutoffs, dims, d_model)`` -> int."""

    def reference(cutoffs, dims, d_model):
        total, lo = 0, 0
        for hi, d in zip(cutoffs, dims, strict=True):
            total += (hi - lo) * d + (d * d_model if d != d_model else 0)
            lo = hi
        return total

    cases = []
    for args in [([1001], [32], 32), ([200, 1001], [32, 8], 32),
                 ([20_000, 60_000, 267_735], [1024, 256, 64], 1024), ([10, 20], [16, 16], 32)]:
        expected = reference(*args)

        def judge(got, expected=expected, args=args):
            if not isinstance(got, int) or isinstance(got, bool) or got != expected:
                return f"for cutoffs={args[0]}, dims={args[1]}, d_model={args[2]} expected " \
                       f"{expected:,}, got {got!r}"
            return None

        cases.append((args, judge))
    return _run("5.3 adaptive input parameters", adaptive_input_params, cases,
                "per band: (hi - lo) * dim for its table, plus dim * d_model for its projection "
                "unless dim == d_model")
