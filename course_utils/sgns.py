"""word2vec with negative sampling (Mikolov et al. 2013): skip-gram and CBOW.

    from course_utils.sgns import train_sgns, train_cbow
    kv = train_sgns(corpus, dim=100, window=5, negative=5, min_count=5, epochs=5, seed=0)
    kv = train_cbow(corpus, dim=100, window=5, negative=5, min_count=5, epochs=5, seed=0)

The recipe is word2vec's: frequent words are subsampled, each centre word gets a window of
random size ``1..window``, negatives come from the unigram distribution raised to 0.75, and
the learning rate decays linearly to almost zero. Two engines:

- the compiled CPU engine (default; ``course_utils.w2v_engine``, Numba): Hogwild threads,
  one draw of negatives shared by a window's context words (pWord2Vec), float32 throughout.
  ``train_word2vec`` is its full interface; ``reference_sgns_loop`` is the same loop in
  plain NumPy, step by step, for reading and for tests.
- the PyTorch trainer (``engine="torch"``, ``SGNSTrainer``), for what only torch gives: GPUs
  and optimizer studies. ``optimizer=None``: the word2vec update written by hand, a sparse
  SGD step that touches only the rows in the batch; ``optimizer="sgd" | "adam" |
  "sparse_adam"`` (or a function ``params -> torch.optim``): the same loss through
  ``nn.Embedding`` and autograd. It keeps snapshots for studying dynamics.

For the torch trainer:
All randomness comes from ``seed``: the numbers for epoch ``e``, chunk ``c`` are drawn from
their own ``numpy`` generator seeded with ``(seed, e, c)``. That makes a run reproducible
and resumable at any step: a snapshot stores the step it was taken at, and a resumed run
regenerates the interrupted chunk and skips the batches already done.

Snapshots (``snapshot_steps=[...]``) keep the input vectors, per-row update counts and the
mean loss since the previous snapshot; with ``snapshot_dir`` each is also written to disk as
a ``.npz`` (no pickle), atomically (temporary file, then ``os.replace``), with what a resume
needs (output vectors, optimizer state).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from course_utils.validation import atomic_write

if TYPE_CHECKING:
    import torch

OPTIMIZERS = ("sgd", "adam", "sparse_adam")
DEFAULT_LR = {None: 0.025, "sgd": 0.025, "adam": 0.005, "sparse_adam": 0.005}
SNAPSHOT_FORMAT = 1


class SnapshotError(ValueError):
    """A snapshot file that cannot be used to resume this run."""


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
class Snapshot:
    """The state of training after ``step`` minibatch updates."""

    step: int
    epoch: float  # fractional epochs done, e.g. 1.5
    words_done: int  # raw corpus words processed so far
    vectors: np.ndarray  # (V, d) input vectors, float32 copy
    counts: np.ndarray  # (V,) how many (centre, context) updates each input row got
    loss: float  # mean loss per pair since the previous snapshot (nan if no batch since)


# --------------------------------------------------------------------------- input checks


def _check_corpus(corpus) -> list[list[str]]:
    if isinstance(corpus, str) or not isinstance(corpus, Iterable):
        raise ValueError(
            f"expected a corpus as a list of token lists, got {type(corpus).__name__}: try "
            "`load_corpus('toy')` or `[text.split() for text in texts]`")
    docs = list(corpus)
    for i, doc in enumerate(docs[:1000]):
        if isinstance(doc, str) or not isinstance(doc, Sequence):
            raise ValueError(
                f"document {i} is a {type(doc).__name__}, expected a list of tokens: "
                f"split it first, e.g. `doc.split()`")
    if sum(len(d) for d in docs) == 0:
        raise ValueError("the corpus is empty (no tokens): pass a list of token lists, e.g. "
                         "`load_corpus('toy')`")
    return docs


def _check_positive_int(name: str, value, minimum: int = 1, hint: str = "") -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}{hint}")
    return int(value)


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


def build_vocabulary(corpus: Iterable[Sequence[str]], min_count: int = 5) -> Vocabulary:
    """Count tokens and keep those seen at least ``min_count`` times (ties: alphabetical)."""
    docs = _check_corpus(corpus)
    min_count = _check_positive_int("min_count", min_count)
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
    if isinstance(sample, bool) or not isinstance(sample, int | float | np.floating) \
            or not np.isfinite(sample):
        raise ValueError(f"sample must be a finite number (word2vec uses 1e-3; 0 keeps every "
                         f"word), got {sample!r}")
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
    window = _check_positive_int("window", window, hint=": how many words each side count as "
                                 "context, e.g. window=5")
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


def sgns_loss(v: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
    """Per-pair SGNS loss: v (B, d) input vectors, u (B, 1+K, d) true context then K negatives.

    -log sigma(v.u_pos) - sum_k log sigma(-v.u_neg_k), shape (B,).
    """
    import torch.nn.functional as F

    if v.ndim != 2 or u.ndim != 3 or u.shape[0] != v.shape[0] or u.shape[2] != v.shape[1] \
            or u.shape[1] < 1:
        raise ValueError(f"sgns_loss expects v of shape (B, d) and u of shape (B, 1+K, d) (the "
                         f"true context, then K negatives), got v {tuple(v.shape)} and u "
                         f"{tuple(u.shape)}; for one pair use v[None] and u[None]")
    scores = (u @ v.unsqueeze(-1)).squeeze(-1)  # (B, 1+K)
    return -F.logsigmoid(scores[:, 0]) - F.logsigmoid(-scores[:, 1:]).sum(-1)


def sparse_sgd_step(w_in: torch.Tensor, w_out: torch.Tensor, centres: torch.Tensor,
                    targets: torch.Tensor, lr: float, valid: torch.Tensor | None = None
                    ) -> torch.Tensor:
    """One word2vec update on a batch, in place, without autograd; returns the summed loss.

    ``centres`` (B,) index ``w_in``; ``targets`` (B, 1+K) index ``w_out``: the true context
    first, then K negatives. ``valid`` (B, 1+K) masks out negatives that equal the true
    context (word2vec skips them). The gradient of the summed loss with respect to a row is
    the sum over its occurrences, so rows repeated in a batch are added with ``index_add_``.
    """
    import torch
    import torch.nn.functional as F

    for name, ids in (("centres", centres), ("targets", targets)):
        if not isinstance(ids, torch.Tensor) or ids.dtype not in (torch.int64, torch.int32):
            kind = ids.dtype if isinstance(ids, torch.Tensor) else type(ids).__name__
            raise TypeError(f"{name} must be a tensor of integer word ids (torch.int64), got "
                            f"{kind}: convert with torch.as_tensor(ids, dtype=torch.long)")
    if centres.ndim != 1 or targets.ndim != 2 or len(targets) != len(centres):
        raise ValueError(f"expected centres of shape (B,) and targets of shape (B, 1+K), got "
                         f"{tuple(centres.shape)} and {tuple(targets.shape)}")
    v = w_in.index_select(0, centres)  # (B, d)
    u = w_out.index_select(0, targets.reshape(-1)).view(*targets.shape, -1)  # (B, 1+K, d)
    scores = (u * v.unsqueeze(1)).sum(-1)  # (B, 1+K); faster than bmm for tiny matrices
    signs = torch.full_like(scores, -1.0)
    signs[:, 0] = 1.0  # +1 for the true context, -1 for negatives
    z = scores * signs
    coef = torch.sigmoid(-z) * signs  # minus d loss / d score: label - sigmoid(score)
    pair_loss = F.softplus(-z)  # -log sigmoid(z), the loss of each (pair, target)
    if valid is not None:
        coef = coef * valid
        pair_loss = pair_loss * valid
    coef = coef * lr
    grad_v = torch.bmm(coef.unsqueeze(1), u).squeeze(1)  # (B, d): computed before u moves
    grad_u = coef.unsqueeze(-1) * v.unsqueeze(1)  # (B, 1+K, d)
    w_out.index_add_(0, targets.reshape(-1), grad_u.reshape(-1, w_out.shape[1]))
    w_in.index_add_(0, centres, grad_v)
    return pair_loss.sum()


# --------------------------------------------------------------------------- snapshots on disk


def load_snapshot(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Read a snapshot file written by the trainer (``allow_pickle=False``: data only)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no snapshot at {path}: pass a file written by train_sgns "
                                "with snapshot_dir=")
    try:
        with np.load(path, allow_pickle=False) as npz:
            return {k: npz[k] for k in npz.files}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
        raise SnapshotError(f"{path} is not a readable snapshot ({exc}); delete it and resume "
                            "from an earlier one") from exc


def latest_snapshot(snapshot_dir: str | os.PathLike) -> Path | None:
    """The snapshot with the highest step in ``snapshot_dir``, or None."""
    files = sorted(Path(snapshot_dir).glob("step_*.npz"))
    return files[-1] if files else None


# --------------------------------------------------------------------------- settings checks


def _check_rates(lr, min_lr) -> tuple[float, float]:
    """Learning rates must be finite numbers > 0 with min_lr <= lr (checked before training)."""
    for name, value in (("lr", lr), ("min_lr", min_lr)):
        if isinstance(value, bool) or not isinstance(value, int | float | np.integer
                                                     | np.floating) \
                or not np.isfinite(value) or value <= 0:
            raise ValueError(f"{name} must be a finite number > 0, got {value!r}: word2vec uses "
                             "lr=0.025 (skip-gram), 0.05 (CBOW) and min_lr=1e-4")
    if min_lr > lr:
        raise ValueError(f"min_lr={min_lr!r} is above lr={lr!r}: the rate decays from lr down to "
                         "min_lr, so pass min_lr <= lr (e.g. min_lr=1e-4)")
    return float(lr), float(min_lr)


def _check_sample(sample) -> float:
    if isinstance(sample, bool) or not isinstance(sample, int | float | np.integer | np.floating) \
            or not np.isfinite(sample) or not 0 <= sample < 1:
        raise ValueError(f"sample must be in [0, 1), got {sample!r}: word2vec uses 1e-3 "
                         "(0 keeps every word)")
    return float(sample)


def _check_threads(threads) -> int:
    if threads is None:
        return _default_threads()
    return _check_positive_int("threads", threads, hint=": how many CPU threads train at once, "
                               "e.g. threads=2, or None for every core")


def _default_threads() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


def _check_writable_dir(folder) -> Path:
    """Create ``folder`` and write a probe file in it, so a bad folder fails before training."""
    folder = Path(folder).expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".probe.", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise ValueError(f"snapshot_dir {str(folder)!r} cannot be written ({exc.strerror or exc}):"
                         " pass a folder you can write to, e.g. snapshot_dir='snapshots'"
                         ) from None
    return folder


# --------------------------------------------------------------------------- the compiled engine

ARCHITECTURES = ("skipgram", "cbow")
ENGINE_TABLE_SIZE = 1_000_000  # int32: 4 MB, stays in cache; ample for vocabularies up to ~1e5
MAX_SENTENCE = 10_000  # longer documents are cut into pieces (gensim does the same)


def initial_vectors(n_words: int, dim: int, seed: int = 0) -> np.ndarray:
    """word2vec's starting input vectors for ``seed``: (n_words, dim) float32, uniform in
    +-0.5/dim (both engines start here; the output vectors start at zero)."""
    n_words = _check_positive_int("n_words", n_words)
    dim = _check_positive_int("dim", dim)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    gen = np.random.default_rng(np.random.SeedSequence([int(seed), 0xE3B]))
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


def _engine_corpus(docs: list, index: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """The corpus as one int32 id array (OOV dropped) and sentence starts (S + 1,) int64;
    documents longer than MAX_SENTENCE kept tokens are cut into pieces."""
    pieces, lengths = [], []
    for doc in docs:
        row = np.fromiter((index[t] for t in doc if t in index), dtype=np.int32)
        for lo in range(0, len(row), MAX_SENTENCE):
            pieces.append(row[lo:lo + MAX_SENTENCE])
            lengths.append(len(pieces[-1]))
    ids = np.concatenate(pieces) if pieces else np.zeros(0, np.int32)
    starts = np.zeros(len(lengths) + 1, np.int64)
    np.cumsum(lengths, out=starts[1:])
    return ids, starts


def _split_slices(starts: np.ndarray, threads: int) -> list[np.ndarray]:
    """Cut the sentences into ``threads`` runs of about equal token counts (their starts)."""
    cuts = [0]
    total = starts[-1]
    for t in range(1, threads):
        cuts.append(int(np.searchsorted(starts, total * t / threads)))
    cuts.append(len(starts) - 1)
    cuts = sorted(set(cuts))
    return [starts[a:b + 1] for a, b in zip(cuts, cuts[1:], strict=False) if b > a]


@dataclass
class Word2VecRun:
    """What one run of the compiled engine made: both tables, the vocabulary and its stats."""

    architecture: str
    vocab: Vocabulary
    w_in: np.ndarray  # (V, d) float32, the word vectors
    w_out: np.ndarray  # (V, d) float32, the output (context) vectors
    threads: int
    seconds: float  # wall time of training (vocabulary and JIT compile not included)
    kept_words: int  # tokens left after subsampling, summed over epochs
    pairs: int  # (context, centre) pairs trained, summed over epochs
    skipped_negatives: int  # noise draws equal to the centre word, skipped
    final_lr: float  # the learning rate of the last update (the last thread's)

    def keyed_vectors(self):
        """The input vectors as gensim ``KeyedVectors`` (word order: most frequent first)."""
        return _keyed_vectors(self.vocab, self.w_in)


def _keyed_vectors(vocab: Vocabulary, vectors: np.ndarray):
    from gensim.models import KeyedVectors

    kv = KeyedVectors(vectors.shape[1])
    kv.add_vectors(vocab.words, np.ascontiguousarray(vectors, dtype=np.float32))
    kv.allocate_vecattrs(attrs=["count"], types=[np.int64])
    kv.expandos["count"][:] = vocab.counts
    return kv


def train_word2vec(corpus, dim: int = 100, window: int = 5, negative: int = 5,
                   min_count: int = 5, epochs: int = 5, seed: int = 0, *,
                   architecture: str = "skipgram", lr: float | None = None,
                   min_lr: float = 1e-4, sample: float = 1e-3, threads: int | None = None,
                   shared_negatives: bool = True, table_size: int = ENGINE_TABLE_SIZE,
                   vocabulary: Vocabulary | None = None) -> Word2VecRun:
    """word2vec with negative sampling on the compiled CPU engine; returns a ``Word2VecRun``.

    ``architecture``: "skipgram" or "cbow". ``lr`` defaults to word2vec's 0.025 (skip-gram)
    or 0.05 (CBOW) and decays linearly to ``min_lr``. ``threads`` (default: every core) run
    Hogwild on slices of the corpus; ``threads=1`` gives the same vectors bit for bit for a
    seed. ``shared_negatives`` (skip-gram only): one draw of negatives per window (pWord2Vec),
    or fresh ones per pair (word2vec.c). Every setting is checked before anything runs.
    """
    import threading
    import time

    from course_utils.w2v_engine import train_slice

    if architecture not in ARCHITECTURES:
        from course_utils._hints import suggestion

        raise ValueError(f"unknown architecture {architecture!r}"
                         f"{suggestion(str(architecture), ARCHITECTURES)}: use 'skipgram' or "
                         "'cbow'")
    dim = _check_positive_int("dim", dim)
    window = _check_positive_int("window", window, hint=": the window is how many words each "
                                 "side count as context, e.g. window=5")
    negative = _check_positive_int("negative", negative)
    epochs = _check_positive_int("epochs", epochs)
    min_count = _check_positive_int("min_count", min_count)
    table_size = _check_positive_int("table_size", table_size)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    lr, min_lr = _check_rates(0.05 if lr is None and architecture == "cbow" else
                              0.025 if lr is None else lr, min_lr)
    sample = _check_sample(sample)
    threads = _check_threads(threads)
    if not isinstance(shared_negatives, bool | np.bool_):
        raise ValueError(f"shared_negatives must be True or False, got {shared_negatives!r}")

    docs = _check_corpus(corpus)
    vocab = vocabulary or build_vocabulary(docs, min_count)
    ids, starts = _engine_corpus(docs, vocab.index)
    keep = keep_probabilities(vocab.counts, sample).astype(np.float32)
    table = noise_table(vocab.counts, table_size).astype(np.int32)
    V = len(vocab)
    w_in = initial_vectors(V, dim, seed)
    w_out = np.zeros((V, dim), np.float32)
    slices = _split_slices(starts, threads)
    states = thread_seeds(seed, len(slices))
    stats = np.zeros((len(slices), 4), np.float64)
    cbow = architecture == "cbow"

    def work(t: int) -> None:
        train_slice(ids, slices[t], w_in, w_out, table, keep, window, negative, epochs, lr,
                    min_lr, np.uint64(states[t]), cbow, bool(shared_negatives), stats[t])

    start = time.perf_counter()
    if len(slices) == 1:
        work(0)
    else:
        workers = [threading.Thread(target=work, args=(t,)) for t in range(len(slices))]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    seconds = time.perf_counter() - start
    return Word2VecRun(architecture, vocab, w_in, w_out, len(slices), seconds,
                       int(stats[:, 0].sum()), int(stats[:, 1].sum()), int(stats[:, 2].sum()),
                       float(stats[-1, 3]))


def train_cbow(corpus, dim: int = 100, window: int = 5, negative: int = 5, min_count: int = 5,
               epochs: int = 5, seed: int = 0, *, return_trainer: bool = False, **options):
    """Train CBOW with negative sampling (gensim's ``sg=0``) on the compiled CPU engine.

    Same arguments as ``train_sgns``; returns gensim ``KeyedVectors`` (or ``(kv, run)`` with
    ``return_trainer=True``). ``options`` go to ``train_word2vec``: ``lr`` (default 0.05),
    ``min_lr``, ``sample``, ``threads``, ``table_size``, ``vocabulary``.
    """
    run = train_word2vec(corpus, dim, window, negative, min_count, epochs, seed,
                         architecture="cbow", **options)
    kv = run.keyed_vectors()
    return (kv, run) if return_trainer else kv



# --------------------------------------------------------------------------- the trainer


class SGNSTrainer:
    """Skip-gram negative-sampling training with snapshots; see the module docstring.

    Build it, call ``train()``, read ``keyed_vectors()``, ``snapshots`` and ``loss_history``
    (``[(step, mean loss per pair over the last log interval), ...]``).
    """

    def __init__(self, corpus, dim: int = 100, window: int = 5, negative: int = 5,
                 min_count: int = 5, epochs: int = 5, seed: int = 0, *, lr: float | None = None,
                 min_lr: float = 1e-4, sample: float = 1e-3, batch_size: int = 1024,
                 chunk_words: int = 20_000, optimizer: str | Callable | None = None,
                 device: str | None = None, snapshot_steps: Iterable[int] = (),
                 snapshot_dir: str | os.PathLike | None = None, keep_snapshots: bool = True,
                 log_every: int = 50, progress: bool = True, threads: int | None = 1,
                 table_size: int = 10_000_000, vocabulary: Vocabulary | None = None):
        import torch

        self.dim = _check_positive_int("dim", dim)
        self.window = _check_positive_int(
            "window", window, hint=": the window is how many words each side count as context, "
            "e.g. window=5")
        self.negative = _check_positive_int("negative", negative)
        self.epochs = _check_positive_int("epochs", epochs)
        self.batch_size = _check_positive_int("batch_size", batch_size)
        self.chunk_words = _check_positive_int("chunk_words", chunk_words)
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ValueError(f"seed must be a non-negative int, got {seed!r}")
        sample = _check_sample(sample)
        if isinstance(optimizer, str) and optimizer not in OPTIMIZERS:
            from course_utils._hints import suggestion

            raise ValueError(f"unknown optimizer {optimizer!r}{suggestion(optimizer, OPTIMIZERS)}; "
                             f"use None (hand-written sparse SGD), one of {OPTIMIZERS}, or a "
                             "function params -> torch.optim.Optimizer")
        if optimizer is not None and not isinstance(optimizer, str) and not callable(optimizer):
            raise ValueError(f"optimizer must be None, a name or a callable, got {optimizer!r}")
        self.seed, self.sample = seed, sample
        self.optimizer_spec = optimizer
        self.lr = lr if lr is not None else DEFAULT_LR.get(
            optimizer if isinstance(optimizer, str | None) else "adam", 0.001)
        self.lr, self.min_lr = _check_rates(self.lr, min_lr)
        self.table_size = _check_positive_int("table_size", table_size)
        if snapshot_dir is not None:
            snapshot_dir = _check_writable_dir(snapshot_dir)
        from course_utils.runtime import get_device

        self.device = torch.device(get_device(device))
        self.threads = None if threads is None else _check_positive_int("threads", threads)
        self.progress, self.log_every = progress, _check_positive_int("log_every", log_every)

        docs = _check_corpus(corpus)
        self.vocab = vocabulary or build_vocabulary(docs, min_count)
        self.min_count = int(min_count)
        index = self.vocab.index
        # the corpus as one id array (OOV dropped) with the sentence each token came from
        ids, sent = [], []
        for s, doc in enumerate(docs):
            row = [index[t] for t in doc if t in index]
            ids.append(np.asarray(row, dtype=np.int64))
            sent.append(np.full(len(row), s, dtype=np.int64))
        self.ids, self.sentence = np.concatenate(ids), np.concatenate(sent)
        self.keep_prob = keep_probabilities(self.vocab.counts, self.sample)
        self._noise_table = noise_table(self.vocab.counts, self.table_size)

        V, d = len(self.vocab), self.dim
        # word2vec's initialisation: inputs uniform in +-0.5/d, outputs zero
        self.w_in = torch.from_numpy(initial_vectors(V, d, seed)).to(self.device)
        self.w_out = torch.zeros(V, d, device=self.device)
        self.counts = torch.zeros(V, dtype=torch.int64, device=self.device)
        self.step = 0
        self.words_done = 0
        self._position = (0, 0, 0)  # (epoch, chunk, batch within chunk) of the next batch
        self.snapshots: list[Snapshot] = []
        self.loss_history: list[tuple[int, float]] = []
        self._loss_sum = 0.0
        self._loss_pairs = 0
        self._log_sum, self._log_pairs = 0.0, 0
        self.snapshot_steps = sorted({_check_positive_int("snapshot step", s, 0)
                                      for s in snapshot_steps})
        self.snapshot_dir = Path(snapshot_dir) if snapshot_dir is not None else None
        self.keep_snapshots = keep_snapshots
        self._build_optimizer()

    # ---- configuration fingerprint: a snapshot only resumes the run it came from
    def config(self) -> dict:
        opt = self.optimizer_spec if isinstance(self.optimizer_spec, str | None) else "custom"
        return {"format": SNAPSHOT_FORMAT, "dim": self.dim, "window": self.window,
                "negative": self.negative, "min_count": self.min_count, "epochs": self.epochs,
                "seed": self.seed, "lr": self.lr, "min_lr": self.min_lr, "sample": self.sample,
                "batch_size": self.batch_size, "chunk_words": self.chunk_words,
                "optimizer": opt, "vocab_size": len(self.vocab),
                "corpus": hashlib.sha256(self.ids.tobytes() + self.sentence.tobytes()
                                         ).hexdigest()[:16]}

    def _build_optimizer(self) -> None:
        import torch
        from torch import nn

        self.model = None
        self.opt = None
        if self.optimizer_spec is None:
            return
        sparse = self.optimizer_spec in ("sgd", "sparse_adam")
        self.model = nn.ModuleDict({
            "w_in": nn.Embedding(len(self.vocab), self.dim, sparse=sparse),
            "w_out": nn.Embedding(len(self.vocab), self.dim, sparse=sparse),
        }).to(self.device)
        with torch.no_grad():  # share storage: self.w_in / w_out always show the current values
            self.model["w_in"].weight.copy_(self.w_in)
            self.model["w_out"].weight.copy_(self.w_out)
        self.w_in, self.w_out = self.model["w_in"].weight.data, self.model["w_out"].weight.data
        params = list(self.model.parameters())
        if self.optimizer_spec == "sgd":
            self.opt = torch.optim.SGD(params, lr=self.lr)
        elif self.optimizer_spec == "adam":
            self.opt = torch.optim.Adam(params, lr=self.lr)
        elif self.optimizer_spec == "sparse_adam":
            self.opt = torch.optim.SparseAdam(params, lr=self.lr)
        else:
            self.opt = self.optimizer_spec(params)
            if not isinstance(self.opt, torch.optim.Optimizer):
                raise ValueError("the optimizer function must return a torch.optim.Optimizer, "
                                 f"got {type(self.opt).__name__}")
            self.lr = float(self.opt.param_groups[0]["lr"])

    # ---- the data of one epoch / chunk, from generators seeded by (seed, epoch, chunk)
    def _epoch_tokens(self, epoch: int) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng(np.random.SeedSequence([self.seed, epoch]))
        keep = rng.random(len(self.ids)) < self.keep_prob[self.ids]
        return self.ids[keep], self.sentence[keep]

    def _chunk_batches(self, ids, sentence, epoch: int, chunk: int):
        start = chunk * self.chunk_words
        stop = min(len(ids), start + self.chunk_words)
        rng = np.random.default_rng(np.random.SeedSequence([self.seed, epoch, chunk + 1]))
        centres, contexts = make_pairs(ids, sentence, start, stop, self.window, rng)
        # negatives: uniform positions in a table where word w fills a share P_noise(w)
        negatives = self._noise_table[rng.integers(0, len(self._noise_table),
                                                   (len(centres), self.negative))]
        return centres, contexts, negatives

    def _n_chunks(self, n_tokens: int) -> int:
        return max(1, -(-n_tokens // self.chunk_words))

    # ---- training
    def train(self) -> SGNSTrainer:
        """Run (or continue) training to the end; returns self."""
        import torch

        before = torch.get_num_threads()
        if self.threads is not None:
            torch.set_num_threads(self.threads)
        try:
            return self._train()
        finally:
            torch.set_num_threads(before)

    def _train(self) -> SGNSTrainer:
        import torch
        from tqdm.auto import tqdm

        total_raw = self.vocab.total_words * self.epochs
        bar = tqdm(total=total_raw, initial=self.words_done, unit="word", unit_scale=True,
                   desc="sgns", disable=not self.progress, leave=False)
        if 0 in self.snapshot_steps and self.step == 0 and not self.snapshots:
            self._snapshot()
        epoch0, chunk0, batch0 = self._position
        raw_per_kept = 1.0
        for epoch in range(epoch0, self.epochs):
            ids, sentence = self._epoch_tokens(epoch)
            n_chunks = self._n_chunks(len(ids))
            raw_per_kept = self.vocab.total_words / max(1, len(ids))
            for chunk in range(chunk0 if epoch == epoch0 else 0, n_chunks):
                centres, contexts, negatives = self._chunk_batches(ids, sentence, epoch, chunk)
                chunk_tokens = min(len(ids), (chunk + 1) * self.chunk_words) - \
                    chunk * self.chunk_words
                n_batches = max(1, -(-len(centres) // self.batch_size))
                t_c = torch.from_numpy(centres).to(self.device)
                t_t = torch.from_numpy(np.concatenate([contexts[:, None], negatives], 1)
                                       ).to(self.device)
                # negatives equal to the true context are skipped, as in word2vec
                t_valid = torch.from_numpy(np.concatenate(
                    [np.ones((len(contexts), 1), np.float32),
                     (negatives != contexts[:, None]).astype(np.float32)], 1)).to(self.device)
                first = batch0 if (epoch, chunk) == (epoch0, chunk0) else 0
                for b in range(first, n_batches):
                    sl = slice(b * self.batch_size, (b + 1) * self.batch_size)
                    # linear decay over raw words, as in word2vec
                    done = epoch * self.vocab.total_words + raw_per_kept * (
                        chunk * self.chunk_words + chunk_tokens * b / n_batches)
                    lr = max(self.min_lr, self.lr * (1.0 - done / total_raw))
                    if len(centres):
                        self._update(t_c[sl], t_t[sl], t_valid[sl], lr)
                    self.step += 1
                    self._position = (epoch, chunk, b + 1)
                    if self.step in self.snapshot_steps:
                        self.words_done = int(done)
                        self._snapshot()
                # the chunk is done: account its raw words
                new_done = min(total_raw, int(epoch * self.vocab.total_words + raw_per_kept
                                              * (chunk * self.chunk_words + chunk_tokens)))
                bar.update(max(0, new_done - self.words_done))
                self.words_done = new_done
                self._position = (epoch, chunk + 1, 0)
            self._position = (epoch + 1, 0, 0)
        self.words_done = total_raw
        bar.close()
        return self

    def _update(self, centres, targets, valid, lr: float) -> None:
        import torch

        if self.opt is None:
            loss = sparse_sgd_step(self.w_in, self.w_out, centres, targets, lr, valid)
        else:
            for group in self.opt.param_groups:
                group["lr"] = lr
            self.opt.zero_grad(set_to_none=True)
            v = self.model["w_in"](centres)
            u = self.model["w_out"](targets)
            scores = (u @ v.unsqueeze(-1)).squeeze(-1)
            signs = torch.ones_like(scores)
            signs[:, 1:] = -1.0
            loss = -(torch.nn.functional.logsigmoid(signs * scores) * valid).sum()
            loss.backward()
            self.opt.step()
            loss = loss.detach()
        self.counts.index_add_(0, centres, torch.ones_like(centres))
        # losses stay on the device between log points: no GPU sync per batch
        self._loss_sum = self._loss_sum + loss.detach()
        self._loss_pairs += len(centres)
        self._log_sum = self._log_sum + loss.detach()
        self._log_pairs += len(centres)
        if self.step % self.log_every == self.log_every - 1:
            self.loss_history.append((self.step + 1, float(self._log_sum) / self._log_pairs))
            self._log_sum, self._log_pairs = 0.0, 0

    def _snapshot(self) -> None:
        loss = float(self._loss_sum) / self._loss_pairs if self._loss_pairs else float("nan")
        self._loss_sum, self._loss_pairs = 0.0, 0
        snap = Snapshot(self.step, self.words_done / self.vocab.total_words, self.words_done,
                        self.w_in.detach().cpu().numpy().copy(),
                        self.counts.cpu().numpy().copy(), loss)
        if self.keep_snapshots:
            self.snapshots.append(snap)
        if self.snapshot_dir is not None:
            self.save(self.snapshot_dir / f"step_{self.step:09d}.npz", loss=loss)

    # ---- persistence
    def save(self, path: str | os.PathLike, loss: float = float("nan")) -> Path:
        """Write everything a resume needs to ``path`` (.npz, atomic, no pickle)."""
        path = Path(path)
        arrays = {
            "config": np.array(json.dumps(self.config(), sort_keys=True)),
            "words": np.array(self.vocab.words),
            "w_in": self.w_in.detach().cpu().numpy(),
            "w_out": self.w_out.detach().cpu().numpy(),
            "counts": self.counts.cpu().numpy(),
            "position": np.array([self.step, self.words_done, *self._position], dtype=np.int64),
            "loss": np.array(loss, dtype=np.float64),
        }
        if self.opt is not None:
            state = self.opt.state_dict()
            for pid, st in state["state"].items():
                for key, val in st.items():
                    arr = val.detach().cpu().numpy() if hasattr(val, "detach") else np.array(val)
                    if hasattr(val, "is_sparse") and val.is_sparse:
                        arr = val.to_dense().cpu().numpy()
                    arrays[f"opt/{pid}/{key}"] = arr
        atomic_write(path, lambda fh: np.savez(fh, **arrays))
        return path

    def load(self, path: str | os.PathLike, data: dict | None = None) -> SGNSTrainer:
        """Restore the state saved by ``save`` (same corpus and settings), to continue training.

        ``data``: the file's arrays when already read (``load_snapshot(path)``).
        """
        import torch

        data = load_snapshot(path) if data is None else data
        try:
            saved = json.loads(str(data["config"]))
        except (KeyError, json.JSONDecodeError) as exc:
            raise SnapshotError(f"{path} has no training configuration: not a snapshot of "
                                "train_sgns") from exc
        mine = self.config()
        if saved != mine:
            diff = {k: (saved.get(k), mine.get(k)) for k in set(saved) | set(mine)
                    if saved.get(k) != mine.get(k)}
            raise SnapshotError(f"{path} comes from a different run; (snapshot, now) differ in "
                                f"{diff}: resume with the same corpus and settings, or start "
                                "a fresh snapshot_dir")
        _check_snapshot_arrays(data, path, len(self.vocab), self.dim)
        with torch.no_grad():
            self.w_in.copy_(torch.from_numpy(data["w_in"]))
            self.w_out.copy_(torch.from_numpy(data["w_out"]))
            self.counts.copy_(torch.from_numpy(data["counts"]))
        step, words, e, c, b = (int(x) for x in data["position"])
        self.step, self.words_done, self._position = step, words, (e, c, b)
        if self.opt is not None:
            state = self.opt.state_dict()
            per_param: dict[int, dict] = {}
            for key, arr in data.items():
                if key.startswith("opt/"):
                    _, pid, name = key.split("/", 2)
                    t = torch.from_numpy(np.array(arr))
                    per_param.setdefault(int(pid), {})[name] = (
                        t.to(self.device) if t.ndim else t)
            state["state"] = per_param
            self.opt.load_state_dict(state)
        self.snapshot_steps = [s for s in self.snapshot_steps if s > step]
        return self

    def keyed_vectors(self):
        """The input vectors as gensim ``KeyedVectors`` (word order: most frequent first)."""
        from gensim.models import KeyedVectors

        kv = KeyedVectors(self.dim)
        kv.add_vectors(self.vocab.words, self.w_in.detach().cpu().numpy().astype(np.float32))
        kv.allocate_vecattrs(attrs=["count"], types=[np.int64])
        kv.expandos["count"][:] = self.vocab.counts
        return kv


TORCH_ONLY = ("optimizer", "batch_size", "chunk_words", "snapshot_steps", "snapshot_dir",
              "keep_snapshots", "log_every")
ENGINES = ("auto", "numba", "torch")


def train_sgns(corpus, dim: int = 100, window: int = 5, negative: int = 5, min_count: int = 5,
               epochs: int = 5, seed: int = 0, *, resume: bool = False,
               return_trainer: bool = False, engine: str = "auto", **options):
    """Train skip-gram with negative sampling on ``corpus`` (list of token lists).

    Returns gensim ``KeyedVectors``, or ``(kv, trainer)`` with ``return_trainer=True``.

    ``engine="numba"``: the compiled CPU engine (``train_word2vec``; options ``lr``, ``min_lr``,
    ``sample``, ``threads`` (default every core), ``shared_negatives``, ``table_size``,
    ``vocabulary``; ``progress`` and ``device="cpu"`` are accepted and change nothing); the
    trainer returned is a ``Word2VecRun``.
    ``engine="torch"``: ``SGNSTrainer``, for GPUs (``device="cuda"``), optimizer studies
    (``optimizer=`` None = hand-written sparse SGD; "sgd", "adam", "sparse_adam" or a callable
    use autograd), snapshots (``snapshot_steps``, ``snapshot_dir``), ``batch_size``,
    ``chunk_words``, ``log_every``, ``progress``; its trainer has ``snapshots`` and
    ``loss_history``; ``threads`` there are torch threads (default 1).
    ``engine="auto"`` (default) takes torch when any torch-only option is given (``optimizer``,
    ``batch_size``, ``chunk_words``, ``snapshot_steps``, ``snapshot_dir``, ``keep_snapshots``,
    ``log_every``, a ``device`` other than "cpu", or ``resume=True``), and the compiled engine
    otherwise.

    With ``resume=True`` and a ``snapshot_dir`` holding snapshots of the same run, training
    continues from the latest readable one (a damaged file is skipped with a warning) and
    ends with the same vectors as an uninterrupted run.
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
    torch_options = sorted(k for k in options if k in TORCH_ONLY)
    if options.get("device") not in (None, "cpu"):
        torch_options.append("device")
    if engine == "auto":
        engine = "torch" if torch_options or resume else "numba"
    if engine == "numba":
        options.pop("progress", None)  # the compiled engine shows no progress bar
        options.pop("device", None)  # None or "cpu" here
        if torch_options or resume:
            raise ValueError(f"{torch_options or ['resume']} only work with engine='torch' (the "
                             "compiled engine has no optimizers, snapshots or batches): pass "
                             "engine='torch' or drop them")
        run = train_word2vec(corpus, dim, window, negative, min_count, epochs, seed,
                             architecture="skipgram", **options)
        kv = run.keyed_vectors()
        return (kv, run) if return_trainer else kv
    trainer = SGNSTrainer(corpus, dim, window, negative, min_count, epochs, seed, **options)
    if resume:
        if trainer.snapshot_dir is None:
            raise ValueError("resume=True needs snapshot_dir= (where the snapshots are)")
        _resume_from_last_good(trainer)
    trainer.train()
    kv = trainer.keyed_vectors()
    return (kv, trainer) if return_trainer else kv


def _check_snapshot_arrays(data: dict, path, n_words: int, dim: int) -> None:
    """A snapshot must hold every array a resume needs, with this run's shapes."""
    need = {"config": (), "w_in": (n_words, dim), "w_out": (n_words, dim), "counts": (n_words,),
            "position": (5,)}
    for key, shape in need.items():
        if key not in data:
            raise SnapshotError(f"{path} is damaged: it has no {key!r} array; delete it and "
                                "resume from an earlier one")
        if key != "config" and tuple(np.shape(data[key])) != shape:
            raise SnapshotError(f"{path} is damaged: {key!r} has shape "
                                f"{tuple(np.shape(data[key]))}, expected {shape}; delete it and "
                                "resume from an earlier one")
        if key in ("w_in", "w_out") and not np.isfinite(data[key]).all():
            raise SnapshotError(f"{path} is damaged: {key!r} holds NaN or inf; delete it and "
                                "resume from an earlier one")


def _resume_from_last_good(trainer: SGNSTrainer) -> None:
    """Load the newest snapshot that reads; skip damaged files (warned), refuse foreign runs."""
    import warnings

    for path in sorted(trainer.snapshot_dir.glob("step_*.npz"), reverse=True):
        try:
            data = load_snapshot(path)
            try:
                foreign = json.loads(str(data["config"])) != trainer.config()
            except (KeyError, json.JSONDecodeError):
                foreign = False
            if not foreign:  # a snapshot of another run is refused by load, not skipped
                _check_snapshot_arrays(data, path, len(trainer.vocab), trainer.dim)
        except SnapshotError as exc:
            warnings.warn(f"skipping a damaged snapshot: {exc}", stacklevel=3)
            continue
        trainer.load(path, data=data)
        return
