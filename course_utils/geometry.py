"""Distances, nearest neighbours and analogies: small readable functions, one fast engine.

Pairwise measures take numpy arrays or torch tensors: a 1-D pair gives a scalar, a
``(d,)`` vector against an ``(m, d)`` matrix gives ``(m,)``, and ``(n, d)`` against
``(m, d)`` gives ``(n, m)``.

``nearest_neighbors`` and ``solve_analogy`` work on gensim ``KeyedVectors`` (or a matrix
plus its words) through one exact engine, ``topk_scores``: it scores a block of queries
against a block of the vocabulary at a time (a matrix product that fits in cache) and keeps
a running top-k, so the full ``(queries x vocabulary)`` score matrix never exists. Results
equal gensim's ``most_similar`` / ``most_similar_cosmul``; input words are excluded; equal
scores go to the lower row index. Batched analogies (``analogy_scores``) compare each
vocabulary block once with the distinct question words and combine those similarities per
question, which is how the whole Google set over 400k words runs in seconds. Anisotropy
and hubness are in ``course_utils.pathologies``, WEAT in ``course_utils.bias``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from contextlib import contextmanager
from typing import Any

from course_utils.validation import check_int

METRICS = ("cosine", "dot", "euclidean", "manhattan")
ANALOGY_METHODS = ("3cosadd", "3cosmul")
_COSMUL_EPS = 1e-6  # as in gensim's most_similar_cosmul (Levy & Goldberg 2014, footnote 7)


# --------------------------------------------------------------------------- pairwise


def as_tensor(x: Any, name: str):
    """``x`` (numpy array, list or torch tensor of shape ``(d,)`` or ``(n, d)``) as a float tensor.

    float16/bfloat16 are widened to float32, integers to float64; words, complex numbers,
    NaN, infinity, empty and 3-D inputs raise an error that names ``name`` and the fix.
    """
    import numpy as np
    import torch

    if isinstance(x, torch.Tensor):
        t = x
    elif isinstance(x, np.ndarray | list | tuple):
        arr = np.asarray(x)
        if arr.dtype.kind in "USOV":  # words or objects: torch's own error is cryptic
            raise TypeError(f"{name} must hold numbers, got dtype {arr.dtype}: pass vectors "
                            "(e.g. kv['king']), not words")
        if arr.dtype.kind in "bcmM":
            raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}: convert it, "
                            f"e.g. {name}.astype(np.float32)")
        if arr.dtype.kind in "iu" or (arr.dtype.kind == "f" and arr.dtype.itemsize > 8):
            arr = arr.astype(np.float64)  # int8 ... uint64, float128: torch takes float64
        with warnings.catch_warnings():  # read-only arrays (GloVe is memory-mapped) are fine:
            warnings.filterwarnings("ignore", "The given NumPy array is not writable")
            t = torch.as_tensor(arr)  # the engine never writes into its inputs
    else:
        raise TypeError(f"{name} must be a numpy array or torch tensor, got {type(x).__name__}")
    if t.dtype in (torch.float16, torch.bfloat16):
        t = t.float()  # half precision: computed in float32 (CPU half matmuls are slow or absent)
    elif t.is_complex() or t.dtype == torch.bool:
        raise TypeError(f"{name} must hold real numbers, got dtype {t.dtype}: convert it, e.g. "
                        f"{name}.float()")
    if t.ndim not in (1, 2):
        raise ValueError(f"{name}: expected shape (d,) or (n, d), got {tuple(t.shape)}: "
                         f"try {name}.reshape(-1, {t.shape[-1] if t.ndim else 'd'})")
    if t.shape[-1] == 0 or (t.ndim == 2 and t.shape[0] == 0):
        raise ValueError(f"{name} is empty (shape {tuple(t.shape)}): pass at least one vector")
    if t.is_floating_point() and not torch.isfinite(t).all():
        raise ValueError(f"{name} contains NaN or infinity; check how it was computed")
    return t if t.is_floating_point() else t.double()


def _to_float32(t, name: str):
    """``t`` in float32 (the engine's precision); values beyond its range are refused."""
    import torch

    if t.dtype == torch.float32:
        return t
    out = t.float()
    if not torch.isfinite(out).all():
        raise ValueError(f"{name} holds values beyond float32's range (about 3.4e38), which "
                         "the search engine computes in: rescale them (cosine needs no "
                         "rescaling)")
    return out


def _pair(a, b, fn):
    """Broadcast a pairwise measure over (d,)/(n, d) inputs; return numpy unless given torch."""
    import torch

    was_torch = isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor)
    ta, tb = as_tensor(a, "a"), as_tensor(b, "b")
    if ta.shape[-1] != tb.shape[-1]:
        raise ValueError(f"a and b must have the same dimension, got shapes {tuple(ta.shape)} "
                         f"and {tuple(tb.shape)}")
    dtype = torch.promote_types(ta.dtype, tb.dtype)
    out = fn(ta.reshape(-1, ta.shape[-1]).to(dtype), tb.reshape(-1, tb.shape[-1]).to(dtype))
    if fn is _cosine:
        out = out.clamp_(-1.0, 1.0)  # rounding can step just past 1 for parallel vectors
    if ta.ndim == 1 and tb.ndim == 1:
        out = out[0, 0]
    elif ta.ndim == 1:
        out = out[0]
    elif tb.ndim == 1:
        out = out[:, 0]
    if was_torch:
        return out
    return out.item() if out.ndim == 0 else out.numpy()


