"""Evaluating embeddings: one harness for intrinsic and extrinsic tests.

- word similarity (WordSim-353, SimLex-999): ``similarity_score`` -> Spearman, OOV, bootstrap CI;
- ``spearman_interval`` (one rho) and ``paired_bootstrap`` (two embeddings on the same pairs):
  percentile bootstrap intervals;
- analogies (the Google set): ``analogy_accuracy`` -> overall and per section;
- clustering of labelled word groups: ``cluster_score`` -> purity and NMI;
- linear probes for a word property: ``probe_score`` -> accuracy, majority baseline, control task;
- downstream: ``polarity_score`` (sentence polarity, cross-validated) and ``lee_score``
  (document similarity against human ratings), from bag-of-embeddings or MiniLM vectors;
- ``compare_embeddings`` runs them all on several embeddings and returns one table.

Word-level functions take gensim ``KeyedVectors``. Results are small dataclasses with named
fields. Intrinsic scores equal gensim's ``evaluate_word_pairs`` / ``evaluate_word_analogies``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class NoTestWordsError(ValueError):
    """An embedding knows too few of a test's words to compute a score."""


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
    from course_utils.geometry import ANALOGY_METHODS, analogy_scores

    _check_kv(kv)
    _check_restrict_vocab(restrict_vocab)
    if method not in ANALOGY_METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {ANALOGY_METHODS}")
    if analogies is None:
        from course_utils.data import load_analogies

        analogies = load_analogies(lowercase=False)
    if not analogies or not any(analogies.values()):
        raise ValueError("no analogy questions given: pass {section: [(a, b, c, d), ...]}")
    keys = kv.index_to_key[:restrict_vocab] if restrict_vocab else kv.index_to_key
    norm = str.upper if case_insensitive else (lambda w: w)
    ok_vocab: dict[str, int] = {}
    casings: dict[str, list[int]] = {}
    for i in range(len(keys) - 1, -1, -1):  # the earliest (most frequent) casing wins
        ok_vocab[norm(keys[i])] = i
        casings.setdefault(norm(keys[i]), []).append(i)
    asked, triples = [], []
    skipped = 0
    for section, questions in analogies.items():
        for q in questions:
            if len(q) != 4:
                raise ValueError(f"analogy {q!r} in section {section!r} is not (a, b, c, d)")
            words = [norm(w) for w in q]
            if any(w not in ok_vocab for w in words):
                skipped += 1
                continue
            asked.append((section, words))
            triples.append(tuple(keys[ok_vocab[w]] for w in words[:3]))
    sections = {s: [0, 0] for s in analogies}
    if asked:
        import numpy as np

        excl = [[i for w in words[:3] for i in casings[w]] for _, words in asked]
        width = max(map(len, excl))
        exclude = np.array([row + [-1] * (width - len(row)) for row in excl])
        _, top = analogy_scores((kv.vectors, list(kv.index_to_key)), triples, k=1,
                                method=method, restrict_vocab=restrict_vocab, device=device,
                                exclude=exclude)
        for (section, words), best in zip(asked, top[:, 0].tolist(), strict=True):
            sections[section][0] += norm(kv.index_to_key[best]) == words[3]
            sections[section][1] += 1
    scores = {s: SectionScore(c, t) for s, (c, t) in sections.items()}
    correct = sum(s.correct for s in scores.values())
    total = sum(s.total for s in scores.values())
    return AnalogyResult(accuracy=correct / total if total else 0.0, correct=correct,
                         total=total, skipped=skipped, method=method,
                         restrict_vocab=restrict_vocab, sections=scores)


# --------------------------------------------------------------------------- helpers


def _check_kv(kv) -> None:
    if not (hasattr(kv, "index_to_key") and hasattr(kv, "vectors")):
        raise TypeError(f"expected gensim KeyedVectors, got {type(kv).__name__}; build one with "
                        "KeyedVectors(dim) and kv.add_vectors(words, vectors)")
    if len(kv.index_to_key) == 0:
        raise ValueError("the embedding has no words")


def _check_restrict_vocab(restrict_vocab) -> None:
    if restrict_vocab is not None and (isinstance(restrict_vocab, bool) or
                                       not isinstance(restrict_vocab, int) or restrict_vocab < 1):
        raise ValueError(f"restrict_vocab must be a positive int or None, got {restrict_vocab!r}")


