"""The compiled CPU engine behind ``course_utils.sgns.train_sgns`` and ``train_cbow``.

Numba kernels (``nogil``: Python threads run them in parallel, Hogwild style, each on its own
slice of the corpus, as word2vec.c does). The tables are contiguous float32 and every dot
product and step stays in float32, so LLVM can vectorise the inner loops (a float64
accumulator over float32 rows blocks SIMD).

``train_slice`` runs word2vec's loop over a slice (subsampling, dynamic windows, the learning
rate's decay) and hands each window to one of three update kernels:

- ``SKIPGRAM_SHARED`` (the default): pWord2Vec's trick (Ji et al. 2016,
  https://arxiv.org/abs/1604.04661). For one centre word the window's m context words share
  one draw of K negatives, so the update is a small matrix product (``_window_step``): inputs
  (m, d) against outputs (1 + K, d), one (m, 1 + K) matrix of coefficients, then both tables
  updated from it. Each output row is read once per window instead of once per pair.
- ``SKIPGRAM_PAIRS``: word2vec.c's loop (fresh negatives for every pair, rows updated one pair
  after another); it is the loop ``course_utils.word2vec.reference_sgns_loop`` writes in plain
  NumPy, and the two agree when fed the same random numbers.
- ``CBOW``: the mean of the context words' input vectors predicts the centre word (the same
  ``_window_step`` with one input row), and the resulting error is added to each of them.

As in word2vec.c and gensim, a skip-gram pair uses the context word's input vector to predict
the centre word (the set of pairs is symmetric, so this is skip-gram all the same).

All randomness comes from word2vec.c's linear congruential generator, one per thread, seeded
from ``(seed, thread)``: one thread gives the same vectors bit for bit on every run.
"""

from __future__ import annotations

import numpy as np
from numba import njit

LCG_MUL = np.uint64(25214903917)
LCG_ADD = np.uint64(11)
MAX_SCORE = np.float32(10.0)  # sigmoid(10) = 1 - 4.5e-5: clamping keeps exp() finite
CBOW, SKIPGRAM_SHARED, SKIPGRAM_PAIRS = 0, 1, 2
KERNELS = {"cbow": CBOW, "skipgram_shared": SKIPGRAM_SHARED, "skipgram_pairs": SKIPGRAM_PAIRS}

tiny = njit(nogil=True, fastmath=True, cache=True, inline="always")  # inlined where called
compiled = njit(nogil=True, fastmath=True, cache=True)


# --------------------------------------------------------------------------- small helpers


@tiny
def _next(state):
    return state * LCG_MUL + LCG_ADD


@tiny
def _uniform(state):
    """A float in [0, 1) from the top 24 bits of the generator's state."""
    return np.float32(state >> np.uint64(40)) * np.float32(1.0 / 16777216.0)


@tiny
def _below(state, n):
    """A whole number in ``0..n-1`` from the generator's state (word2vec.c's ``>> 16``)."""
    return np.int64((state >> np.uint64(16)) % np.uint64(n))


@tiny
def _noise_word(table, state):
    """One draw from the noise table: ``(word id, new state)``."""
    state = _next(state)
    return np.int64(table[_below(state, table.shape[0])]), state


@tiny
def _sigmoid(x):
    x = min(max(x, -MAX_SCORE), MAX_SCORE)
    return np.float32(1.0) / (np.float32(1.0) + np.exp(-x))


@tiny
def _step_size(k, f, lr):
    """``lr * (label - sigmoid(f))``, label 1 for target 0 (the true word), 0 for negatives."""
    label = np.float32(1.0) if k == 0 else np.float32(0.0)
    return (label - _sigmoid(f)) * lr


@tiny
def _subsample(ids, a, b, keep, sen, state):
    """The words ``ids[a:b]`` that subsampling keeps, in order, into ``sen``: ``(n, state)``."""
    n = 0
    for p in range(a, b):
        w = ids[p]
        if keep[w] < np.float32(1.0):
            state = _next(state)
            if _uniform(state) >= keep[w]:
                continue
        sen[n] = np.int64(w)
        n += 1
    return n, state


