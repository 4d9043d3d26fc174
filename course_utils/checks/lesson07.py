"""Exercise checkers of Lesson 07 (a decoder LLM)."""

from __future__ import annotations

import math
from collections.abc import Callable

from course_utils.checks.common import (
    Verdict,
    as_float64,
    fresh_rng,
    run_cases,
    scalar_judge,
)


def check_unembed(unembed: Callable) -> Verdict:
    """Exercise 7.1: ``unembed(h (T, d), wte (V, d), gain (d,), bias (d,))`` -> log-probs.

    The tied head read by hand: final LayerNorm (eps 1e-5), product with the token table,
    log-softmax over the vocabulary. Inputs are fresh on every call.
    """
    import numpy as np
    import torch
    import torch.nn.functional as F

    rng = fresh_rng()
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
            arr = as_float64(got)
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
    return run_cases("7.1 tied unembedding", unembed, cases,
                     "normalize each row of h over its d features (mean 0, variance 1, eps 1e-5 "
                     "inside the square root), scale by gain and add bias, multiply by the table "
                     "transposed, then log_softmax over the last axis")


def check_param_count(param_count: Callable) -> Verdict:
    """Exercise 7.2: ``param_count(vocab_size, block_size, n_layer, n_embd, tied)`` -> int.

    Judged against ``GPT(GPTConfig(...)).num_params()`` on fresh sizes, tied and untied.
    """
    from course_utils.gpt import GPT, GPTConfig

    rng = fresh_rng()
    cases = []
    for tied in (True, False, True, False):
        V, T, L, d = (int(rng.integers(10, 300)), int(rng.integers(2, 40)),
                      int(rng.integers(1, 4)), int(rng.integers(1, 12)) * 2)
        expected = GPT(GPTConfig(vocab_size=V, block_size=T, n_layer=L, n_head=1, n_embd=d,
                                 tie_weights=tied)).num_params()

        def wrong(value, expected=expected, q=(V, T, L, d, tied)):
            V, T, L, d, tied = q
            if not math.isfinite(value):
                return f"expected a whole number of parameters, got {value}"
            if tied and value == expected + V * d:
                return "with tied weights the head is the token table: count that matrix once"
            side = "too high" if value > expected else "too low"
            return (f"for vocab_size={V}, block_size={T}, n_layer={L}, n_embd={d}, "
                    f"tied={tied} your count is {side}: list every tensor of one block "
                    "(weights and biases) and compare with model.named_parameters()")

        judge = scalar_judge(expected, wrong=wrong)
        cases.append(((V, T, L, d, tied), judge))
    return run_cases("7.2 parameter count", param_count, cases,
                     "count wte and wpe; per block two LayerNorms (gain and bias), c_attn and "
                     "c_proj, the MLP's two Linear layers, each with its bias; the final "
                     "LayerNorm; the head only when it is not tied")


def check_cosine_contributions(cosine_contributions: Callable) -> Verdict:
    """Exercise 7.3: ``cosine_contributions(x (n, d))`` -> ``(d,)``, summing to the mean cosine.

    Entry i is dimension i's share of the mean cosine over all pairs of distinct rows
    (Timkey & van Schijndel 2021). Fresh matrices per call, with planted rogue dimensions.
    """
    import numpy as np

    rng = fresh_rng()
    cases = []
    for n, d in [(4, 6), (30, 10), (200, 32)]:
        x = rng.standard_normal((n, d))
        rogue = rng.choice(d, size=2, replace=False)
        x[:, rogue] += rng.uniform(3, 8, size=2) * rng.choice([-1, 1], size=2)
        u = x / np.linalg.norm(x, axis=1, keepdims=True)
        total = u.sum(0)
        expected = (total ** 2 - (u ** 2).sum(0)) / (n * (n - 1))

        def judge(got, expected=expected, n=n, d=d, u=u):
            arr = as_float64(got)
            if arr.shape != (d,):
                return f"for x of shape ({n}, {d}) expected shape ({d},), got {arr.shape}"
            if np.allclose(arr, u.mean(0) ** 2, atol=1e-9):
                return "you included each row paired with itself: use distinct pairs only"
            if not np.allclose(arr, expected, atol=1e-5):
                return f"values differ for x of shape ({n}, {d})"
            return None

        cases.append(((x.astype(np.float32) if n == 30 else x,), judge))
    return run_cases("7.3 cosine contributions", cosine_contributions, cases,
                     "normalize rows to unit length; for dimension i the sum over distinct pairs "
                     "j != k of u[j, i] * u[k, i] is (column sum)**2 minus the sum of squares; "
                     "divide by n * (n - 1)")
