"""Lesson 05's hand-built pieces agree with course_utils, and its checkers judge fairly."""

from __future__ import annotations

import ast
import math

import numpy as np
import pytest
import torch

from course_utils import checks
from course_utils.sgns import train_word2vec
from course_utils.toyworld import make_toy_corpus
from course_utils.word2vec import (
    Word2VecRandom,
    keep_probabilities,
    noise_table,
    reference_sgns_loop,
    reference_sgns_step,
    thread_seeds,
)
from tests.nbutils import NOTEBOOK_DIR, code_cells, load_definitions, read, solutions_for

LESSON = NOTEBOOK_DIR / "05_training_dynamics.ipynb"
SOLUTIONS = solutions_for(LESSON)
EXERCISES = ["sgns_gradients", "sgns_step", "keep_probability", "expected_pairs",
             "adaptive_input_params"]


@pytest.fixture(scope="module")
def solutions():
    return load_definitions(SOLUTIONS, EXERCISES)


def test_lesson_plain_loop_agrees_with_course_utils_and_the_engine():
    loop = load_definitions(LESSON, ["plain_sgns_loop"])["plain_sgns_loop"]
    corpus = make_toy_corpus(n_sentences=60, seed=3)
    opts = dict(dim=5, window=3, negative=4, min_count=1, epochs=2, seed=2, lr=0.1,
                sample=1e-2, threads=1, table_size=500)
    run = train_word2vec(corpus, shared_negatives=False, **opts)
    vocab = run.vocab
    sentences = [np.array([vocab.index[t] for t in s]) for s in corpus]
    table = noise_table(vocab.counts, 500)
    keep = keep_probabilities(vocab.counts, 1e-2).astype(np.float32)
    gen = np.random.default_rng(np.random.SeedSequence([2, 0xE3B]))
    start = (gen.random((len(vocab), 5), dtype=np.float32) - 0.5) / 5
    tables = {}
    for name, fn in [("lesson", loop), ("course_utils", reference_sgns_loop)]:
        w_in, w_out = start.copy(), np.zeros_like(start)
        fn(sentences, w_in, w_out, table, keep, 3, 4, 2, 0.1, 1e-4,
           Word2VecRandom(thread_seeds(2, 1)[0]))
        tables[name] = (w_in, w_out)
    assert np.array_equal(tables["lesson"][0], tables["course_utils"][0])
    assert np.allclose(tables["lesson"][0], run.w_in, atol=1e-6)
    assert np.allclose(tables["lesson"][1], run.w_out, atol=1e-6)


def test_lesson_defines_no_twin_of_a_package_name():
    import course_utils.compare
    import course_utils.encoders
    import course_utils.evaluate
    import course_utils.probes
    import course_utils.sgns
    import course_utils.sgns_torch
    import course_utils.word2vec

    modules = (course_utils.compare, course_utils.encoders, course_utils.evaluate,
               course_utils.probes, course_utils.sgns, course_utils.sgns_torch,
               course_utils.word2vec)
    package = set().union(*(vars(m) for m in modules)) | {"NextWord"}
    defined = {node.name for cell in code_cells(read(LESSON))
               for node in ast.parse(cell.source).body
               if isinstance(node, ast.FunctionDef | ast.ClassDef)}
    assert not defined & package, defined & package


def test_solutions_agree_with_course_utils(solutions):
    counts = np.array([30_000, 2_000, 50, 1])
    got = [solutions["keep_probability"](int(c), int(counts.sum()), 1e-3) for c in counts]
    assert np.allclose(got, keep_probabilities(counts, 1e-3))
    for n, window in [(1, 5), (4, 5), (50, 3)]:
        assert math.isclose(solutions["expected_pairs"](n, window),
                            checks.expected_pairs_reference(n, window))
    run = train_word2vec([[f"w{i % 7}" for i in range(3000)]], dim=4, window=4, min_count=1,
                         epochs=20, sample=0, threads=1)
    predicted = solutions["expected_pairs"](3000, 4) * 20
    assert abs(run.pairs / predicted - 1) < 0.01  # the prediction the learner checks