@tiny
def _context(sen, n, i, reach, ctx):
    """The words within ``reach`` of position ``i`` (not ``i`` itself) into ``ctx``: their count."""
    m = 0
    for j in range(max(0, i - reach), min(n, i + reach + 1)):
        if j != i:
            ctx[m] = sen[j]
            m += 1
    return m


# --------------------------------------------------------------------------- update kernels
# The inner loops over the d coordinates are written out (no helper call inside them): Numba
# inlines a helper at every call site, which costs compile time, and a helper it does not
# inline blocks LLVM's vectorisation and changes the float results.


@compiled
def _window_step(x, rows, m, w_out, tgt, coef, delta, lr):
    """One window's matrix update against the targets ``tgt`` (true word, then K negatives).

    Inputs are the rows ``x[rows[q]]``, q < m. Coefficients (m, 1 + K) come from the outputs
    before they move (0 for a negative equal to the true word); ``delta[q]`` receives the
    input step ``coef[q] @ outputs`` and the outputs move by ``coef.T @ inputs`` here. Returns
    how many (input, negative) updates were skipped.
    """
    d = x.shape[1]
    skipped = 0
    for k in range(tgt.shape[0]):
        t = tgt[k]
        if k > 0 and t == tgt[0]:
            skipped += m
            for q in range(m):
                coef[q, k] = 0.0
            continue
        for q in range(m):
            v = rows[q]  # a local: a load inside the loop would block SIMD
            f = np.float32(0.0)
            for c in range(d):
                f += x[v, c] * w_out[t, c]
            coef[q, k] = _step_size(k, f, lr)
    for q in range(m):  # input steps (m, d) = coef @ outputs
        for c in range(d):
            delta[q, c] = 0.0
        for k in range(tgt.shape[0]):
            g = coef[q, k]
            t = tgt[k]
            for c in range(d):
                delta[q, c] += g * w_out[t, c]
    for k in range(tgt.shape[0]):  # output steps (1 + K, d) = coef.T @ inputs
        t = tgt[k]
        for q in range(m):
            g = coef[q, k]
            v = rows[q]
            for c in range(d):
                w_out[t, c] += g * x[v, c]
    return skipped


@compiled
def _skipgram_shared(w_in, w_out, ctx, m, tgt, table, coef, delta, lr, state):
    """Skip-gram with one draw of negatives for the window: ``(skipped, state)``."""
    for k in range(1, tgt.shape[0]):
        tgt[k], state = _noise_word(table, state)
    skipped = _window_step(w_in, ctx, m, w_out, tgt, coef, delta, lr)
    for q in range(m):
        v = ctx[q]
        for c in range(w_in.shape[1]):
            w_in[v, c] += delta[q, c]
    return skipped, state


@compiled
def _cbow(w_in, w_out, ctx, m, tgt, table, coef, delta, hidden, origin, lr, state):
    """CBOW: the mean of the context rows (into ``hidden[0]``; ``origin`` is ``[0]``) predicts
    the centre word, and every context row gets the whole error: ``(skipped, state)``."""
    d = w_in.shape[1]
    for c in range(d):
        hidden[0, c] = 0.0
    for q in range(m):
        v = ctx[q]
        for c in range(d):
            hidden[0, c] += w_in[v, c]
    inv = np.float32(1.0) / np.float32(m)
    for c in range(d):
        hidden[0, c] *= inv
    for k in range(1, tgt.shape[0]):
        tgt[k], state = _noise_word(table, state)
    skipped = _window_step(hidden, origin, 1, w_out, tgt, coef, delta, lr)
    for q in range(m):
        v = ctx[q]
        for c in range(d):
            w_in[v, c] += delta[0, c]
    return skipped, state


