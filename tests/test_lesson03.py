"""Lesson 03's hand-built position methods agree with course_utils, and so do its solutions."""

import numpy as np
import pytest
import torch

from course_utils.positions import (
    alibi_slopes,
    bert_input_embeddings,
    relative_positions,
    rope,
    sinusoidal,
)
from tests.nbutils import NOTEBOOK_DIR, load_definitions, solutions_for

LESSON = NOTEBOOK_DIR / "03_position_and_segment.ipynb"
SOLUTIONS = solutions_for(LESSON)


def test_hand_built_sinusoidal_agrees():
    fn = load_definitions(LESSON, ["sinusoidal_by_hand"])["sinusoidal_by_hand"]
    for n, d in [(1, 2), (30, 16), (300, 64)]:
        assert np.allclose(fn(n, d), sinusoidal(n, d).numpy(), atol=1e-5)


def test_hand_built_rope_agrees_with_the_interleaved_convention():
    fn = load_definitions(LESSON, ["rope_by_hand"])["rope_by_hand"]
    x = torch.randn(9, 12, generator=torch.Generator().manual_seed(0))
    pos = torch.tensor([0, 1, 2, 3, 50, 100, 511, 4096, 7])
    assert torch.allclose(fn(x, pos), rope(x, pos, interleaved=True), atol=1e-5)
    assert not torch.allclose(fn(x, pos), rope(x, pos, interleaved=False), atol=1e-3)


def test_hand_built_shift_matrix_rotates_course_utils_encodings():
    fn = load_definitions(LESSON, ["shift_matrix"])["shift_matrix"]
    pe = sinusoidal(64, 16).double().numpy()
    for k in (1, 3, 20):
        assert np.allclose(pe[:-k] @ fn(k, 16), pe[k:], atol=1e-5)


def test_hand_built_attention_is_permutation_equivariant():
    fn = load_definitions(LESSON, ["self_attention"])["self_attention"]
    gen = torch.Generator().manual_seed(1)
    x, w = torch.randn(6, 8, generator=gen), [torch.randn(8, 8, generator=gen) for _ in range(3)]
    perm = torch.randperm(6, generator=gen)
    assert torch.allclose(fn(x[perm], *w), fn(x, *w)[perm], atol=1e-5)


@pytest.fixture(scope="module")
def minilm():
    from course_utils.data import load_minilm

    return load_minilm(device="cpu")


def test_hand_built_embedding_layer_agrees_with_model_and_course_utils(minilm):
    tokenizer, model = minilm
    fn = load_definitions(LESSON, ["embeddings_by_hand"])["embeddings_by_hand"]
    batch = tokenizer(["a short one", "and a somewhat longer first text"],
                      ["second", "the other segment"], padding=True, return_tensors="pt")
    ids, types = batch["input_ids"], batch["token_type_ids"]
    with torch.no_grad():
        ours = fn(model, ids, types)
        assert torch.allclose(ours, model.embeddings(input_ids=ids, token_type_ids=types),
                              atol=1e-5)
        assert torch.allclose(ours, bert_input_embeddings(model, ids, types), atol=1e-5)


def test_solutions_agree_with_course_utils():
    ns = load_definitions(SOLUTIONS, ["unchanged_after_swap", "rope_heads", "head_slopes",
                                      "toeplitz_bias"])
    assert ns["unchanged_after_swap"](6, 1, 3) == {0, 4, 5}
    x = torch.randn(2, 3, 5, 10, generator=torch.Generator().manual_seed(2))
    pos = torch.tensor([3, 1, 4, 1, 5])
    assert torch.allclose(ns["rope_heads"](x, pos), rope(x, pos), atol=1e-5)
    assert ns["head_slopes"](32) == pytest.approx(alibi_slopes(32).tolist())
    values = torch.randn(9)
    assert torch.equal(ns["toeplitz_bias"](values, 5), values[relative_positions(5, 5) + 4])


def test_lesson03_checkers_reject_wrong_answers():
    from course_utils.checks import check_rope

    assert not check_rope(lambda x, p: rope(x, p, interleaved=True)).passed
    assert "not attempted" in check_rope(lambda x, p: (_ for _ in ()).throw(
        NotImplementedError)).message
    # the full set of wrong answers per checker: tests/test_checkers_l01_l03.py
