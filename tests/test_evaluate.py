"""course_utils.evaluate: equal to gensim where gensim has the same test, and bad input."""

from __future__ import annotations

import numpy as np
import pytest
from gensim.test.utils import datapath

from course_utils import encoders as enc
from course_utils import evaluate as ev
from course_utils import probes as pr
from course_utils.data import (
    DataIntegrityError,
    MissingDataError,
    load_analogies,
    load_lee_similarity,
)
from tests import kvutils
from tests.kvutils import make_kv

glove, small_kv = kvutils.glove, kvutils.small_kv  # fixtures


# --------------------------------------------------------------------------- similarity


@pytest.mark.parametrize("name,filename", [("wordsim353", "wordsim353.tsv"),
                                           ("simlex999", "simlex999.txt")])
def test_similarity_equals_gensim_on_glove(glove, name, filename):
    res = ev.similarity_score(glove, name)
    pearson, spearman, oov_ratio = glove.evaluate_word_pairs(datapath(filename))
    assert res.spearman == pytest.approx(spearman.statistic, abs=1e-12)
    assert res.pearson == pytest.approx(pearson.statistic, abs=1e-6)
    assert res.oov_pairs / (res.pairs + res.oov_pairs) * 100 == pytest.approx(oov_ratio)
    assert res.ci_low < res.spearman < res.ci_high


def test_similarity_oov_zero_equals_gensim_dummy4unknown(glove):
    res = ev.similarity_score(glove, "simlex999", oov="zero", restrict_vocab=20_000, n_boot=0)
    _, spearman, _ = glove.evaluate_word_pairs(datapath("simlex999.txt"), dummy4unknown=True,
                                               restrict_vocab=20_000)
    assert res.spearman == pytest.approx(spearman.statistic, abs=1e-12)
    assert res.oov_pairs > 0 and res.pairs == 999  # OOV pairs kept, with similarity 0
    skip = ev.similarity_score(glove, "simlex999", restrict_vocab=20_000, n_boot=0)
    assert skip.pairs + skip.oov_pairs == 999 and skip.oov_pairs == res.oov_pairs


@pytest.mark.parametrize("case_insensitive", [True, False])
@pytest.mark.parametrize("dummy", [False, True])
def test_similarity_equals_gensim_on_small_data(tmp_path, small_kv, case_insensitive, dummy):
    rows = [("cat", "dog", 8.0), ("CAT", "car", 2.5), ("car", "truck", 9.0), ("apple", "pear", 7),
            ("dog", "unicorn", 3.0), ("sky", "the", 0.5), ("a", "pear", 1.0), ("Cat", "dog", 6)]
    path = tmp_path / "pairs.tsv"
    path.write_text("# a comment\n" + "".join(f"{a}\t{b}\t{s}\n" for a, b, s in rows))
    _, spearman, _ = small_kv.evaluate_word_pairs(
        str(path), restrict_vocab=9, case_insensitive=case_insensitive, dummy4unknown=dummy)
    res = ev.similarity_score(small_kv, path, restrict_vocab=9, n_boot=0,
                              case_insensitive=case_insensitive,
                              oov="zero" if dummy else "skip")
    assert res.spearman == pytest.approx(spearman.statistic, abs=1e-12)
    assert res.dataset == "pairs.tsv"
    via_pairs = ev.similarity_score(small_kv, pairs=rows, restrict_vocab=9, n_boot=0,
                                    case_insensitive=case_insensitive,
                                    oov="zero" if dummy else "skip")
    assert via_pairs.spearman == res.spearman


def test_similarity_of_constant_scores_is_nan_without_warnings(small_kv, recwarn):
    res = ev.similarity_score(small_kv, pairs=[("cat", "dog", 1.0), ("cat", "dog", 2.0),
                                               ("cat", "dog", 3.0)], n_boot=0)
    assert np.isnan(res.spearman) and res.pairs == 3 and res.dataset == "pairs"
    assert not [w for w in recwarn if "course_utils" in w.filename or "scipy" in w.filename]


def test_similarity_counts_oov_and_restrict_vocab(small_kv):
    pairs = [("cat", "dog", 1.0), ("car", "truck", 2.0), ("apple", "sky", 3.0),
             ("cat", "zebra", 4.0)]
    res = ev.similarity_score(small_kv, pairs=pairs, n_boot=0)
    assert (res.pairs, res.oov_pairs, res.coverage) == (3, 1, 0.75)
    res = ev.similarity_score(small_kv, pairs=pairs, restrict_vocab=5, n_boot=0)
    assert (res.pairs, res.oov_pairs) == (2, 2)  # "apple" and "sky" are beyond the first 5