def _lookup(kv, restrict_vocab: int | None, case_insensitive: bool) -> tuple[dict, Callable]:
    """{normalized word: row} over the first ``restrict_vocab`` words, most frequent casing first.

    The same rule as gensim's evaluation functions: an upper-cased key stands for the
    earliest (most frequent) of its casings.
    """
    _check_restrict_vocab(restrict_vocab)
    keys = kv.index_to_key[:restrict_vocab] if restrict_vocab else kv.index_to_key
    norm = str.upper if case_insensitive else (lambda w: w)
    ok: dict[str, int] = {}
    for i in range(len(keys) - 1, -1, -1):
        ok[norm(keys[i])] = i
    return ok, norm


def _one_thread():
    """Run scikit-learn's small fits on one thread: on a busy 2-core machine OpenMP/BLAS
    threads spin and wait, making a 0.1 s k-means take seconds; results are unchanged."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


@contextmanager
def _quiet_stats():
    """Let a correlation of constant input be nan without scipy's warning in a lesson's output."""
    import warnings

    import numpy as np
    from scipy.stats import ConstantInputWarning

    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", ConstantInputWarning)
        yield


def _unit(x):
    import numpy as np

    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.where(norms == 0, 1, norms)


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
    from course_utils.data import MissingDataError

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


def _check_bootstrap(n_boot, level, n: int) -> None:
    if isinstance(n_boot, bool) or not isinstance(n_boot, int) or n_boot < 1:
        raise ValueError(f"n_boot={n_boot!r}: a bootstrap interval needs at least 1 resample "
                         "(use 1000 or more; similarity_score(..., n_boot=0) skips the interval)")
    if not (isinstance(level, int | float) and 0 < level < 1):
        raise ValueError(f"level={level!r} is not a probability in (0, 1); a 95% interval is "
                         "level=0.95")
    if n < 3:
        raise ValueError(f"{n} pairs are too few for a rank correlation interval; "
                         "pass at least 3 (gold, model) pairs")


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
    _check_bootstrap(n_boot, level, len(gold))
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
    _check_bootstrap(n_boot, level, len(gold))
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
    import numpy as np
    from scipy import stats

    _check_kv(kv)
    if oov not in OOV_POLICIES:
        raise ValueError(f"unknown oov policy {oov!r}; choose one of {OOV_POLICIES}")
    if pairs is None:
        from course_utils.data import SIMILARITY_SETS, load_similarity

        dataset = "wordsim353" if dataset is None else dataset
        if isinstance(dataset, str) and dataset in SIMILARITY_SETS:
            pairs = load_similarity(dataset)
        elif isinstance(dataset, os.PathLike) or (isinstance(dataset, str) and
                                                   ("/" in dataset or "." in dataset)):
            pairs, dataset = read_pairs(dataset), Path(dataset).name
        else:
            from course_utils._hints import suggestion

            raise ValueError(f"unknown similarity set {dataset!r}"
                             f"{suggestion(str(dataset), SIMILARITY_SETS)}; choose one of "
                             f"{SIMILARITY_SETS}, pass a file path, or pairs=[(w1, w2, score)]")
    else:
        dataset = dataset if isinstance(dataset, str) else "pairs"
    pairs = list(pairs)
    if not pairs:
        raise ValueError("no word pairs given: pass pairs=[(word1, word2, score), ...]")
    ok, norm = _lookup(kv, restrict_vocab, case_insensitive)
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
    known = [r for r in rows if r is not None]
    if not known:
        raise NoTestWordsError(
            f"none of the {len(pairs)} pairs of {dataset!r} has both words among the "
            f"embedding's first {min(len(kv.index_to_key), restrict_vocab or 10**12):,} words; "
            "is it an English word embedding? check its words (kv.index_to_key[:10]) and casing")
    sims = np.zeros(len(rows), dtype=np.float32)
    mask = np.array([r is not None for r in rows])
    ia, ib = np.array(known).T
    sims[mask] = (_unit(kv.vectors[ia]) * _unit(kv.vectors[ib])).sum(1)  # float32, as gensim
    with _quiet_stats():  # constant input (e.g. every pair OOV under oov="zero") gives nan
        spearman = float(stats.spearmanr(gold, sims).statistic)
        pearson = float(stats.pearsonr(gold, sims).statistic) if len(gold) > 1 else float("nan")
    if isinstance(n_boot, bool) or not isinstance(n_boot, int) or n_boot < 0:
        raise ValueError(f"n_boot={n_boot!r} is not a count of resamples; use 1000, or 0 to "
                         "skip the interval")
    low = high = float("nan")
    if n_boot > 0 and len(gold) >= 3:
        low, high = spearman_interval(gold, sims, n_boot, seed, level)
    return SimilarityResult(dataset=str(dataset), spearman=spearman, pearson=pearson,
                            pairs=len(gold), oov_pairs=oov_pairs, oov=oov, ci_low=low,
                            ci_high=high, n_boot=n_boot)


# --------------------------------------------------------------------------- word groups


# (section, columns) of the Google analogy set that list words of one kind
_GROUPS = {
    "country": [("capital-common-countries", (1, 3)), ("capital-world", (1, 3))],
    "capital": [("capital-common-countries", (0, 2)), ("capital-world", (0, 2))],
    "currency": [("currency", (1, 3))],
    "past tense verb": [("gram7-past-tense", (1, 3))],
    "adjective": [("gram3-comparative", (0, 2))],
    "singular noun": [("gram8-plural", (0, 2))],
    "plural noun": [("gram8-plural", (1, 3))],
    "present participle": [("gram7-past-tense", (0, 2))],
}
CLUSTER_GROUPS = ("country", "capital", "currency", "past tense verb", "adjective")
PROBE_TASKS = {  # task: (label 0 group, label 1 group)
    "plural": ("singular noun", "plural noun"),
    "country_vs_capital": ("capital", "country"),
    "past_tense": ("present participle", "past tense verb"),
}


def word_groups(names: Sequence[str] = CLUSTER_GROUPS) -> dict[str, list[str]]:
    """Labelled lowercase word groups read off the Google analogy set, e.g. countries.

    A word listed in two of the requested groups (e.g. a capital named like its country)
    is dropped from both, so labels are unambiguous. Order: first appearance in the file.
    """
    from course_utils.data import load_analogies

    unknown = [n for n in names if n not in _GROUPS]
    if unknown:
        from course_utils._hints import suggestion

        raise ValueError(f"unknown word group(s) {unknown}{suggestion(unknown[0], list(_GROUPS))}; "
                         f"choose from {list(_GROUPS)}")
    analogies = load_analogies(lowercase=True)
    groups: dict[str, list[str]] = {}
    for name in names:
        words = [q[c] for section, cols in _GROUPS[name] for q in analogies[section] for c in cols]
        groups[name] = list(dict.fromkeys(words))
    seen: dict[str, int] = {}
    for words in groups.values():
        for w in words:
            seen[w] = seen.get(w, 0) + 1
    return {name: [w for w in words if seen[w] == 1] for name, words in groups.items()}


def _labelled(kv, groups: dict[str, Sequence[str]]):
    """Unit vectors and integer labels of the group words the embedding knows; the missing.

    A word is looked up as given, then lowercased.
    """
    import numpy as np

    index = kv.key_to_index
    rows, labels, missing = [], [], []
    for label, words in enumerate(groups.values()):
        for w in words:
            row = index.get(w, index.get(w.lower()) if isinstance(w, str) else None)
            if row is None:
                missing.append(w)
            else:
                rows.append(row)
                labels.append(label)
    return _unit(kv.vectors[rows]) if rows else np.zeros((0, kv.vector_size)), \
        np.array(labels, dtype=int), missing


# --------------------------------------------------------------------------- clustering


@dataclass(frozen=True)
class ClusterResult:
    """k-means on labelled words: ``purity`` (share of words in their cluster's majority
    group) and ``nmi`` (normalized mutual information, 0 = unrelated, 1 = identical)."""

    purity: float
    nmi: float
    words: int
    missing: int
    k: int
    groups: tuple[str, ...]

    @property
    def coverage(self) -> float:
        n = self.words + self.missing
        return self.words / n if n else 0.0


def purity_score(labels_true, labels_pred) -> float:
    """Purity: each cluster votes for its most common true label; the share of words right."""
    import numpy as np

    t, p = np.asarray(labels_true), np.asarray(labels_pred)
    if t.shape != p.shape or t.ndim != 1:
        raise ValueError(f"labels must be two 1-D arrays of equal length, got shapes {t.shape} "
                         f"and {p.shape}")
    if t.size == 0:
        raise ValueError("no labels given")
    _, t_idx = np.unique(t, return_inverse=True)
    _, p_idx = np.unique(p, return_inverse=True)
    table = np.zeros((p_idx.max() + 1, t_idx.max() + 1), dtype=int)
    np.add.at(table, (p_idx, t_idx), 1)
    return float(table.max(axis=1).sum() / t.size)


def cluster_score(kv, groups: dict[str, Sequence[str]] | None = None, k: int | None = None,
                  seed: int = 0, n_init: int = 10) -> ClusterResult:
    """Cluster the vectors of labelled words with k-means; score against the labels.

    ``groups`` defaults to countries, capitals, currencies, past-tense verbs and adjectives
    from the Google analogy set (``word_groups()``); ``k`` defaults to the number of groups.
    Vectors are unit-normalized first, so k-means follows cosine geometry.
    """
    from sklearn.cluster import KMeans
    from sklearn.metrics import normalized_mutual_info_score

    _check_kv(kv)
    groups = word_groups() if groups is None else groups
    if len(groups) < 2 or not all(groups.values()):
        raise ValueError("clustering needs at least two non-empty word groups: "
                         "{'group': [word, ...], ...}")
    k = len(groups) if k is None else k
    if isinstance(k, bool) or not isinstance(k, int) or k < 2:
        raise ValueError(f"k (the number of clusters) must be an int >= 2, got {k!r}; "
                         f"leave it out to use one cluster per group ({len(groups)})")
    x, y, missing = _labelled(kv, groups)
    if len(y) < max(k, 2) or len(set(y.tolist())) < 2:
        raise NoTestWordsError(f"the embedding knows {len(y)} of the {len(y) + len(missing)} "
                               f"group words, too few for {k} clusters")
    with _one_thread():
        pred = KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit_predict(x)
    return ClusterResult(purity=purity_score(y, pred),
                         nmi=float(normalized_mutual_info_score(y, pred)), words=len(y),
                         missing=len(missing), k=k, groups=tuple(groups))


# --------------------------------------------------------------------------- probing


def _probe_model(c: float = 1.0):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=2000))


def _cv_accuracy(x, y, folds: int, seed: int, c: float = 1.0):
    """Stratified k-fold accuracy of the linear probe, and of predicting the training majority."""
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    accs, majority = [], []
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(x, y):
        with _one_thread():
            model = _probe_model(c).fit(x[train], y[train])
        accs.append(float((model.predict(x[test]) == y[test]).mean()))
        most = np.bincount(y[train]).argmax()
        majority.append(float((y[test] == most).mean()))
    return accs, majority


@dataclass(frozen=True)
class ProbeResult:
    """A linear probe predicting a word property from its vector, cross-validated by word.

    ``accuracy``: held-out accuracy; ``baseline``: always predicting the training majority;
    ``control``: the same probe on a control task (each word gets a random label, same class
    balance; Hewitt & Liang 2019). ``selectivity = accuracy - control``: what the vectors
    encode beyond what any probe can fit.
    """

    task: str
    accuracy: float
    baseline: float
    control: float
    folds: tuple[float, ...]
    words: int
    missing: int

    @property
    def selectivity(self) -> float:
        return self.accuracy - self.control


def probe_score(kv, task: str | tuple[Sequence[str], Sequence[str]] = "plural", folds: int = 5,
                seed: int = 0) -> ProbeResult:
    """Can a logistic regression read a property off word vectors? Held-out accuracy.

    ``task``: "plural" (singular vs plural nouns), "country_vs_capital" or "past_tense"
    (present participle vs past tense), all from the Google analogy set; or two word lists
    ``(words_labelled_0, words_labelled_1)``. Words are split into ``folds`` stratified
    folds, so a test word is never seen in training.
    """
    import numpy as np

    _check_kv(kv)
    if isinstance(task, str):
        if task not in PROBE_TASKS:
            from course_utils._hints import suggestion

            raise ValueError(f"unknown probe task {task!r}{suggestion(task, list(PROBE_TASKS))}; "
                             f"choose one of {list(PROBE_TASKS)} or pass (words_0, words_1)")
        name, groups = task, word_groups(PROBE_TASKS[task])
    else:
        if len(task) != 2 or not all(len(ws) for ws in task):
            raise ValueError("a custom probe task is two non-empty word lists (words_0, words_1)")
        name, groups = "custom", {"0": list(task[0]), "1": list(task[1])}
    x, y, missing = _labelled(kv, groups)
    counts = np.bincount(y, minlength=2) if len(y) else np.zeros(2, dtype=int)
    if counts.min() < folds:
        raise NoTestWordsError(f"probe {name!r}: the embedding knows {counts.tolist()} words of "
                               f"the two classes; each needs at least folds={folds}")
    accs, majority = _cv_accuracy(x, y, folds, seed)
    control_y = np.random.default_rng(seed).permutation(y)
    control, _ = _cv_accuracy(x, control_y, folds, seed)
    return ProbeResult(task=name, accuracy=float(np.mean(accs)), baseline=float(np.mean(majority)),
                       control=float(np.mean(control)), folds=tuple(accs), words=len(y),
                       missing=len(missing))


# --------------------------------------------------------------------------- text encoders


def text_tokens(text: str) -> list[str]:
    """The course corpora's tokenizer: lowercase words of 2-15 letters, punctuation dropped."""
    from course_utils.data import tokenize_line

    if not isinstance(text, str):
        raise TypeError(f"expected a string of text, got {type(text).__name__}")
    return tokenize_line(text)


