"""course_utils.projector.export_projector: the TSV pair projector.tensorflow.org loads."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from course_utils.projector import export_projector


def read_pair(folder):
    vectors = np.loadtxt(folder / "vectors.tsv", delimiter="\t", ndmin=2)
    labels = (folder / "metadata.tsv").read_text(encoding="utf-8").split("\n")
    assert labels[-1] == ""  # one label per line, newline-terminated
    return vectors, labels[:-1]


@pytest.fixture
def kv():
    from gensim.models import KeyedVectors

    kv = KeyedVectors(vector_size=3)
    rng = np.random.default_rng(0)
    kv.add_vectors(["king", "queen", "man", "woman"], rng.normal(size=(4, 3)).astype(np.float32))
    return kv


def test_keyed_vectors_round_trip_with_words_as_labels(tmp_path, kv):
    vec_path, meta_path = export_projector(kv, tmp_path / "out")
    assert (vec_path.name, meta_path.name) == ("vectors.tsv", "metadata.tsv")
    vectors, labels = read_pair(tmp_path / "out")
    assert labels == ["king", "queen", "man", "woman"]
    np.testing.assert_array_equal(vectors.astype(np.float32), kv.vectors)  # float32 exact


def test_keyed_vectors_subset_of_words_in_the_given_order(tmp_path, kv):
    export_projector(kv, tmp_path, words=["woman", "king"])
    vectors, labels = read_pair(tmp_path)
    assert labels == ["woman", "king"]
    np.testing.assert_array_equal(vectors.astype(np.float32), kv[["woman", "king"]])


@pytest.mark.parametrize("make", [
    lambda a: a, lambda a: a.astype(np.float32), lambda a: torch.tensor(a),
    lambda a: torch.tensor(a, dtype=torch.float16).float(), lambda a: a.tolist()])
def test_arrays_tensors_and_lists_with_labels(tmp_path, make):
    emb = np.random.default_rng(1).normal(size=(5, 4))
    export_projector(make(emb), tmp_path, labels=[f"w{i}" for i in range(5)])
    vectors, labels = read_pair(tmp_path)
    assert vectors.shape == (5, 4) and labels == ["w0", "w1", "w2", "w3", "w4"]
    np.testing.assert_allclose(vectors, np.asarray(make(emb), dtype=np.float64), rtol=1e-6)


def test_tensor_that_requires_grad_is_exported(tmp_path):
    weight = torch.nn.Embedding(3, 2).weight  # requires_grad=True
    export_projector(weight, tmp_path, labels=["a", "b", "c"])
    assert read_pair(tmp_path)[0].shape == (3, 2)


def test_tabs_and_newlines_in_labels_stay_on_one_line(tmp_path):
    export_projector(np.eye(4), tmp_path, labels=["a\tb", "line\nbreak", "cr\r\nlf", ""])
    _, labels = read_pair(tmp_path)
    assert labels == ["a b", "line break", "cr lf", "<empty>"]


def test_one_dimensional_vectors_are_refused_with_the_fix(tmp_path):
    with pytest.raises(ValueError, match=r"shape \(n, d\), got \(3,\).*reshape\(1, -1\)"):
        export_projector(np.ones(3), tmp_path, labels=["a", "b", "c"])


def test_three_dimensional_vectors_are_refused(tmp_path):
    with pytest.raises(ValueError, match=r"shape \(n, d\), got \(2, 3, 4\)"):
        export_projector(np.ones((2, 3, 4)), tmp_path, labels=["a", "b"])


def test_empty_input_is_refused(tmp_path):
    with pytest.raises(ValueError, match="nothing to export"):
        export_projector(np.zeros((0, 3)), tmp_path, labels=[])


def test_nan_rows_are_refused_naming_the_row(tmp_path):
    emb = np.ones((4, 2))
    emb[2, 1] = np.nan
    with pytest.raises(ValueError, match="1 rows hold NaN or inf.*row 2"):
        export_projector(emb, tmp_path, labels=list("abcd"))
    assert not (tmp_path / "vectors.tsv").exists()  # nothing half-written


def test_inf_in_a_tensor_is_refused(tmp_path):
    with pytest.raises(ValueError, match="NaN or inf"):
        export_projector(torch.tensor([[1.0, float("inf")]]), tmp_path, labels=["a"])


def test_mismatched_labels_are_refused(tmp_path):
    with pytest.raises(ValueError, match="got 2 labels for 3 vectors"):
        export_projector(np.ones((3, 2)), tmp_path, labels=["a", "b"])


def test_array_without_labels_is_refused(tmp_path):
    with pytest.raises(ValueError, match="needs `labels=`"):
        export_projector(np.ones((3, 2)), tmp_path)


def test_strings_are_refused_as_vectors(tmp_path):
    with pytest.raises(TypeError, match="expected real numbers"):
        export_projector(np.array([["a", "b"]]), tmp_path, labels=["x"])


def test_unknown_words_are_refused(tmp_path, kv):
    with pytest.raises(KeyError, match=r"\['kingg'\] not in the vocabulary"):
        export_projector(kv, tmp_path, words=["king", "kingg"])


def test_words_with_an_array_is_refused(tmp_path):
    with pytest.raises(TypeError, match="selects rows of gensim KeyedVectors"):
        export_projector(np.ones((2, 2)), tmp_path, words=["a"])
