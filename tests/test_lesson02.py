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
from tests.nbutils import NOTEBOOK_DIR, load_definitions

LESSON_A = NOTEBOOK_DIR / "02a_random_initialization.ipynb"
LESSON_B = NOTEBOOK_DIR / "02b_pretrained_initialization.ipynb"
SOLUTIONS_A = NOTEBOOK_DIR / "solutions" / "02a_random_initialization_solutions.ipynb"
SOLUTIONS_B = NOTEBOOK_DIR / "solutions" / "02b_pretrained_initialization_solutions.ipynb"


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
    ns = load_definitions(SOLUTIONS_A, ["xavier_uniform_table", "tied_initial_loss"])
    ns.update(load_definitions(SOLUTIONS_B, ["fill_oov_with_mean", "most_moved"]))
    table = ns["xavier_uniform_table"](3000, 40)
    assert table.std().item() == pytest.approx(
        init_embedding(3000, 40, "xavier_uniform").std().item(), rel=0.03)
    emb = torch.randn(20, 4, generator=torch.Generator().manual_seed(1))
    prev, nxt = torch.arange(10), torch.arange(10, 20)
    assert ns["tied_initial_loss"](emb, prev, nxt) == pytest.approx(
        torch.nn.functional.cross_entropy(emb[prev] @ emb.T, nxt).item(), rel=1e-5)
    found = torch.tensor([True, False] * 10)
    filled = ns["fill_oov_with_mean"](emb, found)
    assert torch.allclose(filled[1], add_tokens(emb[found], 1, "mean")[-1])
    moved = emb.clone()
    moved[7] += 10
    moved[3] += 5
    assert ns["most_moved"](emb, moved, [str(i) for i in range(20)], 2) == ["7", "3"]


def test_lesson02_checkers_reject_wrong_answers():
    from course_utils.checks import (
        check_most_moved,
        check_oov_mean_fill,
        check_tied_initial_loss,
        check_xavier_uniform,
    )

    assert not check_xavier_uniform(lambda v, d: torch.randn(v, d) * math.sqrt(2 / (v + d))).passed
    assert not check_xavier_uniform(lambda v, d: torch.rand(v, d) * math.sqrt(6 / (v + d))).passed
    assert not check_tied_initial_loss(
        lambda e, p, n: torch.nn.functional.cross_entropy(e[p] @ e.T, p).item()).passed

    def in_place(emb, found):
        emb[~found] = emb[found].mean(0)
        return emb

    assert "in place" in check_oov_mean_fill(in_place).message
    assert not check_most_moved(
        lambda b, a, w, k: [w[i] for i in (a - b).norm(dim=1).topk(k, largest=False).indices]
    ).passed
