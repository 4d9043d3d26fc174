"""Distances, nearest neighbours and analogies: small readable functions, one fast engine.

Pairwise measures take numpy arrays or torch tensors: a 1-D pair gives a scalar, a
``(d,)`` vector against an ``(m, d)`` matrix gives ``(m,)``, and ``(n, d)`` against
``(m, d)`` gives ``(n, m)``.

``nearest_neighbors`` and ``solve_analogy`` work on gensim ``KeyedVectors`` (or a matrix
plus its words) through one exact engine, ``topk_scores``: it scores a block of queries
against a block of the vocabulary at a time (a matrix product that fits in cache) and keeps
a running top-k, so the full ``(queries x vocabulary)`` score matrix never exists. Results
equal gensim's ``most_similar`` / ``most_similar_cosmul``; input words are excluded.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

METRICS = ("cosine", "dot", "euclidean", "manhattan")
ANALOGY_METHODS = ("3cosadd", "3cosmul")
_COSMUL_EPS = 1e-6  # as in gensim's most_similar_cosmul (Levy & Goldberg 2014, footnote 7)


# --------------------------------------------------------------------------- pairwise


def _as_tensor(x: Any, name: str):
    import numpy as np
    import torch

    if isinstance(x, torch.Tensor):
        t = x
    elif isinstance(x, np.ndarray | list | tuple):
        t = torch.as_tensor(np.asarray(x))
    else:
        raise TypeError(f"{name} must be a numpy array or torch tensor, got {type(x).__name__}")
    if not (t.is_floating_point() or t.dtype in (torch.int32, torch.int64)):
        raise TypeError(f"{name} must hold numbers, got dtype {t.dtype}")
    if t.ndim not in (1, 2):
        raise ValueError(f"{name}: expected shape (d,) or (n, d), got {tuple(t.shape)}: "
                         f"try {name}.reshape(-1, {t.shape[-1] if t.ndim else 'd'})")
    if t.shape[-1] == 0 or (t.ndim == 2 and t.shape[0] == 0):
        raise ValueError(f"{name} is empty (shape {tuple(t.shape)}): pass at least one vector")
    if t.is_floating_point() and not torch.isfinite(t).all():
        raise ValueError(f"{name} contains NaN or infinity; check how it was computed")
    return t if t.is_floating_point() else t.double()


def _pair(a, b, fn):
    """Broadcast a pairwise measure over (d,)/(n, d) inputs; return numpy unless given torch."""
    import torch

    was_torch = isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor)
    ta, tb = _as_tensor(a, "a"), _as_tensor(b, "b")
    if ta.shape[-1] != tb.shape[-1]:
        raise ValueError(f"a and b must have the same dimension, got shapes {tuple(ta.shape)} "
                         f"and {tuple(tb.shape)}")
    dtype = torch.promote_types(ta.dtype, tb.dtype)
    out = fn(ta.reshape(-1, ta.shape[-1]).to(dtype), tb.reshape(-1, tb.shape[-1]).to(dtype))
    if ta.ndim == 1 and tb.ndim == 1:
        out = out[0, 0]
    elif ta.ndim == 1:
        out = out[0]
    elif tb.ndim == 1:
        out = out[:, 0]
    if was_torch:
        return out
    return out.item() if out.ndim == 0 else out.numpy()


def _unit_rows(x, name: str = "a"):
    norms = x.norm(dim=1, keepdim=True)
    if (norms == 0).any():
        row = int((norms[:, 0] == 0).nonzero()[0])
        raise ValueError(f"{name} row {row} is a zero vector, which has no direction: cosine "
                         "similarity is undefined for it; drop it or use dot_product")
    return x / norms


def cosine_similarity(a, b):
    """cos(a, b) = a·b / (|a| |b|), in [-1, 1]. Shapes: see the module docstring."""
    return _pair(a, b, lambda x, y: _unit_rows(x, "a") @ _unit_rows(y, "b").T)


def dot_product(a, b):
    """a·b, the unnormalized similarity attention uses."""
    return _pair(a, b, lambda x, y: x @ y.T)


def euclidean_distance(a, b):
    """|a - b|₂ (L2). For unit vectors |a - b|² = 2 - 2 cos(a, b)."""
    import torch

    return _pair(a, b, lambda x, y: torch.cdist(x, y, p=2.0))


def manhattan_distance(a, b):
    """|a - b|₁ (L1), the sum of absolute coordinate differences."""
    import torch

    return _pair(a, b, lambda x, y: torch.cdist(x, y, p=1.0))


# --------------------------------------------------------------------------- the engine


def topk_scores(queries, matrix, k: int = 10, metric: str = "cosine", exclude=None,
                block_queries: int = 512, block_vocab: int = 16_384, device: str | None = None):
    """The exact top-``k`` rows of ``matrix`` for each query, computed in blocks.

    queries: ``(n, d)``; matrix: ``(V, d)``; exclude: optional ``(n, m)`` integer row indices
    to skip per query (-1 = nothing). Returns ``(scores, indices)``, two ``(n, k')`` torch
    tensors on the CPU with ``k' = min(k, V)``, best first. Higher is better for "cosine"
    and "dot"; for "euclidean" and "manhattan" the scores are distances, smallest first.
    """
    import torch

    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; choose one of {METRICS}")
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise ValueError(f"k must be a positive int, got {k!r}")
    from course_utils.runtime import get_device

    dev = torch.device(get_device(device))
    q = _as_tensor(queries, "queries").float()
    m = _as_tensor(matrix, "matrix").float()
    q = q.reshape(1, -1) if q.ndim == 1 else q
    if q.shape[1] != m.shape[1]:
        raise ValueError(f"queries have dimension {q.shape[1]} but the matrix has {m.shape[1]}")
    if metric == "cosine":
        q, m = _unit_rows(q, "queries"), _unit_rows(m, "matrix")
    sign = -1.0 if metric in ("euclidean", "manhattan") else 1.0  # always maximize internally
    q, m = q.to(dev), m.to(dev)

    def score(q0: int, q1: int, mb):
        if metric in ("cosine", "dot"):
            return q[q0:q1] @ mb
        return -torch.cdist(q[q0:q1], mb, p=2.0 if metric == "euclidean" else 1.0)

    def prepare(v0: int, v1: int):
        return m[v0:v1].T if metric in ("cosine", "dot") else m[v0:v1]

    s, i = _running_topk(score, q.shape[0], m.shape[0], k, exclude, block_queries, block_vocab,
                         dev, prepare)
    return s * sign, i


def _exclusion_groups(exclude, n: int, block_queries: int, block_vocab: int, dev):
    """Group the excluded ``(query, row)`` pairs by (query block, vocabulary block).

    Returns ``{(qb, vb): (local_query_rows, local_cols)}`` so that each block masks its few
    excluded entries with one indexed write, instead of testing every exclusion per block.
    """
    import numpy as np
    import torch

    if exclude is None:
        return {}
    excl = np.asarray(exclude.cpu() if hasattr(exclude, "cpu") else exclude, dtype=np.int64)
    if excl.size == 0:
        return {}
    excl = excl.reshape(n, -1)
    qrow, col = np.nonzero(excl >= 0)
    col = excl[qrow, col]
    if col.size == 0:
        return {}
    qb, vb = qrow // block_queries, col // block_vocab
    order = np.lexsort((vb, qb))
    qb, vb, qrow, col = qb[order], vb[order], qrow[order], col[order]
    starts = np.flatnonzero(np.r_[True, (qb[1:] != qb[:-1]) | (vb[1:] != vb[:-1])])
    ends = np.r_[starts[1:], len(qb)]
    groups = {}
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        key = (int(qb[s]), int(vb[s]))
        groups[key] = (torch.as_tensor(qrow[s:e] - key[0] * block_queries, device=dev),
                       torch.as_tensor(col[s:e] - key[1] * block_vocab, device=dev))
    return groups


def _order_ties_by_index(s, i):
    """Sort each row by score (descending), equal scores by row index (ascending)."""
    import torch

    i, pos = torch.sort(i, dim=1)
    s = torch.gather(s, 1, pos)
    s, pos = torch.sort(s, dim=1, descending=True, stable=True)
    return s, torch.gather(i, 1, pos)


def _block_topk(s, kk: int):
    """The top ``kk`` of each row of one score block, equal scores by lowest column."""
    import torch

    cand_s, cand_i = torch.topk(s, kk, dim=1)
    crowded = (s >= cand_s[:, -1:]).sum(1) > kk  # a tie straddles the cut: decide it exactly
    if crowded.any():
        rows = crowded.nonzero()[:, 0]
        ss, si = torch.sort(s[rows], dim=1, descending=True, stable=True)
        cand_s[rows], cand_i[rows] = ss[:, :kk], si[:, :kk]
    return _order_ties_by_index(cand_s, cand_i)


def _running_topk(score, n: int, vocab_size: int, k: int, exclude, block_queries: int,
                  block_vocab: int, dev, prepare):
    """Blocked exact top-k over a vocabulary of ``vocab_size`` rows.

    For each vocabulary block ``[v0, v1)``, ``prepare(v0, v1)`` makes what every query block
    shares (the block itself, or its similarities to the analogy words), and
    ``score(q0, q1, prepared)`` gives the ``(q1 - q0, v1 - v0)`` scores of a query block
    (higher = better). Each block's best candidates are merged into a running top-k (for
    k = 1 a running maximum), so memory stays at one block, small enough to stay in cache,
    and the full ``(n, vocab_size)`` score matrix never exists. Equal scores go to the lower
    row index, as a brute-force stable sort would.
    """
    import torch

    kk = min(k, vocab_size)
    groups = _exclusion_groups(exclude, n, block_queries, block_vocab, dev)
    best_s = torch.full((n, kk), -torch.inf, device=dev)
    best_i = torch.zeros((n, kk), dtype=torch.long, device=dev)
    for vb, v0 in enumerate(range(0, vocab_size, block_vocab)):
        v1 = min(v0 + block_vocab, vocab_size)
        prepared = prepare(v0, v1)
        for qb, q0 in enumerate(range(0, n, block_queries)):
            q1 = min(q0 + block_queries, n)
            s = score(q0, q1, prepared)
            if (qb, vb) in groups:
                rows, cols = groups[qb, vb]
                s[rows, cols] = -torch.inf
            bs, bi = best_s[q0:q1], best_i[q0:q1]
            if kk == 1:
                val, ind = s.max(dim=1)  # the first maximum: lowest index among ties
                better = val > bs[:, 0]  # strict: an earlier block keeps a tie
                bs[:, 0] = torch.where(better, val, bs[:, 0])
                bi[:, 0] = torch.where(better, ind + v0, bi[:, 0])
                continue
            cand_s, cand_i = _block_topk(s, min(kk, v1 - v0))
            # earlier blocks hold lower indices, so a stable sort keeps ties in index order
            ms, pos = torch.sort(torch.cat([bs, cand_s], 1), dim=1, descending=True, stable=True)
            bi.copy_(torch.gather(torch.cat([bi, cand_i + v0], 1), 1, pos[:, :kk]))
            bs.copy_(ms[:, :kk])
    return best_s.cpu(), best_i.cpu()


# --------------------------------------------------------------------------- keyed vectors


def _keys_and_matrix(kv, restrict_vocab: int | None = None):
    """(index_to_key, key_to_index, matrix) from gensim KeyedVectors or ``(matrix, words)``."""
    import numpy as np

    if isinstance(kv, tuple) and len(kv) == 2:
        matrix, words = kv
        words = list(words)
        matrix = np.asarray(matrix) if not hasattr(matrix, "detach") else matrix
        if len(words) != matrix.shape[0]:
            raise ValueError(f"got {len(words)} words for a matrix of {matrix.shape[0]} rows")
        key_to_index = {}
        for i, w in enumerate(words):
            key_to_index.setdefault(w, i)
    elif hasattr(kv, "index_to_key") and hasattr(kv, "vectors"):
        words, key_to_index, matrix = kv.index_to_key, kv.key_to_index, kv.vectors
    else:
        raise TypeError("expected gensim KeyedVectors or a (matrix, words) pair, "
                        f"got {type(kv).__name__}")
    if len(words) == 0:
        raise ValueError("the embedding has no words")
    if restrict_vocab is not None:
        if not isinstance(restrict_vocab, int) or restrict_vocab < 1:
            raise ValueError(f"restrict_vocab must be a positive int, got {restrict_vocab!r}")
        matrix = matrix[:restrict_vocab]
    return words, key_to_index, matrix


def _index(word: str, key_to_index: dict, words: Sequence[str]) -> int:
    if not isinstance(word, str):
        raise TypeError(f"expected a word (str), got {type(word).__name__}")
    if word in key_to_index:
        return key_to_index[word]
    from course_utils._hints import suggestion

    raise KeyError(f"{word!r} is not in the vocabulary ({len(words):,} words)"
                   f"{suggestion(word, words)}")


def nearest_neighbors(kv, word_or_vector, k: int = 10, metric: str = "cosine",
                      exclude_query: bool = True, restrict_vocab: int | None = None,
                      device: str | None = None):
    """The ``k`` nearest words to a word or a vector: ``[(word, score), ...]``, best first.

    ``kv`` is gensim ``KeyedVectors`` or a ``(matrix, words)`` pair. A word query excludes
    the word itself (as gensim's ``most_similar`` does) unless ``exclude_query=False``.
    A list of words or an ``(n, d)`` matrix gives one list per query. Scores are
    similarities for "cosine"/"dot" and distances for "euclidean"/"manhattan".
    """
    import numpy as np

    words, key_to_index, matrix = _keys_and_matrix(kv, restrict_vocab)
    query = word_or_vector
    if isinstance(query, list | tuple) and query and all(isinstance(w, str) for w in query):
        single, items = False, list(query)  # several words
    elif isinstance(query, str):
        single, items = True, [query]
    else:
        if isinstance(query, list | tuple) and not query:
            raise ValueError("no query given: pass a word, a vector, or a non-empty list")
        single = np.ndim(query) == 1
        items = [query] if single else list(query)
    vecs, exclude = [], []
    for item in items:
        if isinstance(item, str):
            idx = _index(item, key_to_index, words)
            vecs.append(np.asarray(kv.vectors[idx] if not isinstance(kv, tuple) else kv[0][idx],
                                   dtype=np.float32))
            exclude.append(idx if exclude_query else -1)
        else:
            vecs.append(np.asarray(item, dtype=np.float32))
            exclude.append(-1)
    scores, idx = topk_scores(np.stack(vecs), matrix, k=k, metric=metric,
                              exclude=np.array(exclude)[:, None], device=device)
    results = [[(words[int(i)], float(s)) for s, i in zip(srow, irow, strict=True)
                if np.isfinite(float(s))] for srow, irow in zip(scores, idx, strict=True)]
    return results[0] if single else results


def analogy_scores(kv, questions: Sequence[tuple[str, str, str]], k: int = 1,
                   method: str = "3cosadd", restrict_vocab: int | None = None,
                   device: str | None = None, exclude=None, block_queries: int = 256,
                   block_vocab: int = 2048):
    """Batched analogies "a is to b as c is to ?": top-``k`` ``(scores, indices)`` per question.

    ``questions`` holds ``(a, b, c)`` triples of words (all must be known). The three input
    words are excluded (or else the ``(n, m)`` row indices in ``exclude``, -1 = none).
    "3cosadd" scores cos(x, b̂ − â + ĉ); "3cosmul" scores cos'(x, b)·cos'(x, c) /
    (cos'(x, a) + 1e-6) with cos' = (1 + cos) / 2 (Levy & Goldberg 2014).
    Returns two ``(n, k)`` torch tensors (CPU), best first.

    Both scores only need cos(x, w) for the *words* w that occur in the questions, and a
    question set reuses few words (the Google set: 19,544 questions, 905 words). So each
    vocabulary block is compared once with those words (a small matrix product), and every
    question's scores are three gathered rows of it combined: x̂·b̂ − x̂·â + x̂·ĉ equals
    x̂·(b̂ − â + ĉ), the same ranking, at a fraction of the arithmetic.
    """
    import numpy as np
    import torch

    from course_utils.runtime import get_device

    if method not in ANALOGY_METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {ANALOGY_METHODS}")
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise ValueError(f"k must be a positive int, got {k!r}")
    words, key_to_index, matrix = _keys_and_matrix(kv, restrict_vocab)
    full = kv[0] if isinstance(kv, tuple) else kv.vectors
    if len(questions) == 0:
        raise ValueError("no analogy questions given")
    for q in questions:
        if isinstance(q, str) or len(q) < 3:
            raise ValueError(f"each question must be (a, b, c) words, got {q!r}")
    idx = np.array([[_index(w, key_to_index, words) for w in q[:3]] for q in questions])
    uniq, inv = np.unique(idx, return_inverse=True)
    inv = inv.reshape(idx.shape)
    dev = torch.device(get_device(device))
    unit = _unit_rows(_as_tensor(np.asarray(full[uniq], dtype=np.float32), "vectors"),
                      "the analogy words").to(dev)
    m = _unit_rows(_as_tensor(matrix, "matrix").float(), "matrix").to(dev)
    exclude = idx if exclude is None else exclude
    ia, ib, ic = (torch.as_tensor(inv[:, j], device=dev) for j in range(3))
    n = len(idx)
    if method == "3cosadd":
        query = unit[ib] - unit[ia] + unit[ic]
        norms = query.norm(dim=1)
        if (norms == 0).any():
            raise ValueError("b - a + c is the zero vector for some question (a == b and c "
                             "cancels?): no direction to search")
    width = min(block_queries, n)
    bufs = [torch.empty(width, block_vocab, device=dev) for _ in range(3)]

    def prepare(v0: int, v1: int):
        sims = unit @ m[v0:v1].T  # (words in the questions, block): cos(w, x)
        return sims if method == "3cosadd" else sims.add_(1).mul_(0.5)

    def score(q0: int, q1: int, sims):
        s = torch.index_select(sims, 0, ib[q0:q1], out=bufs[0][: q1 - q0, : sims.shape[1]])
        other = torch.index_select(sims, 0, ia[q0:q1], out=bufs[1][: q1 - q0, : sims.shape[1]])
        third = torch.index_select(sims, 0, ic[q0:q1], out=bufs[2][: q1 - q0, : sims.shape[1]])
        if method == "3cosadd":
            return s.sub_(other).add_(third)
        return s.mul_(third).div_(other.add_(_COSMUL_EPS))

    s, i = _running_topk(score, n, m.shape[0], k, exclude, block_queries, block_vocab, dev,
                         prepare)
    if method == "3cosadd":
        s = s / norms.cpu()[:, None]  # cosine with the normalized b - a + c
    return s, i


def solve_analogy(kv, a: str, b: str, c: str, k: int = 1, method: str = "3cosadd",
                  restrict_vocab: int | None = None, device: str | None = None):
    """"a is to b as c is to ?": the top-``k`` answers ``[(word, score), ...]``.

    Computes b − a + c ("king" − "man" + "woman" for ``solve_analogy(kv, "man", "king",
    "woman")``), with the three input words excluded as in gensim and the literature.
    """
    scores, idx = analogy_scores(kv, [(a, b, c)], k=k, method=method,
                                 restrict_vocab=restrict_vocab, device=device)
    words = kv[1] if isinstance(kv, tuple) else kv.index_to_key
    return [(words[int(i)], float(s)) for s, i in zip(scores[0], idx[0], strict=True)]
