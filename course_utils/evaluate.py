"""Evaluating embeddings: analogies (more to come: similarity, clustering, probes, downstream).

Results are small dataclasses with named fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field


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