def _texts(texts) -> list[str]:
    if isinstance(texts, str) or not isinstance(texts, Sequence):
        raise TypeError("expected a list of texts (strings or token lists), got "
                        f"{type(texts).__name__}")
    if len(texts) == 0:
        raise ValueError("no texts given: pass a non-empty list of strings or token lists")
    return [t if isinstance(t, str) else " ".join(t) for t in texts]


def bag_of_embeddings(kv, texts, return_coverage: bool = False):
    """Mean word vector of each text: ``(n, d)`` float32 (a zero row where no word is known).

    ``texts``: strings or token lists, re-tokenized with ``text_tokens`` (lowercase words,
    no punctuation) so every embedding sees the same words. Unknown words are skipped;
    with ``return_coverage`` also the share of tokens that were known.
    """
    import numpy as np

    _check_kv(kv)
    out = np.zeros((len(_texts(texts)), kv.vector_size), dtype=np.float32)
    known = total = 0
    for i, text in enumerate(_texts(texts)):
        tokens = text_tokens(text)
        rows = [kv.key_to_index[t] for t in tokens if t in kv.key_to_index]
        known, total = known + len(rows), total + len(tokens)
        if rows:
            out[i] = kv.vectors[rows].mean(axis=0)
    return (out, known / total if total else 0.0) if return_coverage else out


