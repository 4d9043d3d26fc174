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


# --------------------------------------------------------------------------- lesson 06


def check_spearman(spearman_rho: Callable) -> Verdict:
    """Exercise 6.1: ``spearman_rho(x, y)`` -> Spearman's rank correlation (ties averaged)."""
    import numpy as np
    from scipy.stats import spearmanr

    rng = np.random.default_rng(6)
    cases = []
    for x, y in [([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]), ([1, 2, 3], [3, 2, 1]),
                 ([1.0, 2.0, 2.0, 3.5, 9.0, 9.0], [0.1, 0.4, 0.2, 0.9, 0.5, 0.5]),
                 (rng.standard_normal(50).tolist(), rng.standard_normal(50).tolist())]:
        expected = float(spearmanr(x, y).statistic)

        def judge(got, expected=expected, x=x):
            if not isinstance(got, int | float | np.floating):
                return f"expected a float, got {type(got).__name__}"
            if abs(float(got) - expected) > 1e-9:
                return f"for x={np.round(x, 2).tolist()[:6]}... expected {expected:.4f}, " \
                       f"got {float(got):.4f}"
            return None

        cases.append(((x, y), judge))
    return _run("6.1 Spearman", spearman_rho, cases,
                "rank each list with scipy.stats.rankdata (ties get their average rank), then "
                "take the Pearson correlation of the two rank vectors")


def check_purity(purity: Callable) -> Verdict:
    """Exercise 6.2: ``purity(labels_true, labels_pred)`` -> share of words in their
    cluster's majority class."""
    cases = []
    for t, p, expected in [([0, 0, 1, 1], [1, 1, 0, 0], 1.0), ([0, 0, 1, 1], [0, 0, 0, 0], 0.5),
                           (["a", "a", "b", "b", "b", "c"], [0, 1, 1, 1, 0, 2], 4 / 6),
                           ([0, 1, 2, 0, 1, 2], [0, 0, 0, 0, 0, 1], 3 / 6)]:
        def judge(got, expected=expected, t=t, p=p):
            if not isinstance(got, int | float) or abs(got - expected) > 1e-9:
                return f"for true {t} and clusters {p} expected {expected:.4f}, got {got!r}"
            return None

        cases.append(((t, p), judge))
    return _run("6.2 purity", purity, cases,
                "for each cluster count its most common true label (Counter.most_common(1)); "
                "add those counts and divide by the number of words")


def check_mean_vector(mean_vector: Callable) -> Verdict:
    """Exercise 6.3: ``mean_vector(kv, tokens)`` -> mean of the known words' vectors (d,),
    zeros when no word is known."""
    import numpy as np
    from gensim.models import KeyedVectors

    kv = KeyedVectors(3)
    kv.add_vectors(["good", "bad", "film"], np.array([[1, 0, 0], [0, 1, 0], [0, 0, 4]],
                                                     dtype=np.float32))
    cases = []
    for tokens, expected in [(["good", "film"], [0.5, 0, 2]), (["good", "good", "bad"],
                                                               [2 / 3, 1 / 3, 0]),
                             (["a", "good", "unknown", "film"], [0.5, 0, 2]),
                             (["nothing", "known"], [0, 0, 0]), ([], [0, 0, 0])]:
        def judge(got, expected=expected, tokens=tokens):
            arr = np.asarray(got, dtype=float)
            if arr.shape != (3,):
                return f"for {tokens} expected a vector of shape (3,), got shape {arr.shape}"
            if not np.allclose(arr, expected, atol=1e-6):
                return f"for {tokens} expected {np.round(expected, 3).tolist()}, " \
                       f"got {np.round(arr, 3).tolist()}"
            return None

        cases.append(((kv, tokens), judge))
    return _run("6.3 mean vector", mean_vector, cases,
                "keep the tokens with `t in kv.key_to_index` (repeats count), average their "
                "kv[t]; with none left return np.zeros(kv.vector_size)")
