"""Scoring embeddings against human judgements and gold answers, with intervals.

- word similarity (WordSim-353, SimLex-999): ``similarity_score`` -> Spearman, OOV, bootstrap CI;
- ``spearman_interval`` (one rho) and ``paired_bootstrap`` (two embeddings on the same pairs):
  percentile bootstrap intervals;
- analogies (the Google set): ``analogy_accuracy`` -> overall and per section;
- document similarity (Lee 2005): ``lee_score``, from bag-of-embeddings or MiniLM vectors.

Vectors are made in ``course_utils.encoders``; clustering, probes and sentence polarity are
in ``course_utils.probes``; ``course_utils.compare.compare_embeddings`` runs them all.
Word-level functions take gensim ``KeyedVectors``. Results are small dataclasses with named
fields. Intrinsic scores equal gensim's ``evaluate_word_pairs`` / ``evaluate_word_analogies``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from course_utils._hints import suggestion
from course_utils.data import (
    SIMILARITY_SETS,
    MissingDataError,
    load_analogies,
    load_lee_similarity,
    load_similarity,
)
from course_utils.encoders import (
    NoTestWordsError,
    check_keyed_vectors,
    encode_texts,
    unit_rows_keep_zero,
)
from course_utils.geometry import ANALOGY_METHODS, analogy_scores
from course_utils.validation import check_float, check_int

# --------------------------------------------------------------------------- vocabulary


def _check_restrict_vocab(restrict_vocab) -> int | None:
    if restrict_vocab is None:
        return None
    return check_int(restrict_vocab, "restrict_vocab", minimum=1,
                     hint="; or None to use every word")


def _known_keys(kv, restrict_vocab: int | None) -> list[str]:
    """The words a test may use: the first ``restrict_vocab`` (the most frequent) or all."""
    return kv.index_to_key[:restrict_vocab] if restrict_vocab else kv.index_to_key


def _lookup(keys: Sequence[str], case_insensitive: bool) -> tuple[dict, Callable]:
    """{normalized word: row} over ``keys``, and the normalization (``str.upper`` or none).

    The same rule as gensim's evaluation functions: an upper-cased key stands for the
    earliest (most frequent) of its casings.
    """
    norm = str.upper if case_insensitive else (lambda w: w)
    ok: dict[str, int] = {}
    for i in range(len(keys) - 1, -1, -1):
        ok[norm(keys[i])] = i
    return ok, norm


def _correlations(x, y) -> tuple[float, float]:
    """Spearman's and Pearson's correlation of ``x`` and ``y``.

    Where one is undefined (constant input, or Pearson of a single pair) it is NaN, without
    scipy's warning in a lesson's output.
    """
    import warnings

    import numpy as np
    from scipy import stats
    from scipy.stats import ConstantInputWarning

    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", ConstantInputWarning)
        spearman = float(stats.spearmanr(x, y).statistic)
        pearson = float(stats.pearsonr(x, y).statistic) if len(x) > 1 else float("nan")
    return spearman, pearson


# --------------------------------------------------------------------------- analogies


@dataclass(frozen=True)
class SectionScore:
    """Accuracy on one section of an analogy set (questions with unknown words skipped)."""

    correct: int
    total: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


@dataclass(frozen=True)
class AnalogyResult:
    """Analogy accuracy overall and per section, as gensim's ``evaluate_word_analogies``.

    ``accuracy`` is over the questions whose four words are all among the first
    ``restrict_vocab`` words; ``coverage`` is the share of questions that were.
    """

    accuracy: float
    correct: int
    total: int
    skipped: int
    method: str
    restrict_vocab: int | None
    sections: dict[str, SectionScore] = field(default_factory=dict)

    @property
    def coverage(self) -> float:
        n = self.total + self.skipped
        return self.total / n if n else 0.0


def _askable(analogies: dict, ok: dict, norm: Callable) -> tuple[list, int]:
    """``[(section, four normalized words)]`` of the questions whose words are all known,
    and how many questions were skipped for an unknown word."""
    asked, skipped = [], 0
    for section, questions in analogies.items():
        for q in questions:
            if len(q) != 4:
                raise ValueError(f"analogy {q!r} in section {section!r} is not (a, b, c, d)")
            words = [norm(w) for w in q]
            if any(w not in ok for w in words):
                skipped += 1
                continue
            asked.append((section, words))
    return asked, skipped


def _best_answers(kv, asked: list, keys: Sequence[str], ok: dict, norm: Callable, method: str,
                  restrict_vocab: int | None, device: str | None) -> list[int]:
    """The row of the best answer to each asked question; every casing of its three input
    words is excluded from the search (the earliest casing of a word is listed last)."""
    import numpy as np

    casings: dict[str, list[int]] = {}
    for i in range(len(keys) - 1, -1, -1):
        casings.setdefault(norm(keys[i]), []).append(i)
    triples = [tuple(keys[ok[w]] for w in words[:3]) for _, words in asked]
    excl = [[i for w in words[:3] for i in casings[w]] for _, words in asked]
    width = max(map(len, excl))
    exclude = np.array([row + [-1] * (width - len(row)) for row in excl])
    _, top = analogy_scores((kv.vectors, list(kv.index_to_key)), triples, k=1, method=method,
                            restrict_vocab=restrict_vocab, device=device, exclude=exclude)
    return top[:, 0].tolist()


def analogy_accuracy(kv, analogies: dict[str, list[tuple[str, str, str, str]]] | None = None,
                     restrict_vocab: int | None = 30_000, method: str = "3cosadd",
                     case_insensitive: bool = True, device: str | None = None) -> AnalogyResult:
    """Answer every analogy "a:b :: c:?" with the geometry engine and score it.

    Follows gensim's ``evaluate_word_analogies`` rule for rule, so the two agree exactly:
    only the first ``restrict_vocab`` words are searched and known; a question with a word
    outside them is skipped; with ``case_insensitive`` words are compared upper-cased and a
    word stands for its most frequent casing; the three input words (in any casing) are
    never the answer. (gensim looks for the first non-input word among the top 5 after
    excluding the inputs' own rows; here every casing of the inputs is excluded up front,
    which is the same unless an input has more than four other casings.)
    ``analogies`` defaults to the Google set (``course_utils.data.load_analogies``).
    """
    check_keyed_vectors(kv)
    restrict_vocab = _check_restrict_vocab(restrict_vocab)
    if method not in ANALOGY_METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {ANALOGY_METHODS}")
    if analogies is None:
        analogies = load_analogies(lowercase=False)
    if not analogies or not any(analogies.values()):
        raise ValueError("no analogy questions given: pass {section: [(a, b, c, d), ...]}")
    keys = _known_keys(kv, restrict_vocab)
    ok, norm = _lookup(keys, case_insensitive)
    asked, skipped = _askable(analogies, ok, norm)
    sections = {s: [0, 0] for s in analogies}
    if asked:
        best = _best_answers(kv, asked, keys, ok, norm, method, restrict_vocab, device)
        for (section, words), row in zip(asked, best, strict=True):
            sections[section][0] += norm(kv.index_to_key[row]) == words[3]
            sections[section][1] += 1
    scores = {s: SectionScore(c, t) for s, (c, t) in sections.items()}
    correct = sum(s.correct for s in scores.values())
    total = sum(s.total for s in scores.values())
    return AnalogyResult(accuracy=correct / total if total else 0.0, correct=correct,
                         total=total, skipped=skipped, method=method,
                         restrict_vocab=restrict_vocab, sections=scores)


# --------------------------------------------------------------------------- word similarity


@dataclass(frozen=True)
class SimilarityResult:
    """Rank correlation between an embedding's cosine similarities and human ratings.

    ``spearman`` and ``pearson`` are over the ``pairs`` that were scored; ``oov_pairs`` pairs
    had a word outside the vocabulary and were treated as ``oov`` says ("skip": left out, as
    gensim does by default; "zero": scored with similarity 0, gensim's ``dummy4unknown``).
    ``ci_low``/``ci_high``: percentile bootstrap interval of the Spearman correlation.
    """

    dataset: str
    spearman: float
    pearson: float
    pairs: int
    oov_pairs: int
    oov: str
    ci_low: float
    ci_high: float
    n_boot: int

    @property
    def coverage(self) -> float:
        """Share of the test pairs whose two words are both in the vocabulary."""
        n = self.pairs + (self.oov_pairs if self.oov == "skip" else 0)
        return (n - self.oov_pairs) / n if n else 0.0


OOV_POLICIES = ("skip", "zero")


def read_pairs(path: str | os.PathLike) -> list[tuple[str, str, float]]:
    """Word pairs from a tab-separated file ``word1<TAB>word2<TAB>score`` (``#`` = comment)."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise MissingDataError(f"pairs file not found: {path}; pass a tab-separated file with "
                               "lines 'word1<TAB>word2<TAB>score' or a name like 'wordsim353'")
    pairs = []
    try:
        with path.open(encoding="utf-8") as fh:
            for line_no, line in enumerate(fh, 1):
                if not line.strip() or line.startswith("#"):
                    continue
                fields = line.rstrip("\n").split("\t")
                try:
                    pairs.append((fields[0], fields[1], float(fields[2])))
                except (IndexError, ValueError):
                    raise ValueError(
                        f"{path.name} line {line_no} is not 'word1<TAB>word2<TAB>score': "
                        f"{line.strip()[:60]!r}; is this a word-pair file?") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path} is not UTF-8 text; expected a tab-separated word-pair file") \
            from None
    if not pairs:
        raise ValueError(f"{path} holds no word pairs")
    return pairs


