"""course_utils.encoders: bags of embeddings and MiniLM vectors, equal to sentence-transformers."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from course_utils import encoders as enc
from tests import kvutils

minilm, small_kv = kvutils.minilm, kvutils.small_kv  # fixtures


# --------------------------------------------------------------------------- text encoders


def test_bag_of_embeddings(small_kv):
    x, cov = enc.bag_of_embeddings(small_kv, ["The cat, the DOG!", ["unicorn"], "cat zebra"],
                                   return_coverage=True)
    assert x.shape == (3, 6) and x.dtype == np.float32
    expected = small_kv.vectors[[small_kv.key_to_index[w] for w in ("the", "cat", "the", "dog")]]
    np.testing.assert_allclose(x[0], expected.mean(0), rtol=1e-6)
    assert not x[1].any()  # no known word: a zero row
    np.testing.assert_allclose(x[2], small_kv["cat"])
    assert cov == pytest.approx(5 / 7)
    with pytest.raises(ValueError, match="no texts"):
        enc.bag_of_embeddings(small_kv, [])
    with pytest.raises(TypeError, match="list of texts"):
        enc.bag_of_embeddings(small_kv, "one string")
    with pytest.raises(TypeError, match="string of text"):
        enc.text_tokens(["a", "list"])


def test_minilm_sentence_vectors_use_the_mask(minilm):
    tok, model = minilm
    texts = ["a cat", "a much longer sentence that forces padding on the first one"]
    alone = enc.minilm_sentence_vectors(texts[:1], tok, model)
    batched = enc.minilm_sentence_vectors(texts, tok, model)
    assert batched.shape == (2, 384)
    np.testing.assert_allclose(batched[0], alone[0], atol=1e-5)

    batch = tok(texts[:1], return_tensors="pt")
    with torch.no_grad():
        manual = model(**batch).last_hidden_state[0].mean(0).numpy()  # no padding: plain mean
    np.testing.assert_allclose(alone[0], manual, atol=1e-5)
    with pytest.raises(ValueError, match="no texts"):
        enc.minilm_sentence_vectors([], tok, model)
    with pytest.raises(ValueError, match="batch_size must be an int >= 1, got 0"):
        enc.minilm_sentence_vectors(texts, tok, model, batch_size=0)


TEXTS = ["A cat sat on the mat.", "Stocks fell sharply on Monday after the report.",
         "x", "The quick brown fox jumps over the lazy dog " * 12, "Ünïcödé wörds and 42."]


def test_minilm_sentence_vectors_equal_sentence_transformers(minilm):
    st = pytest.importorskip("sentence_transformers")
    from course_utils.data import _minilm_dir

    tok, model = minilm
    unit = enc.minilm_sentence_vectors(TEXTS, tok, model, batch_size=2, normalize=True)
    raw = enc.minilm_sentence_vectors(TEXTS, tok, model, batch_size=64)
    theirs = st.SentenceTransformer(str(_minilm_dir()), device="cpu", local_files_only=True)
    expected = theirs.encode(TEXTS, normalize_embeddings=True, batch_size=3)  # mean pool, unit
    np.testing.assert_allclose(unit, expected, atol=1e-5)
    np.testing.assert_allclose(raw / np.linalg.norm(raw, axis=1, keepdims=True), expected,
                               atol=1e-5)
    assert not np.allclose(np.linalg.norm(raw, axis=1), 1, atol=1e-2)  # raw means: not unit


def test_mean_pool_ignores_padding():
    hidden = torch.randn(2, 4, 3)
    mask = torch.tensor([[1, 1, 0, 0], [1, 1, 1, 1]])
    out = enc.mean_pool(hidden, mask)
    torch.testing.assert_close(out[0], hidden[0, :2].mean(0))
    torch.testing.assert_close(out[1], hidden[1].mean(0))


def test_minilm_word_vectors_and_input_table(minilm):
    tok, model = minilm
    kv = enc.minilm_word_vectors(["king", "queen", "king", ""], tok, model)
    assert kv.index_to_key == ["king", "queen"] and kv.vector_size == 384
    np.testing.assert_allclose(kv["queen"], enc.minilm_sentence_vectors(["queen"], tok, model)[0],
                               atol=1e-5)
    table = enc.minilm_input_embeddings(model, tok)
    assert 15_000 < len(table) < 30_522
    assert not any(w.startswith("##") or w.startswith("[") for w in table.index_to_key)
    row = tok.convert_tokens_to_ids("king")
    np.testing.assert_array_equal(table["king"],
                                  model.get_input_embeddings().weight[row].detach().numpy())
    with pytest.raises(ValueError, match="no words"):
        enc.minilm_word_vectors([], tok, model)


def test_encode_texts_from_keyed_vectors_or_a_function(small_kv):
    x, cov = enc.encode_texts(small_kv, ["the cat", "zebra dog"])
    np.testing.assert_array_equal(x, enc.bag_of_embeddings(small_kv, ["the cat", "zebra dog"]))
    assert cov == pytest.approx(3 / 4)
    x, cov = enc.encode_texts(lambda texts: np.ones((len(texts), 2), dtype=np.float64), ["a", "b"])
    assert x.dtype == np.float32 and x.shape == (2, 2) and cov == 1.0
    with pytest.raises(enc.NoTestWordsError, match="knows none of the words"):
        enc.encode_texts(small_kv, ["zebra unicorn"])
    with pytest.raises(ValueError, match="returned NaN or inf in 1 of 2 rows"):
        enc.encode_texts(lambda texts: np.array([[1.0], [np.nan]]), ["a", "b"])


def test_check_keyed_vectors_and_unit_rows(small_kv):
    enc.check_keyed_vectors(small_kv)
    with pytest.raises(TypeError, match="expected gensim KeyedVectors, got ndarray"):
        enc.check_keyed_vectors(np.eye(3))
    with pytest.raises(ValueError, match="the embedding has no words"):
        enc.check_keyed_vectors(kvutils.make_kv([], np.zeros((0, 3))))
    u = enc.unit_rows_keep_zero(np.array([[3.0, 4.0], [0.0, 0.0]]))
    assert u.dtype == np.float32
    np.testing.assert_allclose(u, [[0.6, 0.8], [0.0, 0.0]])  # a zero row stays zero
