"""Exercise checkers of Lessons 02a and 02b (random and pretrained initialization)."""

from __future__ import annotations

import math
from collections.abc import Callable

from course_utils.checks.common import (
    Verdict,
    close_judge,
    forbid_calls,
    forbids,
    fresh_rng,
    run_cases,
    scalar_judge,
)


def _xavier_judge(v: int, d: int):
    """Judge a (v, d) table: bound, an even spread of |x| / b over ten bins, mean 0."""
    import torch

    bound = math.sqrt(6 / (v + d))

    def judge(got):
        if not isinstance(got, torch.Tensor):
            return f"expected a torch.Tensor, got {type(got).__name__}"
        if tuple(got.shape) != (v, d):
            return f"expected shape ({v}, {d}), got {tuple(got.shape)}"
        if not got.is_floating_point():
            return f"expected a float tensor, got {got.dtype}"
        x = got.detach().cpu().double()
        if not torch.isfinite(x).all():
            return "the table holds NaN or inf values"
        top = x.abs().max().item()
        if top > bound * 1.0001:
            return f"for V={v}, d={d} some entries lie outside ±b (b = sqrt(6 / (V + d)))"
        if top < bound * 0.99:
            return f"for V={v}, d={d} no entry comes near ±b: is your bound too small?"
        shares = torch.histc(x.abs() / bound, bins=10, min=0, max=1) / x.numel()
        if (shares - 0.1).abs().max().item() > 0.02:
            return f"for V={v}, d={d} the values are not spread evenly over (-b, b): " \
                   "a uniform draw puts about a tenth of |x| / b in each tenth of [0, 1]"
        if abs(x.mean().item()) > 0.02 * bound:
            return "the mean should be about 0: draw from -b to +b"
        return None

    return judge


@forbids("2.1 Xavier uniform",
         ["xavier_uniform_", "xavier_normal_", "init_embedding", "kaiming_uniform_"])
def check_xavier_uniform(xavier_uniform_table: Callable) -> Verdict:
    """Exercise 2.1: ``xavier_uniform_table(num_embeddings, dim)`` -> U(±sqrt(6/(V+d))).

    Fresh sizes on every call. Judges the bound (1 % either way), the shape of the
    distribution (ten equal bins of |x|/b each hold about a tenth), and the mean; a normal
    draw, a bound a few percent off, or a two-valued ±b/√3 table all fail.
    """
    import torch


    rng = fresh_rng()
    sizes = [(int(rng.integers(1000, 4000)), int(rng.integers(16, 64))),
             (int(rng.integers(200, 600)), int(rng.integers(200, 400))),
             (int(rng.integers(20000, 40000)), int(rng.integers(2, 9)))]
    with forbid_calls([(torch.nn.init, "xavier_uniform_"), (torch.nn.init, "uniform_")]):
        return run_cases("2.1 Xavier uniform", xavier_uniform_table,
                         [((v, d), _xavier_judge(v, d)) for v, d in sizes],
                         "torch.rand draws from U(0, 1): stretch and shift it so it covers (-b, b)")


