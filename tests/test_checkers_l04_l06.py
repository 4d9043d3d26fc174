"""Checkers of lessons 04 and 06: right answers pass in any dtype, plausible wrong ones fail.

Every checker draws fresh inputs per call, so each test calls it a few times; the wrong
answers are the mistakes a learner makes (issue 17), kept next to the checker's tests.
"""

from collections import Counter

import numpy as np
import pytest
import torch

from course_utils import checks

REPEATS = 3  # fresh inputs every call: a right answer must pass every time


def passes(checker, fn) -> bool:
    return all(checker(fn).passed for _ in range(REPEATS))


def fails(checker, fn) -> str:
    """The message of a failing verdict; fails the test if any call passes."""
    messages = []
    for _ in range(REPEATS):
        verdict = checker(fn)
        assert not verdict.passed, f"{checker.__name__} accepted a wrong answer"
        messages.append(verdict.message)
    return messages[0]


# ---------------------------------------------------------------- 4.1 cosine matrix

def cosine_np(a, b):
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return a @ b.T


@pytest.mark.parametrize("fn", [
    cosine_np,
    lambda a, b: cosine_np(a, b).astype(np.float32),
    lambda a, b: torch.as_tensor(cosine_np(a, b)),  # torch answer to a numpy exercise
    lambda a, b: cosine_np(np.asarray(a, np.float64), np.asarray(b, np.float64)),
])
def test_cosine_matrix_accepts_right_answers(fn):
    assert passes(checks.check_cosine_matrix, fn)


@pytest.mark.parametrize("fn, says", [
    (lambda a, b: a @ b.T, "values differ"),  # dot product, no normalization
    (lambda a, b: cosine_np(b, a), "shape"),  # transposed
    (lambda a, b: (a / np.linalg.norm(a, axis=1, keepdims=True)) @ b.T, "values differ"),
    (lambda a, b: (a / np.linalg.norm(a)) @ (b / np.linalg.norm(b)).T, "values differ"),
])
def test_cosine_matrix_rejects_wrong_answers(fn, says):
    assert says in fails(checks.check_cosine_matrix, fn)


def test_cosine_matrix_enforces_do_not_use():
    from course_utils.geometry import cosine_similarity

    msg = fails(checks.check_cosine_matrix, lambda a, b: cosine_similarity(a, b))
    assert "not to call course_utils' cosine_similarity" in msg

    def via_sklearn(a, b):
        from sklearn.metrics import pairwise

        return pairwise.cosine_similarity(a, b)

    assert "cosine_similarity" in fails(checks.check_cosine_matrix, via_sklearn)


# ---------------------------------------------------------------- 4.2 analogy

def _analogy(emb, words, a, b, c, exclude=("a", "b", "c"), normalize=True):
    emb = np.asarray(emb, dtype=np.float64)
    unit = emb / np.linalg.norm(emb, axis=1, keepdims=True) if normalize else emb
    i = {w: j for j, w in enumerate(words)}
    scores = unit @ (unit[i[b]] - unit[i[a]] + unit[i[c]])
    for name, w in zip("abc", (a, b, c), strict=True):
        if name in exclude:
            scores[i[w]] = -np.inf
    return words[int(np.argmax(scores))]


def analogy_torch(emb, words, a, b, c):
    t = torch.as_tensor(emb, dtype=torch.float32)
    t = t / t.norm(dim=1, keepdim=True)
    i = {w: j for j, w in enumerate(words)}
    s = t @ (t[i[b]] - t[i[a]] + t[i[c]])
    s[[i[a], i[b], i[c]]] = -float("inf")
    return words[int(s.argmax())]


@pytest.mark.parametrize("fn", [_analogy, analogy_torch,
                                lambda *q: np.str_(_analogy(*q))])
def test_analogy_accepts_right_answers(fn):
    assert passes(checks.check_analogy, fn)


@pytest.mark.parametrize("fn, says", [
    (lambda *q: _analogy(*q, exclude=()), "input word"),
    (lambda *q: _analogy(*q, exclude=("b", "c")), "input word"),  # forgets a (issue 17)
    (lambda *q: _analogy(*q, normalize=False), "higher cosine"),
    (lambda emb, words, a, b, c: words.index(_analogy(emb, words, a, b, c)), "string"),
])
def test_analogy_rejects_wrong_answers(fn, says):
    assert says in fails(checks.check_analogy, fn)


