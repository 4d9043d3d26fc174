"""Sentence embeddings and retrieval: encode, search, score, quantize, train.

- ``encode(texts)``: all-MiniLM-L6-v2 sentence vectors, the way sentence-transformers makes
  them: the last layer's token vectors averaged over the real tokens (the attention mask),
  then scaled to unit length. ``(n, 384)`` float32, unit rows.
- ``search(queries, docs, k)``: exact top-k by cosine (a dot product of unit rows), on the
  blocked engine of lesson 04 (``geometry.topk_scores``); ``(scores, ids)``, best first.
- ``recall_at_k``, ``mrr``, ``ndcg_at_k``: how good a ranking is, given what is relevant.
- ``quantize`` / ``search_quantized``: int8 (1 byte a dimension) and binary (1 bit) codes,
  searched directly or with a float rescoring of the best candidates.
- ``info_nce(queries, docs, temperature)``: the contrastive loss with in-batch negatives
  that sentence encoders are trained with.
- ``BM25``: the lexical baseline (Robertson & Zaragoza 2009), small and readable.
- ``sif_vectors``: smooth inverse frequency averaging (Arora, Liang & Ma 2017).
- ``load_retrieval_set``: the course's retrieval test set, built from the wiki sample.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from course_utils.encoders import minilm_sentence_vectors, text_tokens
from course_utils.validation import atomic_write, check_float, check_int, check_probability

EMBED_DIM = 384
UNIT_TOL = 1e-3  # how far a row's norm may be from 1 and still count as a unit vector
QUANT_KINDS = ("int8", "binary")
_SET_VERSION = 1  # bump when the retrieval set's construction changes


# --------------------------------------------------------------------------- checks


def _texts(texts, name: str = "texts") -> list[str]:
    if isinstance(texts, str):
        raise TypeError(f"{name} must be a list of strings, got one string: try [{texts[:30]!r}]")
    if not isinstance(texts, Sequence):
        raise TypeError(f"{name} must be a list of strings, got {type(texts).__name__}")
    if len(texts) == 0:
        raise ValueError(f"{name} is an empty list: pass at least one string")
    bad = [i for i, t in enumerate(texts) if not isinstance(t, str)]
    if bad:
        raise TypeError(f"{name}[{bad[0]}] is a {type(texts[bad[0]]).__name__}, not a string: "
                        "pass plain strings (join token lists with ' '.join(tokens))")
    return list(texts)


def _matrix(x, name: str, unit: bool = True):
    """A float32 numpy ``(n, d)`` matrix; a ``(d,)`` vector becomes one row."""
    import numpy as np

    if hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    arr = np.asarray(x)
    if arr.dtype.kind not in "fiu":
        raise TypeError(f"{name} must hold numbers, got dtype {arr.dtype}: pass vectors "
                        "(e.g. from encode(texts)), not texts")
    if arr.ndim == 1:
        arr = arr.reshape(1, -1)
    if arr.ndim != 2:
        raise ValueError(f"{name}: expected shape (n, d), got {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}): pass at least one vector")
    arr = arr.astype(np.float32, copy=False)
    if not np.isfinite(arr).all():
        row = int(np.flatnonzero(~np.isfinite(arr).all(axis=1))[0])
        raise ValueError(f"{name} row {row} contains NaN or infinity; check how it was computed")
    if unit:
        norms = np.linalg.norm(arr, axis=1)
        off = np.flatnonzero(np.abs(norms - 1) > UNIT_TOL)
        if off.size:
            raise ValueError(f"{name} row {int(off[0])} has norm {norms[off[0]]:.4g}, expected "
                             "unit rows (cosine search): pass normalize(x) or encode(texts)")
    return arr


def _check_k(k, n: int, what: str = "the collection") -> int:
    k = check_int(k, "k", minimum=1)
    if k > n:
        raise ValueError(f"k={k} is larger than {what} ({n} documents): use k <= {n}")
    return k


def normalize(x):
    """Rows scaled to unit length: float32 ``(n, d)``. A zero row has no direction: error."""
    import numpy as np

    arr = _matrix(x, "x", unit=False)
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    if (norms == 0).any():
        row = int(np.flatnonzero(norms[:, 0] == 0)[0])
        raise ValueError(f"x row {row} is a zero vector and has no direction; drop it (e.g. a "
                         "text with no known word) before normalizing")
    return arr / norms


# --------------------------------------------------------------------------- encoding


@lru_cache(maxsize=2)
def _minilm(device: str | None):
    from course_utils.data import load_minilm

    return load_minilm(device=device)


def encode(texts, batch_size: int = 64, max_length: int = 256, device: str | None = None):
    """all-MiniLM-L6-v2 sentence vectors: float32 ``(n, 384)``, unit rows.

    Each text is tokenized (WordPiece, truncated at ``max_length`` tokens, the length the
    model was trained with), run through the 6 layers, its last-layer token vectors are
    averaged over the attention mask (``encoders.mean_pool``) and the result is scaled to
    length 1: ``encoders.minilm_sentence_vectors(..., normalize=True)`` on a model loaded
    once per device. Equal to
    ``SentenceTransformer(<model dir>).encode(texts, normalize_embeddings=True)``.
    """
    texts = _texts(texts)
    batch_size = check_int(batch_size, "batch_size", minimum=1, hint=": try batch_size=64")
    tokenizer, model = _minilm(device)
    return minilm_sentence_vectors(texts, tokenizer, model, batch_size=batch_size,
                                   max_length=max_length, normalize=True)


# --------------------------------------------------------------------------- search


def search(queries, docs, k: int = 10):
    """Exact top-``k`` documents per query by cosine: ``(scores, ids)``, each ``(n_queries, k)``.

    queries ``(n, d)`` (or one ``(d,)`` vector) and docs ``(m, d)`` must have unit rows
    (``encode`` gives them; ``normalize`` makes them), so a dot product is the cosine.
    Best first; equal scores go to the lower document id. Runs on the blocked exact engine
    of lesson 04 (``geometry.topk_scores``), so the full score matrix never exists.
    """
    from course_utils.geometry import topk_scores

    q, d = _matrix(queries, "queries"), _matrix(docs, "docs")
    if q.shape[1] != d.shape[1]:
        raise ValueError(f"queries have dimension {q.shape[1]} but docs have {d.shape[1]}: "
                         "encode both with the same model")
    k = _check_k(k, d.shape[0])
    scores, ids = topk_scores(q, d, k=k, metric="dot", device="cpu")
    return scores.numpy(), ids.numpy()


# --------------------------------------------------------------------------- metrics


def _ranking(ids, k: int | None):
    import numpy as np

    arr = np.asarray(ids.detach().cpu() if hasattr(ids, "detach") else ids)
    if arr.ndim == 1:
        arr = arr.reshape(1, -1)
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"ids: expected a (n_queries, k) ranking, got shape {arr.shape}")
    if arr.dtype.kind not in "iu":
        raise TypeError(f"ids must be integer document ids, got dtype {arr.dtype}")
    if k is not None:
        k = _check_k(k, arr.shape[1], "the ranking")
        arr = arr[:, :k]
    return arr


def _qrels(relevant, n: int) -> list[dict[int, float]]:
    """One ``{doc_id: grade}`` per query, from sets/lists of ids or dicts of grades."""
    if isinstance(relevant, str | bytes) or not isinstance(relevant, Sequence):
        raise TypeError("relevant must be a list with one entry per query (a set of relevant "
                        f"ids or a {{id: grade}} dict), got {type(relevant).__name__}")
    if len(relevant) != n:
        raise ValueError(f"relevant has {len(relevant)} entries but the ranking has {n} "
                         "queries: pass one entry per query")
    out = []
    for i, rel in enumerate(relevant):
        grades = dict(rel) if isinstance(rel, dict) else {int(r): 1.0 for r in rel}
        grades = {int(d): float(g) for d, g in grades.items() if g > 0}
        if not grades:
            raise ValueError(f"query {i} has no relevant document; drop it from the evaluation "
                             "(its recall would be undefined)")
        out.append(grades)
    return out


def recall_at_k(ids, relevant, k: int, per_query: bool = False):
    """Share of each query's relevant documents found in its top ``k``, averaged over queries.

    ids ``(n_queries, >= k)`` (from ``search``); relevant: per query a set of ids (or a
    ``{id: grade}`` dict). With one relevant document per query this is the hit rate.
    ``per_query=True`` returns the ``(n_queries,)`` values (for bootstrap intervals).
    """
    import numpy as np

    ranks = _ranking(ids, k)
    rels = _qrels(relevant, len(ranks))
    vals = np.array([len(set(r.tolist()) & rel.keys()) / len(rel)
                     for r, rel in zip(ranks, rels, strict=True)])
    return vals if per_query else float(vals.mean())


def mrr(ids, relevant, per_query: bool = False):
    """Mean reciprocal rank: 1 / (position of the first relevant document), 0 if none is ranked."""
    import numpy as np

    ranks = _ranking(ids, None)
    rels = _qrels(relevant, len(ranks))
    vals = np.zeros(len(ranks))
    for i, (r, rel) in enumerate(zip(ranks, rels, strict=True)):
        hits = [pos for pos, d in enumerate(r.tolist()) if d in rel]
        vals[i] = 1.0 / (hits[0] + 1) if hits else 0.0
    return vals if per_query else float(vals.mean())


def ndcg_at_k(ids, relevance, k: int, per_query: bool = False):
    """Normalized discounted cumulative gain with graded relevance (Järvelin & Kekäläinen 2002).

    DCG = sum over the top ``k`` of grade / log2(position + 1); divided by the DCG of the
    best possible order of that query's graded documents. ``relevance``: per query a
    ``{doc_id: grade}`` dict (grades > 0; unlisted documents have grade 0) or a set (grade 1).
    Linear gain, as ``sklearn.metrics.ndcg_score``.
    """
    import numpy as np

    ranks = _ranking(ids, k)
    rels = _qrels(relevance, len(ranks))
    discount = 1.0 / np.log2(np.arange(2, k + 2))
    vals = np.zeros(len(ranks))
    for i, (r, rel) in enumerate(zip(ranks, rels, strict=True)):
        gains = np.array([rel.get(d, 0.0) for d in r.tolist()])
        ideal = np.sort(np.array(list(rel.values())))[::-1][:k]
        vals[i] = (gains * discount[: len(gains)]).sum() / (ideal * discount[: len(ideal)]).sum()
    return vals if per_query else float(vals.mean())


def bootstrap_ci(values, n_boot: int = 1000, level: float = 0.95, seed: int = 0):
    """Mean of per-query values and a percentile bootstrap interval: ``(mean, low, high)``."""
    import numpy as np

    vals = np.asarray(values, dtype=float)
    if vals.ndim != 1 or vals.size < 2:
        raise ValueError(f"expected a 1-D array of at least 2 per-query values, got shape "
                         f"{vals.shape}: pass recall_at_k(..., per_query=True)")
    rng = np.random.default_rng(seed)
    means = vals[rng.integers(0, vals.size, size=(n_boot, vals.size))].mean(axis=1)
    lo, hi = np.quantile(means, [(1 - level) / 2, (1 + level) / 2])
    return float(vals.mean()), float(lo), float(hi)


# --------------------------------------------------------------------------- quantization


@dataclass(frozen=True)
class QuantizedIndex:
    """Document vectors stored as int8 or binary codes.

    int8: ``codes`` ``(m, d)`` int8 with per-dimension ``low`` and ``step`` (a value ``x``
    is stored as ``round((x - low) / step) - 128``). binary: ``codes`` ``(m, ceil(d / 8))``
    uint8, one bit per dimension (1 where the value is positive), packed.
    """

    kind: str
    codes: Any
    dim: int
    low: Any = None
    step: Any = None

    @property
    def nbytes(self) -> int:
        """Bytes the codes take (the calibration vectors are negligible)."""
        return int(self.codes.nbytes)

    def decode(self):
        """Approximate float32 vectors ``(m, d)`` back from the codes (±1 for binary)."""
        import numpy as np

        if self.kind == "int8":
            return (self.codes.astype(np.float32) + 128.0) * self.step + self.low
        bits = np.unpackbits(self.codes, axis=1, count=self.dim)
        return bits.astype(np.float32) * 2 - 1


def quantize(docs, kind: str = "int8", calibration=None) -> QuantizedIndex:
    """Compress unit vectors ``(m, d)`` to int8 (4x smaller) or binary (32x smaller) codes.

    int8 maps each dimension's range, measured on ``calibration`` (default: the docs
    themselves), onto the 256 int8 values, as sentence-transformers' ``quantize_embeddings``
    does; values outside the range are clipped. binary keeps only the sign of each value.
    """
    import numpy as np

    if kind not in QUANT_KINDS:
        raise ValueError(f"unknown kind {kind!r}; choose one of {QUANT_KINDS}")
    x = _matrix(docs, "docs", unit=False)
    if kind == "binary":
        return QuantizedIndex("binary", np.packbits(x > 0, axis=1), x.shape[1])
    cal = x if calibration is None else _matrix(calibration, "calibration", unit=False)
    if cal.shape[1] != x.shape[1]:
        raise ValueError(f"calibration has dimension {cal.shape[1]} but docs have {x.shape[1]}")
    low, high = cal.min(axis=0), cal.max(axis=0)
    step = np.maximum(high - low, 1e-12) / 255.0
    codes = np.clip(np.round((x - low) / step) - 128, -128, 127).astype(np.int8)
    return QuantizedIndex("int8", codes, x.shape[1], low.astype(np.float32),
                          step.astype(np.float32))


def _popcount_table():
    import numpy as np

    return np.unpackbits(np.arange(256, dtype=np.uint8)[:, None], axis=1).sum(1).astype(np.int32)


def search_quantized(queries, index: QuantizedIndex, k: int = 10, rescore: int = 0,
                     docs=None):
    """Top-``k`` search over quantized codes: ``(scores, ids)``, each ``(n_queries, k)``.

    int8: the float query is scored against the decoded codes. binary: the query's signs
    are compared with the codes; score = d - 2 * Hamming distance (the dot product of ±1
    vectors). ``rescore=r`` (with ``docs``, the float32 vectors, e.g. memory-mapped from
    disk) re-ranks the best ``r * k`` candidates by their exact cosine: the memory of the
    codes with most of the float recall.
    """
    import numpy as np

    if not isinstance(index, QuantizedIndex):
        raise TypeError(f"index must be a QuantizedIndex from quantize(), got "
                        f"{type(index).__name__}")
    q = _matrix(queries, "queries")
    if q.shape[1] != index.dim:
        raise ValueError(f"queries have dimension {q.shape[1]} but the index has {index.dim}")
    m = index.codes.shape[0]
    k = _check_k(k, m)
    rescore = check_int(rescore, "rescore", minimum=0, hint=" (a multiple of k)")
    if rescore and docs is None:
        raise ValueError("rescore needs docs=, the float32 document vectors to rescore with")
    if index.kind == "int8":
        scores = q @ index.decode().T
    else:
        qbits = np.packbits(q > 0, axis=1)
        table = _popcount_table()
        scores = np.empty((len(q), m), dtype=np.float32)
        for i in range(0, len(q), 16):  # XOR then count the differing bits, 16 queries at a time
            hamming = table[qbits[i : i + 16, None, :] ^ index.codes[None, :, :]].sum(axis=2)
            scores[i : i + 16] = index.dim - 2 * hamming
    n_cand = min(m, max(k, rescore * k)) if rescore else k
    cand = np.argsort(-scores, axis=1, kind="stable")[:, :n_cand]
    if rescore:
        d = _matrix(docs, "docs")
        if d.shape != (m, index.dim):
            raise ValueError(f"docs have shape {d.shape}, expected ({m}, {index.dim}) like the "
                             "index")
        exact = np.einsum("qd,qcd->qc", q, d[cand])
        order = np.argsort(-exact, axis=1, kind="stable")[:, :k]
        return np.take_along_axis(exact, order, 1), np.take_along_axis(cand, order, 1)
    return np.take_along_axis(scores, cand, 1), cand


# --------------------------------------------------------------------------- training


def info_nce(queries, docs, temperature: float = 0.05):
    """InfoNCE with in-batch negatives (van den Oord et al. 2018; Karpukhin et al. 2020).

    queries, docs: ``(B, d)``, row i of docs being query i's positive and every other row a
    negative. Scores are cosine similarities divided by ``temperature``; the loss is the
    mean over queries of the cross-entropy of picking the own document among the B.
    Torch in, a differentiable scalar tensor out; numpy in, a float out.
    """
    import numpy as np
    import torch

    was_torch = isinstance(queries, torch.Tensor) or isinstance(docs, torch.Tensor)
    q = queries if isinstance(queries, torch.Tensor) else torch.as_tensor(np.asarray(queries))
    d = docs if isinstance(docs, torch.Tensor) else torch.as_tensor(np.asarray(docs))
    for name, t in (("queries", q), ("docs", d)):
        if not t.is_floating_point():
            raise TypeError(f"{name} must hold floats, got dtype {t.dtype}")
        if t.ndim != 2 or t.shape[0] == 0:
            raise ValueError(f"{name}: expected a (batch, d) matrix with batch >= 1, got shape "
                             f"{tuple(t.shape)}")
        if not torch.isfinite(t).all():
            raise ValueError(f"{name} contains NaN or infinity; check how it was computed "
                             "(a too high learning rate?)")
    if q.shape != d.shape:
        raise ValueError(f"queries {tuple(q.shape)} and docs {tuple(d.shape)} must have the same "
                         "shape: one positive document per query, in the same order")
    temperature = check_float(temperature, "temperature", minimum=0, strict=True,
                              hint=" (typically 0.01-0.1)")
    dtype = torch.promote_types(q.dtype, d.dtype)
    q = torch.nn.functional.normalize(q.to(dtype), dim=1)
    d = torch.nn.functional.normalize(d.to(dtype), dim=1)
    logits = q @ d.T / temperature  # (B, B): row i's positive is column i
    loss = torch.nn.functional.cross_entropy(logits, torch.arange(len(q), device=q.device))
    return loss if was_torch else float(loss)


# --------------------------------------------------------------------------- lexical


class BM25:
    """Okapi BM25 over tokenized documents (Robertson & Zaragoza 2009), scores ``(m,)``.

    score(q, doc) = sum over query words w of
    idf(w) * tf(w, doc) * (k1 + 1) / (tf(w, doc) + k1 * (1 - b + b * len(doc) / avg_len)),
    with idf(w) = log(1 + (N - n(w) + 0.5) / (n(w) + 0.5)) (Lucene's, never negative).
    Texts are tokenized with ``encoders.text_tokens`` (lowercase words).
    """

    def __init__(self, docs: Sequence[str], k1: float = 1.5, b: float = 0.75):
        docs = _texts(docs, "docs")
        self.k1 = check_float(k1, "k1", minimum=0, hint=" (the usual value is 1.5)")
        self.b = check_probability(b, "b", hint=" (the usual value is 0.75)")
        self.doc_tokens = [text_tokens(d) for d in docs]
        self.tf = [Counter(toks) for toks in self.doc_tokens]
        self.doc_len = [len(toks) for toks in self.doc_tokens]
        self.avg_len = max(sum(self.doc_len) / len(docs), 1e-9)
        df = Counter(w for tf in self.tf for w in tf)
        n = len(docs)
        self.idf = {w: math.log(1 + (n - c + 0.5) / (c + 0.5)) for w, c in df.items()}

    def scores(self, query: str):
        """BM25 score of every document for one query string: ``(m,)`` float64."""
        import numpy as np

        if not isinstance(query, str):
            raise TypeError(f"query must be a string, got {type(query).__name__}")
        out = np.zeros(len(self.tf))
        for w in text_tokens(query):
            if w not in self.idf:
                continue  # a word no document has adds nothing
            for i, tf in enumerate(self.tf):
                f = tf.get(w, 0)
                if f:
                    norm = self.k1 * (1 - self.b + self.b * self.doc_len[i] / self.avg_len)
                    out[i] += self.idf[w] * f * (self.k1 + 1) / (f + norm)
        return out

    def search(self, queries: Sequence[str], k: int = 10):
        """Top-``k`` documents per query: ``(scores, ids)``, each ``(n_queries, k)``."""
        import numpy as np

        queries = _texts(queries, "queries")
        k = _check_k(k, len(self.tf))
        s = np.stack([self.scores(q) for q in queries])
        ids = np.argsort(-s, axis=1, kind="stable")[:, :k]
        return np.take_along_axis(s, ids, 1), ids


# --------------------------------------------------------------------------- SIF


def sif_vectors(kv, texts: Sequence[str], counts: dict[str, int], a: float = 1e-3,
                common=None):
    """Smooth inverse frequency sentence vectors (Arora, Liang & Ma 2017): ``(X, common)``.

    Each text is the average of its known words' vectors weighted by a / (a + p(w)), with
    p(w) the word's share of ``counts`` (rare words weigh more); then the projection on one
    common direction is removed. ``common=None`` takes it (the first singular vector) from
    these texts; pass the one returned for the documents when encoding queries. A text with
    no known word gives a zero row.
    """
    import numpy as np

    texts = _texts(texts)
    if not counts:
        raise ValueError("counts is empty: pass word counts from a corpus, e.g. "
                         "Counter(w for doc in load_corpus('wiki') for w in doc)")
    total = sum(counts.values())
    x = np.zeros((len(texts), kv.vector_size), dtype=np.float32)
    for i, text in enumerate(texts):
        words = [w for w in text_tokens(text) if w in kv.key_to_index]
        if words:
            weights = np.array([a / (a + counts.get(w, 0) / total) for w in words], np.float32)
            x[i] = weights @ kv[words] / len(words)
    if common is None:
        _, _, vt = np.linalg.svd(x, full_matrices=False)
        common = vt[0]
    common = np.asarray(common, dtype=np.float32)
    return x - np.outer(x @ common, common), common


# --------------------------------------------------------------------------- the test set


@dataclass(frozen=True)
class RetrievalSet:
    """Queries, passages and graded relevance: ``qrels[i] = {passage_id: grade}``.

    Grade 2: the passage the query was cut from; grade 1: another passage of the same
    article. ``query_article[i]`` / ``passage_article[j]``: the article titles.
    """

    queries: list[str]
    passages: list[str]
    qrels: list[dict[int, int]]
    query_article: list[str] = field(default_factory=list)
    passage_article: list[str] = field(default_factory=list)

    @property
    def positives(self) -> list[int]:
        """The grade-2 passage of each query (the one it was cut from)."""
        return [next(p for p, g in rel.items() if g == 2) for rel in self.qrels]

    def subset(self, articles: Sequence[str]) -> RetrievalSet:
        """The queries and passages of the given articles, renumbered."""
        keep = set(articles)
        pids = [j for j, a in enumerate(self.passage_article) if a in keep]
        new_id = {old: new for new, old in enumerate(pids)}
        qids = [i for i, a in enumerate(self.query_article) if a in keep]
        return RetrievalSet(
            queries=[self.queries[i] for i in qids],
            passages=[self.passages[j] for j in pids],
            qrels=[{new_id[p]: g for p, g in self.qrels[i].items()} for i in qids],
            query_article=[self.query_article[i] for i in qids],
            passage_article=[self.passage_article[j] for j in pids])


_SENTENCE_END = re.compile(r"(?<=[a-z0-9\)\]\"'])[.!?](?=\s+[A-Z])")


def _clean(text: str) -> str:
    text = re.sub(r"'{2,}", "", text)  # wiki bold/italic quotes
    text = re.sub(r"\(\s*[;,]?\s*[;,]?\s*\)", "", text)  # parentheses emptied by markup removal
    return re.sub(r"\s+", " ", text).strip()


def _paragraphs(markup: str) -> list[str]:
    from gensim.corpora.wikicorpus import filter_wiki

    text = filter_wiki(markup)
    text = re.sub(r"^=+[^=\n]*=+\s*$", "\n", text, flags=re.M)  # headings end a paragraph
    return [_clean(p) for p in re.split(r"\n\s*\n", text) if p.strip()]


def _build_wiki_set(min_query_words: int = 6, max_query_words: int = 40,
                    min_passage_words: int = 30, max_passage_words: int = 60) -> dict:
    """Inverse cloze task (Lee, Chang & Toutanova 2019): a paragraph's first sentence is the
    query, the rest of the paragraph (without that sentence) is its passage."""
    import bz2

    from gensim.corpora.wikicorpus import extract_pages

    from course_utils.data import source_file

    queries, passages, q_art, p_art, pos = [], [], [], [], []
    with bz2.open(source_file("wiki")) as fh:
        for title, markup, _ in extract_pages(fh, filter_namespaces=("0",)):
            if markup.lstrip().upper().startswith("#REDIRECT"):
                continue
            for para in _paragraphs(markup):
                parts = _SENTENCE_END.split(para, maxsplit=1)
                if len(parts) != 2:
                    continue
                first, rest = parts[0].strip() + ".", parts[1].strip()
                n_q, rest_words = len(first.split()), rest.split()
                if not (min_query_words <= n_q <= max_query_words) \
                        or len(rest_words) < min_passage_words:
                    continue
                queries.append(first)
                passages.append(" ".join(rest_words[:max_passage_words]))
                q_art.append(title)
                p_art.append(title)
                pos.append(len(passages) - 1)
    by_article: dict[str, list[int]] = {}
    for j, a in enumerate(p_art):
        by_article.setdefault(a, []).append(j)
    qrels = [{**{j: 1 for j in by_article[a]}, p: 2} for a, p in zip(q_art, pos, strict=True)]
    return {"queries": queries, "passages": passages, "qrels": [list(r.items()) for r in qrels],
            "query_article": q_art, "passage_article": p_art}


def load_retrieval_set(name: str = "wiki") -> RetrievalSet:
    """The course's retrieval test set, built deterministically and cached.

    ``"wiki"``: every paragraph of the wiki sample with a first sentence of 6-40 words and
    at least 30 words after it; the first sentence is the query and is held out of the
    passage (the rest of the paragraph, at most 60 words). Relevance: 2 for the passage the
    query came from, 1 for the other passages of its article (see datasets/README.md).
    """
    from course_utils.data import cache_dir, source_entry

    if name != "wiki":
        raise ValueError(f"unknown retrieval set {name!r}; the course has 'wiki'")
    sha = source_entry("wiki").files
    key = next(iter(sha.values()))["sha256"][:12]
    path = cache_dir() / "retrieval" / f"wiki-ict-{key}-v{_SET_VERSION}.json"
    if path.exists():
        raw = json.loads(path.read_text(encoding="utf-8"))
    else:
        raw = _build_wiki_set()
        atomic_write(path, lambda fh: fh.write(json.dumps(raw, ensure_ascii=False)), binary=False)
    return RetrievalSet(queries=raw["queries"], passages=raw["passages"],
                        qrels=[{int(p): int(g) for p, g in r} for r in raw["qrels"]],
                        query_article=raw["query_article"],
                        passage_article=raw["passage_article"])