@forbids("2.2 LayerNorm", ["layer_norm", "LayerNorm"])
def check_layer_norm(layer_norm_rows: Callable) -> Verdict:
    """Exercise 2.2: ``layer_norm_rows(x (..., d), weight (d,), bias (d,), eps)`` -> same shape,
    LayerNorm over the last dimension without ``F.layer_norm``/``nn.LayerNorm``. Fresh inputs
    on every call: 2-D and 3-D, small d (where the n-1 variance differs), rows scaled by 1000,
    a constant row, float32 and float64."""
    import torch
    import torch.nn.functional as F

    rng = fresh_rng()
    cases = []
    for shape, dtype, eps, scale in [((int(rng.integers(2, 6)), 3), torch.float64, 1e-5, 1.0),
                                     ((2, int(rng.integers(2, 5)), int(rng.integers(8, 33))),
                                      torch.float32, 1e-5, 1000.0),
                                     ((int(rng.integers(3, 7)), int(rng.integers(4, 12))),
                                      torch.float64, 1e-3, 0.03)]:  # eps matters here
        x = torch.from_numpy(rng.standard_normal(shape) * scale * rng.uniform(0.8, 1.2)) \
            .to(dtype)
        x.reshape(-1, shape[-1])[0] = 2.5  # a constant row: only eps keeps it finite
        d = shape[-1]
        weight = torch.from_numpy(rng.uniform(0.5, 2, d)).to(dtype)
        bias = torch.from_numpy(rng.standard_normal(d)).to(dtype)
        expected = F.layer_norm(x.double(), (d,), weight.double(), bias.double(), eps)
        cases.append(((x, weight, bias, eps),
                      close_judge(expected, f"for x of shape {shape} and eps={eps}", atol=1e-4)))
    with forbid_calls([(F, "layer_norm"), (torch, "layer_norm")]):
        return run_cases("2.2 LayerNorm", layer_norm_rows, cases,
                         "per row: subtract the mean, divide by the square root of (the biased "
                         "variance, dividing by d, plus eps), then scale by weight and add bias")


def check_tied_logit_std(tied_logit_std: Callable) -> Verdict:
    """Exercise 2.3 (predict, then check): ``tied_logit_std(dim, std)`` -> the standard
    deviation of the logits ``LayerNorm(h) · E[j]`` of a tied output layer at initialization,
    for rows ``E[j]`` drawn from N(0, std²) and a LayerNorm with gain 1 and bias 0."""
    rng = fresh_rng()
    cases = [(int(d), float(s)) for d, s in
             [(768, 0.02), (int(rng.integers(16, 4096)), rng.uniform(0.005, 2.0)),
              (int(rng.integers(2, 64)), rng.uniform(0.1, 1.0))]]
    return run_cases("2.3 tied logit std", tied_logit_std,
                     [((d, s), scalar_judge(math.sqrt(d) * s, f"for dim={d}, std={s:.3g}",
                                       rel=1e-6, abs_tol=1e-6)) for d, s in cases],
                "after LayerNorm every coordinate of h has mean 0 and variance 1, so what is "
                "|h|²? A logit is a sum of d products h_k E[j, k]: add their variances")


def check_oov_mean_fill(fill_oov_with_mean: Callable) -> Verdict:
    """Exercise 2.4: ``fill_oov_with_mean(emb (V, d), found (V,) bool)`` -> (V, d).
    Fresh tables on every call: none missing, several missing, float32 and float64."""
    import torch

    rng = fresh_rng()
    cases = []
    for V, d, n_missing, dtype in [(int(rng.integers(4, 8)), 3, 0, torch.float32),
                                   (int(rng.integers(8, 30)), int(rng.integers(2, 9)), 3,
                                    torch.float64),
                                   (int(rng.integers(30, 60)), 5, 20, torch.float32)]:
        emb = torch.from_numpy(rng.standard_normal((V, d)) + rng.uniform(-3, 3)).to(dtype)
        found = torch.ones(V, dtype=torch.bool)
        found[torch.from_numpy(rng.choice(V, size=n_missing, replace=False)).long()] = False
        expected = emb.clone().double()
        expected[~found] = emb.double()[found].mean(0)
        original = emb.clone()
        tensor_judge = close_judge(expected, f"for {n_missing} missing rows of {V}")

        def judge(got, original=original, emb=emb, tensor_judge=tensor_judge):
            if not torch.equal(emb, original):
                return "your function changed emb in place; work on a copy"
            return tensor_judge(got)

        cases.append(((emb, found), judge))
    return run_cases("2.4 OOV mean fill", fill_oov_with_mean, cases,
                     "copy the table first; the mean is over the found rows only, and it goes into "
                     "every row whose found flag is False")


