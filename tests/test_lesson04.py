"""Lesson 04's hand-built ideas agree with course_utils, and its checkers judge fairly."""

import numpy as np
import pytest
import torch

from course_utils import checks, pathologies
from course_utils import geometry as geo
from tests.nbutils import NOTEBOOK_DIR, code_cells, load_definitions, read, solutions_for

LESSON = NOTEBOOK_DIR / "04_geometry_and_distances.ipynb"
SOLUTIONS = solutions_for(LESSON)


def test_hand_built_cosine_agrees_with_course_utils():
    cosine = load_definitions(LESSON, ["cosine"])["cosine"]
    rng = np.random.default_rng(0)
    for _ in range(5):
        a, b = rng.standard_normal(7), rng.standard_normal(7)
        assert abs(cosine(a, b) - geo.cosine_similarity(a, b)) < 1e-12


def test_neighbour_overlap_is_one_for_identical_rankings():
    ns = load_definitions(LESSON, ["neighbour_overlap"], {"np": np, "topk_scores": geo.topk_scores})
    rng = np.random.default_rng(1)
    unit = rng.standard_normal((60, 5))
    unit /= np.linalg.norm(unit, axis=1, keepdims=True)
    shares = ns["neighbour_overlap"](unit, np.arange(10), k=5)
    assert shares["dot"] == 1.0 and shares["euclidean"] == 1.0  # unit length: same ranking
    assert 0.0 <= shares["manhattan"] <= 1.0


def test_solutions_agree_with_course_utils():
    ns = load_definitions(SOLUTIONS, ["cosine_matrix", "analogy", "remove_top_directions"])
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((4, 6)), rng.standard_normal((5, 6))
    assert np.allclose(ns["cosine_matrix"](a, b), geo.cosine_similarity(a, b))
    emb = rng.standard_normal((30, 4))
    words = [f"w{i}" for i in range(30)]
    for q in [("w1", "w2", "w3"), ("w9", "w0", "w17")]:
        assert ns["analogy"](emb, words, *q) == geo.solve_analogy((emb, words), *q)[0][0]
    assert np.allclose(ns["remove_top_directions"](emb, 2), pathologies.all_but_the_top(emb, 2))


@pytest.mark.parametrize("checker, names", [
    (checks.check_cosine_matrix, ["cosine_matrix"]),
    (checks.check_analogy, ["analogy"]),
    (checks.check_all_but_the_top, ["remove_top_directions"]),
    (checks.check_mean_pair_cosine, ["mean_pair_cosine"]),
])
def test_checkers_pass_solutions_and_report_stubs(checker, names):
    fn = load_definitions(SOLUTIONS, names)[names[0]]
    assert checker(fn).passed

    def stub(*args):
        raise NotImplementedError

    verdict = checker(stub)
    assert not verdict.passed and "not attempted" in verdict.message
    assert not checker(42).passed


def test_checkers_catch_typical_mistakes():
    dot_only = checks.check_cosine_matrix(lambda a, b: a @ b.T)
    assert not dot_only.passed and "values differ" in dot_only.message
    solved = load_definitions(SOLUTIONS, ["cosine_matrix"])["cosine_matrix"]
    transposed = checks.check_cosine_matrix(lambda a, b: solved(b, a))
    assert not transposed.passed and "shape" in transposed.message

    def no_exclusion(emb, words, a, b, c):
        unit = emb / np.linalg.norm(emb, axis=1, keepdims=True)
        i = {w: j for j, w in enumerate(words)}
        return words[int(np.argmax(unit @ (unit[i[b]] - unit[i[a]] + unit[i[c]])))]

    verdict = checks.check_analogy(no_exclusion)
    assert not verdict.passed and "input word" in verdict.message

    def unnormalized(emb, words, a, b, c):
        i = {w: j for j, w in enumerate(words)}
        s = emb @ (emb[i[b]] - emb[i[a]] + emb[i[c]])
        s[[i[a], i[b], i[c]]] = -np.inf
        return words[int(np.argmax(s))]

    assert not checks.check_analogy(unnormalized).passed
    assert not checks.check_all_but_the_top(lambda e, n: e - e.mean(0)).passed
    solved = load_definitions(SOLUTIONS, ["remove_top_directions"])["remove_top_directions"]
    assert checks.check_all_but_the_top(lambda e, n: torch.as_tensor(solved(e, n))) \
        .passed  # a tensor answer is accepted too


def test_solutions_hold_only_the_exercises():
    from course_utils.colab import COLAB_CELL
    lesson_sources = {c.source for c in code_cells(read(LESSON))} - {COLAB_CELL}
    solution_cells = [c for c in code_cells(read(SOLUTIONS)) if c.source != COLAB_CELL]
    assert len(solution_cells) <= 7  # setup, four exercises, one prediction check
    assert not lesson_sources & {c.source for c in solution_cells if "check_" not in c.source}


def test_engine_restores_the_thread_setting():
    before = torch.get_num_threads()
    geo.topk_scores(np.ones((2, 3)), np.ones((4, 3)), k=2)
    assert torch.get_num_threads() == before
