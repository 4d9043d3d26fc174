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


# --------------------------------------------------------------------------- lesson 04


def _array_judge(expected, what: str, atol: float = 1e-5):
    import numpy as np

    def judge(got):
        if hasattr(got, "detach"):
            got = got.detach().cpu().numpy()
        if not isinstance(got, np.ndarray):
            return f"expected a numpy array, got {type(got).__name__}"
        if got.shape != expected.shape:
            return f"{what}: expected shape {expected.shape}, got {got.shape}"
        if not np.allclose(got, expected, atol=atol):
            worst = float(np.abs(got - expected).max())
            return f"{what}: values differ from the reference (largest gap {worst:.3g})"
        return None

    return judge


def check_cosine_matrix(cosine_matrix: Callable) -> Verdict:
    """Exercise 4.1: ``cosine_matrix(a (n, d), b (m, d))`` -> numpy ``(n, m)`` cosines."""
    import numpy as np

    from course_utils.geometry import cosine_similarity

    rng = np.random.default_rng(41)
    cases = []
    for n, m, d, scale in [(3, 4, 5, 1.0), (1, 6, 3, 100.0), (7, 2, 10, 0.01)]:
        a = rng.standard_normal((n, d)) * scale
        b = rng.standard_normal((m, d)) * rng.uniform(0.1, 10, size=(m, 1))
        cases.append(((a, b), _array_judge(cosine_similarity(a, b), f"a {a.shape}, b {b.shape}")))
    return _run("4.1 cosine matrix", cosine_matrix, cases,
                "divide each row by its norm (np.linalg.norm(..., axis=1, keepdims=True)), "
                "then one matrix product a_unit @ b_unit.T")


def check_analogy(analogy: Callable) -> Verdict:
    """Exercise 4.2: ``analogy(emb (V, d), words, a, b, c)`` -> the best word, inputs excluded."""
    import numpy as np

    from course_utils.geometry import solve_analogy

    rng = np.random.default_rng(42)
    emb = rng.standard_normal((40, 4)) * rng.uniform(0.5, 3, size=(40, 1))  # norms differ
    words = [f"w{i}" for i in range(40)]
    unit = emb / np.linalg.norm(emb, axis=1, keepdims=True)
    cases = []
    for a, b, c in rng.choice(40, size=(30, 3)):
        if len({a, b, c}) < 3:
            continue
        wa, wb, wc = words[a], words[b], words[c]
        expected = solve_analogy((emb, words), wa, wb, wc)[0][0]
        naive = words[int(np.argmax(unit @ (unit[b] - unit[a] + unit[c])))]

        def judge(got, expected=expected, naive=naive, q=(wa, wb, wc)):
            if got == expected:
                return None
            if got == naive and naive in q:
                return f"for {q} you returned the input word {got!r}"
            return f"for a, b, c = {q} expected {expected!r}, got {got!r}"

        cases.append(((emb, words, wa, wb, wc), judge))
    return _run("4.2 analogy", analogy, cases,
                "normalize rows, score every word against b - a + c (unit vectors), set the "
                "three input words to -inf, take the argmax")


def check_all_but_the_top(remove_top_directions: Callable) -> Verdict:
    """Exercise 4.3: ``remove_top_directions(emb (n, d), n_components)`` -> ``(n, d)``."""
    import numpy as np

    from course_utils.geometry import all_but_the_top

    rng = np.random.default_rng(43)
    emb = rng.standard_normal((120, 8)) * np.array([6, 4, 2, 1, 1, 1, 1, 1]) + 2.0
    cases = [((emb, n), _array_judge(all_but_the_top(emb, n), f"n_components={n}", 1e-6))
             for n in (1, 3, 0)]
    return _run("4.3 all-but-the-top", remove_top_directions, cases,
                "subtract the mean row; the top directions are the first rows of vh in "
                "np.linalg.svd(centered, full_matrices=False); subtract (centered @ U.T) @ U")