@forbids("2.5 semi-orthogonal widening", ["widen"])
def check_orthogonal_widen(widen_orthogonal: Callable) -> Verdict:
    """Exercise 2.5: ``widen_orthogonal(emb (V, d), new_dim, seed)`` -> (V, new_dim) whose rows
    keep every dot product of ``emb`` exactly and use every new coordinate (no dead column).
    Fresh tables on every call, float32 and float64."""
    import torch

    rng = fresh_rng()
    cases = []
    for V, d, new_dim, dtype in [(int(rng.integers(20, 60)), 4, 9, torch.float64),
                                 (int(rng.integers(50, 120)), int(rng.integers(8, 20)),
                                  int(rng.integers(40, 80)), torch.float32),
                                 (int(rng.integers(10, 30)), 6, 6, torch.float64)]:
        emb = torch.from_numpy(rng.standard_normal((V, d)) * rng.uniform(0.1, 5)).to(dtype)
        seed = int(rng.integers(0, 10_000))

        def judge(got, emb=emb, new_dim=new_dim):
            if not isinstance(got, torch.Tensor):
                return f"expected a torch.Tensor, got {type(got).__name__}"
            V, d = emb.shape
            if tuple(got.shape) != (V, new_dim):
                return f"expected shape {(V, new_dim)}, got {tuple(got.shape)}"
            g = got.detach().double()
            e = emb.double()
            if not torch.allclose(g @ g.T, e @ e.T, rtol=1e-4, atol=1e-4 * e.abs().max() ** 2):
                return f"for a ({V}, {d}) table widened to {new_dim}: dot products between " \
                       "rows changed; the map must have orthonormal columns"
            if (g.norm(dim=0) < 1e-6 * e.norm()).any():
                return f"for a ({V}, {d}) table widened to {new_dim}: some new coordinates " \
                       "are zero for every row (dead), as in zero padding"
            return None

        cases.append(((emb, new_dim, seed), judge))
    return run_cases("2.5 semi-orthogonal widening", widen_orthogonal, cases,
                     "draw a (new_dim, d) Gaussian matrix, take the Q of its reduced QR "
                     "decomposition (torch.linalg.qr), and map each row through it")


def check_paired_bootstrap(paired_bootstrap_interval: Callable) -> Verdict:
    """Exercise 2.6: ``paired_bootstrap_interval(acc_a, acc_b, level, n_boot, seed)`` ->
    ``(low, high)``: a percentile bootstrap interval for mean(acc_a - acc_b), resampling
    *pairs* (the same folds for both). Fresh, strongly correlated scores on every call, so an
    unpaired interval (resampling a and b independently) comes out far too wide."""
    import numpy as np

    rng = fresh_rng()
    cases = []
    for n, level in [(10, 0.95), (int(rng.integers(15, 40)), 0.9), (int(rng.integers(8, 20)), 0.8)]:
        base = rng.uniform(0.4, 0.8, n)
        a = np.clip(base + rng.normal(0.03, 0.01, n), 0, 1)
        b = base
        diffs = a - b
        boot = rng.choice(diffs, size=(40_000, n)).mean(1)
        lo, hi = np.quantile(boot, [(1 - level) / 2, (1 + level) / 2])
        mean = float(diffs.mean())

        def judge(got, lo=lo, hi=hi, n=n, level=level, mean=mean):
            try:
                g_lo, g_hi = (float(v) for v in got)
            except (TypeError, ValueError):
                return f"expected a pair (low, high), got {type(got).__name__}"
            if not g_lo <= mean <= g_hi:
                return f"for {n} paired scores the interval does not contain the mean difference"
            width, g_width = hi - lo, g_hi - g_lo
            if abs(g_width - width) > 0.15 * width or abs(g_lo - lo) > 0.15 * width:
                side = ("too wide" if g_width > 1.15 * width else
                        "too narrow" if g_width < 0.85 * width else "in the wrong place")
                return f"for {n} paired scores at level {level}: the interval is {side} " \
                       "(pairs resampled together? the right quantiles for this level?)"
            return None

        cases.append(((a.tolist(), b.tolist(), level, 20_000, int(rng.integers(0, 1000))), judge))
    return run_cases("2.6 paired bootstrap", paired_bootstrap_interval, cases,
                     "the paired differences are the data: resample their indices with "
                     "replacement, average, repeat n_boot times, and take the (1 - level)/2 and (1 "
                     "+ level)/2 quantiles")