def minilm_sentence_vectors(texts, tokenizer=None, model=None, batch_size: int = 32,
                            max_length: int = 256, device: str | None = None):
    """all-MiniLM-L6-v2 sentence vectors: mean of the last layer over real tokens, ``(n, 384)``.

    Mean pooling uses the attention mask, so padding never changes a sentence's vector (the
    pooling the model was trained with). Texts longer than ``max_length`` WordPiece tokens
    are truncated (the model was trained on 256). Loads the model once if not given.
    """
    import numpy as np
    import torch

    texts = _texts(texts)
    if tokenizer is None or model is None:
        from course_utils.data import load_minilm

        tokenizer, model = load_minilm(device=device)
    dev = next(model.parameters()).device
    order = np.argsort([len(t) for t in texts], kind="stable")  # similar lengths, less padding
    out = np.zeros((len(texts), model.config.hidden_size), dtype=np.float32)
    with torch.no_grad():
        for i in range(0, len(texts), batch_size):
            rows = order[i : i + batch_size]
            batch = tokenizer([texts[r] for r in rows], padding=True, truncation=True,
                              max_length=max_length, return_tensors="pt").to(dev)
            hidden = model(**batch).last_hidden_state  # (B, T, 384)
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)  # (B, T, 1)
            out[rows] = ((hidden * mask).sum(1) / mask.sum(1)).float().cpu().numpy()
    return out