def test_analogy_enforces_do_not_use():
    from course_utils.geometry import solve_analogy

    msg = fails(checks.check_analogy, lambda e, w, a, b, c: solve_analogy((e, w), a, b, c)[0][0])
    assert "solve_analogy" in msg


# ---------------------------------------------------------------- 4.3 all-but-the-top

def abtt(emb, k):
    x = np.asarray(emb, dtype=np.float64)
    x = x - x.mean(0)
    _, _, vh = np.linalg.svd(x, full_matrices=False)
    return x - (x @ vh[:k].T) @ vh[:k]


@pytest.mark.parametrize("fn", [abtt, lambda e, k: abtt(e, k).astype(np.float32),
                                lambda e, k: torch.as_tensor(abtt(e, k))])
def test_all_but_the_top_accepts_right_answers(fn):
    assert passes(checks.check_all_but_the_top, fn)


def no_centering(emb, k):
    _, _, vh = np.linalg.svd(emb, full_matrices=False)
    return emb - (emb @ vh[:k].T) @ vh[:k]


@pytest.mark.parametrize("fn", [
    lambda e, k: e - e.mean(0),  # mean only
    no_centering,
    lambda e, k: abtt(e, k + 1),  # one direction too many
    lambda e, k: abtt(e, k) + np.mean(e, 0),  # adds the mean back
])
def test_all_but_the_top_rejects_wrong_answers(fn):
    assert "values differ" in fails(checks.check_all_but_the_top, fn)


def test_all_but_the_top_enforces_do_not_use():
    from course_utils.pathologies import all_but_the_top

    assert "all_but_the_top" in fails(checks.check_all_but_the_top,
                                      lambda e, k: all_but_the_top(e, k))


# ---------------------------------------------------------------- 4.4 mean pair cosine

def pair_cos(x):
    x = np.asarray(x, dtype=np.float64)
    u = x / np.linalg.norm(x, axis=1, keepdims=True)
    c = u @ u.T
    return c[np.triu_indices(len(x), 1)].mean()


@pytest.mark.parametrize("fn", [pair_cos, lambda x: np.float32(pair_cos(x)),
                                lambda x: torch.tensor(pair_cos(x))])
def test_mean_pair_cosine_accepts_right_answers(fn):
    assert passes(checks.check_mean_pair_cosine, fn)


def with_diagonal(x):
    u = x / np.linalg.norm(x, axis=1, keepdims=True)
    return float((u @ u.T).mean())


def off_diagonal_wrong_denominator(x):
    u = x / np.linalg.norm(x, axis=1, keepdims=True)
    n = len(x)
    return float(((u @ u.T).sum() - n) / n**2)


@pytest.mark.parametrize("fn", [with_diagonal, off_diagonal_wrong_denominator,
                                lambda x: float((x @ x.T)[np.triu_indices(len(x), 1)].mean()),
                                lambda x: [pair_cos(x)]])
def test_mean_pair_cosine_rejects_wrong_answers(fn):
    fails(checks.check_mean_pair_cosine, fn)


# ---------------------------------------------------------------- 6.1 Spearman

def average_ranks(x):
    x = np.asarray(x, dtype=np.float64)
    order = np.argsort(x, kind="stable")
    ranks = np.empty(len(x))
    ranks[order] = np.arange(1, len(x) + 1)
    for v in np.unique(x):
        ranks[x == v] = ranks[x == v].mean()
    return ranks


def rho(x, y):
    return float(np.corrcoef(average_ranks(x), average_ranks(y))[0, 1])


@pytest.mark.parametrize("fn", [rho, lambda x, y: np.float32(rho(x, y)),
                                lambda x, y: torch.tensor(rho(x, y), dtype=torch.float64)])
def test_spearman_accepts_right_answers(fn):
    assert passes(checks.check_spearman, fn)


