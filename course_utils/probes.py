"""Probing what vectors encode: labelled word groups, clustering, linear probes, polarity.

- ``word_groups``: labelled lowercase word groups (countries, capitals, plurals, ...) read
  off the Google analogy set;
- ``cluster_score``: k-means on the groups' vectors -> purity (``purity_score``) and NMI;
- ``probe_score``: a cross-validated logistic regression reading a word property off its
  vector, with a majority baseline and a control task (Hewitt & Liang 2019);
- ``polarity_score``: the same kind of classifier on sentence vectors (Pang & Lee polarity),
  from a bag of embeddings or a sentence encoder (``course_utils.encoders``).

Word-level functions take gensim ``KeyedVectors``; results are small dataclasses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from course_utils._hints import suggestion
from course_utils.data import load_analogies, load_polarity
from course_utils.encoders import (
    NoTestWordsError,
    check_keyed_vectors,
    encode_texts,
    unit_rows_keep_zero,
)
from course_utils.validation import check_int


def _one_thread():
    """Run scikit-learn's small fits on one thread: on a busy 2-core machine OpenMP/BLAS
    threads spin and wait, making a 0.1 s k-means take seconds; results are unchanged."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


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
    unknown = [n for n in names if n not in _GROUPS]
    if unknown:
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
    return unit_rows_keep_zero(kv.vectors[rows]) if rows else np.zeros((0, kv.vector_size)), \
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

    check_keyed_vectors(kv)
    groups = word_groups() if groups is None else groups
    if len(groups) < 2 or not all(groups.values()):
        raise ValueError("clustering needs at least two non-empty word groups: "
                         "{'group': [word, ...], ...}")
    k = len(groups) if k is None else check_int(
        k, "k (the number of clusters)", minimum=2,
        hint=f"; leave it out to use one cluster per group ({len(groups)})")
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

    check_keyed_vectors(kv)
    if isinstance(task, str):
        if task not in PROBE_TASKS:
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
        sentences, labels = load_polarity()
    if labels is None or len(sentences) != len(labels):
        raise ValueError("pass sentences and labels of equal length")
    y = np.asarray(labels, dtype=int)
    if len(y) == 0:
        raise ValueError("no sentences given")
    if np.bincount(y).min() < folds or len(set(y.tolist())) < 2:
        raise ValueError(f"each label needs at least folds={folds} sentences; "
                         f"got counts {np.bincount(y).tolist()}")
    x, coverage = encode_texts(encoder, sentences)
    accs, majority = _cv_accuracy(x, y, folds, seed)
    return PolarityResult(accuracy=float(np.mean(accs)), std=float(np.std(accs)),
                          folds=tuple(accs), baseline=float(np.mean(majority)),
                          coverage=float(coverage))
