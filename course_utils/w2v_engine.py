"""The compiled CPU engine behind ``course_utils.sgns.train_sgns`` and ``train_cbow``.

Numba kernels (``nogil``: Python threads run them in parallel, Hogwild style, each on its own
slice of the corpus, as word2vec.c does). The tables are contiguous float32 and every dot
product and step stays in float32, so LLVM can vectorise the inner loops (a float64
accumulator over float32 rows blocks SIMD).

Skip-gram, default ``shared=True``: pWord2Vec's trick (Ji et al. 2016,
https://arxiv.org/abs/1604.04661). For one centre word the window's m context words share one
draw of K negatives, so the update is a small matrix product: inputs (m, d) against outputs
(1 + K, d), one (m, 1 + K) matrix of coefficients, then both tables updated from it. Each
output row is read once per window instead of once per pair. ``shared=False`` is word2vec.c's
loop (fresh negatives for every pair, rows updated one pair after another); it is the loop
``course_utils.sgns.reference_sgns_loop`` writes in plain NumPy, and the two agree when fed
the same random numbers.

As in word2vec.c and gensim, a skip-gram pair uses the context word's input vector to predict
the centre word (the set of pairs is symmetric, so this is skip-gram all the same), and CBOW
predicts the centre word from the mean of the context words' input vectors, adding the
resulting error to each of them.

All randomness comes from word2vec.c's linear congruential generator, one per thread, seeded
from ``(seed, thread)``: one thread gives the same vectors bit for bit on every run.
"""

from __future__ import annotations

import numpy as np
from numba import njit

LCG_MUL = np.uint64(25214903917)
LCG_ADD = np.uint64(11)
MAX_SCORE = np.float32(10.0)  # sigmoid(10) = 1 - 4.5e-5: clamping keeps exp() finite


@njit(nogil=True, fastmath=True, cache=True, inline="always")
def _next(state):
    return state * LCG_MUL + LCG_ADD


@njit(nogil=True, fastmath=True, cache=True, inline="always")
def _uniform(state):
    """A float in [0, 1) from the top 24 bits of the generator's state."""
    return np.float32(state >> np.uint64(40)) * np.float32(1.0 / 16777216.0)


@njit(nogil=True, fastmath=True, cache=True, inline="always")
def _sigmoid(x):
    x = min(max(x, -MAX_SCORE), MAX_SCORE)
    return np.float32(1.0) / (np.float32(1.0) + np.exp(-x))


