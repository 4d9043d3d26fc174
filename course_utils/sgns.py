"""word2vec with negative sampling (Mikolov et al. 2013): skip-gram and CBOW, ready to train.

    from course_utils.sgns import train_sgns, train_cbow
    kv = train_sgns(corpus, dim=100, window=5, negative=5, min_count=5, epochs=5, seed=0)
    kv = train_cbow(corpus, dim=100, window=5, negative=5, min_count=5, epochs=5, seed=0)

The recipe is word2vec's: frequent words are subsampled, each centre word gets a window of
random size ``1..window``, negatives come from the unigram distribution raised to 0.75, and
the learning rate decays linearly to almost zero. Its pieces, and the training loop in plain
NumPy, are in ``course_utils.word2vec``. Two engines train it:

- the compiled CPU engine (default; its kernels are ``course_utils.w2v_engine``, Numba):
  Hogwild threads, one draw of negatives shared by a window's context words (pWord2Vec),
  float32 throughout. ``train_word2vec`` is its full interface and returns a ``Word2VecRun``.
- the PyTorch trainer (``engine="torch"``; ``course_utils.sgns_torch.SGNSTrainer``), for what
  only torch gives: GPUs, optimizer studies, snapshots for studying dynamics.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from course_utils import word2vec
from course_utils.sgns_torch import SGNSTrainer
from course_utils.validation import check_int

ARCHITECTURES = ("skipgram", "cbow")
ENGINE_LR = {"skipgram": 0.025, "cbow": 0.05}  # word2vec.c's defaults
ENGINE_TABLE_SIZE = 1_000_000  # int32: 4 MB, stays in cache; ample for vocabularies up to ~1e5
MAX_SENTENCE = 10_000  # longer documents are cut into pieces (gensim does the same)
TORCH_ONLY = ("optimizer", "batch_size", "chunk_words", "snapshot_steps", "snapshot_dir",
              "keep_snapshots", "log_every")
ENGINES = ("auto", "numba", "torch")


def _check_threads(threads) -> int:
    if threads is None:
        return _default_threads()
    return check_int(threads, "threads", minimum=1, hint=": how many CPU threads train at once, "
                     "e.g. threads=2, or None for every core")


def _default_threads() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


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
    vocab: word2vec.Vocabulary
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
        return word2vec.keyed_vectors(self.vocab, self.w_in)


def train_word2vec(corpus, dim: int = 100, window: int = 5, negative: int = 5,
                   min_count: int = 5, epochs: int = 5, seed: int = 0, *,
                   architecture: str = "skipgram", lr: float | None = None,
                   min_lr: float = 1e-4, sample: float = 1e-3, threads: int | None = None,
                   shared_negatives: bool = True, table_size: int = ENGINE_TABLE_SIZE,
                   vocabulary: word2vec.Vocabulary | None = None) -> Word2VecRun:
    """word2vec with negative sampling on the compiled CPU engine; returns a ``Word2VecRun``.

    ``architecture``: "skipgram" or "cbow". ``lr`` defaults to word2vec's 0.025 (skip-gram)
    or 0.05 (CBOW) and decays linearly to ``min_lr``. ``threads`` (default: every core) run
    Hogwild on slices of the corpus; ``threads=1`` gives the same vectors bit for bit for a
    seed. ``shared_negatives`` (skip-gram only): one draw of negatives per window (pWord2Vec),
    or fresh ones per pair (word2vec.c). Every setting is checked before anything runs.
    """
    architecture = _check_architecture(architecture)
    settings = word2vec.Word2VecSettings(dim, window, negative, min_count, epochs, seed,
                                ENGINE_LR[architecture] if lr is None else lr, min_lr, sample,
                                table_size)
    threads = _check_threads(threads)
    if not isinstance(shared_negatives, bool | np.bool_):
        raise ValueError(f"shared_negatives must be True or False, got {shared_negatives!r}")
    docs = word2vec.check_training_corpus(corpus)
    vocab = vocabulary or word2vec.build_vocabulary(docs, settings.min_count)
    ids, starts = _engine_corpus(docs, vocab.index)
    w_in = word2vec.initial_vectors(len(vocab), settings.dim, settings.seed)
    w_out = np.zeros_like(w_in)
    slices = _split_slices(starts, threads)
    kernel = ("cbow" if architecture == "cbow" else
              "skipgram_shared" if shared_negatives else "skipgram_pairs")
    stats, seconds = _run_slices(kernel, ids, slices, w_in, w_out, vocab, settings)
    return Word2VecRun(architecture, vocab, w_in, w_out, len(slices), seconds,
                       int(stats[:, 0].sum()), int(stats[:, 1].sum()), int(stats[:, 2].sum()),
                       float(stats[-1, 3]))


def _check_architecture(architecture) -> str:
    if architecture not in ARCHITECTURES:
        from course_utils._hints import suggestion

        raise ValueError(f"unknown architecture {architecture!r}"
                         f"{suggestion(str(architecture), ARCHITECTURES)}: use 'skipgram' or "
                         "'cbow'")
    return architecture


def _run_slices(kernel: str, ids: np.ndarray, slices: list[np.ndarray], w_in: np.ndarray,
                w_out: np.ndarray, vocab: word2vec.Vocabulary,
                settings: word2vec.Word2VecSettings) -> tuple[np.ndarray, float]:
    """Train each slice of sentences in its own thread (Hogwild: the tables are shared);
    returns the per-slice stats (kept, pairs, skipped, last lr) and the wall time."""
    import threading
    import time

    from course_utils import w2v_engine

    keep = word2vec.keep_probabilities(vocab.counts, settings.sample).astype(np.float32)
    table = word2vec.noise_table(vocab.counts, settings.table_size).astype(np.int32)
    states = word2vec.thread_seeds(settings.seed, len(slices))
    stats = np.zeros((len(slices), 4), np.float64)

    def work(t: int) -> None:
        w2v_engine.train_slice(ids, slices[t], w_in, w_out, table, keep, settings.window,
                               settings.negative, settings.epochs, settings.lr, settings.min_lr,
                               np.uint64(states[t]), w2v_engine.KERNELS[kernel], stats[t])

    start = time.perf_counter()
    workers = [threading.Thread(target=work, args=(t,)) for t in range(1, len(slices))]
    for w in workers:
        w.start()
    work(0)  # this thread takes the first slice
    for w in workers:
        w.join()
    return stats, time.perf_counter() - start


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
    if _pick_engine(engine, options, resume) == "numba":
        options.pop("progress", None)  # the compiled engine shows no progress bar
        options.pop("device", None)  # None or "cpu" here
        trainer = train_word2vec(corpus, dim, window, negative, min_count, epochs, seed,
                                 architecture="skipgram", **options)
    else:
        trainer = SGNSTrainer(corpus, dim, window, negative, min_count, epochs, seed, **options)
        if resume:
            trainer.resume_latest()
        trainer.train()
    kv = trainer.keyed_vectors()
    return (kv, trainer) if return_trainer else kv


def _pick_engine(engine: str, options: dict, resume: bool) -> str:
    """"numba" or "torch": ``engine="auto"`` takes torch when a torch-only option is given."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
    torch_options = sorted(k for k in options if k in TORCH_ONLY)
    if options.get("device") not in (None, "cpu"):
        torch_options.append("device")
    if engine == "auto":
        return "torch" if torch_options or resume else "numba"
    if engine == "numba" and (torch_options or resume):
        raise ValueError(f"{torch_options or ['resume']} only work with engine='torch' (the "
                         "compiled engine has no optimizers, snapshots or batches): pass "
                         "engine='torch' or drop them")
    return engine
