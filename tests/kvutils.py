"""Shared by test_evaluate, test_probes, test_encoders and test_compare: ``make_kv`` and the
fixtures ``glove``, ``minilm`` and ``small_kv`` (import them into a test module to use them)."""

from __future__ import annotations

import numpy as np
import pytest
from gensim.models import KeyedVectors


def make_kv(words, vectors) -> KeyedVectors:
    kv = KeyedVectors(np.asarray(vectors).shape[1])
    kv.add_vectors(list(words), np.asarray(vectors, dtype=np.float32))
    return kv


@pytest.fixture(scope="module")
def glove():
    from course_utils.data import load_glove

    return load_glove()


@pytest.fixture(scope="module")
def minilm():
    from course_utils.data import load_minilm

    return load_minilm(device="cpu")


@pytest.fixture
def small_kv():
    rng = np.random.default_rng(1)
    words = ["cat", "dog", "Cat", "car", "truck", "apple", "pear", "the", "a", "sky"]
    return make_kv(words, rng.standard_normal((len(words), 6)))
