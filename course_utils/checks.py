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
            if not isinstance(got, int | float) or not abs(float(got) - expected) <= 1e-9:
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
            if not abs(float(got) - expected) <= 1e-9:  # NaN fails too
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
            if not isinstance(got, int | float) or not abs(got - expected) <= 1e-9:
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


# --------------------------------------------------------------------------- lesson 04


def check_cosine_matrix(cosine_matrix: Callable) -> Verdict:
    """Exercise 4.1: ``cosine_matrix(a (n, d), b (m, d))`` -> numpy ``(n, m)`` cosines."""
    import numpy as np

    from course_utils.geometry import cosine_similarity

    rng = np.random.default_rng(41)
    cases = []
    for n, m, d, scale in [(3, 4, 5, 1.0), (1, 6, 3, 100.0), (7, 2, 10, 0.01)]:
        a = rng.standard_normal((n, d)) * scale
        b = rng.standard_normal((m, d)) * rng.uniform(0.1, 10, size=(m, 1))
        cases.append(((a, b), _close_judge(cosine_similarity(a, b), f"a {a.shape}, b {b.shape}",
                                                 want="array")))
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
    cases = [((emb, n), _close_judge(all_but_the_top(emb, n), f"n_components={n}", 1e-6,
                                         want="array"))
             for n in (1, 3, 0)]
    return _run("4.3 all-but-the-top", remove_top_directions, cases,
                "subtract the mean row; the top directions are the first rows of vh in "
                "np.linalg.svd(centered, full_matrices=False); subtract (centered @ U.T) @ U")


# --------------------------------------------------------------------------- lesson 07


def _as_float64(got):
    """A learner's array answer (torch or numpy, any float dtype) as float64 numpy."""
    import numpy as np
    import torch

    if isinstance(got, torch.Tensor):
        got = got.detach().cpu().double().numpy()
    return np.asarray(got, dtype=np.float64)


def check_unembed(unembed: Callable) -> Verdict:
    """Exercise 7.1: ``unembed(h (T, d), wte (V, d), gain (d,), bias (d,))`` -> log-probs.

    The tied head read by hand: final LayerNorm (eps 1e-5), product with the token table,
    log-softmax over the vocabulary. Inputs are fresh on every call.
    """
    import numpy as np
    import torch
    import torch.nn.functional as F

    rng = np.random.default_rng()
    cases = []
    for T, d, V, dtype in [(1, 8, 20, torch.float32), (5, 16, 50, torch.float64),
                           (3, 4, 7, torch.float32)]:
        h = torch.tensor(rng.standard_normal((T, d)) * rng.uniform(2, 20) + rng.uniform(-3, 3),
                         dtype=dtype)
        wte = torch.tensor(rng.standard_normal((V, d)), dtype=dtype)
        gain = torch.tensor(rng.uniform(0.5, 2.0, d), dtype=dtype)
        bias = torch.tensor(rng.standard_normal(d) * 0.5, dtype=dtype)
        expected = F.log_softmax(F.layer_norm(h.double(), (d,), gain.double(), bias.double(),
                                              eps=1e-5) @ wte.double().T, dim=-1).numpy()

        def judge(got, expected=expected, shape=(T, V)):
            arr = _as_float64(got)
            if arr.shape != shape:
                return f"for h of shape ({shape[0]}, d) and a table of {shape[1]} rows expected " \
                       f"shape {shape}, got {arr.shape}"
            if np.all(arr >= 0) and np.allclose(arr.sum(-1), 1, atol=1e-3):
                return "each row sums to 1: those are probabilities, the exercise asks for " \
                       "log-probabilities"
            if not np.all(np.isfinite(arr)):
                return "the answer holds NaN or inf"
            if not np.allclose(arr, expected, atol=2e-4):
                return f"values differ for a case with shape {shape} (largest gap " \
                       f"{np.abs(arr - expected).max():.3f})"
            return None

        cases.append(((h, wte, gain, bias), judge))
    return _run("7.1 tied unembedding", unembed, cases,
                "normalize each row of h over its d features (mean 0, variance 1, eps 1e-5 "
                "inside the square root), scale by gain and add bias, multiply by the table "
                "transposed, then log_softmax over the last axis")