def test_bootstrap_ci_is_seeded_and_widens_on_fewer_pairs(glove):
    a = ev.similarity_score(glove, "wordsim353", seed=3)
    b = ev.similarity_score(glove, "wordsim353", seed=3)
    assert (a.ci_low, a.ci_high) == (b.ci_low, b.ci_high)
    from course_utils.data import load_similarity

    few = ev.similarity_score(glove, pairs=load_similarity("wordsim353")[:60], seed=3)
    assert few.ci_high - few.ci_low > a.ci_high - a.ci_low
    assert ev.similarity_score(glove, "wordsim353", n_boot=0).ci_low != a.ci_low  # nan


def test_similarity_bad_input(tmp_path, small_kv):
    with pytest.raises(ValueError, match="did you mean 'wordsim353'"):
        ev.similarity_score(small_kv, "wordsim")
    with pytest.raises(MissingDataError, match="not found"):
        ev.similarity_score(small_kv, tmp_path / "nope.tsv")
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("this is not\na pairs file\n")
    with pytest.raises(ValueError, match="line 1 is not 'word1<TAB>word2<TAB>score'"):
        ev.similarity_score(small_kv, wrong)
    binary = tmp_path / "vectors.bin"
    binary.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(ValueError, match="not UTF-8|is not 'word1"):
        ev.similarity_score(small_kv, binary)
    empty = tmp_path / "empty.tsv"
    empty.write_text("# only a comment\n")
    with pytest.raises(ValueError, match="no word pairs"):
        ev.similarity_score(small_kv, empty)
    with pytest.raises(ValueError, match="no word pairs"):
        ev.similarity_score(small_kv, pairs=[])
    with pytest.raises(enc.NoTestWordsError, match="none of the 353 pairs"):
        ev.similarity_score(make_kv(["xx", "yy"], np.eye(2)), "wordsim353")
    with pytest.raises(ValueError, match="oov policy"):
        ev.similarity_score(small_kv, "wordsim353", oov="mean")
    with pytest.raises(ValueError, match="restrict_vocab"):
        ev.similarity_score(small_kv, "wordsim353", restrict_vocab=0)
    with pytest.raises(TypeError, match="KeyedVectors"):
        ev.similarity_score(np.eye(3), "wordsim353")
    with pytest.raises(ValueError, match="not \\(word1, word2, score\\)"):
        ev.similarity_score(small_kv, pairs=[("cat", "dog")])


# --------------------------------------------------------------------------- analogies


def _write_analogies(path, sections):
    path.write_text("".join(f": {name}\n" + "".join(" ".join(q) + "\n" for q in qs)
                            for name, qs in sections.items()))
    return str(path)


def test_analogy_equals_gensim_on_glove_sample(glove, tmp_path):
    # every 8th question of every section keeps the test under a minute on a busy laptop;
    # the whole set gives 0.4969 in both (checked when the engine was written)
    sample = {s: qs[::8] for s, qs in load_analogies(lowercase=False).items()}
    score, sections = glove.evaluate_word_analogies(_write_analogies(tmp_path / "q.txt", sample),
                                                    restrict_vocab=30_000)
    res = ev.analogy_accuracy(glove, sample, restrict_vocab=30_000)
    assert res.accuracy == pytest.approx(score, abs=1e-12)
    gensim_sections = {s["section"]: (len(s["correct"]), len(s["correct"]) + len(s["incorrect"]))
                       for s in sections if s["section"] != "Total accuracy"}
    assert {n: (r.correct, r.total) for n, r in res.sections.items()} == gensim_sections


def test_analogy_equals_gensim_on_small_data(tmp_path):
    rng = np.random.default_rng(0)
    words = ["man", "woman", "king", "queen", "boy", "girl", "Paris", "France", "Rome", "Italy",
             "paris", "noise"]
    vecs = rng.standard_normal((len(words), 8)) * 0.1
    gender = rng.standard_normal(8)
    for m, f in [(0, 1), (2, 3), (4, 5)]:
        vecs[f] = vecs[m] + gender
    kv = make_kv(words, vecs)
    qs = {"family": [("man", "woman", "king", "queen"), ("king", "queen", "boy", "girl"),
                     ("boy", "girl", "man", "woman"), ("man", "woman", "unicorn", "x")],
          "capitals": [("Paris", "France", "Rome", "Italy"), ("paris", "france", "rome", "italy")]}
    for restrict in (None, 10):
        score, sections = kv.evaluate_word_analogies(_write_analogies(tmp_path / "q.txt", qs),
                                                     restrict_vocab=restrict or len(words))
        res = ev.analogy_accuracy(kv, qs, restrict_vocab=restrict)
        assert res.accuracy == pytest.approx(score)
        assert res.correct == len(sections[-1]["correct"])
        assert res.skipped == 6 - res.total
    family = ev.analogy_accuracy(kv, qs, restrict_vocab=None).sections["family"]
    assert family.total == 3 and family.correct >= 1  # a comparison with something to find