def no_tie_averaging(x, y):
    rx, ry = (np.argsort(np.argsort(v, kind="stable")) for v in (x, y))
    return float(np.corrcoef(rx, ry)[0, 1])


def textbook_formula(x, y):  # 1 - 6 sum d^2 / (n (n^2 - 1)) is exact only without ties
    d = average_ranks(x) - average_ranks(y)
    n = len(x)
    return float(1 - 6 * (d @ d) / (n * (n**2 - 1)))


@pytest.mark.parametrize("fn, says", [
    (lambda x, y: float(np.corrcoef(x, y)[0, 1]), "differs"),  # Pearson on the values
    (no_tie_averaging, "tied"),
    (textbook_formula, "tied"),
    (lambda x, y: str(rho(x, y)), "number"),
])
def test_spearman_rejects_wrong_answers(fn, says):
    assert says in fails(checks.check_spearman, fn)


def test_spearman_enforces_do_not_use():
    import scipy.stats
    from scipy.stats import rankdata
    from scipy.stats import spearmanr as sr

    assert "spearmanr" in fails(checks.check_spearman, lambda x, y: sr(x, y).statistic)
    assert "spearmanr" in fails(checks.check_spearman,
                                lambda x, y: scipy.stats.spearmanr(x, y).statistic)
    assert "rankdata" in fails(checks.check_spearman,
                               lambda x, y: np.corrcoef(rankdata(x), rankdata(y))[0, 1])

    def helper(v):  # hidden in a helper function
        return rankdata(v)

    def uses_helper(x, y):
        return np.corrcoef(helper(x), helper(y))[0, 1]

    assert "rankdata" in fails(checks.check_spearman, uses_helper)


# ---------------------------------------------------------------- 6.2 purity

def purity(t, p):
    t, p = list(t), list(p)
    return sum(Counter(ti for ti, pi in zip(t, p, strict=True) if pi == c).most_common(1)[0][1]
               for c in set(p)) / len(t)


@pytest.mark.parametrize("fn", [purity, lambda t, p: np.float32(purity(t, p)),
                                lambda t, p: torch.tensor(purity(t, p))])
def test_purity_accepts_right_answers(fn):
    assert passes(checks.check_purity, fn)


def mean_cluster_purity(t, p):  # unweighted mean over clusters
    t, p = list(t), list(p)
    shares = []
    for c in set(p):
        members = [ti for ti, pi in zip(t, p, strict=True) if pi == c]
        shares.append(Counter(members).most_common(1)[0][1] / len(members))
    return float(np.mean(shares))


OLD_FIXED_CASES = {((0, 0, 1, 1), (1, 1, 0, 0)): 1.0, ((0, 0, 1, 1), (0, 0, 0, 0)): 0.5,
                   (("a", "a", "b", "b", "b", "c"), (0, 1, 1, 1, 0, 2)): 4 / 6,
                   ((0, 1, 2, 0, 1, 2), (0, 0, 0, 0, 0, 1)): 3 / 6}


def memorized(t, p):  # a dict keyed on the inputs the old checker always used
    return OLD_FIXED_CASES.get((tuple(t), tuple(p)), 0.5)


@pytest.mark.parametrize("fn", [
    mean_cluster_purity,
    lambda t, p: purity(p, t),  # inverse purity: true classes vote
    lambda t, p: float(np.mean(np.asarray(t).astype(str) == np.asarray(p).astype(str))),
    memorized,
])
def test_purity_rejects_wrong_answers(fn):
    fails(checks.check_purity, fn)


def test_purity_never_prints_the_expected_value():
    v = checks.check_purity(lambda t, p: 0.123456)
    assert not v.passed and "0.12" not in v.message.replace("0.123456", "")
    assert "expected" not in v.message


# ---------------------------------------------------------------- 6.3 mean vector

def mean_vector(kv, tokens):
    known = [kv[t] for t in tokens if t in kv.key_to_index]
    return np.mean(known, axis=0) if known else np.zeros(kv.vector_size)


@pytest.mark.parametrize("fn", [
    mean_vector,
    lambda kv, tokens: mean_vector(kv, tokens).astype(np.float32),
    lambda kv, tokens: torch.as_tensor(mean_vector(kv, tokens)),
    lambda kv, tokens: mean_vector(kv, tokens).tolist(),
])
def test_mean_vector_accepts_right_answers(fn):
    assert passes(checks.check_mean_vector, fn)