def minilm_word_vectors(words: Sequence[str], tokenizer=None, model=None,
                        device: str | None = None):
    """Contextual MiniLM vectors of isolated words, as ``KeyedVectors`` (one row per word).

    Each word is encoded alone, ``[CLS] word [SEP]``, and mean-pooled like a sentence: the
    closest a sentence encoder gets to a word vector. Only the given words get vectors, so
    use it for tests that look words up (similarity, clustering, probes), not for analogies,
    which search a whole vocabulary.
    """
    from gensim.models import KeyedVectors

    words = list(dict.fromkeys(w for w in words if isinstance(w, str) and w.strip()))
    if not words:
        raise ValueError("no words given: pass a non-empty list of words")
    vectors = minilm_sentence_vectors(words, tokenizer, model, batch_size=128, device=device)
    kv = KeyedVectors(vectors.shape[1])
    kv.add_vectors(words, vectors)
    return kv


def minilm_input_embeddings(model=None, tokenizer=None):
    """MiniLM's input (WordPiece) embedding table as ``KeyedVectors``, whole words only.

    Keeps the rows of tokens that are plain lowercase words (no ``##`` continuations, no
    ``[special]`` tokens, no digits or punctuation), in vocabulary order; (about 21k x 384).
    These are the vectors before any transformer layer: context-free, like word2vec's.
    """
    from gensim.models import KeyedVectors

    if model is None or tokenizer is None:
        from course_utils.data import load_minilm

        tokenizer, model = load_minilm(device="cpu")
    table = model.get_input_embeddings().weight.detach().float().cpu().numpy()
    vocab = sorted(tokenizer.get_vocab().items(), key=lambda kv: kv[1])
    keep = [(w, i) for w, i in vocab if w.isalpha() and w.isascii() and w.islower()]
    kv = KeyedVectors(table.shape[1])
    kv.add_vectors([w for w, _ in keep], table[[i for _, i in keep]])
    return kv