def _check_bootstrap(n_boot, level, n: int) -> tuple[int, float]:
    n_boot = check_int(n_boot, "n_boot", minimum=1,
                       hint=": a bootstrap interval needs at least 1 resample (use 1000 or more; "
                            "similarity_score(..., n_boot=0) skips the interval)")
    level = check_float(level, "level", minimum=0, maximum=1, strict=True,
                        hint="; a 95% interval is level=0.95")
    if n < 3:
        raise ValueError(f"{n} pairs are too few for a rank correlation interval; "
                         "pass at least 3 (gold, model) pairs")
    return n_boot, level


def _row_spearman(gold_ranks, model_ranks):
    """Spearman's rho of each row pair of two rank matrices (n_boot, n)."""
    import numpy as np

    rg = gold_ranks - gold_ranks.mean(axis=1, keepdims=True)
    rm = model_ranks - model_ranks.mean(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (rg * rm).sum(1) / np.sqrt((rg**2).sum(1) * (rm**2).sum(1))


def spearman_interval(gold, model, n_boot: int = 1000, seed: int = 0,
                      level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of Spearman's rho: resample pairs with replacement.

    ``gold``, ``model``: equal-length scores (n,) with n >= 3. Returns ``(low, high)``, the
    ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles of ``n_boot`` resampled rhos
    (resamples with a constant side, whose rho is undefined, are left out).
    """
    import numpy as np
    from scipy.stats import rankdata

    gold, model = np.asarray(gold, dtype=np.float64), np.asarray(model, dtype=np.float64)
    if gold.shape != model.shape or gold.ndim != 1:
        raise ValueError(f"gold and model must be equal-length 1-D scores, got shapes "
                         f"{gold.shape} and {model.shape}")
    n_boot, level = _check_bootstrap(n_boot, level, len(gold))
    idx = np.random.default_rng(seed).integers(0, len(gold), size=(n_boot, len(gold)))
    rho = _row_spearman(rankdata(gold[idx], axis=1), rankdata(model[idx], axis=1))
    tail = (1 - level) / 2 * 100
    low, high = np.nanpercentile(rho, [tail, 100 - tail])
    return float(low), float(high)


@dataclass(frozen=True)
class PairedResult:
    """``diff`` = rho(gold, a) - rho(gold, b) on the same pairs, with a paired bootstrap
    interval ``ci_low``..``ci_high`` at ``level`` and ``p_value``, the two-sided share of
    resampled differences on the other side of 0 (doubled, at most 1)."""

    diff: float
    ci_low: float
    ci_high: float
    p_value: float
    pairs: int
    level: float


def paired_bootstrap(gold, model_a, model_b, n_boot: int = 2000, seed: int = 0,
                     level: float = 0.95) -> PairedResult:
    """Paired bootstrap of the difference of two Spearman correlations on the same pairs.

    Each resample draws one set of pair indices and uses it for both models, so what the
    two share (the same hard and easy pairs) cancels out of the difference.
    """
    import numpy as np
    from scipy.stats import rankdata, spearmanr

    gold, a, b = (np.asarray(v, dtype=np.float64) for v in (gold, model_a, model_b))
    if not (gold.ndim == 1 and gold.shape == a.shape == b.shape):
        raise ValueError(f"gold, model_a and model_b must be equal-length 1-D scores, got "
                         f"shapes {gold.shape}, {a.shape}, {b.shape}")
    n_boot, level = _check_bootstrap(n_boot, level, len(gold))
    diff = float(spearmanr(gold, a).statistic - spearmanr(gold, b).statistic)
    idx = np.random.default_rng(seed).integers(0, len(gold), size=(n_boot, len(gold)))
    rg = rankdata(gold[idx], axis=1)
    d = _row_spearman(rg, rankdata(a[idx], axis=1)) - _row_spearman(rg, rankdata(b[idx], axis=1))
    d = d[np.isfinite(d)]
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(d, [tail, 100 - tail])
    p = min(1.0, 2 * min(np.mean(d <= 0), np.mean(d >= 0)))
    return PairedResult(diff=diff, ci_low=float(low), ci_high=float(high), p_value=float(p),
                        pairs=len(gold), level=level)


def _similarity_pairs(dataset, pairs) -> tuple[list, str]:
    """The word pairs to score and the name to report them under (see ``similarity_score``)."""
    if pairs is not None:
        dataset = dataset if isinstance(dataset, str) else "pairs"
    else:
        dataset = "wordsim353" if dataset is None else dataset
        if isinstance(dataset, str) and dataset in SIMILARITY_SETS:
            pairs = load_similarity(dataset)
        elif isinstance(dataset, os.PathLike) or (isinstance(dataset, str) and
                                                   ("/" in dataset or "." in dataset)):
            pairs, dataset = read_pairs(dataset), Path(dataset).name
        else:
            raise ValueError(f"unknown similarity set {dataset!r}"
                             f"{suggestion(str(dataset), SIMILARITY_SETS)}; choose one of "
                             f"{SIMILARITY_SETS}, pass a file path, or pairs=[(w1, w2, score)]")
    if not pairs:
        raise ValueError("no word pairs given: pass pairs=[(word1, word2, score), ...]")
    return list(pairs), str(dataset)


def _pair_rows(pairs, ok: dict, norm: Callable, oov: str) -> tuple[list, list, int]:
    """Human scores, ``(row, row)`` per scored pair (``None`` for an OOV pair scored 0), and
    the number of pairs with an unknown word."""
    gold, rows, oov_pairs = [], [], 0
    for pair in pairs:
        if len(pair) != 3:
            raise ValueError(f"pair {pair!r} is not (word1, word2, score)")
        a, b, score = norm(pair[0]), norm(pair[1]), float(pair[2])
        if a not in ok or b not in ok:
            oov_pairs += 1
            if oov == "skip":
                continue
            rows.append(None)
        else:
            rows.append((ok[a], ok[b]))
        gold.append(score)
    return gold, rows, oov_pairs


def _pair_cosines(kv, rows: list):
    """Cosine similarity of each ``(row, row)`` in float32 as gensim computes it; 0 for None."""
    import numpy as np

    sims = np.zeros(len(rows), dtype=np.float32)
    mask = np.array([r is not None for r in rows])
    ia, ib = np.array([r for r in rows if r is not None]).T
    sims[mask] = (unit_rows_keep_zero(kv.vectors[ia]) * unit_rows_keep_zero(kv.vectors[ib])).sum(1)
    return sims


def similarity_score(kv, dataset: str | os.PathLike | None = None,
                     pairs: Sequence[tuple[str, str, float]] | None = None,
                     restrict_vocab: int | None = 300_000, case_insensitive: bool = True,
                     oov: str = "skip", n_boot: int = 1000, seed: int = 0,
                     level: float = 0.95) -> SimilarityResult:
    """Spearman correlation of cosine similarity with human scores, as gensim computes it.

    ``dataset``: "wordsim353" (relatedness, the default), "simlex999" (similarity proper), or
    the path of a tab-separated pairs file; or give ``pairs=[(w1, w2, score), ...]`` directly
    (``dataset`` then only names them). Only the
    first ``restrict_vocab`` words count as known (gensim's default, 300,000). With
    ``oov="skip"`` pairs with an unknown word are left out (gensim's default); with
    ``oov="zero"`` they get similarity 0 (gensim's ``dummy4unknown=True``), which punishes
    small vocabularies. ``n_boot`` resamples give a bootstrap interval at ``level`` (95% by
    default; ``n_boot=0`` skips it and leaves ``ci_low``/``ci_high`` NaN).
    """
    check_keyed_vectors(kv)
    if oov not in OOV_POLICIES:
        raise ValueError(f"unknown oov policy {oov!r}; choose one of {OOV_POLICIES}")
    pairs, dataset = _similarity_pairs(dataset, pairs)
    restrict_vocab = _check_restrict_vocab(restrict_vocab)
    ok, norm = _lookup(_known_keys(kv, restrict_vocab), case_insensitive)
    gold, rows, oov_pairs = _pair_rows(pairs, ok, norm, oov)
    if all(r is None for r in rows):
        raise NoTestWordsError(
            f"none of the {len(pairs)} pairs of {dataset!r} has both words among the "
            f"embedding's first {min(len(kv.index_to_key), restrict_vocab or 10**12):,} words; "
            "is it an English word embedding? check its words (kv.index_to_key[:10]) and casing")
    sims = _pair_cosines(kv, rows)
    spearman, pearson = _correlations(gold, sims)  # constant input (all OOV, "zero") gives nan
    n_boot = check_int(n_boot, "n_boot", minimum=0, hint="; use 1000, or 0 to skip the interval")
    low = high = float("nan")
    if n_boot > 0 and len(gold) >= 3:
        low, high = spearman_interval(gold, sims, n_boot, seed, level)
    return SimilarityResult(dataset=dataset, spearman=spearman, pearson=pearson,
                            pairs=len(gold), oov_pairs=oov_pairs, oov=oov, ci_low=low,
                            ci_high=high, n_boot=n_boot)


# --------------------------------------------------------------------------- documents


@dataclass(frozen=True)
class LeeResult:
    """Correlation of document cosine similarities with mean human ratings (1,225 pairs)."""

    pearson: float
    spearman: float
    pairs: int
    coverage: float


def lee_score(encoder, documents=None, ratings=None) -> LeeResult:
    """How well cosine similarity of document vectors matches human judgements (Lee 2005).

    ``encoder``: KeyedVectors (mean of word vectors) or a function ``texts -> (n, d)``.
    Uses every pair of the 50 documents (upper triangle of the ratings). Lee et al. report
    Pearson's r, so it comes first; Spearman is there too.
    """
    import numpy as np

    if documents is None:
        documents, ratings = load_lee_similarity()
    ratings = np.asarray(ratings, dtype=float)
    n = len(documents)
    if n < 3 or ratings.shape != (n, n):
        raise ValueError(f"expected at least 3 documents and an (n, n) ratings matrix, got "
                         f"{n} documents and ratings of shape {ratings.shape}")
    x, coverage = encode_texts(encoder, documents)
    u = unit_rows_keep_zero(x)
    iu = np.triu_indices(n, 1)
    spearman, pearson = _correlations((u @ u.T)[iu], ratings[iu])
    return LeeResult(pearson=pearson, spearman=spearman, pairs=len(iu[0]),
                     coverage=float(coverage))
