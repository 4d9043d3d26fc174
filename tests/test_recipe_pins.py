"""The recipes pinned to worked numbers: each test fails when one step of a recipe changes.

Written against the survivors of the mutation check (`make mutation`, tools/mutation.py):
every test here is a plain behavioural check of a documented formula, with inputs small
enough to work out by hand.
"""

from __future__ import annotations

import numpy as np
import pytest

from course_utils.sgns import keep_probabilities, noise_table, sigmoid

# --------------------------------------------------------------------------- sgns


def test_keep_probability_is_word2vecs_formula_on_a_worked_example():
    # counts 900 and 100, sample 0.01: t = 0.01 * 1000 = 10, keep = (sqrt(f/t) + 1) * t / f
    keep = keep_probabilities(np.array([900, 100]), 0.01)
    assert keep == pytest.approx([(np.sqrt(90) + 1) / 90, (np.sqrt(10) + 1) / 10], rel=1e-6)
    assert keep == pytest.approx([0.116520, 0.416228], abs=1e-6)
    # a word rarer than the threshold is always kept (capped at 1)
    assert keep_probabilities(np.array([10_000, 1]), 0.01)[1] == 1.0


def test_noise_table_has_the_requested_size_and_rounded_shares():
    # counts 81, 16, 1 to the power 0.75 are 27, 8, 1: shares 27/36, 8/36, 1/36 of 1000 slots,
    # each word's slots rounded at its cumulative end (750, 972.2 -> 972, 1000)
    table = noise_table(np.array([81, 16, 1]), size=1000)
    assert len(table) == 1000 and table.dtype == np.int64
    assert np.bincount(table).tolist() == [750, 222, 28]
    assert np.all(np.diff(table) >= 0)  # one block per word, in word order
    assert np.bincount(noise_table(np.array([3, 1]), size=8, power=1.0)).tolist() == [6, 2]


def test_sigmoid_clamps_its_input_at_plus_minus_ten_like_the_engine():
    assert sigmoid(20.0) == sigmoid(10.0) == np.float32(1 / (1 + np.exp(-10.0)))
    assert sigmoid(-20.0) == sigmoid(-10.0)
    assert sigmoid(9.0) < sigmoid(10.0)  # not clamped any lower
    assert sigmoid(0.0) == np.float32(0.5) and sigmoid(np.array([1.0])).dtype == np.float32
