"""Making vectors for evaluation: words, sentences and documents as arrays.

- ``text_tokens``: the course corpora's tokenizer (lowercase words), so every embedding
  sees the same words;
- ``bag_of_embeddings``: the mean word vector of each text, from gensim ``KeyedVectors``;
- ``mean_pool`` and ``minilm_sentence_vectors``: all-MiniLM-L6-v2 sentence vectors, the
  last layer's token vectors averaged over the real tokens (the attention mask);
- ``minilm_word_vectors`` / ``minilm_input_embeddings``: MiniLM as word vectors, in context
  of nothing, and its input (WordPiece) table;
- ``encode_texts``: vectors for texts from either kind of encoder, for the sentence tests;
- ``check_keyed_vectors``, ``unit_rows_keep_zero`` and ``NoTestWordsError``: what every test of
  ``course_utils.probes`` and ``course_utils.evaluate`` checks and raises.
"""

from __future__ import annotations

from collections.abc import Sequence

from course_utils.data import load_minilm, tokenize_line
from course_utils.validation import check_int


class NoTestWordsError(ValueError):
    """An embedding knows too few of a test's words to compute a score."""


def check_keyed_vectors(kv) -> None:
    """Refuse anything but a non-empty gensim ``KeyedVectors`` (anything with its fields)."""
    if not (hasattr(kv, "index_to_key") and hasattr(kv, "vectors")):
        raise TypeError(f"expected gensim KeyedVectors, got {type(kv).__name__}; build one with "
                        "KeyedVectors(dim) and kv.add_vectors(words, vectors)")
    if len(kv.index_to_key) == 0:
        raise ValueError("the embedding has no words")


def unit_rows_keep_zero(x, dtype=None):
    """Rows scaled to length 1 (float32 unless ``dtype``); a zero row stays zero.

    Unlike ``geometry.unit_rows``, which refuses a zero row (its cosine is undefined), this
    is for scoring many texts at once, where an empty text is simply a zero vector.
    """
    import numpy as np

    x = np.asarray(x, dtype=np.float32 if dtype is None else dtype)
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.where(norms == 0, 1, norms)


# --------------------------------------------------------------------------- bags of words


def text_tokens(text: str) -> list[str]:
    """The course corpora's tokenizer: lowercase words of 2-15 letters, punctuation dropped."""
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

    check_keyed_vectors(kv)
    out = np.zeros((len(_texts(texts)), kv.vector_size), dtype=np.float32)
    known = total = 0
    for i, text in enumerate(_texts(texts)):
        tokens = text_tokens(text)
        rows = [kv.key_to_index[t] for t in tokens if t in kv.key_to_index]
        known, total = known + len(rows), total + len(tokens)
        if rows:
            out[i] = kv.vectors[rows].mean(axis=0)
    return (out, known / total if total else 0.0) if return_coverage else out


def encode_texts(encoder, texts):
    """``(vectors (n, d) float32, coverage)`` for texts from either kind of encoder.

    ``encoder``: KeyedVectors (a bag of embeddings; ``coverage`` is the share of tokens
    it knew, and knowing none raises ``NoTestWordsError``) or a function ``texts -> (n, d)``
    such as ``minilm_sentence_vectors`` (``coverage`` 1.0; its output must be finite).
    """
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


# --------------------------------------------------------------------------- MiniLM


def mean_pool(hidden, mask):
    """Average token vectors over real tokens: ``(B, T, d)`` and mask ``(B, T)`` -> ``(B, d)``.

    Padding positions (mask 0) get weight 0, so a sentence's vector does not depend on
    how long the other sentences of its batch are.
    """
    mask = mask.unsqueeze(-1).to(hidden.dtype)  # (B, T, 1)
    return (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)


def minilm_sentence_vectors(texts, tokenizer=None, model=None, batch_size: int = 32,
                            max_length: int = 256, device: str | None = None,
                            normalize: bool = False):
    """all-MiniLM-L6-v2 sentence vectors: mean of the last layer over real tokens, ``(n, 384)``.

    Mean pooling uses the attention mask (``mean_pool``), so padding never changes a
    sentence's vector (the pooling the model was trained with). Texts longer than
    ``max_length`` WordPiece tokens are truncated (the model was trained on 256). With
    ``normalize`` each row is scaled to length 1, which is what
    ``SentenceTransformer(...).encode(texts)`` returns. Loads the model once if not given.
    """
    import numpy as np
    import torch

    texts = _texts(texts)
    batch_size = check_int(batch_size, "batch_size", minimum=1, hint=": try batch_size=32")
    if tokenizer is None or model is None:
        tokenizer, model = load_minilm(device=device)
    dev = next(model.parameters()).device
    order = np.argsort([-len(t) for t in texts], kind="stable")  # similar lengths: less padding
    out = np.zeros((len(texts), model.config.hidden_size), dtype=np.float32)
    with torch.inference_mode():
        for i in range(0, len(texts), batch_size):
            rows = order[i : i + batch_size]
            batch = tokenizer([texts[r] for r in rows], padding=True, truncation=True,
                              max_length=max_length, return_tensors="pt").to(dev)
            hidden = model(**batch).last_hidden_state  # (B, T, 384)
            pooled = mean_pool(hidden, batch["attention_mask"])  # (B, 384)
            if normalize:
                pooled = torch.nn.functional.normalize(pooled, dim=1)  # unit length
            out[rows] = pooled.float().cpu().numpy()
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
        tokenizer, model = load_minilm(device="cpu")
    table = model.get_input_embeddings().weight.detach().float().cpu().numpy()
    vocab = sorted(tokenizer.get_vocab().items(), key=lambda kv: kv[1])
    keep = [(w, i) for w, i in vocab if w.isalpha() and w.isascii() and w.islower()]
    kv = KeyedVectors(table.shape[1])
    kv.add_vectors([w for w, _ in keep], table[[i for _, i in keep]])
    return kv
