import torch

from course_utils.checks import (
    Verdict,
    check_embedding_memory,
    check_masked_mean,
    check_one_hot,
    check_oov_rate,
)


def good_one_hot(ids, n):
    out = torch.zeros(len(ids), n)
    out[torch.arange(len(ids)), ids] = 1.0
    return out


def test_correct_solutions_pass():
    assert check_one_hot(good_one_hot).passed
    assert check_embedding_memory(lambda v, d, b: v * d * b / 2**20).passed
    assert check_masked_mean(
        lambda x, m: (x * m[..., None]).sum(1) / m.sum(1, keepdim=True)).passed


def test_correct_oov_rate_passes():
    from collections import Counter

    def oov(train, test, size):
        counts = Counter(train)
        kept = set(sorted(counts, key=lambda t: (-counts[t], t))[:size])
        return sum(t not in kept for t in test) / len(test)

    assert check_oov_rate(oov).passed


def test_stub_gets_not_attempted_verdict():
    def stub(*args):
        raise NotImplementedError

    verdict = check_one_hot(stub)
    assert isinstance(verdict, Verdict) and not verdict.passed
    assert "not attempted yet" in repr(verdict)


def test_wrong_answers_say_what_was_wrong():
    v = check_one_hot(lambda ids, n: torch.zeros(len(ids), n))
    assert not v.passed and "wrong values" in v.message and "Hint" in v.message
    v = check_one_hot(lambda ids, n: torch.zeros(len(ids), n + 1))
    assert not v.passed and "expected shape" in v.message
    v = check_one_hot(lambda ids, n: good_one_hot(ids, n).long())
    assert not v.passed and "float" in v.message
    v = check_embedding_memory(lambda v, d, b: v * d * b / 1e6)  # MB instead of MiB
    assert not v.passed and "is not right" in v.message and "2**20" in v.message
    v = check_masked_mean(lambda x, m: x.mean(1))  # ignores the mask
    assert not v.passed and "values differ from the reference" in v.message


def test_a_crashing_solution_is_reported_not_raised():
    v = check_oov_rate(lambda train, test, size: 1 / 0)
    assert not v.passed and "ZeroDivisionError" in v.message


def test_non_callable_is_reported():
    v = check_one_hot(torch.zeros(3))
    assert not v.passed and "function itself" in v.message


# ---- lesson 06 (the full set of wrong answers per checker: tests/test_checkers_l04_l06.py)


def test_lesson06_checks_accept_correct_and_reject_wrong_answers():
    import numpy as np
    from scipy.stats import pearsonr, rankdata

    from course_utils.checks import check_mean_vector, check_purity, check_spearman

    def ranks(v):
        v = np.asarray(v, dtype=float)
        return np.array([(v < x).sum() + ((v == x).sum() + 1) / 2 for x in v])

    assert check_spearman(lambda x, y: float(np.corrcoef(ranks(x), ranks(y))[0, 1])).passed
    v = check_spearman(lambda x, y: float(pearsonr(x, y)[0]))  # Pearson, not ranks
    assert not v.passed and "differs from Spearman's rho" in v.message
    v = check_spearman(lambda x, y: float(pearsonr(rankdata(x), rankdata(y))[0]))
    assert not v.passed and "not to use scipy.stats.rankdata" in v.message  # forbidden

    def purity(t, p):
        from collections import Counter

        return sum(Counter(ti for ti, pi in zip(t, p, strict=True) if pi == c).most_common(1)[0][1]
                   for c in set(p)) / len(t)

    assert check_purity(purity).passed
    assert not check_purity(lambda t, p: len(set(p)) / len(set(t))).passed

    def mean_vector(kv, tokens):
        known = [kv[t] for t in tokens if t in kv.key_to_index]
        return np.mean(known, axis=0) if known else np.zeros(kv.vector_size)

    assert check_mean_vector(mean_vector).passed
    v = check_mean_vector(lambda kv, tokens: np.mean([kv[t] for t in tokens], axis=0))
    assert not v.passed and "KeyError" in v.message
