"""Bias, measured: the Word Embedding Association Test (WEAT, Caliskan et al. 2017).

``weat`` asks whether target words X lean towards attribute words A, and target words Y
towards attribute words B, more than chance would give: an effect size (Cohen's d) and a
permutation p-value. Lesson 04, section 7.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from course_utils.geometry import word_vectors
from course_utils.validation import check_int, check_seed


@dataclass(frozen=True)
class WeatResult:
    """A WEAT test (Caliskan et al. 2017): effect size (Cohen's d) and one-sided p-value."""

    effect_size: float
    p_value: float
    statistic: float
    n_permutations: int


def _weat_vectors(kv, words: Sequence[str], name: str):
    import numpy as np

    if isinstance(words, str) or len(words) == 0:
        raise ValueError(f"{name} must be a non-empty list of words, got {words!r}")
    vectors = word_vectors(kv, words)
    for word, v in zip(words, vectors, strict=True):
        if not np.isfinite(v).all():
            raise ValueError(f"{name}: {word!r} has a vector with NaN or infinity; drop it")
        if not v.any():
            raise ValueError(f"{name}: {word!r} has a zero vector, which has no direction "
                             "(cosine is undefined); drop it")
    return vectors


def weat(kv, targets_x: Sequence[str], targets_y: Sequence[str],
         attributes_a: Sequence[str], attributes_b: Sequence[str],
         n_permutations: int = 10_000, seed: int = 0) -> WeatResult:
    """Word Embedding Association Test: do X lean to A and Y to B more than chance?

    s(w) = mean cos(w, A) − mean cos(w, B); the statistic is Σ_X s − Σ_Y s, the effect size
    (mean_X s − mean_Y s) / std_{X∪Y} s, and the p-value the share of random equal-size
    re-splits of X ∪ Y whose statistic is at least as large (``n_permutations`` of them,
    seeded; every split when there are fewer). X and Y must have the same size.
    """
    import itertools
    import math

    import numpy as np

    x, y = _weat_vectors(kv, targets_x, "targets_x"), _weat_vectors(kv, targets_y, "targets_y")
    a = _weat_vectors(kv, attributes_a, "attributes_a")
    b = _weat_vectors(kv, attributes_b, "attributes_b")
    if len(x) != len(y):
        raise ValueError(f"targets_x and targets_y must have the same size, got {len(x)} and "
                         f"{len(y)}: drop words from the longer list")
    n_permutations = check_int(n_permutations, "n_permutations", minimum=1)
    seed = check_seed(seed)
    unit = lambda m: m / np.linalg.norm(m, axis=1, keepdims=True)  # noqa: E731
    both = unit(np.vstack([x, y]))
    s = (both @ unit(a).T).mean(axis=1) - (both @ unit(b).T).mean(axis=1)
    n = len(x)
    stat = s[:n].sum() - s[n:].sum()
    effect = (s[:n].mean() - s[n:].mean()) / s.std(ddof=1)
    total = s.sum()
    if math.comb(2 * n, n) <= n_permutations:
        splits = (list(c) for c in itertools.combinations(range(2 * n), n))
        sums = np.array([s[c].sum() for c in splits])
    else:
        rng = np.random.default_rng(seed)
        sums = np.array([s[rng.permutation(2 * n)[:n]].sum() for _ in range(n_permutations)])
    perm_stats = 2 * sums - total  # Σ_Xi s − Σ_Yi s with Yi the rest
    p = float((perm_stats >= stat - 1e-12).mean())
    return WeatResult(float(effect), p, float(stat), len(sums))