CHECKERS = [
    (checks.check_sgns_gradients, "sgns_gradients"),
    (checks.check_sgns_step, "sgns_step"),
    (checks.check_keep_probability, "keep_probability"),
    (checks.check_expected_pairs, "expected_pairs"),
    (checks.check_adaptive_input_params, "adaptive_input_params"),
]


@pytest.mark.parametrize("checker, name", CHECKERS)
def test_checkers_pass_solutions_and_report_stubs(checker, name, solutions):
    for _ in range(3):  # fresh cases every call
        verdict = checker(solutions[name])
        assert verdict.passed, verdict

    def stub(*args):
        raise NotImplementedError

    assert "not attempted" in checker(stub).message
    assert not checker("not a function").passed


# ---- correct answers in other types must pass


def grads_numpy64(v, u_pos, u_neg):
    v, u_pos, u_neg = (np.asarray(t, dtype=np.float64) for t in (v, u_pos, u_neg))
    g_pos = 1 / (1 + np.exp(-(v @ u_pos))) - 1
    g_neg = 1 / (1 + np.exp(-(u_neg @ v)))
    return g_pos * u_pos + g_neg @ u_neg, g_pos * v, g_neg[:, None] * v


def step_float64_math(w_in, w_out, inp, out, negatives, lr):
    v = w_in[inp].astype(np.float64)
    step = np.zeros_like(v)
    for t, label in [(out, 1.0)] + [(n, 0.0) for n in negatives if n != out]:
        u = w_out[t].astype(np.float64)
        g = lr * (label - 1 / (1 + np.exp(-(v @ u))))
        step += g * u
        w_out[t] += (g * v).astype(w_out.dtype)
    w_in[inp] += step.astype(w_in.dtype)


@pytest.mark.parametrize("checker, answer", [
    (checks.check_sgns_gradients, grads_numpy64),
    (checks.check_sgns_gradients, lambda v, p, n: tuple(torch.from_numpy(g).float()
                                                 for g in grads_numpy64(v, p, n))),
    (checks.check_sgns_step, step_float64_math),
    (checks.check_keep_probability, lambda c, t, s=1e-3: np.float32(
        min(1.0, (math.sqrt(c / (s * t)) + 1) * s * t / c))),
    (checks.check_keep_probability, lambda c, t, s=1e-3: np.array(
        min(1.0, (math.sqrt(c / (s * t)) + 1) * s * t / c))),
    (checks.check_keep_probability, lambda c, t, s=1e-3: torch.tensor(   # f and t as fractions
        min(1.0, (math.sqrt((c / t) / s) + 1) * s / (c / t)), dtype=torch.float64)),
    (checks.check_expected_pairs, lambda n, w: np.float32(checks.expected_pairs_reference(n, w))),
    (checks.check_adaptive_input_params, lambda c, d, m: np.int64(sum(
        (hi - lo) * k + (k * m if k != m else 0)
        for lo, hi, k in zip([0, *c[:-1]], c, d, strict=True)))),
])
def test_checkers_accept_correct_answers_in_other_types(checker, answer):
    verdict = checker(answer)
    assert verdict.passed, verdict


# ---- plausible wrong answers must fail, without the expected value in the message


def _ref_grads(v, u_pos, u_neg):
    return tuple(torch.from_numpy(g) for g in grads_numpy64(v, u_pos, u_neg))


def step_no_skip(w_in, w_out, inp, out, negatives, lr):
    v = w_in[inp].copy()
    step = np.zeros_like(v)
    for t, label in [(out, 1.0)] + [(n, 0.0) for n in negatives]:  # forgets the skip
        g = lr * (label - 1 / (1 + np.exp(-(v @ w_out[t]))))
        step += g * w_out[t]
        w_out[t] += g * v
    w_in[inp] += step


def step_moves_v_first(w_in, w_out, inp, out, negatives, lr):
    for t, label in [(out, 1.0)] + [(n, 0.0) for n in negatives if n != out]:
        v = w_in[inp].copy()
        g = lr * (label - 1 / (1 + np.exp(-(v @ w_out[t]))))
        w_in[inp] += g * w_out[t]  # v moves inside the loop: later targets see the new v
        w_out[t] += g * v