def _encode(encoder, texts):
    """Vectors for texts from KeyedVectors (bag of embeddings) or a callable ``texts -> (n, d)``."""
    import numpy as np

    if hasattr(encoder, "index_to_key"):
        x, coverage = bag_of_embeddings(encoder, texts, return_coverage=True)
        if coverage == 0:
            raise NoTestWordsError("the embedding knows none of the words of these texts "
                                   f"(e.g. {text_tokens(_texts(texts)[0])[:5]})")
        return x, coverage
    if not callable(encoder):
        raise TypeError("expected KeyedVectors or a function mapping a list of texts to an "
                        f"(n, d) array, got {type(encoder).__name__}")
    x = np.asarray(encoder(_texts(texts)), dtype=np.float32)
    if x.ndim != 2 or x.shape[0] != len(texts):
        raise ValueError(f"the encoder returned shape {x.shape}, expected ({len(texts)}, d)")
    if not np.isfinite(x).all():
        bad = int((~np.isfinite(x).all(axis=1)).sum())
        raise ValueError(f"the encoder returned NaN or inf in {bad} of {len(x)} rows; every "
                         "vector must be finite: check your encoder (e.g. a mean over zero "
                         "tokens divides by zero)")
    return x, 1.0


# --------------------------------------------------------------------------- downstream


@dataclass(frozen=True)
class PolarityResult:
    """Cross-validated accuracy of a logistic regression on sentence vectors (Pang & Lee)."""

    accuracy: float
    std: float
    folds: tuple[float, ...]
    baseline: float
    coverage: float