def unit_rows(x, name: str = "a"):
    """Each row of the ``(n, d)`` tensor ``x`` divided by its length, right for very large
    and very small lengths too; a zero row raises ``ValueError`` naming ``name`` and the row.

    A plain norm squares the entries: past about 1e19 (float32) the square overflows to
    infinity, below about 1e-19 it underflows to zero. Rows whose norm is out of that safe
    range are first divided by their largest entry, which is exact in direction.
    """
    import torch

    norms = x.norm(dim=1, keepdim=True)
    info = torch.finfo(x.dtype)
    safe_low = info.tiny ** 0.5 / info.eps
    low, high = torch.aminmax(norms)  # one pass over the norms: the usual case stops here
    if float(low) >= safe_low and float(high) < torch.inf:
        return x / norms
    # some row is below the threshold or not finite (NaN included), so `rows` is never empty
    unsafe = ~torch.isfinite(norms[:, 0]) | (norms[:, 0] < safe_low)
    rows = unsafe.nonzero()[:, 0]
    scale = x[rows].abs().amax(dim=1, keepdim=True)
    zero = scale[:, 0] == 0
    if zero.any():
        row = int(rows[zero][0])
        raise ValueError(f"{name} row {row} is a zero vector, which has no direction: "
                         "cosine similarity is undefined for it; drop it or use dot_product")
    scaled = x[rows] / scale
    out = x / torch.where(unsafe[:, None], 1.0, norms)
    out[rows] = scaled / scaled.norm(dim=1, keepdim=True)
    return out


def _cosine(x, y):
    return unit_rows(x, "a") @ unit_rows(y, "b").T


