"""course_utils.retrieval: encode equals sentence-transformers, search is exact, metrics,
quantization, InfoNCE, BM25, SIF and the retrieval set; bad input gets clear errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from course_utils import retrieval as R


def unit(rng, n, d=8):
    return R.normalize(rng.standard_normal((n, d)))


# --------------------------------------------------------------------------- encode

TEXTS = ["A cat sat on the mat.", "Stocks fell sharply on Monday after the report.",
         "x", "The quick brown fox jumps over the lazy dog " * 12, "Ünïcödé wörds and 42."]


def test_encode_equals_sentence_transformers():
    st = pytest.importorskip("sentence_transformers")
    from course_utils.data import _minilm_dir

    ours = R.encode(TEXTS, batch_size=2)
    model = st.SentenceTransformer(str(_minilm_dir()), device="cpu", local_files_only=True)
    theirs = model.encode(TEXTS, normalize_embeddings=True, batch_size=3)
    assert ours.dtype == np.float32 and ours.shape == (len(TEXTS), R.EMBED_DIM)
    np.testing.assert_allclose(ours, theirs, atol=1e-5)


def test_encode_rows_are_unit_and_independent_of_batching():
    a = R.encode(TEXTS, batch_size=1)
    b = R.encode(TEXTS, batch_size=64)
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1, atol=1e-5)
    np.testing.assert_allclose(a, b, atol=1e-5)  # padding never changes a vector


def test_encode_bad_input():
    with pytest.raises(ValueError, match="empty list"):
        R.encode([])
    with pytest.raises(TypeError, match="got one string"):
        R.encode("a sentence")
    with pytest.raises(TypeError, match=r"texts\[1\] is a int, not a string"):
        R.encode(["ok", 3])
    with pytest.raises(ValueError, match="batch_size must be an int >= 1, got 0"):
        R.encode(["ok"], batch_size=0)


# --------------------------------------------------------------------------- search


def test_search_equals_brute_force_best_first():
    rng = np.random.default_rng(0)
    q, d = unit(rng, 7), unit(rng, 50)
    scores, ids = R.search(q, d, k=5)
    full = q @ d.T
    expected = np.argsort(-full, axis=1, kind="stable")[:, :5]
    assert scores.shape == ids.shape == (7, 5)
    np.testing.assert_array_equal(ids, expected)
    np.testing.assert_allclose(scores, np.take_along_axis(full, expected, 1), atol=1e-6)
    assert (np.diff(scores, axis=1) <= 0).all()


def test_search_single_vector_torch_and_k_equal_collection():
    rng = np.random.default_rng(1)
    d = unit(rng, 6)
    scores, ids = R.search(torch.as_tensor(d[2]), d, k=6)
    assert ids.shape == (1, 6) and ids[0, 0] == 2 and sorted(ids[0]) == list(range(6))


def test_search_bad_input():
    rng = np.random.default_rng(2)
    q, d = unit(rng, 3), unit(rng, 5)
    with pytest.raises(ValueError, match="k=6 is larger than the collection"):
        R.search(q, d, k=6)
    with pytest.raises(ValueError, match="k must be an int >= 1, got 0"):
        R.search(q, d, k=0)
    with pytest.raises(ValueError, match="k must be an int, got 2.0"):
        R.search(q, d, k=2.0)
    assert R.search(q, d, k=np.int64(2))[1].shape == (3, 2)  # numpy ints are ints
    with pytest.raises(ValueError, match="queries have dimension 8 but docs have 4"):
        R.search(q, unit(rng, 5, 4), k=2)
    with pytest.raises(ValueError, match=r"docs is empty \(shape \(0, 8\)\)"):
        R.search(q, np.zeros((0, 8)), k=1)
    with pytest.raises(ValueError, match="queries row 0 has norm 3, expected unit rows"):
        R.search(q * 3, d, k=1)
    bad = d.copy()
    bad[4, 1] = np.nan
    with pytest.raises(ValueError, match="docs row 4 contains NaN"):
        R.search(q, bad, k=1)
    with pytest.raises(TypeError, match="must hold numbers"):
        R.search(["a query"], d, k=1)


def test_normalize_refuses_zero_rows():
    with pytest.raises(ValueError, match="row 1 is a zero vector"):
        R.normalize(np.array([[1.0, 0], [0, 0]]))
    np.testing.assert_allclose(R.normalize(np.array([[3.0, 4.0]])), [[0.6, 0.8]])


# --------------------------------------------------------------------------- metrics


def test_recall_mrr_by_hand():
    ids = np.array([[3, 1, 2], [0, 2, 1]])
    rel = [{1, 2}, {5}]
    assert R.recall_at_k(ids, rel, 1) == 0.0
    assert R.recall_at_k(ids, rel, 2) == pytest.approx(0.25)  # (1/2 + 0) / 2
    assert R.recall_at_k(ids, rel, 3) == pytest.approx(0.5)
    assert R.mrr(ids, rel) == pytest.approx((1 / 2 + 0) / 2)
    np.testing.assert_allclose(R.mrr(ids, rel, per_query=True), [0.5, 0.0])


def test_ndcg_equals_sklearn_with_graded_relevance():
    from sklearn.metrics import ndcg_score

    rng = np.random.default_rng(3)
    m = 12
    for _ in range(5):
        s = rng.standard_normal((4, m))
        grades = rng.integers(0, 3, size=(4, m))
        grades[:, 0] = 2  # every query has a relevant document
        ids = np.argsort(-s, axis=1)
        rel = [{j: int(g) for j, g in enumerate(row) if g} for row in grades]
        assert R.ndcg_at_k(ids, rel, 5) == pytest.approx(ndcg_score(grades, s, k=5))
    perfect = np.argsort(-grades, axis=1, kind="stable")
    assert R.ndcg_at_k(perfect, rel, 5) == pytest.approx(1.0)


def test_metric_bad_input():
    ids = np.array([[0, 1]])
    with pytest.raises(ValueError, match="k=3 is larger than the ranking"):
        R.recall_at_k(ids, [{0}], 3)
    with pytest.raises(ValueError, match="relevant has 2 entries but the ranking has 1"):
        R.recall_at_k(ids, [{0}, {1}], 1)
    with pytest.raises(ValueError, match="query 0 has no relevant document"):
        R.ndcg_at_k(ids, [set()], 1)
    with pytest.raises(TypeError, match="integer document ids"):
        R.mrr(np.array([[0.5]]), [{0}])
    with pytest.raises(ValueError, match=r"expected a \(n_queries, k\) ranking"):
        R.mrr(np.zeros((0, 3), dtype=int), [])
    with pytest.raises(ValueError, match="at least 2 per-query values"):
        R.bootstrap_ci([0.5])


def test_bootstrap_ci_brackets_the_mean():
    vals = np.random.default_rng(4).random(200)
    mean, lo, hi = R.bootstrap_ci(vals, seed=1)
    assert lo < mean < hi and mean == pytest.approx(vals.mean())
    assert R.bootstrap_ci(vals, seed=1) == (mean, lo, hi)


# --------------------------------------------------------------------------- quantization


def test_int8_and_binary_codes():
    rng = np.random.default_rng(5)
    d = unit(rng, 300, 64)
    i8, b = R.quantize(d, "int8"), R.quantize(d, "binary")
    assert i8.codes.dtype == np.int8 and i8.nbytes == d.nbytes // 4
    assert b.codes.dtype == np.uint8 and b.nbytes == d.nbytes // 32
    assert np.abs(i8.decode() - d).max() <= i8.step.max() / 2 + 1e-6
    np.testing.assert_array_equal(b.decode(), np.where(d > 0, 1.0, -1.0))


def test_quantized_search_and_rescoring():
    rng = np.random.default_rng(6)
    d, q = unit(rng, 400, 64), unit(rng, 30, 64)
    _, exact = R.search(q, d, k=10)
    _, ids8 = R.search_quantized(q, R.quantize(d, "int8"), k=10)
    b = R.quantize(d, "binary")
    s_bin, ids_bin = R.search_quantized(q, b, k=10)
    # binary score = d - 2 * Hamming = the dot product of the sign vectors
    signs = np.where(q > 0, 1.0, -1.0) @ b.decode().T
    np.testing.assert_allclose(s_bin, np.take_along_axis(signs, ids_bin, 1))
    _, ids_re = R.search_quantized(q, b, k=10, rescore=10, docs=d)
    rec = {name: np.mean([len(set(a) & set(e)) / 10 for a, e in zip(ids, exact, strict=True)])
           for name, ids in [("int8", ids8), ("bin", ids_bin), ("rescored", ids_re)]}
    assert rec["int8"] > 0.9 and rec["rescored"] > rec["bin"]
    _, all_ids = R.search_quantized(q, b, k=10, rescore=40, docs=d)  # every doc rescored
    np.testing.assert_array_equal(all_ids, exact)


def test_quantization_bad_input():
    rng = np.random.default_rng(7)
    d = unit(rng, 20)
    with pytest.raises(ValueError, match="unknown kind 'int4'"):
        R.quantize(d, "int4")
    with pytest.raises(ValueError, match="rescore needs docs="):
        R.search_quantized(d[:2], R.quantize(d, "binary"), k=2, rescore=3)
    with pytest.raises(ValueError, match=r"rescore must be an int >= 0, got -1 \(a multiple"):
        R.search_quantized(d[:2], R.quantize(d), k=2, rescore=-1)
    with pytest.raises(ValueError, match="k=21 is larger than the collection"):
        R.search_quantized(d[:2], R.quantize(d), k=21)
    with pytest.raises(ValueError, match="queries have dimension 4 but the index has 8"):
        R.search_quantized(unit(rng, 2, 4), R.quantize(d), k=2)
    with pytest.raises(TypeError, match="index must be a QuantizedIndex"):
        R.search_quantized(d[:2], d, k=2)
    with pytest.raises(ValueError, match="calibration has dimension 4"):
        R.quantize(d, "int8", calibration=unit(rng, 5, 4))


# --------------------------------------------------------------------------- InfoNCE


def test_info_nce_equals_cross_entropy_by_hand():
    rng = np.random.default_rng(8)
    q, d = rng.standard_normal((5, 6)), rng.standard_normal((5, 6))
    qu, du = R.normalize(q).astype(np.float64), R.normalize(d).astype(np.float64)
    logits = qu @ du.T / 0.1
    by_hand = np.mean([math.log(np.exp(row).sum()) - row[i] for i, row in enumerate(logits)])
    assert R.info_nce(q, d, 0.1) == pytest.approx(by_hand, rel=1e-5)
    assert R.info_nce(d, d, 0.01) < 1e-3  # every query's own document stands out


def test_info_nce_is_differentiable_and_uniform_at_zero_signal():
    q = torch.randn(8, 4, requires_grad=True)
    loss = R.info_nce(q, torch.randn(8, 4), temperature=0.05)
    loss.backward()
    assert q.grad is not None and torch.isfinite(q.grad).all()
    same = torch.ones(8, 4)  # all scores equal: loss = log(batch size)
    assert float(R.info_nce(same, same, 1.0)) == pytest.approx(math.log(8), rel=1e-6)


def test_info_nce_bad_input():
    x = np.ones((4, 3))
    with pytest.raises(ValueError, match=r"queries \(4, 3\) and docs \(3, 3\) must have the same"):
        R.info_nce(x, x[:3])
    with pytest.raises(ValueError, match=r"temperature must be > 0, got 0.0 \(typically"):
        R.info_nce(x, x, temperature=0)
    with pytest.raises(ValueError, match=r"expected a \(batch, d\) matrix"):
        R.info_nce(np.ones((0, 3)), np.ones((0, 3)))
    nan = x.copy()
    nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="docs contains NaN"):
        R.info_nce(x, nan)
    with pytest.raises(TypeError, match="must hold floats"):
        R.info_nce(np.ones((2, 2), dtype=int), np.ones((2, 2), dtype=int))


# --------------------------------------------------------------------------- BM25, SIF

DOCS = ["the cat sat on the mat", "dogs chase cats in the park",
        "stock markets fell on monday", "the cat and the dog are friends", "markets rallied"]


def test_bm25_equals_rank_bm25_with_the_same_idf():
    rank_bm25 = pytest.importorskip("rank_bm25")
    ours = R.BM25(DOCS)
    ref = rank_bm25.BM25Okapi([d.split() for d in DOCS], k1=1.5, b=0.75)
    ref.idf = dict(ours.idf)  # rank-bm25 floors negative idfs; Lucene's formula has none
    for query in ["the cat", "markets fell", "dog park friends", "unknown words"]:
        np.testing.assert_allclose(ours.scores(query), ref.get_scores(query.split()))


def test_bm25_search_and_bad_input():
    bm = R.BM25(DOCS)
    scores, ids = bm.search(["stock markets"], k=2)
    assert ids[0, 0] == 2 and scores[0, 0] > scores[0, 1]
    with pytest.raises(ValueError, match="k=9 is larger than the collection"):
        bm.search(["cat"], k=9)
    with pytest.raises(ValueError, match="docs is an empty list"):
        R.BM25([])
    with pytest.raises(ValueError, match=r"b must be >= 0.0 and <= 1.0, got 2.0"):
        R.BM25(DOCS, b=2)
    with pytest.raises(ValueError, match=r"k1 must be >= 0, got -1.0"):
        R.BM25(DOCS, k1=-1)
    with pytest.raises(TypeError, match="query must be a string"):
        bm.scores(["cat"])


def test_sif_weights_and_common_direction():
    from gensim.models import KeyedVectors

    rng = np.random.default_rng(9)
    kv = KeyedVectors(4)
    kv.add_vectors(["the", "cat", "dog"], rng.standard_normal((3, 4)).astype(np.float32))
    counts = {"the": 900, "cat": 50, "dog": 50}
    x, common = R.sif_vectors(kv, ["the cat", "the dog", "cat dog", "zebra"], counts)
    w = {t: 1e-3 / (1e-3 + c / 1000) for t, c in counts.items()}
    raw = (w["the"] * kv["the"] + w["cat"] * kv["cat"]) / 2
    np.testing.assert_allclose(x[0], raw - (raw @ common) * common, atol=1e-6)
    np.testing.assert_allclose(x[3], 0)  # no known word: a zero row
    np.testing.assert_allclose(x @ common, 0, atol=1e-6)
    y, same = R.sif_vectors(kv, ["cat"], counts, common=common)
    assert same is not None and np.allclose(same, common)
    with pytest.raises(ValueError, match="counts is empty"):
        R.sif_vectors(kv, ["cat"], {})


# --------------------------------------------------------------------------- the set


def test_retrieval_set_is_deterministic_and_holds_queries_out():
    rs = R.load_retrieval_set()
    assert len(rs.queries) == len(rs.qrels) > 2000 and len(set(rs.query_article)) > 80
    for i in range(0, len(rs.queries), 97):
        rel = rs.qrels[i]
        pos = rs.positives[i]
        assert rel[pos] == 2 and rs.passage_article[pos] == rs.query_article[i]
        assert rs.queries[i] not in rs.passages[pos]  # held out of its passage
        assert all(rs.passage_article[p] == rs.query_article[i] for p in rel)
        assert 6 <= len(rs.queries[i].split()) <= 40 and 30 <= len(rs.passages[pos].split()) <= 60
    again = R._build_wiki_set()
    assert again["queries"] == rs.queries and again["passages"] == rs.passages


def test_retrieval_set_subset_renumbers():
    rs = R.load_retrieval_set()
    arts = sorted(set(rs.query_article))[:3]
    sub = rs.subset(arts)
    assert set(sub.query_article) == set(arts) == set(sub.passage_article)
    for i, rel in enumerate(sub.qrels):
        assert max(rel) < len(sub.passages)
        assert sub.passage_article[sub.positives[i]] == sub.query_article[i]
    with pytest.raises(ValueError, match="unknown retrieval set 'lee'"):
        R.load_retrieval_set("lee")
