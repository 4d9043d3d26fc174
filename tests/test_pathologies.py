"""course_utils.pathologies: centering and all-but-the-top, anisotropy (mean cosine) and
hubness (k-occurrence, skewness), with bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from course_utils import pathologies
from tests.test_geometry import brute_topk


def test_center_and_all_but_the_top():
    rng = np.random.default_rng(13)
    x = rng.standard_normal((200, 6)) * np.array([5, 3, 1, 1, 1, 1]) + 4.0
    c = pathologies.center(x)
    assert np.allclose(c.mean(0), 0) and np.allclose(c, x - x.mean(0))
    abtt = pathologies.all_but_the_top(x, n_components=2)
    top = pathologies.top_directions(x, 2)
    assert top.shape == (2, 6) and np.allclose(top @ top.T, np.eye(2), atol=1e-8)
    assert np.allclose(abtt.mean(0), 0, atol=1e-10) and np.allclose(abtt @ top.T, 0, atol=1e-8)
    pca_axes = np.abs(top)  # the planted high-variance axes are the top directions
    assert pca_axes[0].argmax() == 0 and pca_axes[1].argmax() == 1
    assert np.allclose(pathologies.all_but_the_top(x, 0), c)
    assert pathologies.all_but_the_top(x).shape == x.shape  # default: max(1, d // 100) = 1
    t = pathologies.all_but_the_top(torch.as_tensor(x), 2)
    assert isinstance(t, torch.Tensor) and np.allclose(t.numpy(), abtt)


def test_pathology_helpers_bad_input():
    with pytest.raises(ValueError, match=r"expected a matrix of shape \(n, d\)"):
        pathologies.center(np.ones(3))
    with pytest.raises(ValueError, match="n_components"):
        pathologies.all_but_the_top(np.ones((4, 3)), 5)
    with pytest.raises(ValueError, match="at least 2 rows"):
        pathologies.mean_cosine(np.ones((1, 3)))
    with pytest.raises(ValueError, match="zero vector"):
        pathologies.mean_cosine(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="at least 2 values"):
        pathologies.skewness([1.0])
    with pytest.raises(ValueError, match="empty"):
        pathologies.k_occurrence(np.ones((0, 3)))


def test_mean_cosine_sees_a_shared_direction():
    rng = np.random.default_rng(14)
    x = rng.standard_normal((500, 20))
    assert abs(pathologies.mean_cosine(x)) < 0.02
    assert pathologies.mean_cosine(x + 3.0) > 0.8  # every vector leans the same way
    assert abs(pathologies.mean_cosine(pathologies.center(x + 3.0))) < 0.02
    assert pathologies.mean_cosine(x, seed=1) == pathologies.mean_cosine(x, seed=1)


def test_k_occurrence_matches_brute_force():
    rng = np.random.default_rng(15)
    x = rng.standard_normal((30, 4))
    counts = pathologies.k_occurrence(x, k=3)
    _, idx = brute_topk(x, x, 3, "cosine", exclude=np.arange(30)[:, None])
    assert np.array_equal(counts, np.bincount(idx.ravel(), minlength=30))
    assert counts.sum() == 90
    q = rng.standard_normal((5, 4))
    assert pathologies.k_occurrence(x, k=2, queries=q).sum() == 10
    assert pathologies.k_occurrence(x[:3], k=10).sum() == 6  # k capped at n - 1


def test_skewness():
    assert pathologies.skewness([1, 2, 3]) == 0.0 and pathologies.skewness([5, 5, 5]) == 0.0
    assert pathologies.skewness([0, 0, 0, 0, 10]) > 1