def cosine_similarity(a, b):
    """cos(a, b) = a·b / (|a| |b|), in [-1, 1]. Shapes: see the module docstring.

    Half-precision inputs (float16, bfloat16) are computed in float32; very large and very
    small vectors (entries of 1e30 or 1e-30) give the right cosine too.
    """
    return _pair(a, b, _cosine)


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
    When exclusions leave fewer than ``k'`` rows for a query, its last places are padding:
    index -1 and score -inf (+inf for distances).
    """
    import torch

    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; choose one of {METRICS}")
    k = check_int(k, "k", minimum=1)
    from course_utils.runtime import get_device

    dev = torch.device(get_device(device))
    q = as_tensor(queries, "queries")
    m = as_tensor(matrix, "matrix")
    q = q.reshape(1, -1) if q.ndim == 1 else q
    if q.shape[1] != m.shape[1]:
        raise ValueError(f"queries have dimension {q.shape[1]} but the matrix has {m.shape[1]}")
    if metric == "cosine":  # normalized before the float32 cast: 1e200 (float64) stays right
        q, m = unit_rows(q, "queries").float(), unit_rows(m, "matrix").float()
    else:
        q, m = _to_float32(q, "queries"), _to_float32(m, "matrix")
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
    return _mark_padding(s * sign, i, exclude, m.shape[0], -torch.inf * sign)


def _mark_padding(s, i, exclude, vocab_size: int, pad_score: float):
    """Set places beyond the rows a query can have (``V`` minus its exclusions) to padding."""
    import numpy as np
    import torch

    if exclude is None or s.shape[1] == 0:
        return s, i
    excl = np.asarray(exclude.cpu() if hasattr(exclude, "cpu") else exclude, dtype=np.int64)
    if excl.ndim == 1:
        excl = excl[:, None]
    if vocab_size - excl.shape[1] >= s.shape[1]:
        return s, i  # every query keeps at least k rows: no padding possible (the usual case)
    valid = np.where((excl >= 0) & (excl < vocab_size), excl, -1)
    valid.sort(axis=1)
    distinct = ((valid >= 0) & np.r_["1", np.ones((len(valid), 1), bool),
                                     valid[:, 1:] != valid[:, :-1]]).sum(axis=1)
    room = torch.as_tensor(vocab_size - distinct)[:, None]
    pad = torch.arange(s.shape[1])[None, :] >= room
    return s.masked_fill(pad, pad_score), i.masked_fill(pad, -1)


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
    if excl.ndim == 1 and len(excl) == n:
        excl = excl[:, None]
    if excl.ndim != 2 or excl.shape[0] != n:
        raise ValueError(f"exclude needs one row of indices per query ({n} queries), got "
                         f"shape {excl.shape}: pad rows with -1")
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

    block_queries = check_int(block_queries, "block_queries", minimum=1)
    block_vocab = check_int(block_vocab, "block_vocab", minimum=1)
    from concurrent.futures import ThreadPoolExecutor

    import torch

    kk = min(k, vocab_size)
    groups = _exclusion_groups(exclude, n, block_queries, block_vocab, dev)
    starts = list(range(0, vocab_size, block_vocab))
    workers = max(1, min(torch.get_num_threads(), len(starts)))
    # contiguous runs of blocks, one per worker, so that merging them in order keeps ties low
    runs = [starts[len(starts) * w // workers : len(starts) * (w + 1) // workers]
            for w in range(workers)]
    args = (score, n, vocab_size, kk, groups, block_queries, block_vocab, dev, prepare)
    with _one_thread():
        if workers == 1:
            parts = [_scan(runs[0], *args)]
        else:
            with ThreadPoolExecutor(workers) as pool:  # torch ops release the GIL
                parts = list(pool.map(lambda run: _scan(run, *args), runs))
    best_s, best_i = parts[0]
    for cand_s, cand_i in parts[1:]:
        best_s, best_i = _merge(best_s, best_i, cand_s, cand_i, kk)
    return best_s.cpu(), best_i.cpu()


@contextmanager
def _one_thread():
    """Run each torch op in its calling thread, for the engine's many small block ops.

    Each block op is short (a fraction of a millisecond); splitting every op across threads
    costs a synchronization per op, and on a busy machine (a notebook beside a browser, a
    shared CI runner) one descheduled helper thread stalls every op: measured here, 7x
    slower with 2 threads per op than with 1 under load. The engine instead gives each
    thread its own run of vocabulary blocks. The previous setting is restored afterwards.
    """
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _merge(best_s, best_i, cand_s, cand_i, kk: int):
    """Merge candidates into a running top-kk; candidates have higher indices, so ties stay."""
    import torch

    if kk == 1:
        better = cand_s[:, 0] > best_s[:, 0]  # strict: the lower index keeps a tie
        return (torch.where(better, cand_s[:, 0], best_s[:, 0])[:, None],
                torch.where(better, cand_i[:, 0], best_i[:, 0])[:, None])
    # earlier entries hold lower indices, so a stable sort keeps ties in index order
    ms, pos = torch.sort(torch.cat([best_s, cand_s], 1), dim=1, descending=True, stable=True)
    return ms[:, :kk], torch.gather(torch.cat([best_i, cand_i], 1), 1, pos[:, :kk])


def _scan(run, score, n, vocab_size, kk, groups, block_queries, block_vocab, dev, prepare):
    """The running top-kk over the vocabulary blocks starting at the offsets in ``run``."""
    import torch

    best_s = torch.full((n, kk), -torch.inf, device=dev)
    best_i = torch.zeros((n, kk), dtype=torch.long, device=dev)
    for v0 in run:
        vb, v1 = v0 // block_vocab, min(v0 + block_vocab, vocab_size)
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
            ms, mi = _merge(bs, bi, cand_s, cand_i + v0, kk)
            bs.copy_(ms)
            bi.copy_(mi)
    return best_s, best_i


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
        key_to_index = {w: i for i, w in reversed(list(enumerate(words)))}
        if len(key_to_index) != len(words):  # a repeated word could answer its own question
            i, w = next((i, w) for i, w in enumerate(words) if key_to_index[w] != i)
            raise ValueError(f"the word {w!r} occurs twice (rows {key_to_index[w]} and {i}): "
                             "each word needs one row; drop the repeats")
    elif hasattr(kv, "index_to_key") and hasattr(kv, "vectors"):
        words, key_to_index, matrix = kv.index_to_key, kv.key_to_index, kv.vectors
    else:
        raise TypeError("expected gensim KeyedVectors or a (matrix, words) pair, "
                        f"got {type(kv).__name__}")
    if len(words) == 0:
        raise ValueError("the embedding has no words")
    if restrict_vocab is not None:
        matrix = matrix[:check_int(restrict_vocab, "restrict_vocab", minimum=1)]
    return words, key_to_index, matrix


def _index(word: str, key_to_index: dict, words: Sequence[str]) -> int:
    if not isinstance(word, str):
        raise TypeError(f"expected a word (str), got {type(word).__name__}")
    if word in key_to_index:
        return key_to_index[word]
    from course_utils._hints import suggestion

    raise KeyError(f"{word!r} is not in the vocabulary ({len(words):,} words)"
                   f"{suggestion(word, words)}")


def word_vectors(kv, words: Sequence[str]):
    """The vectors of ``words`` as a float64 ``(len(words), d)`` numpy array.

    ``kv`` is gensim ``KeyedVectors`` or a ``(matrix, words)`` pair; an unknown word raises
    ``KeyError`` with a "did you mean" suggestion.
    """
    import numpy as np

    vocab, key_to_index, matrix = _keys_and_matrix(kv)
    return np.stack([np.asarray(matrix[_index(w, key_to_index, vocab)], dtype=np.float64)
                     for w in words])


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
        if np.ndim(query) == 0:
            raise TypeError("expected a word, a list of words or a vector, got "
                            f"{type(query).__name__}")
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
            vecs.append(np.asarray(item, dtype=np.float64))  # cast after normalizing
            exclude.append(-1)
    scores, idx = topk_scores(np.stack(vecs), matrix, k=k, metric=metric,
                              exclude=np.array(exclude)[:, None], device=device)
    results = [[(words[int(i)], float(s)) for s, i in zip(srow, irow, strict=True) if i >= 0]
               for srow, irow in zip(scores, idx, strict=True)]
    return results[0] if single else results


def analogy_scores(kv, questions: Sequence[tuple[str, str, str]], k: int = 1,
                   method: str = "3cosadd", restrict_vocab: int | None = None,
                   device: str | None = None, exclude=None, block_queries: int = 256,
                   block_vocab: int | None = None):
    """Batched analogies "a is to b as c is to ?": top-``k`` ``(scores, indices)`` per question.

    ``questions`` holds ``(a, b, c)`` triples of words (all must be known). The three input
    words are excluded (or else the ``(n, m)`` row indices in ``exclude``, -1 = none).
    "3cosadd" scores cos(x, b̂ − â + ĉ); "3cosmul" scores cos'(x, b)·cos'(x, c) /
    (cos'(x, a) + 1e-6) with cos' = (1 + cos) / 2 (Levy & Goldberg 2014).
    Returns two ``(n, k)`` torch tensors (CPU), best first. ``block_vocab`` defaults to
    2,048 words for large batches (the score block stays in cache) and 16,384 for a few
    questions (fewer, larger steps).

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
    k = check_int(k, "k", minimum=1)
    words, key_to_index, matrix = _keys_and_matrix(kv, restrict_vocab)
    idx = _question_rows(questions, key_to_index, words)
    uniq, inv = np.unique(idx, return_inverse=True)
    dev = torch.device(get_device(device))
    full = kv[0] if isinstance(kv, tuple) else kv.vectors
    unit = unit_rows(as_tensor(np.asarray(full[uniq]), "vectors"),
                     "the analogy words").float().to(dev)
    m = unit_rows(as_tensor(matrix, "matrix"), "matrix").float().to(dev)
    exclude = idx if exclude is None else exclude
    abc = [torch.as_tensor(col, device=dev) for col in inv.reshape(idx.shape).T]
    if block_vocab is None:
        block_vocab = 2048 if len(idx) >= block_queries else 16_384
    norms = _cosadd_norms(unit, *abc) if method == "3cosadd" else None  # before any scan
    prepare, score = _analogy_scorer(method, unit, m, *abc)
    s, i = _running_topk(score, len(idx), m.shape[0], k, exclude, block_queries, block_vocab,
                         dev, prepare)
    if method == "3cosadd":
        s = s / norms.cpu()[:, None]  # cosine with the normalized b - a + c
    return _mark_padding(s, i, exclude, m.shape[0], -torch.inf)


def _question_rows(questions, key_to_index: dict, words: Sequence[str]):
    """The ``(n, 3)`` row indices of the ``(a, b, c)`` words of each question, checked."""
    import numpy as np

    if len(questions) == 0:
        raise ValueError("no analogy questions given")
    for q in questions:
        if isinstance(q, str) or len(q) < 3:
            raise ValueError(f"each question must be (a, b, c) words, got {q!r}")
    return np.array([[_index(w, key_to_index, words) for w in q[:3]] for q in questions])


def _cosadd_norms(unit, ia, ib, ic):
    """The length of b̂ − â + ĉ per question; a zero length (no direction) is refused."""
    norms = (unit[ib] - unit[ia] + unit[ic]).norm(dim=1)
    if (norms == 0).any():
        raise ValueError("b - a + c is the zero vector for some question (a == b and c "
                         "cancels?): no direction to search")
    return norms


def _analogy_scorer(method: str, unit, m, ia, ib, ic):
    """``(prepare, score)`` for ``_running_topk``: a vocabulary block's cosines with the
    question words, then each question's score from three gathered rows of them."""
    import torch

    bag = torch.stack([ib, ia, ic], 1)
    signs = torch.tensor([1.0, -1.0, 1.0], device=unit.device).expand(len(ia), 3)

    def prepare(v0: int, v1: int):
        sims = unit @ m[v0:v1].T  # (words in the questions, block): cos(w, x)
        return sims if method == "3cosadd" else sims.add_(1).mul_(0.5)

    def score(q0: int, q1: int, sims):
        if method == "3cosadd":  # one fused pass: sims[b] - sims[a] + sims[c], row by row
            return torch.nn.functional.embedding_bag(bag[q0:q1], sims, mode="sum",
                                                     per_sample_weights=signs[q0:q1])
        s, other, third = (torch.index_select(sims, 0, j[q0:q1]) for j in (ib, ia, ic))
        return s.mul_(third).div_(other.add_(_COSMUL_EPS))

    return prepare, score


def solve_analogy(kv, a: str, b: str, c: str, k: int = 1, method: str = "3cosadd",
                  restrict_vocab: int | None = None, device: str | None = None):
    """"a is to b as c is to ?": the top-``k`` answers ``[(word, score), ...]``.

    Computes b − a + c ("king" − "man" + "woman" for ``solve_analogy(kv, "man", "king",
    "woman")``), with the three input words excluded as in gensim and the literature.
    """
    scores, idx = analogy_scores(kv, [(a, b, c)], k=k, method=method,
                                 restrict_vocab=restrict_vocab, device=device)
    words = kv[1] if isinstance(kv, tuple) else kv.index_to_key
    return [(words[int(i)], float(s)) for s, i in zip(scores[0], idx[0], strict=True) if i >= 0]
