"""Exercise checkers of Lesson 04 (geometry and distances)."""

from __future__ import annotations

from collections.abc import Callable

from course_utils.checks.common import (
    Verdict,
    close_judge,
    forbids,
    fresh_rng,
    run_cases,
    scalar_judge,
)

BUILD_IT = "the exercise asks you to build it, not to call {used}"


@forbids("4.1 cosine matrix", {
    "course_utils.geometry.cosine_similarity": "course_utils' cosine_similarity",
    "sklearn.metrics.pairwise.cosine_similarity": "sklearn's cosine_similarity",
    "torch.nn.functional.cosine_similarity": "torch's cosine_similarity",
    "scipy.spatial.distance.cdist": "scipy's cdist"}, BUILD_IT)
def check_cosine_matrix(cosine_matrix: Callable) -> Verdict:
    """Exercise 4.1: ``cosine_matrix(a (n, d), b (m, d))`` -> numpy ``(n, m)`` cosines,
    without a library's cosine function."""
    import numpy as np

    rng = fresh_rng()
    cases = []
    for n, m, d in [(1, int(rng.integers(2, 7)), 3), (int(rng.integers(2, 9)), 1, 5),
                    (int(rng.integers(3, 12)), int(rng.integers(3, 12)), int(rng.integers(2, 30)))]:
        # rows of very different lengths: only a real normalization gets cosines right
        a = rng.standard_normal((n, d)) * rng.uniform(0.01, 100, size=(n, 1))
        b = rng.standard_normal((m, d)) * rng.uniform(0.01, 100, size=(m, 1))
        expected = (a / np.linalg.norm(a, axis=1, keepdims=True)) @ \
            (b / np.linalg.norm(b, axis=1, keepdims=True)).T
        if rng.random() < 0.5:
            a, b = a.astype(np.float32), b.astype(np.float32)
        cases.append(((a, b), close_judge(expected, f"a {a.shape}, b {b.shape}", atol=1e-5,
                                           want="array")))
    return run_cases("4.1 cosine matrix", cosine_matrix, cases,
                     "a cosine is a dot product of unit vectors: scale every row of both inputs to "
                     "length 1, then all n x m dot products are one matrix product with the second "
                     "input transposed")


def _bisector_question(rng, emb) -> None:
    """Rewrite rows 0-2 so that a (row 0) lies between b and c at about 35 degrees: then
    b - a + c points closer to a than to any other word, and only excluding a avoids it."""
    import numpy as np

    d = emb.shape[1]
    q, _ = np.linalg.qr(rng.standard_normal((d, 2)))
    half = np.deg2rad(rng.uniform(25, 45))
    a = q[:, 0]
    b = np.cos(half) * q[:, 0] + np.sin(half) * q[:, 1]
    c = np.cos(half) * q[:, 0] - np.sin(half) * q[:, 1]
    for row, v in enumerate((a, b, c)):
        emb[row] = v * rng.uniform(0.5, 3)  # lengths differ; directions are what count


@forbids("4.2 analogy", {
    "course_utils.geometry.solve_analogy": "course_utils' solve_analogy",
    "course_utils.geometry.analogy_scores": "course_utils' analogy_scores",
    "gensim.models.KeyedVectors.most_similar": "gensim's most_similar"}, BUILD_IT)