def check_param_count(param_count: Callable) -> Verdict:
    """Exercise 7.2: ``param_count(vocab_size, block_size, n_layer, n_embd, tied)`` -> int.

    Judged against ``GPT(GPTConfig(...)).num_params()`` on fresh sizes, tied and untied.
    """
    import numpy as np

    from course_utils.gpt import GPT, GPTConfig

    rng = np.random.default_rng()
    cases = []
    for tied in (True, False, True, False):
        V, T, L, d = (int(rng.integers(10, 300)), int(rng.integers(2, 40)),
                      int(rng.integers(1, 4)), int(rng.integers(1, 12)) * 2)
        expected = GPT(GPTConfig(vocab_size=V, block_size=T, n_layer=L, n_head=1, n_embd=d,
                                 tie_weights=tied)).num_params()

        def judge(got, expected=expected, q=(V, T, L, d, tied)):
            try:
                value = float(got)
            except (TypeError, ValueError):
                return f"expected a number of parameters, got {type(got).__name__}"
            if value != value or value in (float("inf"), float("-inf")):
                return f"expected a whole number of parameters, got {got!r}"
            if value == expected:
                return None
            V, T, L, d, tied = q
            if tied and value == expected + V * d:
                return "with tied weights the head is the token table: count that matrix once"
            return f"for vocab_size={V}, block_size={T}, n_layer={L}, n_embd={d}, " \
                   f"tied={tied} your count is off by {int(value - expected):+,}"

        cases.append(((V, T, L, d, tied), judge))
    return _run("7.2 parameter count", param_count, cases,
                "count wte and wpe; per block two LayerNorms (gain and bias), c_attn and "
                "c_proj, the MLP's two Linear layers, each with its bias; the final LayerNorm; "
                "the head only when it is not tied")


def check_cosine_contributions(cosine_contributions: Callable) -> Verdict:
    """Exercise 7.3: ``cosine_contributions(x (n, d))`` -> ``(d,)``, summing to the mean cosine.

    Entry i is dimension i's share of the mean cosine over all pairs of distinct rows
    (Timkey & van Schijndel 2021). Fresh matrices per call, with planted rogue dimensions.
    """
    import numpy as np

    rng = np.random.default_rng()
    cases = []
    for n, d in [(4, 6), (30, 10), (200, 32)]:
        x = rng.standard_normal((n, d))
        rogue = rng.choice(d, size=2, replace=False)
        x[:, rogue] += rng.uniform(3, 8, size=2) * rng.choice([-1, 1], size=2)
        u = x / np.linalg.norm(x, axis=1, keepdims=True)
        total = u.sum(0)
        expected = (total ** 2 - (u ** 2).sum(0)) / (n * (n - 1))

        def judge(got, expected=expected, n=n, d=d, u=u):
            arr = _as_float64(got)
            if arr.shape != (d,):
                return f"for x of shape ({n}, {d}) expected shape ({d},), got {arr.shape}"
            if np.allclose(arr, u.mean(0) ** 2, atol=1e-9):
                return "you included each row paired with itself: use distinct pairs only"
            if not np.allclose(arr, expected, atol=1e-5):
                return f"values differ for x of shape ({n}, {d})"
            return None

        cases.append(((x.astype(np.float32) if n == 30 else x,), judge))
    return _run("7.3 cosine contributions", cosine_contributions, cases,
                "normalize rows to unit length; for dimension i the sum over distinct pairs "
                "j != k of u[j, i] * u[k, i] is (column sum)**2 minus the sum of squares; "
                "divide by n * (n - 1)")