@pytest.mark.parametrize("fn, says", [
    (lambda kv, tokens: np.mean([kv[t] for t in tokens if t in kv.key_to_index], axis=0)
     if any(t in kv.key_to_index for t in tokens) else np.zeros(3), "shape"),  # issue 17
    (lambda kv, tokens: np.mean([kv[t] for t in tokens], axis=0), "KeyError"),
    (lambda kv, tokens: mean_vector(kv, list(dict.fromkeys(tokens))), "differ"),  # drops repeats
    (lambda kv, tokens: np.sum([kv[t] for t in tokens if t in kv.key_to_index]
                               or [np.zeros(kv.vector_size)], axis=0) / max(len(tokens), 1),
     "differ"),  # unknown tokens counted in the denominator
])
def test_mean_vector_rejects_wrong_answers(fn, says):
    assert says in fails(checks.check_mean_vector, fn)


# ---------------------------------------------------------------- 6.4 paired bootstrap

def _rows_rho(x, y):
    from scipy.stats import rankdata

    rx, ry = rankdata(x, axis=1), rankdata(y, axis=1)
    rx, ry = rx - rx.mean(1, keepdims=True), ry - ry.mean(1, keepdims=True)
    return (rx * ry).sum(1) / np.sqrt((rx**2).sum(1) * (ry**2).sum(1))


def paired(gold, a, b, n_boot, seed, paired=True, level=0.95, sign=1):
    gold, a, b = (np.asarray(v, dtype=np.float64) for v in (gold, a, b))
    n = len(gold)
    rng = np.random.default_rng(seed)
    i = rng.integers(0, n, (n_boot, n))
    j = i if paired else rng.integers(0, n, (n_boot, n))
    diffs = _rows_rho(gold[i], a[i]) - _rows_rho(gold[j], b[j])
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(sign * diffs, [tail, 100 - tail])
    return sign * (rho(gold, a) - rho(gold, b)), low, high


def test_paired_bootstrap_accepts_right_answers():
    v = checks.check_paired_spearman_bootstrap(paired)
    assert v.passed, v.message
    v = checks.check_paired_spearman_bootstrap(
        lambda *args: tuple(np.float32(x) for x in paired(*args)))
    assert v.passed, v.message


@pytest.mark.parametrize("kwargs, says", [
    ({"paired": False}, "too wide"),  # a and b resampled independently
    ({"level": 0.90}, "too narrow"),
    ({"sign": -1}, "diff"),  # b - a
])
def test_paired_bootstrap_rejects_wrong_answers(kwargs, says):
    v = checks.check_paired_spearman_bootstrap(lambda *args: paired(*args, **kwargs))
    assert not v.passed and says in v.message, v.message


def test_paired_bootstrap_enforces_do_not_use():
    from course_utils.evaluate import paired_bootstrap

    def lazy(gold, a, b, n_boot, seed):
        r = paired_bootstrap(gold, a, b, n_boot, seed)
        return r.diff, r.ci_low, r.ci_high

    v = checks.check_paired_spearman_bootstrap(lazy)
    assert not v.passed and "paired_bootstrap" in v.message


# ---------------------------------------------------------------- shared helpers

def test_fresh_inputs_differ_between_calls():
    captured: list = []

    def spy(x):
        captured.append(np.array(x, copy=True))
        return pair_cos(x)

    seen = []
    for _ in range(2):
        checks.check_mean_pair_cosine(spy)
        seen.append(captured[-1])
    assert seen[0].shape != seen[1].shape or not np.array_equal(seen[0], seen[1])


def test_forbidden_use_ignores_a_learners_own_function_of_the_same_name():
    def rankdata(v):  # the learner's own helper, not scipy's
        return average_ranks(v)

    def uses_own(x, y):
        return float(np.corrcoef(rankdata(x), rankdata(y))[0, 1])

    assert checks.forbidden_names_used(uses_own, {"scipy.stats.rankdata": "rankdata"}) == []
