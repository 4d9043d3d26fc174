"""Exercise checkers of Lesson 08 (retrieval)."""

from __future__ import annotations

from collections.abc import Callable

from course_utils.checks.common import (
    Verdict,
    forbid_calls,
    forbids,
    fresh_rng,
    run_cases,
    scalar_judge,
)


def _info_nce_cases(rng) -> list:
    """Fresh (arguments, judge) pairs for exercise 8.1: three random batches, one pair (the
    loss is 0), and scores up to 100 (exp() overflows float32 without logsumexp)."""
    import torch

    from course_utils.retrieval import info_nce

    shapes = [(int(rng.integers(2, 9)), int(rng.integers(2, 7)),
               float(rng.choice([0.05, 0.1, 1.0]))) for _ in range(3)]
    cases = []
    for b, d, tau in shapes + [(1, 4, 0.1), (6, 5, 0.01)]:
        scale = rng.uniform(0.1, 10, size=(b, 1))  # norms differ: the loss uses cosines
        q = torch.as_tensor(rng.standard_normal((b, d)) * scale, dtype=torch.float32)
        docs = torch.as_tensor(rng.standard_normal((b, d)) + 2 * q.numpy() / scale,
                               dtype=torch.float32)  # each doc leans towards its query
        expected = float(info_nce(q.double(), docs.double(), tau))
        cases.append(((q, docs, tau), scalar_judge(
            expected, rel=1e-4, abs_tol=1e-4, wrong=lambda got, b=b, d=d, tau=tau: (
                f"for a batch of {b} pairs of dimension {d}, temperature {tau}: your loss "
                f"{got:.4f} is not the reference"))))
    return cases


@forbids("8.1 InfoNCE",
         {"course_utils.retrieval.info_nce": "course_utils.retrieval.info_nce"},
         "write the loss yourself: your function calls {used}, which is off limits in this "
         "exercise")
def check_info_nce(info_nce_loss: Callable) -> Verdict:
    """Exercise 8.1: ``info_nce_loss(queries (B, d), docs (B, d), temperature)`` -> the mean
    cross-entropy of cosine / temperature, row i's positive being doc i. Without
    ``course_utils.retrieval.info_nce``."""
    import course_utils.retrieval as retrieval

    cases = _info_nce_cases(fresh_rng())
    with forbid_calls([(retrieval, "info_nce")]):
        return run_cases("8.1 InfoNCE", info_nce_loss, cases,
                         "normalize rows, logits = q @ d.T / temperature (B x B), then the cross-"
                         "entropy of each row with the diagonal as the target "
                         "(torch.nn.functional.cross_entropy keeps large logits finite)")


def _ndcg_case(rng, edge: str) -> tuple:
    """One fresh (ranking, relevance, k) for exercise 8.2. ``edge`` builds in the mistake the
    case exists to catch, whatever the seed: "graded" (grade 1 above grade 3 at the top: binary
    gain differs), "missed" (a relevant document the ranking never shows: an ideal taken from
    the ranking differs), "cut" (k shorter than the ranking and the document just past k
    relevant: forgetting the cut differs), "many" (more relevant documents than k), "random"."""
    m = int(rng.integers(12, 30))
    ranking = rng.permutation(m)[: int(rng.integers(5, 8))].tolist()
    shown = set(ranking)
    hidden = [d for d in range(m) if d not in shown]
    n_rel = 9 if edge == "many" else int(rng.integers(1, 6))
    pool = ranking + hidden
    relevance = {int(d): int(rng.integers(1, 4))
                 for d in rng.choice(pool, size=min(n_rel, m), replace=False)}
    k = int(rng.integers(3, len(ranking) + 1))
    if edge == "graded":
        relevance.update({ranking[0]: 1, ranking[1]: 3})
    elif edge == "missed":
        relevance = {d: g for d, g in relevance.items() if d not in ranking[1:k]}
        relevance.update({ranking[0]: int(rng.integers(1, 4)), hidden[0]: 3})
    elif edge == "cut":
        k = int(rng.integers(3, len(ranking)))
        relevance[ranking[k]] = int(rng.integers(1, 4))
    return ranking, relevance, k


def check_ndcg(ndcg: Callable) -> Verdict:
    """Exercise 8.2: ``ndcg(ranking, relevance, k)`` -> nDCG@k of one ranked list of ids, with
    ``relevance = {doc_id: grade}`` (unlisted documents have grade 0)."""
    import numpy as np

    from course_utils.retrieval import ndcg_at_k

    rng = fresh_rng()
    cases = []
    for edge in ("many", "missed", "cut", "graded", "random", "random"):
        ranking, relevance, k = _ndcg_case(rng, edge)
        case = f"for ranking {ranking}, relevance {relevance}, k={k}"
        cases.append(((ranking, relevance, k), scalar_judge(
            ndcg_at_k(np.array([ranking]), [relevance], k), abs_tol=1e-6,
            wrong=lambda got, case=case: f"{case} your {got:.4f} is not the reference value")))
    return run_cases("8.2 nDCG", ndcg, cases,
                     "DCG = sum of grade / log2(position + 1) over the first k positions (position "
                     "1 first); divide by the DCG of the k highest grades in `relevance`, sorted")


def check_index_bytes(index_bytes: Callable) -> Verdict:
    """Exercise 8.3: ``index_bytes(n_docs, dim, kind)`` -> bytes the vectors take as "float32",
    "int8" or "binary" (bits packed into bytes, each vector padded to whole bytes)."""
    rng = fresh_rng()
    cases = []
    for kind in ("float32", "int8", "binary", "binary"):
        n, dim = int(rng.integers(1, 10**6)), int(rng.choice([384, 768, 1024]))
        if cases and kind == "binary":
            dim = int(rng.integers(1, 60)) * 8 + int(rng.integers(1, 8))  # not a multiple of 8
        per = {"float32": 4 * dim, "int8": dim, "binary": -(-dim // 8)}[kind]
        case = f"for {n:,} vectors of {dim} dimensions as {kind}"
        cases.append(((n, dim, kind), scalar_judge(n * per, wrong=lambda got, case=case: (
            f"{case} your {got:,.12g} bytes is not right"))))
    return run_cases("8.3 index bytes", index_bytes, cases,
                     "float32 takes 4 bytes a number and int8 one; binary takes one bit, and a "
                     "vector's bits are packed into whole bytes (round up: math.ceil(dim / 8))")