def check_analogy(analogy: Callable) -> Verdict:
    """Exercise 4.2: ``analogy(emb (V, d), words, a, b, c)`` -> the best word, all three
    inputs excluded."""
    import numpy as np

    rng = fresh_rng()
    cases = []
    for V, d, n_questions in [(int(rng.integers(30, 60)), 4, 8),
                              (int(rng.integers(60, 150)), int(rng.integers(5, 20)), 8)]:
        emb = rng.standard_normal((V, d)) * rng.uniform(0.3, 3, size=(V, 1))  # norms differ
        _bisector_question(rng, emb)
        words = [f"w{i}" for i in rng.permutation(V)]
        unit = emb / np.linalg.norm(emb, axis=1, keepdims=True)
        questions = [(0, 1, 2)] + [tuple(rng.choice(V, 3, replace=False))
                                   for _ in range(n_questions)]
        matrix = emb.astype(np.float32) if d > 4 else emb
        for ia, ib, ic in questions:
            scores = unit @ (unit[ib] - unit[ia] + unit[ic])
            scores[[ia, ib, ic]] = -np.inf
            q = (words[ia], words[ib], words[ic])

            best = float(scores.max())

            def judge(got, scores=scores, q=q, best=best, words=words):
                if not isinstance(got, str):
                    return f"expected a word (a string), got {type(got).__name__}"
                if got in q:
                    return f"for a, b, c = {q} you returned the input word {got!r}; all three " \
                           "inputs must be excluded"
                if got not in words:
                    return f"{got!r} is not one of the words"
                if scores[words.index(got)] < best - 1e-5:  # near-ties count as right
                    return f"for a, b, c = {q} a word with a higher cosine to b - a + c exists"
                return None

            cases.append(((matrix, list(words), *q), judge))
    return run_cases("4.2 analogy", analogy, cases,
                     "scale every row to length 1 first (lengths must not count); score every word "
                     "against the unit b minus unit a plus unit c; make the scores of a, b and c "
                     "impossible to win before you take the best one")


@forbids("4.3 all-but-the-top",
         {"course_utils.pathologies.all_but_the_top": "course_utils' all_but_the_top"}, BUILD_IT)
def check_all_but_the_top(remove_top_directions: Callable) -> Verdict:
    """Exercise 4.3: ``remove_top_directions(emb (n, d), n_components)`` -> ``(n, d)``."""
    import numpy as np

    rng = fresh_rng()
    cases = []
    for n, d, k in [(int(rng.integers(30, 80)), 6, 1), (int(rng.integers(80, 200)), 10, 0),
                    (int(rng.integers(50, 150)), int(rng.integers(8, 16)),
                     int(rng.integers(2, 5)))]:
        scales = np.sort(rng.uniform(0.5, 1.0, d))[::-1] * 1.6 ** -np.arange(d) * 8  # distinct
        emb = rng.standard_normal((n, d)) * scales + rng.uniform(1, 4, d)  # a common offset
        centered = emb - emb.mean(0)
        _, _, vh = np.linalg.svd(centered, full_matrices=False)
        expected = centered - (centered @ vh[:k].T) @ vh[:k]
        arg = emb.astype(np.float32) if k > 1 else emb
        cases.append(((arg, k), close_judge(expected, f"for {n} rows of {d} dims, "
                                                        f"n_components={k}",
                                             atol=1e-4 if arg.dtype == np.float32 else 1e-6,
                                             want="array")))
    return run_cases("4.3 all-but-the-top", remove_top_directions, cases,
                     "first subtract the mean row; the top directions are the first right singular "
                     "vectors of the centred matrix; subtract each row's projection on them (with "
                     "n_components = 0 only the mean goes)")


@forbids("4.4 mean pair cosine",
         {"course_utils.pathologies.mean_cosine": "course_utils' mean_cosine (it samples pairs)"},
         "the exercise asks for every pair exactly, not {used}")
def check_mean_pair_cosine(mean_pair_cosine: Callable) -> Verdict:
    """Exercise 4.4: ``mean_pair_cosine(x (n, d))`` -> mean cosine over all pairs i < j."""
    import numpy as np

    rng = fresh_rng()
    cases = []
    for n, d, offset in [(2, 3, 0.0), (int(rng.integers(5, 15)), 4, 2.0),
                         (int(rng.integers(20, 80)), int(rng.integers(5, 40)), 0.5)]:
        x = (rng.standard_normal((n, d)) + offset) * rng.uniform(0.1, 10, size=(n, 1))
        if n > 3:
            x[1] = 3 * x[0]  # the same direction twice: that pair counts with cosine 1
        unit = x / np.linalg.norm(x, axis=1, keepdims=True)
        cos = unit @ unit.T
        expected = float(cos[np.triu_indices(n, 1)].mean())
        arg = x.astype(np.float32) if d > 4 else x
        cases.append(((arg,), scalar_judge(expected, abs_tol=1e-5, wrong=(
            f"for {n} vectors the mean over the {n * (n - 1) // 2} pairs i < j differs "
            "from yours"))))
    return run_cases("4.4 mean pair cosine", mean_pair_cosine, cases,
                     "compute all cosines at once as in 4.1, then average only the entries above "
                     "the diagonal: a vector's cosine with itself is not a pair")
