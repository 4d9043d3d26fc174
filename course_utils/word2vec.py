"""word2vec's recipe, piece by piece, and its training loop written out in plain NumPy.

    from course_utils.word2vec import build_vocabulary, keep_probabilities, noise_table

What both engines (``course_utils.sgns``: the compiled one, and ``course_utils.sgns_torch``)
build on: the vocabulary (``build_vocabulary``), subsampling of frequent words
(``keep_probabilities``), the noise distribution raised to 0.75 and its lookup table
(``noise_distribution``, ``noise_table``), (centre, context) pairs with dynamic windows
(``make_pairs``), the starting vectors (``initial_vectors``) and the checked settings they
share (``Word2VecSettings``).

The reference: ``reference_sgns_step`` (one pair's update) and ``reference_sgns_loop``
(word2vec.c's skip-gram loop) in plain Python/NumPy, slow but every step shows. Fed the same
random numbers as the compiled engine (``Word2VecRandom`` with ``thread_seeds(seed, 1)[0]``),
the loop gives the engine's vectors; the tests and lesson 05 check that.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from course_utils.validation import (
    check_corpus,
    check_float,
    check_int,
    check_probability,
    check_seed,
)

# --------------------------------------------------------------------------- records and settings


@dataclass
class Vocabulary:
    """Words kept by ``min_count``, most frequent first, and their corpus counts."""

    words: list[str]
    counts: np.ndarray  # (V,) int64
    index: dict[str, int] = field(repr=False)
    total_words: int  # every token of the corpus, out-of-vocabulary ones included

    def __len__(self) -> int:
        return len(self.words)


@dataclass
class Word2VecSettings:
    """word2vec's settings that both engines share, checked and cleaned when it is built.

    Every check runs before anything trains, and each error names the value and the fix.
    """

    dim: int
    window: int
    negative: int
    min_count: int
    epochs: int
    seed: int
    lr: float
    min_lr: float
    sample: float
    table_size: int

    def __post_init__(self):
        self.dim = check_int(self.dim, "dim", minimum=1, hint=": try dim=100")
        self.window = check_int(self.window, "window", minimum=1, hint=WINDOW_HINT)
        self.negative = check_int(self.negative, "negative", minimum=1, hint=": try negative=5")
        self.min_count = check_int(self.min_count, "min_count", minimum=1)
        self.epochs = check_int(self.epochs, "epochs", minimum=1, hint=": try epochs=5")
        self.seed = check_seed(self.seed)
        self.table_size = check_int(self.table_size, "table_size", minimum=1)
        self.lr, self.min_lr = check_rates(self.lr, self.min_lr)
        self.sample = check_probability(self.sample, "sample", hint=": word2vec uses 1e-3 "
                                        "(0 keeps every word)")


WINDOW_HINT = ": how many words each side count as context, e.g. window=5"
RATES_HINT = ": word2vec uses lr=0.025 (skip-gram), 0.05 (CBOW) and min_lr=1e-4"


def check_rates(lr, min_lr) -> tuple[float, float]:
    """Learning rates: finite numbers > 0 with ``min_lr <= lr``, as floats ``(lr, min_lr)``."""
    lr = check_float(lr, "lr", minimum=0.0, strict=True, hint=RATES_HINT)
    min_lr = check_float(min_lr, "min_lr", minimum=0.0, strict=True, hint=RATES_HINT)
    if min_lr > lr:
        raise ValueError(f"min_lr={min_lr!r} is above lr={lr!r}: the rate decays from lr down to "
                         "min_lr, so pass min_lr <= lr (e.g. min_lr=1e-4)")
    return lr, min_lr


# --------------------------------------------------------------------------- input checks


def check_training_corpus(corpus) -> list[list[str]]:
    """A corpus to train on: a list of token lists (``validation.check_corpus``) with tokens."""
    docs = check_corpus(corpus)
    if sum(len(d) for d in docs) == 0:
        raise ValueError("the corpus is empty (no tokens): pass a list of token lists, e.g. "
                         "`load_corpus('toy')`")
    return docs


def _check_counts(counts) -> np.ndarray:
    """Word counts as a float64 array: 1-D, not empty, finite, non-negative, not all zero."""
    try:
        arr = np.asarray(counts, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"counts must be numbers (one count per word), got "
                        f"{type(counts).__name__}: pass vocab.counts") from None
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"counts must be a non-empty 1-D array (one count per word), got shape "
                         f"{arr.shape}: pass vocab.counts")
    if not np.isfinite(arr).all() or (arr < 0).any() or arr.sum() == 0:
        raise ValueError("counts must be finite, non-negative and not all zero, got "
                         f"{np.round(arr[:5], 3).tolist()}...: pass vocab.counts")
    return arr


# --------------------------------------------------------------------------- the recipe


def build_vocabulary(corpus: Iterable[Sequence[str]], min_count: int = 5) -> Vocabulary:
    """Count tokens and keep those seen at least ``min_count`` times (ties: alphabetical)."""
    docs = check_training_corpus(corpus)
    min_count = check_int(min_count, "min_count", minimum=1)
    counter = Counter(tok for doc in docs for tok in doc)
    kept = sorted((w for w, n in counter.items() if n >= min_count),
                  key=lambda w: (-counter[w], w))
    if not kept:
        top = counter.most_common(1)[0]
        raise ValueError(
            f"min_count={min_count} removes every word: the most frequent, {top[0]!r}, occurs "
            f"{top[1]} times in {sum(counter.values()):,} tokens; lower min_count (e.g. "
            f"min_count={max(1, top[1])}) or use a bigger corpus")
    return Vocabulary(kept, np.array([counter[w] for w in kept], dtype=np.int64),
                      {w: i for i, w in enumerate(kept)}, sum(counter.values()))


def keep_probabilities(counts: np.ndarray, sample: float) -> np.ndarray:
    """word2vec's subsampling: P(keep w) = (sqrt(f/t) + 1) * t / f, t = sample * total, <= 1."""
    counts = _check_counts(counts)
    sample = check_float(sample, "sample", hint=": word2vec uses 1e-3 (0 keeps every word)")
    if sample <= 0:
        return np.ones_like(counts)
    threshold = sample * counts.sum()
    return np.minimum(1.0, (np.sqrt(counts / threshold) + 1.0) * threshold / counts)


