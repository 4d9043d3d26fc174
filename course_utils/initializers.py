"""Where the first vectors come from: random schemes, pretrained vectors, subword pieces.

>>> emb = init_embedding(1000, 64, "gpt2", seed=0)   # N(0, 0.02), a float32 tensor
>>> tuple(emb.shape)
(1000, 64)

All random functions take a ``seed`` and draw from their own generator, so they do not
disturb (and are not disturbed by) the global seed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from course_utils.validation import check_int, check_seed

__all__ = [
    "SCHEMES", "init_embedding", "embedding_multiplier", "CoverageReport", "pretrained_init",
    "OOV_POLICIES", "subword_init", "add_tokens", "widen", "neighbor_overlap",
]

# name -> (what it is, where it comes from)
SCHEMES: dict[str, str] = {
    "normal": "N(0, 1): PyTorch's nn.Embedding default",
    "gpt2": "N(0, 0.02): GPT-2 and BERT",
    "xavier_normal": "N(0, 2/(V+d)): Glorot & Bengio (2010), normal",
    "xavier_uniform": "U(±sqrt(6/(V+d))): Glorot & Bengio (2010), uniform",
    "kaiming": "N(0, 2/d): He et al. (2015), fan-in = d as torch computes it for (V, d)",
    "word2vec": "U(±0.5/d): word2vec's input vectors",
    "zeros": "all zeros: word2vec's output vectors",
    "transformer": ("N(0, 1/d) (tensor2tensor's code), multiplied by sqrt(d) in the forward "
                    "pass (Vaswani et al. 2017)"),
}


def _generator(seed: int):
    import torch

    return torch.Generator().manual_seed(check_seed(seed))


def _as_table(emb, name: str = "emb"):
    """``emb`` as a float32 tensor, refusing what is not numeric and NaN or inf entries."""
    import torch

    if hasattr(emb, "key_to_index") and hasattr(emb, "vectors"):
        raise TypeError(f"{name} must be a tensor or array, got gensim KeyedVectors: "
                        f"pass kv.vectors")
    try:
        table = torch.as_tensor(emb, dtype=torch.float32)
    except (TypeError, ValueError, RuntimeError) as exc:
        raise TypeError(f"{name} must be a numeric tensor or array, got "
                        f"{type(emb).__name__} ({exc})") from None
    if table.numel() and not torch.isfinite(table).all():
        bad = int((~torch.isfinite(table)).sum())
        raise ValueError(f"{name} holds {bad:,} NaN or inf entries; every entry must be finite "
                         "(did a training run diverge? check the table with torch.isfinite)")
    return table


def init_embedding(num_embeddings: int, dim: int, scheme: str = "normal", seed: int = 0):
    """A freshly initialized ``(num_embeddings, dim)`` float32 tensor; see ``SCHEMES``.

    For ``"transformer"`` the table is only half the recipe: multiply looked-up vectors by
    ``embedding_multiplier("transformer", dim)`` (= sqrt(dim)) in the forward pass.
    """
    import torch

    V, d = check_int(num_embeddings, "num_embeddings", minimum=1), check_int(dim, "dim", minimum=1)
    if scheme not in SCHEMES:
        from course_utils._hints import suggestion

        raise ValueError(f"unknown scheme {scheme!r}{suggestion(scheme, SCHEMES)} "
                         f"(known: {', '.join(SCHEMES)})")
    gen = _generator(seed)
    std = {"normal": 1.0, "gpt2": 0.02, "xavier_normal": math.sqrt(2 / (V + d)),
           "kaiming": math.sqrt(2 / d), "transformer": d ** -0.5}
    if scheme in std:
        return torch.randn(V, d, generator=gen) * std[scheme]
    if scheme == "zeros":
        return torch.zeros(V, d)
    bound = math.sqrt(6 / (V + d)) if scheme == "xavier_uniform" else 0.5 / d
    return (torch.rand(V, d, generator=gen) * 2 - 1) * bound


def embedding_multiplier(scheme: str, dim: int) -> float:
    """The factor a model applies to looked-up vectors: sqrt(dim) for "transformer", else 1."""
    if scheme not in SCHEMES:
        from course_utils._hints import suggestion

        raise ValueError(f"unknown scheme {scheme!r}{suggestion(scheme, SCHEMES)} "
                         f"(known: {', '.join(SCHEMES)})")
    return math.sqrt(check_int(dim, "dim", minimum=1)) if scheme == "transformer" else 1.0


# --------------------------------------------------------------------------- pretrained

OOV_POLICIES = ("random", "mean", "zeros")


@dataclass
class CoverageReport:
    """How much of a vocabulary a pretrained table covered.

    ``coverage`` counts vocabulary entries (types); ``token_coverage`` weights them by
    corpus counts when the vocabulary had counts (else it is ``None``).
    """

    n_tokens: int
    n_found: int
    coverage: float
    token_coverage: float | None
    missing: list[str] = field(repr=False)
    oov_policy: str = "random"

    def __str__(self) -> str:
        tok = "" if self.token_coverage is None else \
            f", {self.token_coverage:.1%} of running tokens"
        return (f"{self.n_found:,} of {self.n_tokens:,} vocabulary entries found "
                f"({self.coverage:.1%}{tok}); {len(self.missing):,} missing, "
                f"filled with '{self.oov_policy}'")


def _tokens_of(vocab) -> tuple[list[str], dict[str, int]]:
    if isinstance(vocab, str):
        raise TypeError("pass a vocabulary (a Vocab or a list of tokens), not a string")
    itos = getattr(vocab, "itos", None)
    tokens = list(itos) if itos is not None else list(vocab)
    if not tokens:
        raise ValueError("the vocabulary is empty: build it from a non-empty corpus first")
    bad = [t for t in tokens if not isinstance(t, str)]
    if bad:
        raise TypeError(f"vocabulary entries must be strings, got {bad[0]!r}")
    return tokens, dict(getattr(vocab, "counts", {}) or {})


def pretrained_init(vocab, kv, oov: str = "random", seed: int = 0,
                    zero_tokens: Iterable[str] = ("[PAD]",)):
    """An embedding table for ``vocab`` filled from pretrained vectors ``kv``.

    ``vocab`` is a ``course_utils.text.Vocab`` or a list of tokens; ``kv`` is gensim
    ``KeyedVectors`` (e.g. ``load_glove()``). Tokens found in ``kv`` get their vector;
    the others follow ``oov``:

    - ``"random"``: a random direction scaled to the mean norm of the found vectors;
    - ``"mean"``: the mean of the found vectors;
    - ``"zeros"``: zeros.

    Tokens in ``zero_tokens`` (padding) are always zero. Returns ``(emb, report)``: a
    ``(len(vocab), kv.vector_size)`` float32 tensor and a ``CoverageReport``.
    """
    import numpy as np
    import torch

    tokens, counts = _tokens_of(vocab)
    if oov not in OOV_POLICIES:
        raise ValueError(f"unknown oov policy {oov!r}; choose one of {OOV_POLICIES}")
    if not hasattr(kv, "key_to_index") or not hasattr(kv, "vector_size"):
        raise TypeError(f"kv must be gensim KeyedVectors (e.g. load_glove()), "
                        f"got {type(kv).__name__}")
    seed = check_seed(seed)
    if isinstance(zero_tokens, str):
        raise TypeError(f"zero_tokens takes a list of tokens, e.g. [{zero_tokens!r}], "
                        "not a string")
    zero = set(zero_tokens)
    emb = np.zeros((len(tokens), kv.vector_size), dtype=np.float32)
    found = np.zeros(len(tokens), dtype=bool)
    for i, tok in enumerate(tokens):
        if tok not in zero and tok in kv.key_to_index:
            emb[i] = kv[tok]
            found[i] = True
    missing_idx = [i for i, t in enumerate(tokens) if not found[i] and t not in zero]
    if missing_idx and found.any():
        emb[missing_idx] = _oov_rows(emb[found], len(missing_idx), oov, seed)
    considered = [i for i, t in enumerate(tokens) if t not in zero]
    return torch.from_numpy(emb), _coverage(tokens, counts, found, considered, missing_idx, oov)


def _oov_rows(found_rows, n: int, oov: str, seed: int):
    """The ``n`` rows for tokens the pretrained table lacks, by the ``oov`` policy."""
    import numpy as np

    if oov == "mean":
        return found_rows.mean(axis=0)
    if oov == "random":  # random directions at the found vectors' mean length
        rand = np.random.default_rng(seed).standard_normal((n, found_rows.shape[1]))
        rand = rand.astype(np.float32)
        rand /= np.linalg.norm(rand, axis=1, keepdims=True)
        return rand * np.linalg.norm(found_rows, axis=1).mean()
    return 0.0  # "zeros"


def _coverage(tokens: list[str], counts: dict[str, int], found, considered: list[int],
              missing_idx: list[int], oov: str) -> CoverageReport:
    """The ``CoverageReport`` of the ``considered`` (non-padding) tokens."""
    n_found = int(found.sum())
    token_cov = None
    total = sum(counts.get(tokens[i], 0) for i in considered)
    if counts and total:
        token_cov = sum(counts.get(tokens[i], 0) for i in considered if found[i]) / total
    return CoverageReport(len(considered), n_found, n_found / max(1, len(considered)),
                          token_cov, [tokens[i] for i in missing_idx], oov)


# --------------------------------------------------------------------------- subwords


def _pieces_fn(tokenizer) -> Callable[[str], list[int]]:
    """Piece ids of one word, without special tokens, for HF or `tokenizers` tokenizers."""
    if hasattr(tokenizer, "convert_tokens_to_ids") and hasattr(tokenizer, "tokenize"):
        return lambda w: tokenizer.convert_tokens_to_ids(tokenizer.tokenize(w))
    if hasattr(tokenizer, "encode") and hasattr(tokenizer, "token_to_id"):
        return lambda w: list(tokenizer.encode(w, add_special_tokens=False).ids)
    raise TypeError(f"expected a Hugging Face tokenizer or a tokenizers.Tokenizer, "
                    f"got {type(tokenizer).__name__}")


def subword_init(words: Sequence[str], tokenizer, emb):
    """A vector per word: the mean of its subword pieces' rows in ``emb``.

    ``tokenizer`` is a Hugging Face tokenizer (e.g. MiniLM's WordPiece) or a trained
    ``tokenizers.Tokenizer`` (``course_utils.text.train_bpe``); ``emb`` is that tokenizer's
    ``(vocab_size, d)`` table. Works for words the word-level vocabulary never saw,
    misspellings included. Returns a ``(len(words), d)`` float32 tensor.
    """
    import torch

    if isinstance(words, str):
        raise TypeError(f"pass a list of words, e.g. [{words!r}], not a string")
    words = list(words)
    if not words:
        raise ValueError("words is empty: pass at least one word")
    table = _as_table(emb)
    if table.ndim != 2:
        raise ValueError(f"emb must have shape (vocab_size, d), got {tuple(table.shape)}")
    pieces = _pieces_fn(tokenizer)
    rows = []
    for w in words:
        if not isinstance(w, str) or not w.strip():
            raise ValueError(f"every word must be a non-empty string, got {w!r}")
        ids = [i for i in pieces(w) if i is not None]
        if not ids:
            raise ValueError(f"the tokenizer produced no pieces for {w!r}")
        if max(ids) >= table.shape[0]:
            raise ValueError(f"piece id {max(ids)} is outside emb's {table.shape[0]} rows: "
                             "is emb the table of this tokenizer?")
        rows.append(table[ids].mean(0))
    return torch.stack(rows)


# --------------------------------------------------------------------------- growing


def add_tokens(emb, n_new: int, method: str = "mean", seed: int = 0):
    """Append ``n_new`` rows to a ``(V, d)`` table, returning ``(V + n_new, d)``.

    ``"mean"`` puts each new row at the mean of the existing rows (Hewitt 2021): the
    model's output distribution barely moves. ``"random"`` draws them like the existing
    rows' scale (normal with the table's per-coordinate std), which can make the new
    tokens dominate the softmax.
    """
    import torch

    table = _as_table(emb)
    if table.ndim != 2 or table.shape[0] == 0:
        raise ValueError(f"emb must have shape (V, d) with V >= 1, got {tuple(table.shape)}")
    n_new = check_int(n_new, "n_new", minimum=1)
    if method == "mean":
        new = table.mean(0, keepdim=True).repeat(n_new, 1)
    elif method == "random":
        std = table.std().item() if table.numel() > 1 else 1.0
        new = torch.randn(n_new, table.shape[1], generator=_generator(seed)) * std
    else:
        raise ValueError(f"unknown method {method!r}; choose 'mean' or 'random'")
    return torch.cat([table, new.to(table.device)])


def widen(emb, new_dim: int, method: str = "zeros", seed: int = 0):
    """Grow a ``(V, d)`` table to ``(V, new_dim)``.

    ``"zeros"`` pads with zero columns (every dot product, and so every neighbour, is
    unchanged); ``"random_projection"`` multiplies by a random ``(d, new_dim)`` Gaussian
    matrix scaled by ``1/sqrt(new_dim)`` (Johnson-Lindenstrauss: distances are only
    approximately kept, more closely as ``new_dim`` grows); ``"orthogonal"`` multiplies by
    the transpose of a ``(new_dim, d)`` matrix with orthonormal columns, the Q of the QR
    decomposition of a Gaussian matrix (every dot product kept exactly, like zero padding,
    and every new coordinate used, like a random projection).
    """
    import torch

    table = _as_table(emb)
    if table.ndim != 2:
        raise ValueError(f"emb must have shape (V, d), got {tuple(table.shape)}")
    new_dim = check_int(new_dim, "new_dim", minimum=1)
    d = table.shape[1]
    if new_dim < d:
        raise ValueError(f"new_dim ({new_dim}) is smaller than the current dim ({d}); "
                         "widen only grows tables (use PCA to shrink)")
    if method == "zeros":
        return torch.cat([table, table.new_zeros(table.shape[0], new_dim - d)], dim=1)
    if method == "random_projection":
        proj = torch.randn(d, new_dim, generator=_generator(seed)) / math.sqrt(new_dim)
        return table @ proj.to(table.device)
    if method == "orthogonal":
        gauss = torch.randn(new_dim, d, generator=_generator(seed), dtype=torch.float64)
        q, r = torch.linalg.qr(gauss)  # (new_dim, d), q.T @ q = I
        q = q * torch.sign(torch.diagonal(r))  # a unique Q: Haar-distributed columns
        return (table.double() @ q.T.to(table.device)).to(table.dtype)
    raise ValueError(f"unknown method {method!r}; choose 'zeros', 'random_projection' or "
                     "'orthogonal'")


def neighbor_overlap(a, b, k: int = 10) -> float:
    """Mean share of each row's ``k`` nearest cosine neighbours that ``a`` and ``b`` agree on.

    ``a`` and ``b`` are ``(n, d1)`` and ``(n, d2)``: the same ``n`` items in two spaces.
    1.0 means every neighbourhood survived, about ``k/n`` is chance.
    """

    A, B = _as_table(a, "a"), _as_table(b, "b")
    if A.ndim != 2 or B.ndim != 2 or A.shape[0] != B.shape[0]:
        raise ValueError(f"expected (n, d1) and (n, d2) with the same n, got "
                         f"{tuple(A.shape)} and {tuple(B.shape)}")
    n = A.shape[0]
    k = check_int(k, "k", minimum=1, maximum=n - 1, hint=f" for {n} rows")

    def knn(X):
        X = X / X.norm(dim=1, keepdim=True).clamp(min=1e-12)
        sims = X @ X.T
        sims.fill_diagonal_(-float("inf"))
        return sims.topk(k, dim=1).indices

    na, nb = knn(A), knn(B)
    hits = (na[:, :, None] == nb[:, None, :]).any(-1).float().sum(1)
    return float(hits.mean() / k)
