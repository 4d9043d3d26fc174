"""Lesson 02's hand-built ideas agree with course_utils and with independent computations."""

import math

import numpy as np
import pytest
import torch
from gensim.models import KeyedVectors

from course_utils.initializers import (
    SCHEMES,
    add_tokens,
    init_embedding,
    pretrained_init,
    subword_init,
)
from tests.nbutils import NOTEBOOK_DIR, load_definitions, solutions_for

LESSON_A = NOTEBOOK_DIR / "02a_random_initialization.ipynb"
LESSON_B = NOTEBOOK_DIR / "02b_pretrained_initialization.ipynb"
SOLUTIONS_A = solutions_for(LESSON_A)
SOLUTIONS_B = solutions_for(LESSON_B)


@pytest.mark.parametrize("scheme", sorted(set(SCHEMES) - {"zeros"}))
def test_hand_built_schemes_have_course_utils_statistics(scheme):
    fn = load_definitions(LESSON_A, ["init_by_hand"])["init_by_hand"]
    torch.manual_seed(0)
    ours, theirs = fn(3000, 40, scheme), init_embedding(3000, 40, scheme, seed=1)
    assert ours.shape == theirs.shape
    assert ours.std().item() == pytest.approx(theirs.std().item(), rel=0.03)
    if scheme in ("word2vec", "xavier_uniform"):  # the same bound
        assert ours.abs().max().item() == pytest.approx(theirs.abs().max().item(), rel=0.01)


def test_hand_built_tied_softmax_start_against_a_loop():
    fn = load_definitions(LESSON_A, ["tied_softmax_start"])["tied_softmax_start"]
    gen = torch.Generator().manual_seed(0)
    emb = torch.randn(30, 6, generator=gen)
    prev = torch.randint(0, 30, (12,), generator=gen)
    nxt = torch.randint(0, 30, (12,), generator=gen)
    entropies, losses = [], []
    for p, n in zip(prev.tolist(), nxt.tolist(), strict=True):
        logits = [2.0 * float(emb[p] @ emb[j]) for j in range(30)]
        z = math.log(sum(math.exp(v) for v in logits))
        probs = [math.exp(v - z) for v in logits]
        entropies.append(-sum(q * math.log(q) for q in probs))
        losses.append(z - logits[n])
    entropy, loss = fn(emb, 2.0, prev, nxt)
    assert entropy == pytest.approx(np.mean(entropies), rel=1e-4)
    assert loss == pytest.approx(np.mean(losses), rel=1e-4)
    uniform_entropy, _ = fn(torch.zeros(30, 6), 1.0, prev, nxt)
    assert uniform_entropy == pytest.approx(math.log(30), rel=1e-6)


def test_hand_built_coverage_agrees_with_pretrained_init():
    fn = load_definitions(LESSON_B, ["coverage_by_hand"])["coverage_by_hand"]
    kv = KeyedVectors(2)
    kv.add_vectors(["a", "b", "c"], np.eye(3, 2, dtype=np.float32))
    tokens = ["a", "x", "c", "y", "z"]
    assert fn(tokens, kv) == pytest.approx(pretrained_init(tokens, kv)[1].coverage)


def test_hand_built_mean_of_pieces_agrees_with_subword_init():
    from course_utils.data import load_minilm_tokenizer

    fn = load_definitions(LESSON_B, ["mean_of_pieces"])["mean_of_pieces"]
    tok = load_minilm_tokenizer()
    table = torch.randn(tok.vocab_size, 5, generator=torch.Generator().manual_seed(0))
    for word in ("goverment", "unbelievably", "cat"):
        assert torch.allclose(fn(word, tok, table), subword_init([word], tok, table)[0])


def test_solutions_agree_with_course_utils_and_torch():
    ns = load_definitions(SOLUTIONS_A, ["xavier_uniform_table", "layer_norm_rows",
                                      "tied_logit_std"])
    ns.update(load_definitions(SOLUTIONS_B, ["fill_oov_with_mean", "widen_orthogonal",
                                             "paired_bootstrap_interval"]))
    table = ns["xavier_uniform_table"](3000, 40)
    assert table.std().item() == pytest.approx(
        init_embedding(3000, 40, "xavier_uniform").std().item(), rel=0.03)
    x = torch.randn(4, 7, 16, generator=torch.Generator().manual_seed(1)) * 30
    w, b = torch.rand(16) + 0.5, torch.randn(16)
    assert torch.allclose(ns["layer_norm_rows"](x, w, b, 1e-5),
                          torch.nn.functional.layer_norm(x, (16,), w, b, 1e-5), atol=1e-5)
    assert ns["tied_logit_std"](768, 0.02) == pytest.approx(0.5543, abs=1e-4)
    emb = torch.randn(20, 4, generator=torch.Generator().manual_seed(1))
    found = torch.tensor([True, False] * 10)
    filled = ns["fill_oov_with_mean"](emb, found)
    assert torch.allclose(filled[1], add_tokens(emb[found], 1, "mean")[-1])
    wide = ns["widen_orthogonal"](emb, 12, 0)
    assert torch.allclose(wide @ wide.T, emb @ emb.T, atol=1e-5) and (wide.norm(dim=0) > 0).all()
    a = np.linspace(0.5, 0.7, 10)
    lo, hi = ns["paired_bootstrap_interval"](a + 0.05, a, 0.95, 2000, 0)
    assert lo == pytest.approx(0.05) and hi == pytest.approx(0.05)  # constant differences


def test_lesson02_checkers_are_tested_with_wrong_answers():
    """The wrong answers each checker must reject live in tests/test_checkers_l01_l03.py."""
    from tests import test_checkers_l01_l03 as t

    for name in ("test_xavier_uniform", "test_layer_norm", "test_tied_logit_std",
                 "test_oov_mean_fill", "test_orthogonal_widen", "test_paired_bootstrap"):
        assert callable(getattr(t, name))