@compiled
def _skipgram_pairs(w_in, w_out, ctx, m, centre, negative, table, err, lr, state):
    """word2vec.c: fresh negatives per pair, one pair after another: ``(skipped, state)``."""
    d = w_in.shape[1]
    skipped = 0
    for q in range(m):
        v = ctx[q]
        for c in range(d):
            err[0, c] = 0.0
        for k in range(negative + 1):
            t = centre
            if k > 0:
                t, state = _noise_word(table, state)
                if t == centre:
                    skipped += 1
                    continue
            f = np.float32(0.0)
            for c in range(d):
                f += w_in[v, c] * w_out[t, c]
            g = _step_size(k, f, lr)
            for c in range(d):
                err[0, c] += g * w_out[t, c]
            for c in range(d):
                w_out[t, c] += g * w_in[v, c]
        for c in range(d):
            w_in[v, c] += err[0, c]
    return skipped, state


# --------------------------------------------------------------------------- the loop


@compiled
def train_slice(ids, starts, w_in, w_out, table, keep, window, negative, epochs, lr0, min_lr,
                state, kernel, stats):
    """Train on the sentences ``ids[starts[s]:starts[s + 1]]`` for ``epochs`` epochs, in place.

    ids (N,) int32 word ids; starts (S + 1,) int64; w_in, w_out (V, d) float32; table (T,)
    int32 noise table; keep (V,) float32 subsampling keep probabilities; state: uint64 seed of
    this thread's generator; kernel: CBOW, SKIPGRAM_SHARED or SKIPGRAM_PAIRS. stats (4,)
    float64 receives: kept tokens, (input, centre) pairs trained, negatives skipped because
    they equal the centre word, the last learning rate. The learning rate decays linearly
    with this slice's progress, never below ``min_lr``. Returns the generator's last state.
    """
    d = w_in.shape[1]
    n_sent = starts.shape[0] - 1
    n_tok = starts[n_sent] - starts[0]
    # word ids and row indices are int64 throughout: one compiled version of each helper
    longest = 1
    for s in range(n_sent):
        longest = max(longest, starts[s + 1] - starts[s])
    sen = np.empty(longest, np.int64)
    ctx = np.empty(2 * window, np.int64)
    tgt = np.empty(negative + 1, np.int64)
    coef = np.zeros((2 * window, negative + 1), np.float32)
    delta = np.zeros((2 * window, d), np.float32)
    hidden = np.zeros((1, d), np.float32)
    origin = np.zeros(1, np.int64)
    total = float(epochs) * float(max(n_tok, 1))
    kept, pairs, skipped = 0.0, 0.0, 0.0
    lr = np.float32(lr0)
    for epoch in range(epochs):
        for s in range(n_sent):
            a, b = starts[s], starts[s + 1]
            n, state = _subsample(ids, a, b, keep, sen, state)
            kept += n
            done_before = float(epoch) * n_tok + float(a - starts[0])
            for i in range(n):
                progress = (done_before + float(b - a) * i / n) / total
                lr = np.float32(max(min_lr, lr0 * (1.0 - progress)))
                state = _next(state)
                m = _context(sen, n, i, window - _below(state, window), ctx)
                if m == 0:
                    continue
                pairs += m
                tgt[0] = sen[i]
                if kernel == CBOW:
                    skip, state = _cbow(w_in, w_out, ctx, m, tgt, table, coef, delta, hidden,
                                        origin, lr, state)
                elif kernel == SKIPGRAM_SHARED:
                    skip, state = _skipgram_shared(w_in, w_out, ctx, m, tgt, table, coef, delta,
                                                   lr, state)
                else:
                    skip, state = _skipgram_pairs(w_in, w_out, ctx, m, sen[i], negative, table,
                                                  hidden, lr, state)
                skipped += skip
    stats[0] = kept
    stats[1] = pairs
    stats[2] = skipped
    stats[3] = lr
    return state