def step_sign_flipped(w_in, w_out, inp, out, negatives, lr):
    reference_sgns_step(w_in, w_out, inp, out, negatives, -lr)


def step_returns_copies(w_in, w_out, inp, out, negatives, lr):
    a, b = w_in.copy(), w_out.copy()
    reference_sgns_step(a, b, inp, out, negatives, lr)
    return a, b


WRONG = {
    checks.check_sgns_gradients: [
        lambda v, p, n: tuple(-g for g in _ref_grads(v, p, n)),  # sign flipped
        lambda v, p, n: (_ref_grads(v, p, n)[0], _ref_grads(v, p, n)[1],
                         _ref_grads(v, p, n)[2].sum(0)),  # negatives summed: wrong shape
        lambda v, p, n: (_ref_grads(v, p, n)[0] - _ref_grads(v, p, n)[0] + p,
                         *_ref_grads(v, p, n)[1:]),  # grad_v forgets the sigmoid factor
        lambda v, p, n: torch.autograd.grad(  # uses autograd
            (lambda a: -torch.nn.functional.logsigmoid(a @ p))(v.clone().requires_grad_()),
            [v]),
    ],
    checks.check_sgns_step: [step_no_skip, step_moves_v_first, step_sign_flipped,
                             step_returns_copies,
                             lambda w_in, w_out, i, o, n, lr: None],  # does nothing
    checks.check_keep_probability: [
        lambda c, t, s=1e-3: (math.sqrt(c / (s * t)) + 1) * s * t / c,  # not capped at 1
        lambda c, t, s=1e-3: min(1.0, math.sqrt(s * t / c)),  # the paper's sqrt(t/f) form
        lambda c, t, s=1e-3: min(1.0, math.sqrt(c / (s * t)) * s * t / c),  # forgets the +1
        lambda c, t, s=1e-3: str(min(1.0, (math.sqrt(c / (s * t)) + 1) * s * t / c)),  # a str
    ],
    checks.check_expected_pairs: [
        lambda n, w: n * (w + 1),  # ignores the sentence ends
        lambda n, w: 2 * n * w,  # a fixed window
        lambda n, w: n * (w + 1) / 2,  # counts one side only
        lambda n, w: max(0, n - 1) * (w + 1),  # a guess at the ends
    ],
    checks.check_adaptive_input_params: [
        lambda c, d, m: sum(x * k for x, k in zip(c, d, strict=True)),  # cumulative cutoffs
        lambda c, d, m: sum((hi - lo) * k for lo, hi, k in zip([0, *c[:-1]], c, d,
                                                               strict=True)),  # no projections
        lambda c, d, m: sum((hi - lo) * k + k * m for lo, hi, k in zip([0, *c[:-1]], c, d,
                                                                       strict=True)),  # always
        lambda c, d, m: sum(p.numel() for p in torch.nn.Embedding(c[-1], m).parameters()),
    ],
}


@pytest.mark.parametrize("checker", list(WRONG))
def test_checkers_reject_plausible_wrong_answers(checker):
    for wrong in WRONG[checker]:
        for _ in range(3):
            verdict = checker(wrong)
            assert not verdict.passed, (checker.__name__, verdict)
            assert "Hint" in verdict.message or "uses" in verdict.message, verdict


def test_keep_probability_messages_never_show_the_expected_value():
    verdict = checks.check_keep_probability(lambda c, t, s=1e-3: 0.123456)
    assert not verdict.passed and "expected" not in verdict.message.split("Hint")[0]
    assert "0.1234" not in verdict.message


def test_checkers_draw_fresh_cases_each_call():
    seen = []

    def spy(count, total, sample=1e-3):
        seen.append((count, total))
        return 1.0

    checks.check_keep_probability(spy)
    checks.check_keep_probability(spy)
    assert seen[0] != seen[len(seen) // 2]
