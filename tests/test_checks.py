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


# ---- the shared scaffolding (course_utils/checks/common.py)


def test_importing_the_checkers_stays_light():
    import subprocess
    import sys

    code = ("import sys, course_utils.checks; heavy = {'torch', 'numpy', 'scipy', 'gensim'} "
            "& set(sys.modules); print(sorted(heavy))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=False)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr


def test_shared_judges_read_any_dtype_and_never_show_the_expected_value():
    import numpy as np

    from course_utils.checks.common import as_float64, as_number, close_judge, scalar_judge

    for got in (0.5, np.float32(0.5), np.array(0.5), torch.tensor(0.5), torch.tensor([0.5])):
        assert as_number(got) == 0.5
    for got in (True, "0.5", None, [0.5], np.array([0.5, 0.5]), torch.zeros(2)):
        assert as_number(got) is None
    assert as_number(np.int64(3), integral=True) == 3 and as_number(3.0, integral=True) is None
    assert as_float64(torch.ones(2, dtype=torch.float16)).dtype == np.float64

    judge = scalar_judge(0.123456, "for n=3", abs_tol=1e-6)
    assert judge(np.float32(0.123456)) is None and judge(torch.tensor(0.123456)) is None
    assert "0.1234" not in judge(0.5) and "your value 0.5 is not right" in judge(0.5)
    assert judge(float("nan")) and judge("0.123456") == "for n=3: expected a number, got str"
    assert judge(torch.zeros(3)) == "for n=3: expected one number, got shape (3,)"
    assert scalar_judge(7, integral=True, wrong="off")(7.0) == "expected a whole number, got float"

    array = close_judge(np.eye(2), "for I", want="array")
    assert array(torch.eye(2)) is None and array(np.eye(2, dtype=np.float32)) is None
    assert "expected shape (2, 2), got (3, 3)" in array(np.eye(3))
    assert "values differ" in array(np.full((2, 2), np.nan))
    assert "expected a numpy array" in array([[1, 0], [0, 1]])
    assert "expected a torch.Tensor" in close_judge(np.eye(2), "for I")(np.eye(2))


def test_run_cases_and_forbids_turn_every_problem_into_a_verdict():
    import torch.nn.functional as F

    from course_utils.checks.common import Verdict, forbids, run_cases

    def judge(got):
        return None if got == 2 else "not two"

    assert run_cases("x", lambda a: a + 1, [((1,), judge)], "add one").passed
    assert run_cases("x", lambda a: a, [((1,), judge)], "add one").message == \
        "not two. Hint: add one"
    crash = run_cases("x", lambda a: 1 / 0, [((1,), judge)], "h")
    assert "raised ZeroDivisionError" in crash.message
    assert "could not be checked (KeyError" in run_cases(
        "x", lambda a: {}, [((1,), lambda got: got["k"])], "h").message
    assert "function itself, not int" in run_cases("x", 3, [], "h").message

    @forbids("1.1 one-hot", ["one_hot"])
    def checker(fn):
        return Verdict("1.1 one-hot", True, "ran")

    assert checker(lambda ids, n: torch.zeros(len(ids), n)).message == "ran"
    verdict = checker(lambda ids, n: F.one_hot(ids, n).float())
    assert not verdict.passed and "not to use one_hot" in verdict.message
    assert checker("not a function").message == "ran"  # the checker itself reports it
