"""Exercise checkers of Lesson 05 (training dynamics)."""

from __future__ import annotations

from collections.abc import Callable

from course_utils.checks.common import (
    Verdict,
    forbids,
    fresh_rng,
    run_cases,
    scalar_judge,
)


@forbids("5.1 SGNS gradients", ["autograd", "backward", "requires_grad", "requires_grad_"],
         "your function uses `{used}`: derive the gradients by hand, autograd is what they are "
         "checked against")
def check_sgns_gradients(sgns_gradients: Callable) -> Verdict:
    """Exercise 5.1: ``sgns_gradients(v (d,), u_pos (d,), u_neg (K, d))`` -> three gradients
    of the loss of one pair, derived by hand (no autograd)."""
    import numpy as np
    import torch
    import torch.nn.functional as F


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

    rng = fresh_rng()
    cases = []
    for d, k, scale in [(int(rng.integers(2, 5)), 1, 1.0), (int(rng.integers(4, 9)),
                                                          int(rng.integers(2, 7)), 1.0),
                        (int(rng.integers(3, 7)), int(rng.integers(2, 5)), 4.0)]:
        dtype = torch.float32 if d % 2 else torch.float64
        args = tuple(torch.from_numpy(rng.normal(0, scale, size)).to(dtype)
                     for size in (d, d, (k, d)))
        cases.append((args, judge_for(*args)))
    return run_cases("5.1 SGNS gradients", sgns_gradients, cases,
                     "write the loss as -log sigmoid(x) for the true pair plus -log sigmoid(-x) "
                     "for each negative, with x a dot product; differentiate log sigmoid once, "
                     "then use the chain rule: the derivative of v.u with respect to v is u, and "
                     "to u is v")


def _sgns_step_case(rng, case: int):
    """One fresh case of exercise 5.2: (arguments, judge). From case 2 on, a negative equals
    the true word (word2vec skips it)."""
    import numpy as np

    from course_utils.word2vec import reference_sgns_step

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
    k, skip = len(negatives), case >= 2

    def judge(result):
        if result is not None and not isinstance(result, tuple | list):
            return f"update w_in and w_out in place and return None, got {type(result).__name__}"
        if not np.allclose(got_out, exp_out, atol=1e-5):
            why = " (a negative equal to the true word must be skipped)" if skip else ""
            return f"w_out is not right after one step with {k} negatives{why}"
        if not np.allclose(got_in, exp_in, atol=1e-5):
            return f"w_in is not right after one step with {k} negatives"
        return None

    return (got_in, got_out, inp, out, negatives, lr), judge


@forbids("5.2 the word2vec update",
         ["reference_sgns_step", "sparse_sgd_step", "autograd", "backward"],
         "your function uses `{used}`: write the update yourself from the gradients of "
         "exercise 5.1")
def check_sgns_step(sgns_step: Callable) -> Verdict:
    """Exercise 5.2: ``sgns_step(w_in, w_out, inp, out, negatives, lr)`` updates both tables in
    place: one word2vec update for one pair, negatives equal to ``out`` skipped."""
    rng = fresh_rng()
    return run_cases("5.2 the word2vec update", sgns_step,
                     [_sgns_step_case(rng, case) for case in range(4)],
                     "for each target (the true word with label 1, each negative that differs "
                     "from it with label 0) the step is lr * (label - sigmoid(v.u)); u moves by "
                     "that times v, and v moves by the sum over targets of that times u, using "
                     "the values from before this step; change the rows in place")


def check_keep_probability(keep_probability: Callable) -> Verdict:
    """Exercise 5.3: ``keep_probability(count, total, sample=1e-3)`` -> float in (0, 1]."""
    import math

    rng = fresh_rng()
    cases = []
    total = int(rng.integers(200_000, 2_000_000))
    sample = float(rng.choice([1e-3, 1e-4, 5e-4]))
    t = sample * total
    # a very frequent word, one near the threshold, and a rare one (capped at 1)
    for count in [int(rng.uniform(50, 200) * t), int(rng.uniform(2, 6) * t),
                  max(1, int(rng.uniform(0.1, 0.9) * t))]:
        expected = min(1.0, (math.sqrt(count / t) + 1) * t / count)
        cases.append(((count, total, sample), scalar_judge(expected, rel=1e-5, wrong=(
            f"for count={count:,}, total={total:,}, sample={sample} your answer is off"))))
    return run_cases("5.3 subsampling", keep_probability, cases,
                     "word2vec's formula uses the threshold t = sample * total counts; a "
                     "probability can never exceed 1")


def expected_pairs_reference(n: int, window: int) -> float:
    """Expected (context, centre) pairs of an n-word sentence with a window drawn in 1..window."""
    return sum(min(r, i) + min(r, n - 1 - i) for i in range(n) for r in range(1, window + 1)) \
        / window


def check_expected_pairs(expected_pairs: Callable) -> Verdict:
    """Exercise 5.4: ``expected_pairs(n, window)`` -> the expected number of (context, centre)
    pairs word2vec's dynamic window makes from one sentence of ``n`` words."""
    rng = fresh_rng()
    cases = []
    window = int(rng.integers(3, 8))
    for n in [1, 2, int(rng.integers(3, window + 1)), int(rng.integers(20, 200))]:
        edge = " (words near the ends have fewer neighbours)" if n <= window else ""
        cases.append(((n, window), scalar_judge(
            expected_pairs_reference(n, window), rel=1e-6, abs_tol=1e-9,
            wrong=f"for n={n}, window={window} your answer is off{edge}")))
    return run_cases("5.4 pairs per sentence", expected_pairs, cases,
                     "average over the window sizes r = 1..window, each equally likely; word i has "
                     "min(r, i) neighbours on its left and as many on its right as the sentence "
                     "has")


@forbids("5.5 adaptive input parameters", ["nn", "Embedding", "Linear", "parameters"],
         "your function uses `{used}`: count with arithmetic, without building a model")
def check_adaptive_input_params(adaptive_input_params: Callable) -> Verdict:
    """Exercise 5.5: ``adaptive_input_params(cutoffs, dims, d_model)`` -> int, by arithmetic."""

    def reference(cutoffs, dims, d_model):
        total, lo = 0, 0
        for hi, d in zip(cutoffs, dims, strict=True):
            total += (hi - lo) * d + (d * d_model if d != d_model else 0)
            lo = hi
        return total

    rng = fresh_rng()
    cases = []
    d_model = int(rng.choice([16, 32, 64]))
    first = int(rng.integers(50, 500))
    for cutoffs, dims in [([first], [d_model]),
                          ([first, first + int(rng.integers(100, 900))], [d_model, d_model // 4]),
                          ([first, 2 * first, 5 * first], [d_model, d_model // 2, d_model // 8]),
                          ([first, 3 * first], [d_model // 2, d_model // 2])]:
        cases.append(((cutoffs, dims, d_model), scalar_judge(
            reference(cutoffs, dims, d_model), integral=True,
            wrong=f"for cutoffs={cutoffs}, dims={dims}, d_model={d_model} your count is off")))
    return run_cases("5.5 adaptive input parameters", adaptive_input_params, cases,
                     "per band: rows times width for its table, plus a projection from its width "
                     "to d_model unless the two are equal; a band starts where the previous one "
                     "ended")