@pytest.mark.filterwarnings("ignore:Call to deprecated `init_sims`:DeprecationWarning")
def test_analogy_3cosmul_matches_gensim_most_similar_cosmul(glove):
    qs = [q for q in load_analogies()["family"][:40]]
    res = ev.analogy_accuracy(glove, {"family": qs}, restrict_vocab=30_000, method="3cosmul")
    small = glove.__class__(glove.vector_size)
    small.add_vectors(glove.index_to_key[:30_000], glove.vectors[:30_000])
    correct = 0
    for a, b, c, d in qs:
        if all(w in small.key_to_index for w in (a, b, c, d)):
            best = small.most_similar_cosmul(positive=[b, c], negative=[a], topn=1)[0][0]
            correct += best == d
    assert res.correct == correct and res.method == "3cosmul"


def test_analogy_bad_input(small_kv):
    with pytest.raises(ValueError, match="unknown method"):
        ev.analogy_accuracy(small_kv, {"s": [("cat", "dog", "car", "truck")]}, method="add")
    with pytest.raises(ValueError, match="no analogy questions"):
        ev.analogy_accuracy(small_kv, {})
    with pytest.raises(ValueError, match="not \\(a, b, c, d\\)"):
        ev.analogy_accuracy(small_kv, {"s": [("cat", "dog", "car")]})
    res = ev.analogy_accuracy(small_kv, {"s": [("xx", "yy", "zz", "ww")]})  # no known words
    assert (res.total, res.skipped, res.accuracy, res.coverage) == (0, 1, 0.0, 0.0)


def test_lee_data_is_what_gensim_ships():
    docs, ratings = load_lee_similarity()
    assert len(docs) == 50 and ratings.shape == (50, 50)
    iu = np.triu_indices(50, 1)
    assert 0 <= ratings[iu].min() and ratings[iu].max() <= 1 and np.all(np.diag(ratings) == 1)


def test_lee_score_agrees_with_a_hand_computation(glove):
    from scipy import stats

    docs, ratings = load_lee_similarity()
    res = ev.lee_score(glove)
    x = enc.bag_of_embeddings(glove, docs)
    x = x / np.linalg.norm(x, axis=1, keepdims=True)
    iu = np.triu_indices(50, 1)
    assert res.pearson == pytest.approx(stats.pearsonr((x @ x.T)[iu], ratings[iu])[0], abs=1e-6)
    assert res.pairs == 1225 and 0.2 < res.pearson < 0.7


def test_lee_wrong_or_missing_file(fake_provider):
    root = fake_provider("lee_similarity")
    (root / "lee.cor").write_text("not the Lee documents\n")
    with pytest.raises(DataIntegrityError, match="lee.cor.*pip install"):
        load_lee_similarity()
    (root / "lee.cor").unlink()
    with pytest.raises(MissingDataError, match="missing"):
        load_lee_similarity()


def test_lee_score_bad_input(small_kv):
    with pytest.raises(ValueError, match="\\(n, n\\) ratings"):
        ev.lee_score(small_kv, ["a", "b", "c"], np.eye(2))
    with pytest.raises(ValueError, match="at least 3 documents"):
        ev.lee_score(small_kv, [], np.zeros((0, 0)))
    with pytest.raises(enc.NoTestWordsError, match="knows none of the words"):
        ev.lee_score(make_kv(["xx", "yy"], np.eye(2)))
    with pytest.raises(enc.NoTestWordsError, match="knows none of the words"):
        pr.polarity_score(make_kv(["xx", "yy"], np.eye(2)))


# ---- bootstrap intervals: level, coverage, degenerate cases


def _correlated(rng, n, r=0.5):
    z = rng.standard_normal((n, 2))
    return z[:, 0], r * z[:, 0] + np.sqrt(1 - r**2) * z[:, 1]


def test_interval_level_orders_the_widths():
    rng = np.random.default_rng(0)
    gold, model = _correlated(rng, 150)
    w = {level: np.subtract(*ev.spearman_interval(gold, model, 2000, 1, level)[::-1])
         for level in (0.5, 0.9, 0.95, 0.99)}
    assert w[0.5] < w[0.9] < w[0.95] < w[0.99]
    # percentile interval of a roughly normal statistic: widths scale with the normal quantile
    assert w[0.9] / w[0.95] == pytest.approx(1.645 / 1.960, rel=0.08)


