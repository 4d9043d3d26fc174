"""Lesson 06's hand-built ideas agree with course_utils.evaluate and with scipy."""

import numpy as np
import pytest
from gensim.models import KeyedVectors
from scipy import stats

from course_utils.encoders import bag_of_embeddings
from course_utils.evaluate import paired_bootstrap, similarity_score
from course_utils.probes import purity_score
from tests.nbutils import NOTEBOOK_DIR, code_cells, load_definitions, read, solutions_for

LESSON = NOTEBOOK_DIR / "06_evaluation.ipynb"
SOLUTIONS = solutions_for(LESSON)


def test_lesson_spearman_equals_scipy_and_similarity_score():
    spearman = load_definitions(LESSON, ["spearman"])["spearman"]
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, 5, 40), rng.standard_normal(40)  # many ties in x
    assert spearman(x, y) == pytest.approx(stats.spearmanr(x, y).statistic, abs=1e-12)
    words = [f"w{i}" for i in range(12)]
    kv = KeyedVectors(4)
    kv.add_vectors(words, rng.standard_normal((12, 4)).astype(np.float32))
    pairs = [(words[i], words[(i * 5 + 1) % 12], float(rng.integers(0, 10))) for i in range(12)]
    cos = [kv.similarity(a, b) for a, b, _ in pairs]
    assert spearman([s for *_, s in pairs], cos) == pytest.approx(
        similarity_score(kv, pairs=pairs, n_boot=0).spearman, abs=1e-9)


def test_solutions_agree_with_course_utils():
    ns = load_definitions(SOLUTIONS, ["average_ranks", "spearman_rho", "purity", "mean_vector",
                                      "row_rho", "paired_bootstrap_diff"])
    rng = np.random.default_rng(1)
    t, p = rng.integers(0, 4, 60), rng.integers(0, 6, 60)
    assert ns["purity"](t.tolist(), p.tolist()) == pytest.approx(purity_score(t, p))
    kv = KeyedVectors(3)
    kv.add_vectors(["good", "bad", "film"], rng.standard_normal((3, 3)).astype(np.float32))
    tokens = ["good", "film", "good", "unknown"]
    np.testing.assert_allclose(ns["mean_vector"](kv, tokens),
                               bag_of_embeddings(kv, [tokens])[0], rtol=1e-6)
    x, y = rng.standard_normal(30), rng.standard_normal(30)
    assert ns["spearman_rho"](x, y) == pytest.approx(stats.spearmanr(x, y).statistic)
    gold, a = rng.standard_normal(80), rng.standard_normal(80)
    b = a + 0.2 * rng.standard_normal(80)
    diff, low, high = ns["paired_bootstrap_diff"](gold, a, b, n_boot=4000, seed=3)
    ref = paired_bootstrap(gold, a, b, n_boot=4000, seed=3)
    assert diff == pytest.approx(ref.diff, abs=1e-12)
    assert (low, high) == pytest.approx((ref.ci_low, ref.ci_high), abs=1e-12)  # same draws


def test_solutions_hold_only_the_exercises():
    from course_utils.colab import COLAB_CELL
    lesson_sources = {c.source for c in code_cells(read(LESSON))} - {COLAB_CELL}
    solution_cells = [c for c in code_cells(read(SOLUTIONS)) if c.source != COLAB_CELL]
    assert len(solution_cells) <= 7  # setup, four exercises, one prediction check
    assert not lesson_sources & {c.source for c in solution_cells if "check_" not in c.source}
