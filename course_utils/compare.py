"""Every test on every embedding, side by side: ``compare_embeddings`` -> one table.

``compare_embeddings({name: KeyedVectors | Embedding})`` runs the word tests of
``course_utils.evaluate`` (similarity, analogies) and ``course_utils.probes`` (clustering,
probes) and the sentence and document tests (polarity, Lee) on each embedding, and returns a
``ComparisonTable`` that prints as an aligned table and keeps every full result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from course_utils.encoders import NoTestWordsError, check_keyed_vectors
from course_utils.evaluate import analogy_accuracy, lee_score, similarity_score
from course_utils.probes import cluster_score, polarity_score, probe_score


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
            check_keyed_vectors(emb)
            emb = Embedding(kv=emb)
        elif emb.kv is None and emb.encode is None:
            raise ValueError(f"embedding {name!r} has neither kv nor encode")
        results[name] = _run_tasks(emb, tasks, restrict_vocab, probe_task, n_boot, seed)
        rows.append(_row(name, emb, results[name]))
    return ComparisonTable(rows=rows, results=results)