def noise_distribution(counts: np.ndarray, power: float = 0.75) -> np.ndarray:
    """The negative-sampling distribution: counts ** power, normalised to sum to 1."""
    p = _check_counts(counts) ** power
    return p / p.sum()


def noise_table(counts: np.ndarray, size: int = 10_000_000, power: float = 0.75) -> np.ndarray:
    """word2vec's unigram table: word ids repeated in proportion to counts ** power.

    Drawing a uniform position in it samples the noise distribution with one memory read,
    several times faster than inverse-CDF search (``np.searchsorted``).
    """
    p = noise_distribution(counts, power)
    size = max(int(size), len(p))
    ends = np.rint(np.cumsum(p) * size).astype(np.int64)
    reps = np.diff(ends, prepend=0)
    return np.repeat(np.arange(len(p), dtype=np.int64), reps)


def make_pairs(ids: np.ndarray, sentence: np.ndarray, start: int, stop: int, window: int,
               rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(centre, context) id pairs for the centres ``ids[start:stop]``, with dynamic windows.

    ``ids`` (N,) are the kept token ids of an epoch and ``sentence`` (N,) the sentence each
    came from; a window never crosses a sentence. Each centre draws its window size
    ``b`` in ``1..window`` (word2vec's "reduced window"), so near words count more.
    Vectorised: one pass per offset instead of one per token.
    """
    window = check_int(window, "window", minimum=1, hint=WINDOW_HINT)
    if np.ndim(ids) != 1 or np.shape(ids) != np.shape(sentence):
        raise ValueError(f"ids and sentence must be 1-D arrays of the same length (one sentence "
                         f"number per token), got shapes {np.shape(ids)} and "
                         f"{np.shape(sentence)}")
    n = len(ids)
    pos = np.arange(start, stop)
    reach = rng.integers(1, window + 1, size=len(pos))
    centres, contexts = [], []
    for off in range(1, window + 1):
        near = pos[reach >= off]
        for other in (near + off, near - off):
            ok = (other >= 0) & (other < n)
            c, o = near[ok], other[ok]
            ok = sentence[c] == sentence[o]
            centres.append(ids[c[ok]])
            contexts.append(ids[o[ok]])
    centres, contexts = np.concatenate(centres), np.concatenate(contexts)
    order = rng.permutation(len(centres))  # mix offsets and positions within the chunk
    return centres[order], contexts[order]


# ----------------------------------------------------------------- starting vectors, random numbers


def initial_vectors(n_words: int, dim: int, seed: int = 0) -> np.ndarray:
    """word2vec's starting input vectors for ``seed``: (n_words, dim) float32, uniform in
    +-0.5/dim (both engines start here; the output vectors start at zero)."""
    n_words = check_int(n_words, "n_words", minimum=1)
    dim = check_int(dim, "dim", minimum=1)
    gen = np.random.default_rng(np.random.SeedSequence([check_seed(seed), 0xE3B]))
    return np.ascontiguousarray((gen.random((n_words, dim), dtype=np.float32) - 0.5) / dim)


def thread_seeds(seed: int, threads: int) -> list[int]:
    """The starting state of each thread's random generator (uint64 ints) for ``seed``."""
    seq = np.random.SeedSequence([int(seed), 0x77E2])
    return [int(x) for x in seq.generate_state(threads, np.uint64)]


class Word2VecRandom:
    """word2vec.c's random numbers in plain Python: the same stream the compiled engine uses.

    ``state = state * 25214903917 + 11 (mod 2**64)``; ``integer(n)`` is ``(state >> 16) % n``
    and ``uniform()`` the top 24 bits as a fraction. Feed it to ``reference_sgns_loop`` with
    ``thread_seeds(seed, 1)[0]`` to reproduce a one-thread engine run draw for draw.
    """

    MASK = (1 << 64) - 1

    def __init__(self, state: int):
        self.state = int(state) & self.MASK

    def _step(self) -> int:
        self.state = (self.state * 25214903917 + 11) & self.MASK
        return self.state

    def integer(self, n: int) -> int:
        """A whole number in ``0..n-1``."""
        return (self._step() >> 16) % n

    def uniform(self) -> np.float32:
        """A float32 in [0, 1)."""
        return np.float32(self._step() >> 40) * np.float32(1.0 / 16777216.0)


# ------------------------------------------------------ the reference: word2vec.c in plain NumPy


def sigmoid(x):
    """1 / (1 + exp(-x)) in float32, the input clamped to [-10, 10] as the engine does."""
    x = np.clip(np.asarray(x, dtype=np.float32), np.float32(-10), np.float32(10))
    return np.float32(1) / (np.float32(1) + np.exp(-x))


def reference_sgns_step(w_in: np.ndarray, w_out: np.ndarray, inp: int, out: int,
                        negatives: Sequence[int], lr: float) -> None:
    """One skip-gram update for one pair, in place, in plain NumPy (the lesson's loop body).

    The input row ``w_in[inp]`` learns to predict the output row ``w_out[out]`` (label 1)
    against ``negatives`` (label 0); a negative equal to ``out`` is skipped. Each target's
    gradient step ``lr * (label - sigmoid(v.u))`` moves ``u`` by that times ``v`` at once; ``v``
    moves by the sum over targets, after them (word2vec.c's order).
    """
    v = w_in[inp]
    step_v = np.zeros_like(v)
    for target, label in [(out, 1.0), *((n, 0.0) for n in negatives if n != out)]:
        u = w_out[target]
        g = np.float32(lr) * (np.float32(label) - sigmoid(v @ u))
        step_v += g * u
        w_out[target] += g * v
    w_in[inp] += step_v


def reference_sgns_loop(sentences: Sequence[np.ndarray], w_in: np.ndarray, w_out: np.ndarray,
                        table: np.ndarray, keep: np.ndarray, window: int, negative: int,
                        epochs: int, lr: float, min_lr: float, rng: Word2VecRandom) -> None:
    """word2vec.c's skip-gram loop in plain Python/NumPy, in place: slow, but every step shows.

    ``sentences``: arrays of word ids; ``table``: the noise table; ``keep``: subsampling keep
    probabilities per word. Per epoch and sentence: drop words by subsampling, then for each
    centre draw a window ``1..window``, and for each context word draw ``negative`` noise
    words and call ``reference_sgns_step`` (context input predicts the centre). The rate
    decays linearly with progress, never below ``min_lr``. Draws come from ``rng`` in the
    compiled engine's order, so with the same stream both give the same vectors.
    """
    n_tok = sum(len(s) for s in sentences)
    total = float(epochs) * float(max(n_tok, 1))
    for epoch in range(epochs):
        seen = 0
        for sentence in sentences:
            kept = [w for w in sentence if keep[w] >= 1 or rng.uniform() < keep[w]]
            done_before = float(epoch) * n_tok + float(seen)
            for i, centre in enumerate(kept):
                progress = (done_before + float(len(sentence)) * i / len(kept)) / total
                rate = np.float32(max(min_lr, lr * (1.0 - progress)))
                reach = window - rng.integer(window)
                for j in range(max(0, i - reach), min(len(kept), i + reach + 1)):
                    if j != i:
                        negs = [int(table[rng.integer(len(table))]) for _ in range(negative)]
                        reference_sgns_step(w_in, w_out, kept[j], centre, negs, rate)
            seen += len(sentence)


# --------------------------------------------------------------------------- the result


def keyed_vectors(vocab: Vocabulary, vectors: np.ndarray):
    """``vectors`` (V, d), one row per word of ``vocab``, as gensim ``KeyedVectors`` with counts."""
    from gensim.models import KeyedVectors

    kv = KeyedVectors(vectors.shape[1])
    kv.add_vectors(vocab.words, np.ascontiguousarray(vectors, dtype=np.float32))
    kv.allocate_vecattrs(attrs=["count"], types=[np.int64])
    kv.expandos["count"][:] = vocab.counts
    return kv
