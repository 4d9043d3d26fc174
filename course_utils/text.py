"""Tokenizers and vocabularies: words, characters, BPE, and a ``Vocab`` with special tokens."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from course_utils.validation import check_corpus, check_int

# The BERT family's special tokens; MiniLM's WordPiece vocabulary uses the same strings.
PAD, UNK, CLS, SEP, MASK = "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"
SPECIAL_TOKENS = (PAD, UNK, CLS, SEP, MASK)

_WORD_RE = re.compile(r"\w+(?:'\w+)*|[^\w\s]")


def _check_text(text) -> str:
    if not isinstance(text, str):
        raise TypeError(
            f"expected a string of text, got {type(text).__name__}; "
            "for a list of strings, tokenize each one: [word_tokenize(t) for t in texts]"
        )
    return text


def word_tokenize(text: str, lowercase: bool = True) -> list[str]:
    """Split text into words and punctuation marks: "Don't stop!" -> ["don't", "stop", "!"]."""
    text = _check_text(text)
    return _WORD_RE.findall(text.lower() if lowercase else text)


def char_tokenize(text: str, lowercase: bool = False) -> list[str]:
    """Split text into characters, spaces included: "hi there" -> ["h", "i", " ", ...]."""
    text = _check_text(text)
    return list(text.lower() if lowercase else text)


class Vocab:
    """A token <-> id mapping with special tokens first, then tokens by frequency.

    >>> vocab = Vocab.build([["the", "cat"], ["the", "dog"]])
    >>> vocab.encode(["the", "bird"])        # unknown words map to [UNK]
    [5, 1]
    >>> vocab.decode([5, 1])
    ['the', '[UNK]']

    Ties in frequency are broken alphabetically, so a vocabulary is the same on every run.
    """

    def __init__(self, tokens: Sequence[str], counts: dict[str, int] | None = None,
                 specials: Sequence[str] = SPECIAL_TOKENS):
        if isinstance(tokens, str):
            raise TypeError(f"Vocab takes a list of tokens, not a string (got {tokens[:30]!r}); "
                            "split it first, or build from a corpus: Vocab.build([tokens])")
        if UNK not in specials:
            raise ValueError(f"specials must include {UNK!r} to encode unknown tokens")
        seen: set[str] = set()
        self.itos: list[str] = []
        for tok in list(specials) + list(tokens):
            if tok not in seen:
                seen.add(tok)
                self.itos.append(tok)
        self.stoi: dict[str, int] = {tok: i for i, tok in enumerate(self.itos)}
        self.specials: tuple[str, ...] = tuple(specials)
        self.counts: dict[str, int] = dict(counts or {})

    @classmethod
    def build(cls, corpus: Iterable[Sequence[str]], min_count: int = 1,
              max_size: int | None = None, specials: Sequence[str] = SPECIAL_TOKENS) -> Vocab:
        """Count tokens in ``corpus`` (a list of token lists) and keep the frequent ones.

        ``min_count`` drops rarer tokens; ``max_size`` caps the total size, specials included.
        """
        docs = check_corpus(corpus)
        min_count = check_int(min_count, "min_count", minimum=1)
        if max_size is not None:
            max_size = check_int(max_size, "max_size", minimum=len(specials),
                                 hint=f": it holds the {len(specials)} special tokens too")
        counts = Counter(tok for doc in docs for tok in doc)
        if not counts:
            raise ValueError("cannot build a vocabulary from an empty corpus (no tokens)")
        kept = sorted((t for t, c in counts.items() if c >= min_count and t not in specials),
                      key=lambda t: (-counts[t], t))
        if not kept:
            raise ValueError(
                f"min_count={min_count} removed every token (the most frequent occurs "
                f"{max(counts.values())} times); lower min_count"
            )
        if max_size is not None:
            kept = kept[: max_size - len(specials)]
        return cls(kept, {t: counts[t] for t in kept}, specials)

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, token: object) -> bool:
        return token in self.stoi

    def __repr__(self) -> str:
        return f"Vocab(size={len(self)}, specials={list(self.specials)})"

    @property
    def unk_id(self) -> int:
        return self.stoi[UNK]

    @property
    def pad_id(self) -> int:
        if PAD not in self.stoi:
            raise KeyError(f"this vocabulary has no {PAD!r} token; build it with PAD in specials")
        return self.stoi[PAD]

    def index(self, token: str) -> int:
        """The id of ``token``; unlike ``encode`` an unknown token raises ``KeyError``."""
        if token in self.stoi:
            return self.stoi[token]
        from course_utils._hints import suggestion

        raise KeyError(f"{token!r} is not in the vocabulary ({len(self):,} tokens)"
                       f"{suggestion(token, self.itos)}")

    def encode(self, tokens: Sequence[str]) -> list[int]:
        """Token ids for a list of tokens; unknown tokens become ``[UNK]``'s id."""
        if isinstance(tokens, str):
            raise TypeError(
                "encode takes a list of tokens, not a string; "
                "tokenize first: vocab.encode(word_tokenize(text))"
            )
        unk = self.unk_id
        return [self.stoi.get(tok, unk) for tok in tokens]

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Tokens for a list of ids (ints, or a 1-D numpy array / torch tensor)."""
        if hasattr(ids, "tolist"):
            ids = ids.tolist()
        out = []
        for i in ids:
            if isinstance(i, list):
                raise ValueError("decode takes a 1-D sequence of ids; decode each row of a batch")
            i = _as_id(i)
            if not 0 <= i < len(self):
                raise IndexError(f"id {i} is out of range for a vocabulary of {len(self)} tokens "
                                 f"(valid ids are 0..{len(self) - 1})")
            out.append(self.itos[i])
        return out


def _as_id(value) -> int:
    """An integer token id from an int, a numpy/torch integer, or a whole-number float."""
    import operator

    if not isinstance(value, bool | str):
        try:
            return operator.index(value)
        except TypeError:
            if isinstance(value, float) and value.is_integer():
                return int(value)
    raise TypeError(f"token ids must be whole numbers, got {value!r} "
                    f"({type(value).__name__}); did you pass scores instead of argmax ids?")


def oov_rate(tokens: Sequence[str], vocab: Vocab | Iterable[str]) -> float:
    """The share of ``tokens`` (running text, repeats counted) that are not in ``vocab``."""
    if isinstance(tokens, str):
        raise TypeError("oov_rate takes a list of tokens, not a string; tokenize it first")
    if len(tokens) == 0:
        raise ValueError("oov_rate of an empty token list is undefined; pass some tokens")
    if isinstance(vocab, str):
        raise TypeError("oov_rate takes a Vocab or a collection of known tokens as vocab, "
                        "not a string (whose characters would count as the known tokens)")
    known = vocab.stoi if isinstance(vocab, Vocab) else set(vocab)
    return sum(tok not in known for tok in tokens) / len(tokens)


def train_bpe(corpus: Iterable[Sequence[str]] | Iterable[str], vocab_size: int = 8000,
              min_frequency: int = 2, specials: Sequence[str] = SPECIAL_TOKENS):
    """Train a byte-pair-encoding tokenizer (Sennrich et al. 2016) with HF ``tokenizers``.

    ``corpus`` is a list of token lists (or of strings). Returns a ``tokenizers.Tokenizer``:
    ``tok.encode("unbelievable").tokens`` gives the pieces. Word-internal pieces carry no
    marker; a word's first piece is the one after a space. Deterministic for a given corpus.
    """
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    vocab_size = check_int(vocab_size, "vocab_size", minimum=len(specials) + 1,
                           hint=f": more than the {len(specials)} special tokens")
    if isinstance(corpus, str):
        raise TypeError("train_bpe takes a corpus (a list of token lists or of strings), not "
                        "one string: wrap it as [text]")
    docs = list(corpus)
    lines = [d if isinstance(d, str) else " ".join(check_corpus([d])[0]) for d in docs]
    if not any(line.strip() for line in lines):
        raise ValueError("cannot train BPE on an empty corpus (no text)")
    tok = Tokenizer(models.BPE(unk_token=UNK))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=min_frequency,
                                  special_tokens=list(specials), show_progress=False)
    tok.train_from_iterator(lines, trainer=trainer)
    return tok


def pad_sequences(seqs: Sequence[Sequence[int]], pad_id: int = 0, max_len: int | None = None):
    """Pad id lists to one length: ``(ids, mask)``, two int64 numpy arrays of shape (batch, T).

    ``mask`` is 1 for real tokens and 0 for padding (the "attention mask"). Sequences longer
    than ``max_len`` are truncated on the right.
    """
    import numpy as np

    if isinstance(seqs, str) or len(seqs) == 0:
        raise ValueError("pad_sequences needs a non-empty list of id lists, e.g. [[5, 7], [9]]")
    seqs = [_id_list(seq, row) for row, seq in enumerate(seqs)]
    if max_len is not None:
        max_len = check_int(max_len, "max_len", minimum=1, hint=" (or None: the longest)")
    width = max(len(s) for s in seqs) if max_len is None else max_len
    if width < 1:
        raise ValueError("every sequence is empty: nothing to pad; pass max_len >= 1 for a "
                         "batch of padding only")
    ids = np.full((len(seqs), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(seqs), width), dtype=np.int64)
    for row, seq in enumerate(seqs):
        seq = seq[:width]
        ids[row, : len(seq)] = seq
        mask[row, : len(seq)] = 1
    return ids, mask


def _id_list(seq, row: int) -> list[int]:
    """One sequence of ``pad_sequences`` as a list of ints, or a TypeError saying what is wrong."""
    if isinstance(seq, str) or not hasattr(seq, "__len__"):
        raise TypeError(
            f"pad_sequences takes a list of id lists, e.g. [[5, 7], [9]]; item {row} is "
            f"{seq!r} ({type(seq).__name__}): for one sequence pass [ids], and encode "
            "tokens to ids first with vocab.encode(tokens)")
    if hasattr(seq, "tolist"):
        seq = seq.tolist()
    try:
        return [_as_id(i) for i in seq]
    except TypeError as exc:
        raise TypeError(f"sequence {row} of pad_sequences: {exc}; encode tokens to ids "
                        "first with vocab.encode(tokens)") from None