@njit(nogil=True, fastmath=True, cache=True)
def train_slice(ids, starts, w_in, w_out, table, keep, window, negative, epochs, lr0, min_lr,
                state, cbow, shared, stats):
    """Train on the sentences ``ids[starts[s]:starts[s + 1]]`` for ``epochs`` epochs, in place.

    ids (N,) int32 word ids; starts (S + 1,) int64; w_in, w_out (V, d) float32; table (T,)
    int32 noise table; keep (V,) float32 subsampling keep probabilities; state: uint64 seed of
    this thread's generator. stats (4,) float64 receives: kept tokens, (input, centre) pairs
    trained, negatives skipped because they equal the centre word, the last learning rate.
    The learning rate decays linearly with this slice's progress, never below ``min_lr``.
    """
    d = w_in.shape[1]
    n_sent = starts.shape[0] - 1
    n_tok = starts[n_sent] - starts[0]
    longest = 0
    for s in range(n_sent):
        longest = max(longest, starts[s + 1] - starts[s])
    sen = np.empty(max(longest, 1), np.int32)
    ctx = np.empty(2 * window, np.int32)
    tgt = np.empty(negative + 1, np.int32)
    coef = np.zeros((2 * window, negative + 1), np.float32)
    delta = np.zeros((2 * window, d), np.float32)
    hidden = np.zeros(d, np.float32)
    err = np.zeros(d, np.float32)
    table_size = np.uint64(table.shape[0])
    total = float(epochs) * float(max(n_tok, 1))
    kept = 0.0
    pairs = 0.0
    skipped = 0.0
    lr = np.float32(lr0)
    for epoch in range(epochs):
        for s in range(n_sent):
            a, b = starts[s], starts[s + 1]
            n = 0  # subsampling: the kept words of the sentence, in order
            for p in range(a, b):
                w = ids[p]
                if keep[w] < np.float32(1.0):
                    state = _next(state)
                    if _uniform(state) >= keep[w]:
                        continue
                sen[n] = w
                n += 1
            kept += n
            done_before = float(epoch) * n_tok + float(a - starts[0])
            for i in range(n):
                progress = (done_before + float(b - a) * i / n) / total
                lr = np.float32(max(min_lr, lr0 * (1.0 - progress)))
                state = _next(state)
                reach = window - np.int64((state >> np.uint64(16)) % np.uint64(window))
                m = 0
                for j in range(max(0, i - reach), min(n, i + reach + 1)):
                    if j != i:
                        ctx[m] = sen[j]
                        m += 1
                if m == 0:
                    continue
                centre = sen[i]
                tgt[0] = centre
                pairs += m
                if cbow:
                    for c in range(d):
                        hidden[c] = 0.0
                        err[c] = 0.0
                    for q in range(m):
                        for c in range(d):
                            hidden[c] += w_in[ctx[q], c]
                    inv = np.float32(1.0) / np.float32(m)
                    for c in range(d):
                        hidden[c] *= inv
                    for k in range(1, negative + 1):
                        state = _next(state)
                        tgt[k] = table[np.int64((state >> np.uint64(16)) % table_size)]
                    # coefficients (1 + K,) against the outputs before they move
                    for k in range(negative + 1):
                        t = tgt[k]
                        if k > 0 and t == centre:
                            skipped += 1
                            coef[0, k] = 0.0
                            continue
                        label = np.float32(1.0) if k == 0 else np.float32(0.0)
                        f = np.float32(0.0)
                        for c in range(d):
                            f += hidden[c] * w_out[t, c]
                        coef[0, k] = (label - _sigmoid(f)) * lr
                    for k in range(negative + 1):
                        g = coef[0, k]
                        t = tgt[k]
                        for c in range(d):
                            err[c] += g * w_out[t, c]
                    for k in range(negative + 1):
                        g = coef[0, k]
                        t = tgt[k]
                        for c in range(d):
                            w_out[t, c] += g * hidden[c]
                    for q in range(m):
                        for c in range(d):
                            w_in[ctx[q], c] += err[c]
                elif shared:
                    for k in range(1, negative + 1):
                        state = _next(state)
                        tgt[k] = table[np.int64((state >> np.uint64(16)) % table_size)]
                    # coefficients (m, 1 + K): lr * (label - sigmoid(v_q . u_k)), 0 if skipped
                    for k in range(negative + 1):
                        t = tgt[k]
                        if k > 0 and t == centre:
                            skipped += m
                            for q in range(m):
                                coef[q, k] = 0.0
                            continue
                        label = np.float32(1.0) if k == 0 else np.float32(0.0)
                        for q in range(m):
                            v = ctx[q]
                            f = np.float32(0.0)
                            for c in range(d):
                                f += w_in[v, c] * w_out[t, c]
                            coef[q, k] = (label - _sigmoid(f)) * lr
                    # input steps (m, d) = coef @ outputs, from the outputs before they move
                    for q in range(m):
                        for c in range(d):
                            delta[q, c] = 0.0
                        for k in range(negative + 1):
                            g = coef[q, k]
                            t = tgt[k]
                            for c in range(d):
                                delta[q, c] += g * w_out[t, c]
                    # output steps (1 + K, d) = coef.T @ inputs
                    for k in range(negative + 1):
                        t = tgt[k]
                        for q in range(m):
                            g = coef[q, k]
                            v = ctx[q]
                            for c in range(d):
                                w_out[t, c] += g * w_in[v, c]
                    for q in range(m):
                        v = ctx[q]
                        for c in range(d):
                            w_in[v, c] += delta[q, c]
                else:  # word2vec.c: fresh negatives per pair, one pair after another
                    for q in range(m):
                        v = ctx[q]
                        for c in range(d):
                            err[c] = 0.0
                        for k in range(negative + 1):
                            if k == 0:
                                t, label = centre, np.float32(1.0)
                            else:
                                state = _next(state)
                                t = table[np.int64((state >> np.uint64(16)) % table_size)]
                                label = np.float32(0.0)
                                if t == centre:
                                    skipped += 1
                                    continue
                            f = np.float32(0.0)
                            for c in range(d):
                                f += w_in[v, c] * w_out[t, c]
                            g = (label - _sigmoid(f)) * lr
                            for c in range(d):
                                err[c] += g * w_out[t, c]
                            for c in range(d):
                                w_out[t, c] += g * w_in[v, c]
                        for c in range(d):
                            w_in[v, c] += err[c]
    stats[0] = kept
    stats[1] = pairs
    stats[2] = skipped
    stats[3] = lr
    return state
