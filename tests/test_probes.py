"""course_utils.probes: word groups, clustering, linear probes and polarity, and bad input."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import encoders as enc
from course_utils import probes as pr
from tests import kvutils
from tests.kvutils import make_kv

glove, small_kv = kvutils.glove, kvutils.small_kv  # fixtures


# --------------------------------------------------------------------------- clustering


def test_purity_by_hand():
    assert pr.purity_score([0, 0, 1, 1], [5, 5, 7, 7]) == 1.0
    assert pr.purity_score([0, 0, 1, 1], [1, 1, 1, 1]) == 0.5
    assert pr.purity_score(["a", "a", "b", "b", "b"], [0, 1, 1, 1, 0]) == pytest.approx(3 / 5)
    with pytest.raises(ValueError, match="equal length"):
        pr.purity_score([0, 1], [0])
    with pytest.raises(ValueError, match="no labels"):
        pr.purity_score([], [])


def test_cluster_score_separable_groups_and_missing_words():
    rng = np.random.default_rng(0)
    centers = np.eye(3, 10) * 10
    words, vecs = [], []
    for g in range(3):
        for i in range(8):
            words.append(f"g{g}w{i}")
            vecs.append(centers[g] + rng.standard_normal(10) * 0.1)
    kv = make_kv(words, vecs)
    groups = {f"g{g}": [f"g{g}w{i}" for i in range(8)] + [f"g{g}missing"] for g in range(3)}
    res = pr.cluster_score(kv, groups)
    assert (res.purity, res.nmi, res.words, res.missing, res.k) == (1.0, pytest.approx(1.0),
                                                                    24, 3, 3)
    assert res.coverage == pytest.approx(24 / 27)


def test_cluster_score_on_glove_beats_random(glove):
    res = pr.cluster_score(glove)
    rng = np.random.default_rng(0)
    rand = make_kv(glove.index_to_key, rng.standard_normal(glove.vectors.shape))
    floor = pr.cluster_score(rand)
    assert res.words == floor.words > 300 and res.missing == 0
    assert res.nmi > 0.5 > 0.15 > floor.nmi


def test_cluster_bad_input(small_kv):
    with pytest.raises(enc.NoTestWordsError, match="too few"):
        pr.cluster_score(small_kv)  # knows none of the analogy-set groups
    with pytest.raises(ValueError, match="two non-empty"):
        pr.cluster_score(small_kv, {"only": ["cat", "dog"]})
    with pytest.raises(ValueError, match="two non-empty"):
        pr.cluster_score(small_kv, {"a": ["cat"], "b": []})


def test_word_groups_are_disjoint():
    groups = pr.word_groups()
    assert set(groups) == set(pr.CLUSTER_GROUPS)
    seen = [w for ws in groups.values() for w in ws]
    assert len(seen) == len(set(seen)) and "athens" in groups["capital"]
    assert "greece" in groups["country"] and "dinar" in groups["currency"]
    with pytest.raises(ValueError, match="unknown word group"):
        pr.word_groups(["countries"])


# --------------------------------------------------------------------------- probes


def _property_kv(n=40, dim=12, signal=6.0, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2 * n, dim))
    x[n:, 0] += signal  # class 1 is shifted along one direction
    words = [f"a{i}" for i in range(n)] + [f"b{i}" for i in range(n)]
    return make_kv(words, x), words[:n], words[n:]


def test_probe_finds_a_planted_property_and_the_control_does_not():
    kv, zeros, ones = _property_kv()
    res = pr.probe_score(kv, (zeros, ones))
    assert res.accuracy > 0.9 and res.baseline == pytest.approx(0.5)
    assert res.control < 0.7 and res.selectivity > 0.25
    assert res.words == 80 and res.missing == 0 and len(res.folds) == 5
    flat, zeros, ones = _property_kv(signal=0.0)
    assert pr.probe_score(flat, (zeros, ones)).accuracy < 0.75


def test_probe_on_glove_plural(glove):
    res = pr.probe_score(glove, "plural")
    assert res.accuracy > 0.85 and res.accuracy > res.baseline + 0.3
    assert res.selectivity > 0.2 and res.task == "plural"


def test_probe_bad_input(small_kv):
    with pytest.raises(ValueError, match="unknown probe task"):
        pr.probe_score(small_kv, "plurals")
    with pytest.raises(ValueError, match="two non-empty word lists"):
        pr.probe_score(small_kv, (["cat"], []))
    with pytest.raises(enc.NoTestWordsError, match="at least folds=5"):
        pr.probe_score(small_kv, (["cat", "dog"], ["car", "truck"]))
    with pytest.raises(enc.NoTestWordsError, match="too few|at least folds"):
        pr.probe_score(small_kv, "plural")


# --------------------------------------------------------------------------- polarity


def test_polarity_with_a_perfect_and_a_useless_encoder():
    sentences = [f"sentence {i}" for i in range(40)]
    labels = [i % 2 for i in range(40)]
    perfect = pr.polarity_score(lambda texts: np.array([[int(t.split()[1]) % 2, 1.0]
                                                        for t in texts]), sentences, labels)
    assert perfect.accuracy == 1.0 and perfect.baseline == 0.5 and len(perfect.folds) == 5
    rng = np.random.default_rng(0)
    useless = pr.polarity_score(lambda texts: rng.standard_normal((len(texts), 4)),
                                sentences, labels)
    assert useless.accuracy < 0.8


def test_polarity_on_glove(glove):
    res = pr.polarity_score(glove)
    assert 0.5 < res.accuracy < 0.9 and res.coverage > 0.95 and res.baseline == 0.5


def test_polarity_bad_input(small_kv):
    with pytest.raises(ValueError, match="no sentences"):
        pr.polarity_score(small_kv, [], [])
    with pytest.raises(ValueError, match="equal length"):
        pr.polarity_score(small_kv, ["a b"], [0, 1])
    with pytest.raises(ValueError, match="at least folds=5"):
        pr.polarity_score(small_kv, ["a"] * 6, [0, 0, 0, 0, 1, 1])
    with pytest.raises(ValueError, match="expected \\(6, d\\)"):
        pr.polarity_score(lambda t: np.zeros((2, 3)), ["a"] * 6, [0, 1] * 3, folds=2)
    with pytest.raises(TypeError, match="KeyedVectors or a function"):
        pr.polarity_score(42, ["a"] * 6, [0, 1] * 3, folds=2)
