"""course_utils.geometry: the measures, the exact engine (vs brute force and vs gensim),
nearest neighbours and analogies, with bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from course_utils import geometry as geo


def random_kv(n=40, d=6, seed=0):
    from gensim.models import KeyedVectors

    rng = np.random.default_rng(seed)
    kv = KeyedVectors(d)
    kv.add_vectors([f"w{i}" for i in range(n)], rng.standard_normal((n, d)).astype(np.float32))
    return kv


def brute_topk(q, m, k, metric, exclude=None):
    """Reference: full score matrix, excluded entries dropped, stable sort (ties: low index)."""
    q, m = np.asarray(q, np.float64), np.asarray(m, np.float64)
    if metric == "cosine":
        s = (q / np.linalg.norm(q, axis=1, keepdims=True)) @ (
            m / np.linalg.norm(m, axis=1, keepdims=True)).T
    elif metric == "dot":
        s = q @ m.T
    elif metric == "euclidean":
        s = -np.sqrt(((q[:, None] - m[None]) ** 2).sum(-1))
    else:
        s = -np.abs(q[:, None] - m[None]).sum(-1)
    if exclude is not None:
        for r, row in enumerate(exclude):
            for i in row:
                if i >= 0:
                    s[r, i] = -np.inf
    order = np.argsort(-s, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(s, order, 1), order


# --------------------------------------------------------------------------- pairwise


@pytest.mark.parametrize("fn", [geo.cosine_similarity, geo.dot_product,
                                geo.euclidean_distance, geo.manhattan_distance])
def test_pairwise_shapes_and_types(fn):
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((3, 5)), rng.standard_normal((4, 5))
    assert isinstance(fn(a[0], b[0]), float)
    assert fn(a[0], b).shape == (4,) and fn(a, b[0]).shape == (3,)
    full = fn(a, b)
    assert isinstance(full, np.ndarray) and full.shape == (3, 4)
    assert np.allclose(fn(a[1], b), full[1]) and np.isclose(fn(a[2], b[3]), full[2, 3])
    t = fn(torch.as_tensor(a), torch.as_tensor(b))
    assert isinstance(t, torch.Tensor) and np.allclose(t.numpy(), full)


def test_pairwise_values():
    a, b = np.array([3.0, 4.0]), np.array([4.0, 0.0])
    assert geo.dot_product(a, b) == 12.0
    assert np.isclose(geo.cosine_similarity(a, b), 0.6)
    assert np.isclose(geo.euclidean_distance(a, b), np.sqrt(17))
    assert np.isclose(geo.manhattan_distance(a, b), 5.0)
    assert np.isclose(geo.cosine_similarity([1, 2], [2, 4]), 1.0)  # lists and ints work


def test_unit_vectors_link_euclidean_and_cosine():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((10, 8))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    assert np.allclose(geo.euclidean_distance(x, x) ** 2, 2 - 2 * geo.cosine_similarity(x, x))


@pytest.mark.parametrize("bad, match", [
    (np.zeros((2, 2, 2)), r"expected shape \(d,\) or \(n, d\)"),
    (np.zeros((0, 3)), "empty"),
    (np.array([1.0, np.nan, 0.0]), "NaN"),
    (np.array([1.0, np.inf, 0.0]), "NaN or infinity"),
])
def test_pairwise_bad_input(bad, match):
    with pytest.raises(ValueError, match=match):
        geo.dot_product(bad, np.ones(3))


def test_pairwise_errors_for_mismatch_zero_and_type():
    with pytest.raises(ValueError, match="same dimension"):
        geo.cosine_similarity(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="zero vector"):
        geo.cosine_similarity(np.zeros(3), np.ones(3))
    with pytest.raises(TypeError, match="numpy array or torch tensor"):
        geo.dot_product("king", np.ones(3))
    assert geo.dot_product(np.zeros(3), np.ones(3)) == 0.0  # dot is fine with zeros


# --------------------------------------------------------------------------- engine vs brute force


@pytest.mark.parametrize("metric", geo.METRICS)
@pytest.mark.parametrize("k", [1, 3, 7])
def test_topk_equals_brute_force_across_blocks(metric, k):
    rng = np.random.default_rng(3)
    q, m = rng.standard_normal((11, 5)), rng.standard_normal((23, 5))
    exclude = rng.integers(-1, 23, size=(11, 2))
    s, i = geo.topk_scores(q, m, k=k, metric=metric, exclude=exclude, block_queries=4,
                           block_vocab=5)
    bs, bi = brute_topk(q, m, k, metric, exclude)
    sign = -1 if metric in ("euclidean", "manhattan") else 1  # distances come back positive
    assert np.array_equal(i.numpy(), bi)
    assert np.allclose(s.numpy(), sign * bs, atol=1e-5)


@pytest.mark.parametrize("k", [1, 2, 5])
def test_ties_go_to_the_lower_index_like_a_stable_sort(k):
    rng = np.random.default_rng(4)
    base = rng.standard_normal((4, 3))
    m = base[[0, 1, 0, 2, 1, 0, 3, 2, 0, 1]]  # many exact duplicates, across blocks
    q = base[[0, 1, 2]] + 0.0
    s, i = geo.topk_scores(q, m, k=k, metric="dot", block_queries=2, block_vocab=3)
    bs, bi = brute_topk(q, m, k, "dot")
    assert np.array_equal(i.numpy(), bi) and np.allclose(s.numpy(), bs, atol=1e-5)
    s, i = geo.topk_scores(np.ones((1, 3)), np.ones((7, 3)), k=k, block_vocab=2)
    assert i[0].tolist() == list(range(k))  # all tied: the first rows, in order


def test_k_larger_than_the_vocabulary_returns_every_row():
    m = np.random.default_rng(5).standard_normal((4, 3))
    s, i = geo.topk_scores(m[:1], m, k=10)
    assert s.shape == (1, 4) and sorted(i[0].tolist()) == [0, 1, 2, 3]
    kv = random_kv(n=5)
    got = geo.nearest_neighbors(kv, "w0", k=50)
    assert len(got) == 4 and "w0" not in [w for w, _ in got]  # excluded, not padded


def test_numpy_and_torch_inputs_agree():
    rng = np.random.default_rng(6)
    q, m = rng.standard_normal((3, 4)).astype(np.float32), rng.standard_normal((9, 4))
    a = geo.topk_scores(q, m, k=3)
    b = geo.topk_scores(torch.as_tensor(q), torch.as_tensor(m), k=3)
    assert torch.equal(a[1], b[1]) and torch.allclose(a[0], b[0])
    assert geo.topk_scores(q[0], m, k=2)[0].shape == (1, 2)  # a single (d,) query


def test_topk_bad_input():
    m = np.ones((3, 2))
    with pytest.raises(ValueError, match="unknown metric"):
        geo.topk_scores(m, m, metric="cosin")
    for k in (0, -1):
        with pytest.raises(ValueError, match=f"k must be an int >= 1, got {k}"):
            geo.topk_scores(m, m, k=k)
    for k in (1.5, True):
        with pytest.raises(ValueError, match=f"k must be an int, got {k}"):
            geo.topk_scores(m, m, k=k)
    with pytest.raises(ValueError, match="dimension 3 but the matrix has 2"):
        geo.topk_scores(np.ones((1, 3)), m)
    with pytest.raises(ValueError, match="empty"):
        geo.topk_scores(np.ones((0, 2)), m)
    with pytest.raises(ValueError, match="zero vector"):
        geo.topk_scores(np.ones((1, 2)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="NaN"):
        geo.topk_scores(np.ones((1, 2)), np.array([[1.0, np.nan]]))
    with pytest.raises(ValueError, match="one row of indices per query"):
        geo.topk_scores(np.ones((2, 2)), m, exclude=np.zeros((1, 4), dtype=int))
    with pytest.raises(ValueError, match="block_vocab must be an int >= 1"):
        geo.topk_scores(m, m, block_vocab=0)
    scores, idx = geo.topk_scores(np.ones((2, 2)), m, k=3, exclude=[0, 1])
    assert idx[0].tolist() == [1, 2, -1] and scores[0, 2] == -np.inf  # padding, not row 0
    assert idx[1].tolist() == [0, 2, -1]


def test_device_cpu_is_accepted():
    m = np.random.default_rng(7).standard_normal((6, 3))
    assert torch.equal(geo.topk_scores(m, m, k=2, device="cpu")[1],
                       geo.topk_scores(m, m, k=2)[1])


# --------------------------------------------------------------------------- words


def test_nearest_neighbors_equals_gensim_on_random_data():
    kv = random_kv()
    for word in ("w0", "w7", "w39"):
        ours = geo.nearest_neighbors(kv, word, k=5)
        theirs = kv.most_similar(word, topn=5)
        assert [w for w, _ in ours] == [w for w, _ in theirs]
        assert np.allclose([s for _, s in ours], [s for _, s in theirs], atol=1e-5)


def test_nearest_neighbors_inputs():
    kv = random_kv()
    vec = kv["w3"]
    by_vec = geo.nearest_neighbors(kv, vec, k=3)
    assert by_vec[0][0] == "w3" and np.isclose(by_vec[0][1], 1.0, atol=1e-5)  # not excluded
    assert geo.nearest_neighbors(kv, "w3", k=3, exclude_query=False)[0][0] == "w3"
    many = geo.nearest_neighbors(kv, ["w1", "w2"], k=2)
    one_by_one = [geo.nearest_neighbors(kv, "w1", k=2), geo.nearest_neighbors(kv, "w2", k=2)]
    assert [[w for w, _ in row] for row in many] == [[w for w, _ in row] for row in one_by_one]
    assert np.allclose([[s for _, s in row] for row in many],
                       [[s for _, s in row] for row in one_by_one], atol=1e-6)
    assert len(geo.nearest_neighbors(kv, np.stack([vec, vec]), k=2)) == 2
    pair = geo.nearest_neighbors((kv.vectors, kv.index_to_key), "w3", k=3)
    assert [w for w, _ in pair] == [w for w, _ in geo.nearest_neighbors(kv, "w3", k=3)]
    near = geo.nearest_neighbors(kv, "w3", k=3, restrict_vocab=10)
    assert all(int(w[1:]) < 10 for w, _ in near)
    dist = geo.nearest_neighbors(kv, "w3", k=3, metric="euclidean")
    assert [s for _, s in dist] == sorted(s for _, s in dist)  # distances, smallest first


def test_unknown_word_gets_a_did_you_mean():
    kv = random_kv()
    with pytest.raises(KeyError, match="did you mean 'w12'"):
        geo.nearest_neighbors(kv, "w12x")
    with pytest.raises(KeyError, match="not in the vocabulary"):
        geo.solve_analogy(kv, "w1", "w2", "nope")


def test_word_queries_bad_input():
    kv = random_kv()
    with pytest.raises(ValueError, match="no query"):
        geo.nearest_neighbors(kv, [])
    with pytest.raises(TypeError, match="KeyedVectors or a \\(matrix, words\\)"):
        geo.nearest_neighbors({"a": 1}, "a")
    with pytest.raises(ValueError, match="3 words for a matrix of 2 rows"):
        geo.nearest_neighbors((np.ones((2, 3)), ["a", "b", "c"]), "a")
    with pytest.raises(ValueError, match="restrict_vocab"):
        geo.nearest_neighbors(kv, "w1", restrict_vocab=0)
    with pytest.raises(ValueError, match="no analogy questions"):
        geo.analogy_scores(kv, [])
    with pytest.raises(ValueError, match="unknown method"):
        geo.solve_analogy(kv, "w1", "w2", "w3", method="3cosdiv")
    with pytest.raises(ValueError, match="\\(a, b, c\\)"):
        geo.analogy_scores(kv, [("w1", "w2")])


@pytest.mark.filterwarnings("ignore:Call to deprecated `init_sims`:DeprecationWarning")
@pytest.mark.parametrize("method, peer", [("3cosadd", "most_similar"),
                                          ("3cosmul", "most_similar_cosmul")])
def test_solve_analogy_equals_gensim_on_random_data(method, peer):
    kv = random_kv(n=60, d=5, seed=8)
    rng = np.random.default_rng(9)
    for a, b, c in rng.integers(0, 60, size=(15, 3)):
        if len({a, b, c}) < 3:
            continue
        a, b, c = f"w{a}", f"w{b}", f"w{c}"
        ours = geo.solve_analogy(kv, a, b, c, k=4, method=method)
        theirs = getattr(kv, peer)(positive=[b, c], negative=[a], topn=4)
        assert [w for w, _ in ours] == [w for w, _ in theirs]
        assert np.allclose([s for _, s in ours], [s for _, s in theirs], atol=1e-4)


@pytest.mark.parametrize("method", geo.ANALOGY_METHODS)
def test_batched_analogies_equal_one_at_a_time_and_brute_force(method):
    kv = random_kv(n=50, d=4, seed=10)
    rng = np.random.default_rng(11)
    triples = [tuple(f"w{i}" for i in rng.choice(50, 3, replace=False)) for _ in range(40)]
    s, i = geo.analogy_scores(kv, triples, k=3, method=method, block_queries=7,
                              block_vocab=9)
    u = kv.vectors / np.linalg.norm(kv.vectors, axis=1, keepdims=True)
    for row, (a, b, c) in enumerate(triples):
        ia, ib, ic = (kv.key_to_index[w] for w in (a, b, c))
        if method == "3cosadd":
            score = u @ (u[ib] - u[ia] + u[ic]) / np.linalg.norm(u[ib] - u[ia] + u[ic])
        else:
            cos = lambda j: (1 + u @ u[j]) / 2  # noqa: E731
            score = cos(ib) * cos(ic) / (cos(ia) + 1e-6)
        score[[ia, ib, ic]] = -np.inf
        best = np.argsort(-score, kind="stable")[:3]
        assert i[row].tolist() == best.tolist()
        assert np.allclose(s[row].numpy(), score[best], atol=1e-4)
        assert [w for w, _ in geo.solve_analogy(kv, a, b, c, k=3, method=method)] == [
            kv.index_to_key[j] for j in best]


def test_analogy_inputs_are_excluded_unless_told_otherwise():
    kv = random_kv(n=30, d=3, seed=12)
    _, with_inputs = geo.analogy_scores(kv, [("w1", "w2", "w3")], k=30,
                                        exclude=np.array([[-1]]))
    _, without = geo.analogy_scores(kv, [("w1", "w2", "w3")], k=27)
    assert {1, 2, 3} <= set(with_inputs[0].tolist())
    assert not {1, 2, 3} & set(without[0].tolist())


# --------------------------------------------------------------------------- GloVe vs gensim


@pytest.fixture(scope="module")
def glove():
    from course_utils.data import load_glove

    return load_glove()


def test_glove_neighbours_equal_gensim_most_similar(glove):
    for word in ("king", "frog", "paris"):
        ours = geo.nearest_neighbors(glove, word, k=10)
        theirs = glove.most_similar(word, topn=10)
        assert [w for w, _ in ours] == [w for w, _ in theirs]
        assert np.allclose([s for _, s in ours], [s for _, s in theirs], atol=1e-5)
    with pytest.raises(KeyError, match="did you mean 'king'"):
        geo.nearest_neighbors(glove, "kingg")


@pytest.mark.filterwarnings("ignore:Call to deprecated `init_sims`:DeprecationWarning")
@pytest.mark.parametrize("method, peer", [("3cosadd", "most_similar"),
                                          ("3cosmul", "most_similar_cosmul")])
def test_glove_analogies_equal_gensim(glove, method, peer):
    for a, b, c in [("man", "king", "woman"), ("france", "paris", "italy"),
                    ("good", "better", "bad")]:
        ours = geo.solve_analogy(glove, a, b, c, k=5, method=method)
        theirs = getattr(glove, peer)(positive=[b, c], negative=[a], topn=5)
        assert [w for w, _ in ours] == [w for w, _ in theirs]
        assert np.allclose([s for _, s in ours], [s for _, s in theirs], atol=1e-4)
    assert geo.solve_analogy(glove, "man", "king", "woman")[0][0] == "queen"


def test_glove_analogy_accuracy_equals_gensim_evaluate(glove, tmp_path):
    from course_utils.data import load_analogies
    from course_utils.evaluate import analogy_accuracy

    sections = {name: qs for name, qs in load_analogies(lowercase=False).items()
                if name in ("capital-common-countries", "family", "gram3-comparative")}
    path = tmp_path / "questions.txt"
    path.write_text("".join(f": {name}\n" + "".join(" ".join(q) + "\n" for q in qs)
                            for name, qs in sections.items()))
    for restrict in (3000, 30000):
        ours = analogy_accuracy(glove, sections, restrict_vocab=restrict)
        theirs, details = glove.evaluate_word_analogies(str(path), restrict_vocab=restrict)
        assert ours.accuracy == theirs and ours.total > 0
        for d in details[:-1]:
            sc = ours.sections[d["section"]]
            assert (sc.correct, sc.total) == (len(d["correct"]),
                                              len(d["correct"]) + len(d["incorrect"]))


def test_analogy_accuracy_bad_input(glove):
    from course_utils.evaluate import analogy_accuracy

    with pytest.raises(ValueError, match="no analogy questions"):
        analogy_accuracy(glove, {})
    with pytest.raises(ValueError, match="not \\(a, b, c, d\\)"):
        analogy_accuracy(glove, {"s": [("a", "b", "c")]})
    with pytest.raises(ValueError, match="unknown method"):
        analogy_accuracy(glove, {"s": [("a", "b", "c", "d")]}, method="x")
    none_known = analogy_accuracy(glove, {"s": [("zzqx", "b", "c", "d")]})
    assert none_known.total == 0 and none_known.skipped == 1 and none_known.coverage == 0.0


@pytest.mark.parametrize("k", [1, 4])
def test_one_or_several_worker_threads_give_the_same_answer(k):
    rng = np.random.default_rng(16)
    m = rng.standard_normal((37, 4))[[*range(37), 0, 5, 5]]  # duplicates: ties across runs
    q = rng.standard_normal((9, 4))
    before = torch.get_num_threads()
    try:
        answers = []
        for threads in (1, 2, 3):
            torch.set_num_threads(threads)
            answers.append(geo.topk_scores(q, m, k=k, block_queries=4, block_vocab=5))
            assert torch.get_num_threads() == threads
    finally:
        torch.set_num_threads(before)
    bs, bi = brute_topk(q, m, k, "cosine")
    for s, i in answers:
        assert np.array_equal(i.numpy(), bi) and np.allclose(s.numpy(), bs, atol=1e-5)


def test_as_tensor_unit_rows_and_word_vectors_the_helpers_other_modules_build_on():
    t = geo.as_tensor(np.array([[3, 4]], dtype=np.int8), "x")
    assert t.dtype == torch.float64 and t.tolist() == [[3.0, 4.0]]
    assert geo.as_tensor(torch.ones(2, dtype=torch.float16), "x").dtype == torch.float32
    with pytest.raises(TypeError, match="x must hold numbers, got dtype <U4: pass vectors"):
        geo.as_tensor(np.array(["king"]), "x")
    with pytest.raises(ValueError, match=r"x: expected shape \(d,\) or \(n, d\), got \(1, 1, 2\)"):
        geo.as_tensor(np.ones((1, 1, 2)), "x")
    big = torch.tensor([[3e30, 4e30], [0.0, 1e-30]])
    assert torch.allclose(geo.unit_rows(big, "big"), torch.tensor([[0.6, 0.8], [0.0, 1.0]]))
    with pytest.raises(ValueError, match="big row 1 is a zero vector, which has no direction"):
        geo.unit_rows(torch.tensor([[1.0, 0.0], [0.0, 0.0]]), "big")
    kv = random_kv(n=5, d=3)
    got = geo.word_vectors(kv, ["w3", "w0"])
    assert got.dtype == np.float64 and np.array_equal(got, kv.vectors[[3, 0]])
    pair = (kv.vectors, kv.index_to_key)
    assert np.array_equal(geo.word_vectors(pair, ["w1"]), kv.vectors[[1]])
    with pytest.raises(KeyError, match="'W3' is not in the vocabulary.*did you mean 'w3'"):
        geo.word_vectors(kv, ["W3"])