def polarity_score(encoder, sentences=None, labels=None, folds: int = 5,
                   seed: int = 0) -> PolarityResult:
    """Positive or negative? Stratified ``folds``-fold accuracy of a linear classifier.

    ``encoder``: KeyedVectors (mean of word vectors) or a function ``texts -> (n, d)`` such as
    ``minilm_sentence_vectors``. Data: the course's 200-sentence polarity sample unless given.
    ``baseline``: always predicting the training majority. ``coverage``: the share of tokens
    the KeyedVectors knew (1.0 for an encoder function, which sees every text whole).
    """
    import numpy as np

    if sentences is None:
        from course_utils.data import load_polarity

        sentences, labels = load_polarity()
    if labels is None or len(sentences) != len(labels):
        raise ValueError("pass sentences and labels of equal length")
    y = np.asarray(labels, dtype=int)
    if len(y) == 0:
        raise ValueError("no sentences given")
    if np.bincount(y).min() < folds or len(set(y.tolist())) < 2:
        raise ValueError(f"each label needs at least folds={folds} sentences; "
                         f"got counts {np.bincount(y).tolist()}")
    x, coverage = _encode(encoder, sentences)
    accs, majority = _cv_accuracy(x, y, folds, seed)
    return PolarityResult(accuracy=float(np.mean(accs)), std=float(np.std(accs)),
                          folds=tuple(accs), baseline=float(np.mean(majority)),
                          coverage=float(coverage))


from course_utils.data import load_lee_similarity  # noqa: E402  (re-exported here)


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
    from scipy import stats

    if documents is None:
        documents, ratings = load_lee_similarity()
    ratings = np.asarray(ratings, dtype=float)
    n = len(documents)
    if n < 3 or ratings.shape != (n, n):
        raise ValueError(f"expected at least 3 documents and an (n, n) ratings matrix, got "
                         f"{n} documents and ratings of shape {ratings.shape}")
    x, coverage = _encode(encoder, documents)
    u = _unit(x)
    iu = np.triu_indices(n, 1)
    model, human = (u @ u.T)[iu], ratings[iu]
    with _quiet_stats():
        return LeeResult(pearson=float(stats.pearsonr(model, human).statistic),
                         spearman=float(stats.spearmanr(model, human).statistic),
                         pairs=len(human), coverage=float(coverage))


# --------------------------------------------------------------------------- comparison


@dataclass(frozen=True)
class Embedding:
    """What to evaluate under one name: word vectors, a text encoder, or both.

    ``kv``: word vectors for the word tests, and for the sentence tests as a bag of
    embeddings when there is no ``encode``. ``encode``: ``texts -> (n, d)`` for the sentence
    tests (e.g. ``minilm_sentence_vectors``). ``analogies=False`` skips the analogy test,
    e.g. for vectors made only for the test words, where a search over them would be unfair.
    """

    kv: Any = None
    encode: Callable | None = None
    analogies: bool = True


TASKS = ("wordsim353", "simlex999", "analogy", "clustering", "probe", "polarity", "lee")
_COLUMNS = {  # column: (header, format)
    "embedding": ("embedding", "s"), "words": ("words", ",d"), "dim": ("dim", "d"),
    "wordsim353": ("WS353 ρ", ".3f"), "wordsim353_oov": ("oov", "d"),
    "simlex999": ("SL999 ρ", ".3f"), "simlex999_oov": ("oov", "d"),
    "analogy": ("analogy", ".3f"), "analogy_coverage": ("cov", ".2f"),
    "purity": ("purity", ".3f"), "nmi": ("NMI", ".3f"),
    "probe": ("probe", ".3f"), "selectivity": ("select", ".3f"),
    "polarity": ("polarity", ".3f"), "lee": ("Lee r", ".3f"),
}


@dataclass
class ComparisonTable:
    """One row per embedding (``rows``: a list of dicts) that prints as an aligned table.

    ``results[name][task]`` keeps each task's full result (confidence intervals, sections,
    folds); ``column(key)`` gives one column as ``{name: value}``. A blank (``-``) means the
    test did not apply or the embedding knew too few of its words.
    """

    rows: list[dict[str, Any]]
    results: dict[str, dict[str, Any]] = field(default_factory=dict)

    def column(self, key: str) -> dict[str, Any]:
        if self.rows and key not in self.rows[0]:
            raise KeyError(f"no column {key!r}; columns: {list(self.rows[0])}")
        return {row["embedding"]: row[key] for row in self.rows}

    def __str__(self) -> str:
        keys = [k for k in _COLUMNS if any(row.get(k) is not None for row in self.rows)]
        cells = [[_COLUMNS[k][0] for k in keys]]
        for row in self.rows:
            cells.append(["-" if row.get(k) is None else format(row[k], _COLUMNS[k][1])
                          for k in keys])
        widths = [max(len(r[i]) for r in cells) for i in range(len(keys))]
        lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                           for i, (c, w) in enumerate(zip(r, widths, strict=True)))
                 for r in cells]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines)

    __repr__ = __str__


