"""Lesson 05's hand-built pieces agree with course_utils, gensim and the exercise checkers."""

import numpy as np
import torch
from torch import nn

from course_utils.checks import (
    check_adaptive_input_params,
    check_keep_probability,
    check_sgns_gradients,
)
from course_utils.sgns import keep_probabilities, sparse_sgd_step, train_sgns
from course_utils.toyworld import make_toy_corpus, toy_analogies
from tests.nbutils import NOTEBOOK_DIR, load_definitions

LESSON = NOTEBOOK_DIR / "05_training_dynamics.ipynb"
SOLUTIONS = NOTEBOOK_DIR / "solutions" / "05_training_dynamics_solutions.ipynb"


def _toy_kv():
    return train_sgns(make_toy_corpus(n_sentences=800, seed=2), dim=16, window=3, min_count=2,
                      epochs=2, batch_size=128, progress=False)


def test_lesson_analogy_accuracy_agrees_with_gensim():
    fn = load_definitions(LESSON, ["analogy_accuracy"])["analogy_accuracy"]
    kv = _toy_kv()
    questions = [q for qs in toy_analogies().values() for q in qs][::4]
    gensim_right = sum(kv.most_similar(positive=[b, c], negative=[a], topn=1)[0][0] == d
                       for a, b, c, d in questions)
    assert fn(kv.vectors, kv.index_to_key, questions) == gensim_right / len(questions)


def test_lesson_wordsim_rho_agrees_with_gensim():
    from course_utils.data import load_similarity

    wordsim = load_similarity("wordsim353")
    fn = load_definitions(LESSON, ["wordsim_rho"], {"wordsim": wordsim})["wordsim_rho"]
    kv = _toy_kv()
    kv.add_vectors(["tiger", "cat"], np.random.default_rng(0).normal(size=(2, 16)))
    rho, n = fn(kv.vectors, kv.key_to_index)
    assert n >= 1
    pairs = [(a, b, s) for a, b, s in wordsim if a in kv.key_to_index and b in kv.key_to_index]
    assert len(pairs) == n
    if n >= 2:
        from scipy.stats import spearmanr

        expected = spearmanr([kv.similarity(a, b) for a, b, _ in pairs],
                             [s for *_, s in pairs]).statistic
        assert np.isclose(rho, expected, equal_nan=True)


def test_lesson_drift_is_distance_from_first_snapshot():
    fn = load_definitions(LESSON, ["drift"])["drift"]
    _, tr = train_sgns(make_toy_corpus(n_sentences=300, seed=0), dim=8, min_count=2, epochs=1,
                       batch_size=64, snapshot_steps=[0, 5], progress=False,
                       return_trainer=True)
    got = fn(tr.snapshots)
    assert got.shape == (len(tr.vocab),)
    assert np.allclose(got, np.linalg.norm(tr.snapshots[1].vectors - tr.snapshots[0].vectors,
                                           axis=1))


def test_solution_gradients_agree_with_the_trainers_update():
    fn = load_definitions(SOLUTIONS, ["sgns_gradients"])["sgns_gradients"]
    gen = torch.Generator().manual_seed(1)
    w_in, w_out = torch.randn(6, 4, generator=gen), torch.randn(6, 4, generator=gen)
    centre, targets = 2, [0, 3, 5]  # true context 0, negatives 3 and 5
    g_v, g_pos, g_neg = fn(w_in[centre], w_out[targets[0]], w_out[targets[1:]])
    new_in, new_out, lr = w_in.clone(), w_out.clone(), 0.1
    sparse_sgd_step(new_in, new_out, torch.tensor([centre]), torch.tensor([targets]), lr)
    assert torch.allclose(new_in[centre], w_in[centre] - lr * g_v, atol=1e-6)
    assert torch.allclose(new_out[0], w_out[0] - lr * g_pos, atol=1e-6)
    assert torch.allclose(new_out[[3, 5]], w_out[[3, 5]] - lr * g_neg, atol=1e-6)


def test_solution_keep_probability_agrees_with_course_utils():
    fn = load_definitions(SOLUTIONS, ["keep_probability"])["keep_probability"]
    counts = np.array([30_000, 2_000, 50, 1])
    expected = keep_probabilities(counts, 1e-3)
    got = [fn(int(c), int(counts.sum()), 1e-3) for c in counts]
    assert np.allclose(got, expected)


def test_solution_adaptive_params_counts_a_real_module():
    fn = load_definitions(SOLUTIONS, ["adaptive_input_params"])["adaptive_input_params"]
    cutoffs, dims, d_model = [5, 12, 30], [8, 4, 2], 8
    lo, modules = 0, []
    for hi, d in zip(cutoffs, dims, strict=True):
        modules.append(nn.Embedding(hi - lo, d))
        if d != d_model:
            modules.append(nn.Linear(d, d_model, bias=False))
        lo = hi
    assert fn(cutoffs, dims, d_model) == sum(p.numel() for m in modules for p in m.parameters())


def _stub(*args):
    raise NotImplementedError


def test_checkers_accept_solutions_and_reject_wrong_answers():
    ns = load_definitions(SOLUTIONS, ["sgns_gradients", "keep_probability",
                                      "adaptive_input_params"])
    for check, good, bad in [
        (check_sgns_gradients, ns["sgns_gradients"],
         lambda v, up, un: tuple(-x for x in ns["sgns_gradients"](v, up, un))),  # sign flipped
        (check_keep_probability, ns["keep_probability"],
         lambda c, t, s=1e-3: (np.sqrt(c / (s * t)) + 1) * s * t / c),  # not capped at 1
        (check_adaptive_input_params, ns["adaptive_input_params"],
         lambda cutoffs, dims, d: sum(c * k for c, k in zip(cutoffs, dims, strict=True))),  # bad
    ]:
        assert check(good).passed, check(good)
        verdict = check(bad)
        assert not verdict.passed and "Hint" in verdict.message, verdict
        stub = check(_stub)
        assert not stub.passed and "not attempted" in stub.message
        assert not check("not a function").passed
