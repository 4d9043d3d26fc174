"""Exercise checkers of Lesson 03 (position and segment)."""

from __future__ import annotations

from collections.abc import Callable

from course_utils.checks.common import (
    Verdict,
    close_judge,
    forbids,
    fresh_rng,
    run_cases,
)


def check_causal_swap(unchanged_after_swap: Callable) -> Verdict:
    """Exercise 3.1 (predict, then check): ``unchanged_after_swap(seq_len, i, j)`` -> the
    positions whose output of one causal self-attention layer (no position information) stays
    the same when the tokens at positions ``i < j`` are swapped. Fresh cases on every call,
    with the edges i = 0, j = seq_len - 1 and adjacent i, j."""
    rng = fresh_rng()
    cases = []
    for _ in range(3):
        T = int(rng.integers(4, 12))
        i, j = sorted(int(v) for v in rng.choice(T, size=2, replace=False))
        cases.append((T, i, j))
    T = int(rng.integers(4, 9))  # at least 4: in (T, 1, 2) a position after j stays the same
    cases += [(T, 0, T - 1), (T, 1, 2), (T, T - 2, T - 1)]

    def judge_for(T, i, j):
        expected = set(range(i)) | set(range(j + 1, T))

        def judge(got):
            if hasattr(got, "tolist"):
                got = got.tolist()
            try:
                got_set = {int(v) for v in got}
            except (TypeError, ValueError):
                return f"expected a collection of positions (ints), got {type(got).__name__}"
            if got_set != expected:
                return f"for seq_len={T}, swapping positions {i} and {j}: that set of " \
                       "unchanged positions is not right"
            return None

        return judge

    return run_cases("3.1 causal swap", unchanged_after_swap,
                     [((T, i, j), judge_for(T, i, j)) for T, i, j in cases],
                     "a causal query at position t sees only the keys 0..t, and attention treats "
                     "the keys it sees as a set; ask, for each t, whether its query or that set "
                     "changed")


@forbids("3.2 RoPE on heads", ["rope", "rope_frequencies"])
def check_rope(rope_rotate: Callable) -> Verdict:
    """Exercise 3.2: ``rope_heads(x (B, H, T, d), positions (T,))``, split-half convention.

    Fresh batches on every call: several shapes, positions that do not start at 0 (a
    decode step with a cache), float32 and float64.
    """
    import numpy as np
    import torch

    from course_utils.positions import rope

    rng = fresh_rng()
    cases = []
    for (B, H, T, d), dtype in [((1, 1, 3, 2), torch.float32),
                                ((int(rng.integers(1, 4)), int(rng.integers(2, 5)),
                                  int(rng.integers(2, 7)), 8), torch.float64),
                                ((2, 3, int(rng.integers(1, 6)), 16), torch.float32)]:
        x = torch.from_numpy(rng.standard_normal((B, H, T, d))).to(dtype)
        start = int(rng.integers(0, 500))
        pos = torch.arange(start, start + T)
        if T > 2:  # positions with gaps, as after a cache or packing
            pos = torch.from_numpy(np.sort(rng.choice(2000, size=T, replace=False)))
        expected = rope(x.double(), pos)  # (B, H, T, d): rope broadcasts over leading dims
        cases.append(((x, pos), close_judge(expected, f"for x of shape {(B, H, T, d)}",
                                              atol=1e-4)))
    return run_cases("3.2 RoPE on heads", rope_rotate, cases,
                     "one angle per (position, pair): positions times the inverse frequencies "
                     "base ** (-2i / d), shaped (T, d/2) so it broadcasts over batch and heads; "
                     "dimension i pairs with i + d/2")


@forbids("3.3 ALiBi slopes", ["alibi_slopes"])
def check_alibi_slopes(head_slopes: Callable) -> Verdict:
    """Exercise 3.3: ``head_slopes(n_heads)`` -> list of ALiBi slopes (powers of two)."""
    from course_utils.positions import alibi_slopes

    rng = fresh_rng()
    sizes = [1, 8] + [int(v) for v in rng.choice([2, 4, 16, 32, 64], size=2, replace=False)]

    def judge_for(n):
        expected = alibi_slopes(n).tolist()

        def judge(got):
            if hasattr(got, "tolist"):
                got = got.tolist()
            try:
                values = [float(v) for v in got]
            except TypeError:
                return f"expected a list of {n} floats, got {type(got).__name__}"
            if len(values) != n:
                return f"for {n} heads expected {n} slopes, got {len(values)}"
            if not all(abs(a - b) <= 1e-6 for a, b in zip(values, expected, strict=True)):
                return f"for {n} heads the slopes are not right (first head's: " \
                       f"{values[0]:.5g})"
            return None

        return judge

    return run_cases("3.3 ALiBi slopes", head_slopes, [((n,), judge_for(n)) for n in sizes],
                     "the slopes form a geometric sequence whose ratio equals its first term, and "
                     "the last slope is 2 ** -8 for every power-of-two head count")


def check_relative_bias(toeplitz_bias: Callable) -> Verdict:
    """Exercise 3.4: ``toeplitz_bias(values (2T-1,), T)`` -> (T, T) with values[j - i + T - 1].
    Fresh values on every call, float32 and float64, T = 1 included."""
    import torch

    from course_utils.positions import relative_positions

    rng = fresh_rng()
    cases = []
    for T, dtype in [(1, torch.float32), (int(rng.integers(2, 5)), torch.float64),
                     (int(rng.integers(5, 12)), torch.float32)]:
        values = torch.from_numpy(rng.standard_normal(2 * T - 1)).to(dtype)
        expected = values.double()[relative_positions(T, T) + T - 1]
        cases.append(((values, T), close_judge(expected, f"for seq_len={T}")))
    return run_cases("3.4 relative bias", toeplitz_bias, cases,
                     "build the matrix of offsets j - i (a column of query positions against a row "
                     "of key positions), shift it so the smallest offset indexes 0, and use it to "
                     "index values")