def _run_tasks(emb: Embedding, tasks, restrict_vocab, probe_task, n_boot, seed) -> dict:
    kv, out = emb.kv, {}
    runners = {
        "wordsim353": lambda: similarity_score(kv, "wordsim353", n_boot=n_boot, seed=seed),
        "simlex999": lambda: similarity_score(kv, "simlex999", n_boot=n_boot, seed=seed),
        "analogy": lambda: analogy_accuracy(kv, restrict_vocab=restrict_vocab),
        "clustering": lambda: cluster_score(kv, seed=seed),
        "probe": lambda: probe_score(kv, probe_task, seed=seed),
        "polarity": lambda: polarity_score(emb.encode or kv, seed=seed),
        "lee": lambda: lee_score(emb.encode or kv),
    }
    for task in tasks:
        needs_kv = task not in ("polarity", "lee") or emb.encode is None
        if (needs_kv and kv is None) or (task == "analogy" and not emb.analogies):
            out[task] = None
            continue
        try:
            out[task] = runners[task]()
        except NoTestWordsError:
            out[task] = None
    return out


def _row(name: str, emb: Embedding, r: dict) -> dict[str, Any]:
    def get(task, attr):
        res = r.get(task)
        return None if res is None else getattr(res, attr)

    analogy = r.get("analogy")
    if analogy is not None and analogy.total == 0:
        analogy = None
    return {
        "embedding": name,
        "words": len(emb.kv.index_to_key) if emb.kv is not None else None,
        "dim": emb.kv.vector_size if emb.kv is not None else None,
        "wordsim353": get("wordsim353", "spearman"), "wordsim353_oov": get("wordsim353",
                                                                           "oov_pairs"),
        "simlex999": get("simlex999", "spearman"), "simlex999_oov": get("simlex999", "oov_pairs"),
        "analogy": analogy.accuracy if analogy else None,
        "analogy_coverage": analogy.coverage if analogy else None,
        "purity": get("clustering", "purity"), "nmi": get("clustering", "nmi"),
        "probe": get("probe", "accuracy"), "selectivity": get("probe", "selectivity"),
        "polarity": get("polarity", "accuracy"), "lee": get("lee", "pearson"),
    }


def compare_embeddings(embeddings: dict[str, Any], tasks: Sequence[str] = TASKS,
                       restrict_vocab: int | None = 30_000, probe_task: str = "plural",
                       n_boot: int = 1000, seed: int = 0) -> ComparisonTable:
    """Run every test on every embedding; one row each, in the order given.

    ``embeddings``: ``{name: KeyedVectors | Embedding}``. Similarity uses gensim's rules
    (OOV pairs skipped, and counted in the ``oov`` columns); ``analogy`` is 3CosAdd over the
    first ``restrict_vocab`` words with ``cov`` the share of questions it could ask;
    ``probe``/``select`` are the ``probe_task`` probe's accuracy and selectivity;
    ``polarity`` is 5-fold accuracy; ``Lee r`` is Pearson's r with human ratings.
    """
    if not embeddings:
        raise ValueError("no embeddings given: pass {name: KeyedVectors or Embedding}")
    unknown = [t for t in tasks if t not in TASKS]
    if unknown:
        raise ValueError(f"unknown task(s) {unknown}; choose from {TASKS}")
    rows, results = [], {}
    for name, emb in embeddings.items():
        if not isinstance(emb, Embedding):
            _check_kv(emb)
            emb = Embedding(kv=emb)
        elif emb.kv is None and emb.encode is None:
            raise ValueError(f"embedding {name!r} has neither kv nor encode")
        results[name] = _run_tasks(emb, tasks, restrict_vocab, probe_task, n_boot, seed)
        rows.append(_row(name, emb, results[name]))
    return ComparisonTable(rows=rows, results=results)