def test_95_interval_covers_the_true_rho_about_95_percent_of_the_time():
    rng = np.random.default_rng(1)
    r = 0.5
    true_rho = 6 / np.pi * np.arcsin(r / 2)  # Spearman's rho of a bivariate normal
    hits = {0.95: 0, 0.8: 0}
    trials = 150
    for t in range(trials):
        gold, model = _correlated(rng, 120, r)
        for level in hits:
            low, high = ev.spearman_interval(gold, model, 400, t, level)
            hits[level] += low <= true_rho <= high
    assert 0.88 <= hits[0.95] / trials <= 0.995
    assert 0.70 <= hits[0.8] / trials <= 0.90  # a wrong level would land far from 80 %


def test_similarity_score_passes_its_level_on(small_kv):
    pairs = [("cat", "dog", 7.0), ("car", "truck", 8.0), ("cat", "car", 1.0), ("dog", "truck", 2.0),
             ("cat", "truck", 1.5), ("dog", "car", 2.5)]
    wide = ev.similarity_score(small_kv, pairs=pairs, n_boot=500, level=0.95)
    narrow = ev.similarity_score(small_kv, pairs=pairs, n_boot=500, level=0.5)
    assert narrow.ci_high - narrow.ci_low < wide.ci_high - wide.ci_low


def test_bootstrap_degenerate_cases_raise(small_kv):
    g, m = [1.0, 2.0, 3.0, 4.0], [1.0, 3.0, 2.0, 4.0]
    with pytest.raises(ValueError, match="n_boot must be an int >= 1, got 0: a bootstrap interval"):
        ev.spearman_interval(g, m, n_boot=0)
    with pytest.raises(ValueError, match="n_boot must be an int >= 1, got -5"):
        ev.spearman_interval(g, m, n_boot=-5)
    with pytest.raises(ValueError, match="n_boot must be an int >= 1, got 0"):
        ev.paired_bootstrap(g, m, m, n_boot=0)
    with pytest.raises(ValueError, match="level must be > 0 and < 1, got 95.0; a 95% interval is"):
        ev.spearman_interval(g, m, level=95)
    with pytest.raises(ValueError, match="level must be > 0 and < 1, got 0.0"):
        ev.paired_bootstrap(g, m, m, level=0)
    with pytest.raises(ValueError, match="2 pairs are too few"):
        ev.spearman_interval([1.0, 2.0], [2.0, 1.0])
    with pytest.raises(ValueError, match="equal-length 1-D"):
        ev.spearman_interval(g, m[:3])
    with pytest.raises(ValueError, match="equal-length 1-D"):
        ev.paired_bootstrap(g, m, m[:3])
    with pytest.raises(ValueError, match="n_boot must be an int >= 0, got -1; use 1000, or 0"):
        ev.similarity_score(small_kv, pairs=[("cat", "dog", 1.0)] * 3, n_boot=-1)


def test_paired_bootstrap_pairs_the_draws():
    rng = np.random.default_rng(2)
    gold, a = _correlated(rng, 200, 0.6)
    b = a + 0.1 * rng.standard_normal(200)  # b shares a's errors
    res = ev.paired_bootstrap(gold, a, b, n_boot=2000, seed=0)
    alone = ev.spearman_interval(gold, a, 2000, 0)
    assert res.ci_high - res.ci_low < 0.5 * (alone[1] - alone[0])  # the shared part cancels
    assert res.ci_low <= res.diff <= res.ci_high and 0 <= res.p_value <= 1
    same = ev.paired_bootstrap(gold, a, a, n_boot=200, seed=0)
    assert same.diff == 0 and same.ci_low == same.ci_high == 0 and same.p_value == 1.0
    far = ev.paired_bootstrap(gold, gold, rng.standard_normal(200), n_boot=500, seed=0)
    assert far.p_value < 0.01 and far.ci_low > 0


def test_numpy_integers_are_counts(small_kv):
    pairs = [("cat", "dog", 7.0), ("car", "truck", 8.0), ("cat", "car", 1.0), ("dog", "pear", 2.0)]
    plain = ev.similarity_score(small_kv, pairs=pairs, restrict_vocab=8, n_boot=50)
    numpy = ev.similarity_score(small_kv, pairs=pairs, restrict_vocab=np.int64(8),
                                n_boot=np.int32(50), level=np.float32(0.95))
    assert (numpy.spearman, numpy.ci_low, numpy.ci_high) == (plain.spearman, plain.ci_low,
                                                             plain.ci_high)
    assert numpy.n_boot == 50 and type(numpy.n_boot) is int
    questions = {"s": [("cat", "dog", "car", "truck")]}
    assert ev.analogy_accuracy(small_kv, questions, restrict_vocab=np.int64(9)).restrict_vocab == 9
    with pytest.raises(ValueError, match="restrict_vocab must be an int, got 2.5; or None"):
        ev.similarity_score(small_kv, pairs=pairs, restrict_vocab=2.5)
