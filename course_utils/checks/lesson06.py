"""Exercise checkers of Lesson 06 (evaluation)."""

from __future__ import annotations

from collections.abc import Callable

from course_utils.checks.common import (
    Verdict,
    as_number,
    forbids,
    fresh_rng,
    run_cases,
    scalar_judge,
)


def _tied_scores(rng, n: int):
    """Scores with many ties (a few distinct values) and at least two distinct values."""
    while True:
        x = rng.integers(0, rng.integers(2, 6), size=n).astype(float) * rng.uniform(0.5, 3)
        if len(set(x.tolist())) > 1:
            return x


@forbids("6.1 Spearman", {
    "scipy.stats.spearmanr": "scipy.stats.spearmanr",
    "scipy.stats.rankdata": "scipy.stats.rankdata", "pandas.Series.rank": "pandas' rank"},
         "the exercise asks you not to use {used}: rank the values yourself, giving tied values "
         "the mean of their positions")
def check_spearman(spearman_rho: Callable) -> Verdict:
    """Exercise 6.1: ``spearman_rho(x, y)`` -> Spearman's rank correlation (ties averaged),
    without scipy.stats' rankdata or spearmanr and without pandas' rank."""
    import numpy as np
    from scipy.stats import spearmanr

    rng = fresh_rng()
    cases = []
    for n, kind in [(5, "plain"), (int(rng.integers(8, 20)), "ties"),
                    (int(rng.integers(30, 80)), "ties"), (int(rng.integers(20, 60)), "plain")]:
        x = _tied_scores(rng, n) if kind == "ties" else rng.standard_normal(n)
        y = _tied_scores(rng, n) if rng.random() < 0.5 else x + rng.standard_normal(n)
        as_list = rng.random() < 0.5
        args = (x.tolist(), y.tolist()) if as_list else (x, y.astype(np.float32))
        expected = float(spearmanr(x, np.asarray(args[1], dtype=np.float64)).statistic)
        tied = " with tied values" if len(set(x.tolist())) < n or len(set(y.tolist())) < n \
            else ""
        cases.append((args, scalar_judge(expected, abs_tol=1e-6, wrong=(
            f"for two lists of {n} values{tied} the result differs from Spearman's rho"))))
    return run_cases("6.1 Spearman", spearman_rho, cases,
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

    rng = fresh_rng()
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
        cases.append(((t_arg, p_arg), scalar_judge(reference(t.tolist(), p.tolist()),
                                                   abs_tol=1e-6, wrong=(
            f"for {n} items in {len(set(p.tolist()))} clusters the purity differs from the "
            "reference"))))
    return run_cases("6.2 purity", purity, cases,
                     "group the items by predicted cluster; in each group count how many carry its "
                     "most frequent true label; add these counts over all groups and divide by the "
                     "number of items (big clusters weigh more)")


def check_mean_vector(mean_vector: Callable) -> Verdict:
    """Exercise 6.3: ``mean_vector(kv, tokens)`` -> mean of the known words' vectors (d,),
    zeros of length ``kv.vector_size`` when no word is known."""
    import numpy as np
    from gensim.models import KeyedVectors

    rng = fresh_rng()
    cases = []
    for dim in (int(rng.integers(2, 6)), int(rng.integers(7, 40))):
        words = [f"w{i}" for i in rng.choice(1000, size=12, replace=False)]
        kv = KeyedVectors(dim)
        kv.add_vectors(words, rng.standard_normal((12, dim)).astype(np.float32))
        unknown = ["zzz", "qqq", "xyzzy"]
        w = [str(t) for t in rng.choice(words, 4, replace=False)]  # distinct: a repeat counts
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
    return run_cases("6.3 mean vector", mean_vector, cases,
                     "keep the tokens the vocabulary knows, repeats included, and average their "
                     "vectors; when none is left, the zero vector must still have the embedding's "
                     "own length (kv.vector_size)")


@forbids("6.4 paired bootstrap", {
    "scipy.stats.bootstrap": "scipy.stats.bootstrap",
    "course_utils.evaluate.paired_bootstrap": "course_utils.evaluate.paired_bootstrap"},
         "the exercise asks you to write the resampling yourself, not to call {used}")
def check_paired_spearman_bootstrap(paired_bootstrap: Callable) -> Verdict:
    """Exercise 6.4: ``paired_bootstrap(gold, sims_a, sims_b, n_boot, seed)`` ->
    ``(diff, low, high)``: rho(gold, a) - rho(gold, b) and its 95% paired percentile interval."""
    import numpy as np

    from course_utils.evaluate import paired_bootstrap as reference

    rng = fresh_rng()
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
                diff, low, high = (as_number(v) for v in got)
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
    return run_cases("6.4 paired bootstrap", paired_bootstrap, cases,
                     "in each of the n_boot rounds draw ONE set of n pair indices with replacement "
                     "and compute both correlations on it; the interval is the 2.5th and 97.5th "
                     "percentile of the n_boot differences")
