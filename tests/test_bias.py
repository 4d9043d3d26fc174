"""course_utils.bias: WEAT's effect size and permutation p-value, with bad input."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import bias
from tests.test_geometry import random_kv


def test_weat_effect_and_permutation_p_value():
    from gensim.models import KeyedVectors

    kv = KeyedVectors(2)
    # X words point toward A, Y words toward B
    kv.add_vectors(["x1", "x2", "x3", "y1", "y2", "y3", "a1", "a2", "b1", "b2"],
                   np.array([[1, .1], [1, .2], [1, .3], [.1, 1], [.2, 1], [.3, 1],
                             [1, 0], [1, .05], [0, 1], [.05, 1]], dtype=np.float32))
    res = bias.weat(kv, ["x1", "x2", "x3"], ["y1", "y2", "y3"], ["a1", "a2"], ["b1", "b2"])
    assert res.effect_size > 1.5 and res.n_permutations == 20  # every split of 6 into 3+3
    assert np.isclose(res.p_value, 1 / 20)  # only the true split is as extreme
    flipped = bias.weat(kv, ["y1", "y2", "y3"], ["x1", "x2", "x3"], ["a1", "a2"], ["b1", "b2"])
    assert np.isclose(flipped.effect_size, -res.effect_size) and flipped.p_value == 1.0
    sampled = bias.weat(kv, ["x1", "x2", "x3"], ["y1", "y2", "y3"], ["a1", "a2"], ["b1", "b2"],
                       n_permutations=5, seed=0)
    assert sampled.n_permutations == 5


def test_weat_bad_input():
    kv = random_kv()
    with pytest.raises(ValueError, match="same size"):
        bias.weat(kv, ["w1", "w2"], ["w3"], ["w4"], ["w5"])
    with pytest.raises(ValueError, match="non-empty list"):
        bias.weat(kv, [], [], ["w4"], ["w5"])
    with pytest.raises(KeyError, match="'w55x' is not in the vocabulary"):
        bias.weat(kv, ["w1"], ["w2"], ["w4"], ["w55x"])
