"""The recipes pinned to worked numbers: each test fails when one step of a recipe changes.

Written against the survivors of the mutation check (`make mutation`, tools/mutation.py):
every test here is a plain behavioural check of a documented formula, with inputs small
enough to work out by hand.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from course_utils import bias, pathologies
from course_utils import geometry as geo
from course_utils.evaluate import paired_bootstrap, spearman_interval
from course_utils.word2vec import keep_probabilities, make_pairs, noise_table, sigmoid

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
    assert len(noise_table(np.array([3, 1]))) == 10_000_000  # word2vec.c's table size


def test_sigmoid_clamps_its_input_at_plus_minus_ten_like_the_engine():
    assert sigmoid(20.0) == sigmoid(10.0) == np.float32(1 / (1 + np.exp(-10.0)))
    assert sigmoid(-20.0) == sigmoid(-10.0)
    assert sigmoid(9.0) < sigmoid(10.0)  # not clamped any lower
    assert sigmoid(0.0) == np.float32(0.5) and sigmoid(np.array([1.0])).dtype == np.float32


def test_split_slices_cover_every_sentence_once_in_balanced_runs():
    from course_utils.sgns import _split_slices

    lengths = [2] * 10
    starts = np.r_[0, np.cumsum(lengths)]
    assert [r.tolist() for r in _split_slices(starts, 2)] == [[0, 2, 4, 6, 8, 10],
                                                            [10, 12, 14, 16, 18, 20]]
    # ten one-token sentences and one of ten tokens: the halves are cut by token count
    starts = np.r_[0, np.cumsum([1] * 10 + [10])]
    assert [r.tolist() for r in _split_slices(starts, 2)] == [list(range(11)), [10, 20]]
    lengths = [5, 1, 7, 3, 3, 9, 2, 2, 4, 6]
    starts = np.r_[0, np.cumsum(lengths)]
    for threads in (1, 2, 3, 4, 10, 25):
        runs = _split_slices(starts, threads)
        assert 1 <= len(runs) <= threads
        assert all(len(r) >= 2 for r in runs)  # every run holds at least one sentence
        assert runs[0][0] == 0 and runs[-1][-1] == starts[-1]  # from the first to the last
        for before, after in zip(runs, runs[1:], strict=False):
            assert before[-1] == after[0]  # contiguous: each sentence in exactly one run
        tokens = [int(r[-1] - r[0]) for r in runs]
        if threads <= 4:  # balanced: no run is off its share by more than a sentence
            assert len(runs) == threads
            assert max(abs(t - starts[-1] / threads) for t in tokens) <= max(lengths)


def test_make_pairs_refuses_a_sentence_array_of_another_length():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="same length"):
        make_pairs(np.arange(5), np.zeros(4, dtype=int), 0, 5, window=2, rng=rng)
    with pytest.raises(ValueError, match="1-D arrays"):
        make_pairs(np.arange(6).reshape(2, 3), np.zeros((2, 3), dtype=int), 0, 2, 2, rng)


def test_make_pairs_draws_each_centres_window_uniformly_from_1_to_window():
    # one long sentence: a centre's window b is uniform in 1..window, so a context word at
    # distance d is paired with probability P(b >= d) = (window - d + 1) / window
    n = 4000
    ids, sentence = np.arange(n), np.zeros(n, dtype=int)
    for window in (1, 3, 5):
        c, o = make_pairs(ids, sentence, 0, n, window, np.random.default_rng(window))
        counts = np.bincount(np.abs(c - o), minlength=window + 1)[1:]
        expected = 2 * n * (window - np.arange(window)) / window
        assert np.allclose(counts, expected, rtol=0.08), (window, counts, expected)
        assert abs((o > c).mean() - 0.5) < 0.02  # as many contexts right as left
    # window 1: each word with each neighbour, both ways, within its sentence, once
    c, o = make_pairs(np.arange(5), np.array([0, 0, 0, 1, 1]), 0, 5, 1, np.random.default_rng(0))
    assert sorted(zip(c.tolist(), o.tolist(), strict=True)) == [
        (0, 1), (1, 0), (1, 2), (2, 1), (3, 4), (4, 3)]


def test_sgns_loss_refuses_each_mismatched_shape():
    import torch

    from course_utils.sgns_torch import sgns_loss

    v, u = torch.zeros(2, 3), torch.zeros(2, 4, 3)
    assert sgns_loss(v, u).shape == (2,)
    # no negatives (K = 0) is allowed: the loss of the true pair alone, log 2 at v.u = 0
    assert torch.allclose(sgns_loss(v, u[:, :1]), torch.full((2,), np.log(2.0)))
    for bad_v, bad_u in ((v[0], u), (v, u[0]), (v[:1], u), (v, u[:, :, :2]), (v, u[:, :0])):
        with pytest.raises(ValueError, match="sgns_loss expects v of shape"):
            sgns_loss(bad_v, bad_u)


def test_sparse_sgd_step_refuses_mismatched_ids():
    import torch

    from course_utils.sgns_torch import sparse_sgd_step

    w_in, w_out = torch.zeros(5, 3), torch.zeros(5, 3)
    centres, targets = torch.tensor([0, 1]), torch.tensor([[2, 3], [4, 0]])
    for bad_c, bad_t in ((centres[:1], targets), (centres[:, None], targets),
                         (centres, targets[0])):
        with pytest.raises(ValueError, match="expected centres of shape"):
            sparse_sgd_step(w_in, w_out, bad_c, bad_t, 0.1)
    for bad in (centres.float(), [0, 1]):
        with pytest.raises(TypeError, match="centres must be a tensor of integer word ids"):
            sparse_sgd_step(w_in, w_out, bad, targets, 0.1)


# --------------------------------------------------------------------------- evaluate


def test_interval_of_a_perfect_ranking_is_one_point_at_every_level():
    x = np.arange(12.0)
    for level in (0.5, 0.95, 1 - 1e-9):  # level near 1: the extreme resampled rhos
        assert spearman_interval(x, x**3, 300, 0, level) == (1.0, 1.0)
        assert spearman_interval(x, -x, 300, 0, level) == (-1.0, -1.0)


def test_interval_is_the_middle_level_share_of_the_resampled_rhos():
    # the same seed draws the same resamples: the interval at level L leaves (1 - L) / 2 of
    # them on each side, so the 0..100 % "interval" is their full range, and each narrower
    # level sits inside the wider ones, centred on the same resamples
    rng = np.random.default_rng(5)
    gold = rng.standard_normal(40)
    model = gold + rng.standard_normal(40)
    full = spearman_interval(gold, model, 500, 3, 1 - 1e-12)
    mid = spearman_interval(gold, model, 500, 3, 1e-12)  # the median, twice
    assert mid[0] == pytest.approx(mid[1], abs=1e-9)
    assert full[0] < mid[0] < full[1]
    for level in (0.5, 0.8, 0.95):
        low, high = spearman_interval(gold, model, 500, 3, level)
        assert full[0] < low < mid[0] < high < full[1]


def test_paired_p_value_agrees_with_the_paired_interval():
    # a percentile bootstrap's two-sided p-value is below 1 - level exactly when the
    # interval at that level leaves out 0 (both read the same resampled differences)
    rng = np.random.default_rng(0)
    checked = 0
    for case in range(30):
        gold = rng.standard_normal(50)
        a = gold + rng.standard_normal(50)
        b = gold + (0.5 + case / 10) * rng.standard_normal(50)
        for level in (0.5, 0.8, 0.95):
            r = paired_bootstrap(gold, a, b, n_boot=400, seed=case, level=level)
            if abs(r.p_value - (1 - level)) < 0.02:
                continue  # on the boundary: interpolation between resamples decides
            assert (r.p_value < 1 - level) == (r.ci_low > 0 or r.ci_high < 0), (case, level, r)
            checked += 1
    assert checked > 60


def test_bootstraps_resample_every_pair_the_first_included():
    # only the first pair breaks the perfect ranking: resamples that skipped it would all
    # give rho = 1 (and a difference of exactly 0 between the two models)
    gold = np.arange(6.0)
    model = gold.copy()
    model[0] = 10.0
    low, high = spearman_interval(gold, model, 500, 0)
    assert low < 0.9 and high == 1.0
    r = paired_bootstrap(gold, gold, model, n_boot=500, seed=0)
    assert r.ci_high > 0.1 and r.p_value < 1


def test_bootstrap_defaults_are_the_documented_ones():
    rng = np.random.default_rng(7)
    gold = rng.standard_normal(30)
    a, b = gold + rng.standard_normal(30), gold + 2 * rng.standard_normal(30)
    assert spearman_interval(gold, a) == spearman_interval(gold, a, n_boot=1000, seed=0,
                                                           level=0.95)
    assert paired_bootstrap(gold, a, b) == paired_bootstrap(gold, a, b, n_boot=2000, seed=0,
                                                            level=0.95)


def test_paired_interval_is_the_middle_level_share_of_the_resampled_differences():
    rng = np.random.default_rng(6)
    gold = rng.standard_normal(40)
    a, b = gold + rng.standard_normal(40), gold + 1.5 * rng.standard_normal(40)
    full = paired_bootstrap(gold, a, b, 500, 3, 1 - 1e-12)
    mid = paired_bootstrap(gold, a, b, 500, 3, 1e-12)  # the median difference, twice
    assert mid.ci_low == pytest.approx(mid.ci_high, abs=1e-9)
    for level in (0.5, 0.8, 0.95):
        r = paired_bootstrap(gold, a, b, 500, 3, level)
        assert full.ci_low < r.ci_low < mid.ci_low < r.ci_high < full.ci_high


def test_unit_rows_of_any_shape_keep_zero_rows_zero():
    from course_utils.encoders import unit_rows_keep_zero as _unit

    assert np.allclose(_unit(np.array([3.0, 4.0])), [0.6, 0.8])  # one vector
    out = _unit(np.array([[0.0, 0.0], [0.0, 2.0]]))
    assert np.allclose(out, [[0, 0], [0, 1]]) and out.dtype == np.float32


def test_similarity_score_knows_the_first_300000_words_by_default():
    from gensim.models import KeyedVectors

    from course_utils.evaluate import similarity_score

    n = 300_001  # gensim's default restrict_vocab is 300,000: the last word here is unknown
    kv = KeyedVectors(2)
    kv.add_vectors([f"w{i}" for i in range(n)],
                   np.random.default_rng(0).standard_normal((n, 2)).astype(np.float32))
    pairs = [("w0", "w1", 1.0), ("w1", "w2", 2.0), ("w2", "w3", 3.0), ("w0", f"w{n - 1}", 4.0)]
    assert similarity_score(kv, pairs=pairs, n_boot=0).oov_pairs == 1
    assert similarity_score(kv, pairs=pairs, n_boot=0, restrict_vocab=None).oov_pairs == 0
    upper = [(a.upper(), b, score) for a, b, score in pairs[:3]]  # case-insensitive by default
    assert similarity_score(kv, pairs=upper, n_boot=0).oov_pairs == 0


def test_similarity_interval_defaults_are_the_documented_ones():
    from gensim.models import KeyedVectors

    from course_utils.evaluate import similarity_score

    rng = np.random.default_rng(4)
    kv = KeyedVectors(3)
    kv.add_vectors([f"w{i}" for i in range(12)], rng.standard_normal((12, 3)).astype(np.float32))
    pairs = [(f"w{i}", f"w{i + 1}", float(rng.random())) for i in range(11)]
    assert similarity_score(kv, pairs=pairs) == similarity_score(
        kv, pairs=pairs, n_boot=1000, seed=0, level=0.95, oov="skip")


# --------------------------------------------------------------------------- geometry


def test_skewness_on_worked_examples():
    # 0, 0, 0, 0, 10: mean 2, deviations -2 (x4) and 8; E[d^3] = (4 * -8 + 512) / 5 = 96,
    # variance (4 * 4 + 64) / 5 = 16, std 4: skewness 96 / 64 = 1.5
    assert pathologies.skewness([0, 0, 0, 0, 10]) == pytest.approx(1.5)
    assert pathologies.skewness([0, 0, 0, 0, -10]) == pytest.approx(-1.5)
    assert pathologies.skewness([3.0, 7.0]) == 0.0  # two values: symmetric, the smallest sample


def test_weat_defaults_sample_10000_seeded_splits_of_a_large_set():
    from gensim.models import KeyedVectors

    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(20)]  # 8 + 8 targets: C(16, 8) = 12,870 > 10,000 splits
    kv = KeyedVectors(5)
    kv.add_vectors(words, rng.standard_normal((20, 5)).astype(np.float32))
    x, y, a, b = words[:8], words[8:16], words[16:18], words[18:]
    default = bias.weat(kv, x, y, a, b)
    assert default.n_permutations == 10_000
    assert default == bias.weat(kv, x, y, a, b, n_permutations=10_000, seed=0)


def test_weat_p_value_counts_the_splits_of_an_unbalanced_set_exactly():
    from gensim.models import KeyedVectors

    # X leans far toward A, Y only a little toward B: s(w) is not symmetric around 0, so
    # the split statistics are sum_X s - sum_Y s = 2 sum_X s - sum_all s, not 2 sum_X s
    kv = KeyedVectors(2)
    kv.add_vectors(["x1", "x2", "x3", "y1", "y2", "y3", "a", "b"],
                   np.array([[1, .05], [1, .1], [1, .15], [.8, 1], [.9, 1], [1, 1],
                             [1, 0], [0, 1]], dtype=np.float32))
    x, y = ["x1", "x2", "x3"], ["y1", "y2", "y3"]
    res = bias.weat(kv, x, y, ["a"], ["b"])
    assert res.n_permutations == 20 and res.p_value == pytest.approx(1 / 20)
    assert bias.weat(kv, y, x, ["a"], ["b"]).p_value == 1.0
    # as many permutations asked as there are splits: every split once, whatever the seed
    for seed in range(5):
        assert bias.weat(kv, x, y, ["a"], ["b"], n_permutations=20, seed=seed) == res


def test_k_occurrence_counts_every_row_even_one_nobody_picks():
    # four rows close together and one far away (n = 5 rows in d = 2): nobody's nearest
    # neighbour is the far one, yet its count (0) is reported
    emb = np.array([[1, 0], [1, 0.1], [1, 0.2], [1, 0.3], [-1, -5]], dtype=np.float32)
    counts = pathologies.k_occurrence(emb, k=1)
    assert counts.shape == (5,) and counts[4] == 0 and counts.sum() == 5
    # the smallest input: two rows (even of dimension 1) are each other's neighbour
    assert pathologies.k_occurrence(np.array([[1.0], [2.0]]), k=1).tolist() == [1, 1]
    with pytest.raises(ValueError, match="at least 2 rows"):
        pathologies.k_occurrence(np.ones((1, 3)))


def test_all_but_the_top_default_removes_d_over_100_directions_at_least_one():
    rng = np.random.default_rng(0)
    for d, n_components in ((50, 1), (300, 3)):
        emb = rng.standard_normal((400, d)) * np.linspace(3, 1, d)  # distinct top directions
        assert np.allclose(pathologies.all_but_the_top(emb),
                           pathologies.all_but_the_top(emb, n_components))
        assert not np.allclose(pathologies.all_but_the_top(emb),
                               pathologies.all_but_the_top(emb, n_components + 1))


def test_top_directions_of_zero_components_is_an_empty_basis():
    emb = np.random.default_rng(1).standard_normal((10, 4))
    assert pathologies.top_directions(emb, 0).shape == (0, 4)
    assert np.allclose(pathologies.all_but_the_top(emb, 0), pathologies.center(emb))


def test_pairwise_measures_return_torch_when_either_input_is_torch():
    import torch

    a, b = np.array([1.0, 0.0]), torch.tensor([0.0, 1.0])
    for fn in (geo.cosine_similarity, geo.dot_product, geo.euclidean_distance):
        assert isinstance(fn(a, b), torch.Tensor) and isinstance(fn(b, a), torch.Tensor)
        assert isinstance(fn(a, a), float)


def test_top_direction_ignores_the_mean_and_follows_the_spread():
    rng = np.random.default_rng(2)
    # far from the origin along x, spread along y: centred, the spread is the top direction
    emb = np.c_[10 + 0.1 * rng.standard_normal(200), 3 * rng.standard_normal(200)]
    top = pathologies.top_directions(emb, 1)[0]
    assert abs(top[1]) == pytest.approx(1, abs=1e-3)


def test_k_occurrence_default_lists_ten_neighbours():
    emb = np.random.default_rng(3).standard_normal((30, 4))
    assert pathologies.k_occurrence(emb).sum() == 10 * 30


def test_weat_on_a_worked_example_and_blind_to_vector_lengths():
    from gensim.models import KeyedVectors

    # A = x axis, B = y axis: s(w) = cos(w, A) - cos(w, B) is 1, 0 for X and -1, 0 for Y;
    # effect = (0.5 - -0.5) / std([1, 0, -1, 0], ddof=1) = 1 / sqrt(2/3); statistic 1 - -1
    vectors = np.array([[1, 0], [1, 1], [0, 1], [1, 1], [1, 0], [0, 1]], dtype=np.float32)
    words = ["x1", "x2", "y1", "y2", "a", "b"]
    for scale in (1.0, 5.0):
        kv = KeyedVectors(2)
        kv.add_vectors(words, vectors * np.array([[scale], [1], [1], [scale], [1], [scale]],
                                                 dtype=np.float32))
        res = bias.weat(kv, ["x1", "x2"], ["y1", "y2"], ["a"], ["b"])
        assert res.effect_size == pytest.approx(np.sqrt(1.5), rel=1e-6)
        assert res.statistic == pytest.approx(2.0, rel=1e-6)


def test_cosine_of_parallel_vectors_never_exceeds_one():
    # unclamped, a quarter of these random float32 rows have cos(x, x) = 1.0000002
    x = np.random.default_rng(0).standard_normal((2000, 7)).astype(np.float32)
    sims = geo.cosine_similarity(x, x)
    assert sims.max() <= 1.0 and np.allclose(np.diag(sims), 1.0)
    assert (geo.cosine_similarity(x, -x) >= -1.0).all()


def test_mean_cosine_averages_pairs_of_distinct_rows_drawn_uniformly():
    # two opposite rows: every pair of distinct rows has cosine -1
    assert pathologies.mean_cosine(np.array([[1.0, 0.0], [-1.0, 0.0]])) == pytest.approx(-1.0)
    # one row against two equal ones: of the 6 ordered pairs of distinct rows, 4 have cosine
    # -1 and 2 have +1, so the mean is -1/3 (a draw that skipped a row or allowed i == j
    # would land elsewhere)
    emb = np.zeros((3, 5))
    emb[:, 0] = [-1.0, 1.0, 1.0]
    assert pathologies.mean_cosine(emb) == pytest.approx(-1 / 3, abs=0.03)
    x = np.random.default_rng(0).standard_normal((20, 4))
    # the defaults
    assert pathologies.mean_cosine(x) == pathologies.mean_cosine(x, n_pairs=10_000, seed=0)



def test_similarity_score_on_few_pairs_and_from_a_path_string(tmp_path, monkeypatch):
    import math

    from gensim.models import KeyedVectors

    from course_utils.evaluate import similarity_score

    kv = KeyedVectors(2)
    kv.add_vectors(["a", "b", "c", "d"], np.array([[1, 0], [1, 1], [0, 1], [-1, 1]],
                                                  dtype=np.float32))
    pairs = [("a", "b", 3.0), ("a", "c", 2.0), ("a", "d", 1.0)]
    one = similarity_score(kv, pairs=pairs[:1], n_boot=0)
    assert math.isnan(one.pearson)  # one pair: no correlation, and no error
    assert similarity_score(kv, pairs=pairs[:2], n_boot=0).pearson == pytest.approx(1.0)
    three = similarity_score(kv, pairs=pairs, n_boot=1)  # 3 pairs: the smallest interval
    assert not math.isnan(three.ci_low) and not math.isnan(three.ci_high)
    path = tmp_path / "pairs.tsv"
    path.write_text("".join(f"{w1}\t{w2}\t{x}\n" for w1, w2, x in pairs), encoding="utf-8")
    from_path = similarity_score(kv, dataset=str(path), n_boot=0)
    assert from_path.pairs == 3 and from_path.dataset == "pairs.tsv"
    monkeypatch.chdir(tmp_path)  # a bare file name (a dot, no slash) is a path too
    assert similarity_score(kv, dataset="pairs.tsv", n_boot=0).pairs == 3


# nearest neighbours and analogies: the defaults and what is (not) excluded


def test_nearest_neighbors_defaults_to_ten_and_excludes_only_a_query_word():
    from tests.test_geometry import random_kv

    kv = random_kv(n=40)
    assert len(geo.nearest_neighbors(kv, "w5")) == 10  # the documented default k
    for row in (0, 1, 7):  # a vector query excludes nothing, whatever its row
        assert geo.nearest_neighbors(kv, kv[f"w{row}"], k=1)[0][0] == f"w{row}"
        # a word query keeps itself when asked to
        assert geo.nearest_neighbors(kv, f"w{row}", k=1, exclude_query=False)[0][0] == f"w{row}"
        assert geo.nearest_neighbors(kv, f"w{row}", k=1)[0][0] != f"w{row}"


def test_analogy_scores_return_one_candidate_per_question_by_default():
    from tests.test_geometry import random_kv

    kv = random_kv(n=40)
    scores, idx = geo.analogy_scores(kv, [("w1", "w2", "w3"), ("w4", "w5", "w6")])
    assert tuple(scores.shape) == tuple(idx.shape) == (2, 1)


def test_analogy_padding_scores_minus_infinity_and_solve_analogy_defaults_to_one():
    from tests.test_geometry import random_kv

    kv = random_kv(n=12)
    scores, idx = geo.analogy_scores(kv, [("w1", "w2", "w3")], k=12)  # more than can be found
    assert (idx[0, -3:] == -1).all() and torch.isneginf(scores[0, -3:]).all()  # a, b, c out
    assert torch.isfinite(scores[0, :-3]).all() and (idx[0, :-3] >= 0).all()
    assert len(geo.solve_analogy(kv, "w1", "w2", "w3")) == 1


@pytest.mark.parametrize("exclude, n_found", [
    ([[3, 3, -1]], 7),  # a repeated row counts once, -1 means nothing
    ([[2, 5]], 6), ([[-1]], 8), ([[-1, -1]], 8), ([[0, 1, 2, 3, 4, 5, 6, 7]], 0)])
def test_topk_pads_exactly_the_rows_a_query_cannot_have(exclude, n_found):
    rng = np.random.default_rng(0)
    m = rng.standard_normal((8, 4)).astype(np.float32)
    s, i = geo.topk_scores(m[:1], m, k=8, exclude=np.array(exclude))
    found = (i[0] >= 0).sum().item()
    assert found == n_found and set(i[0, :found].tolist()).isdisjoint(set(exclude[0]))
    assert (i[0, found:] == -1).all() and torch.isneginf(s[0, found:]).all()


def test_unit_rows_mixes_ordinary_and_tiny_rows_without_losing_precision():
    # a row of length ~1.4e-20 squares into float32's subnormal range: it must take the exact
    # path, while the ordinary row beside it is divided by its own length
    x = torch.tensor([[1e-20, 1e-20], [3.0, 4.0], [-2e-21, 0.0]], dtype=torch.float32)
    out = geo.unit_rows(x)
    want = torch.tensor([[2 ** -0.5, 2 ** -0.5], [0.6, 0.8], [-1.0, 0.0]])
    assert torch.allclose(out, want, rtol=1e-6, atol=0)


def test_analogy_accuracy_refuses_sections_without_questions_and_keeps_its_default_vocab():
    import inspect

    from course_utils.evaluate import analogy_accuracy
    from tests.test_geometry import random_kv

    kv = random_kv(n=12)
    for empty in ({}, {"capitals": []}, {"capitals": [], "plurals": []}):
        with pytest.raises(ValueError, match="no analogy questions given"):
            analogy_accuracy(kv, empty)
    # the documented default: search among the 30,000 most frequent words
    assert inspect.signature(analogy_accuracy).parameters["restrict_vocab"].default == 30_000
