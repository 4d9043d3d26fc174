"""Lesson 01's hand-built ideas agree with course_utils and with known answers."""

import torch
from torch import nn

from course_utils.text import Vocab, oov_rate
from tests.nbutils import NOTEBOOK_DIR, load_definitions, solutions_for

LESSON = NOTEBOOK_DIR / "01_tokens_to_vectors.ipynb"
SOLUTIONS = solutions_for(LESSON)


def test_embedding_parameters_counts_tied_tables_once():
    ns = load_definitions(LESSON, ["embedding_parameters"])
    count = ns["embedding_parameters"]

    class Tiny(nn.Module):
        def __init__(self, tie):
            super().__init__()
            self.tok = nn.Embedding(10, 4)
            self.pos = nn.Embedding(6, 4)
            self.out = nn.Linear(4, 10, bias=False)
            if tie:
                self.out.weight = self.tok.weight

        def get_output_embeddings(self):
            return self.out

    assert count(Tiny(tie=True)) == 10 * 4 + 6 * 4
    assert count(Tiny(tie=False)) == 10 * 4 + 6 * 4 + 10 * 4


def test_solution_oov_rate_agrees_with_course_utils():
    fn = load_definitions(SOLUTIONS, ["held_out_oov_rate"])["held_out_oov_rate"]
    train = "a b b c c c d d d d e".split()
    test = "a b c x y d d".split()
    for size in (1, 2, 4, 10):
        vocab = Vocab.build([train], max_size=size + 5)  # + the 5 special tokens
        assert abs(fn(train, test, size) - oov_rate(test, vocab)) < 1e-12


def test_solution_one_hot_agrees_with_torch():
    fn = load_definitions(SOLUTIONS, ["one_hot_encode"])["one_hot_encode"]
    ids = torch.tensor([3, 0, 3, 7])
    assert torch.equal(fn(ids, 9), nn.functional.one_hot(ids, 9).float())
