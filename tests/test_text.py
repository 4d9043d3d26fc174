import numpy as np
import pytest
import torch

from course_utils.text import (
    PAD,
    SPECIAL_TOKENS,
    UNK,
    Vocab,
    char_tokenize,
    oov_rate,
    pad_sequences,
    train_bpe,
    word_tokenize,
)

CORPUS = [["the", "cat", "sat"], ["the", "dog", "sat"], ["a", "bird"]]


def test_word_tokenize_keeps_contractions_and_splits_punctuation():
    assert word_tokenize("Don't stop, NOW!") == ["don't", "stop", ",", "now", "!"]
    assert word_tokenize("Hi", lowercase=False) == ["Hi"]
    assert word_tokenize("") == []


def test_char_tokenize():
    assert char_tokenize("Hi a") == ["H", "i", " ", "a"]
    assert char_tokenize("Hi", lowercase=True) == ["h", "i"]


@pytest.mark.parametrize("fn", [word_tokenize, char_tokenize])
def test_tokenizers_reject_non_strings(fn):
    with pytest.raises(TypeError, match="expected a string"):
        fn(["a", "list"])


def test_vocab_puts_specials_first_then_frequency_then_alphabet():
    vocab = Vocab.build(CORPUS)
    assert vocab.itos[:5] == list(SPECIAL_TOKENS)
    assert vocab.itos[5:] == ["sat", "the", "a", "bird", "cat", "dog"]
    assert len(vocab) == 11 and "cat" in vocab and "cow" not in vocab
    assert vocab.pad_id == 0 and vocab.unk_id == 1


def test_vocab_encode_decode_roundtrip_and_unknowns():
    vocab = Vocab.build(CORPUS)
    ids = vocab.encode(["the", "cow", "sat"])
    assert ids == [vocab.index("the"), vocab.unk_id, vocab.index("sat")]
    assert vocab.decode(ids) == ["the", UNK, "sat"]
    assert vocab.decode(torch.tensor(ids)) == vocab.decode(np.array(ids))
    assert vocab.encode([]) == []


def test_vocab_min_count_and_max_size():
    assert Vocab.build(CORPUS, min_count=2).itos[5:] == ["sat", "the"]
    assert len(Vocab.build(CORPUS, max_size=7)) == 7


def test_vocab_index_unknown_word_suggests_a_fix():
    vocab = Vocab.build(CORPUS)
    with pytest.raises(KeyError, match="did you mean 'bird'"):
        vocab.index("birds")


def test_vocab_bad_input_errors():
    with pytest.raises(ValueError, match="empty corpus"):
        Vocab.build([])
    with pytest.raises(ValueError, match="empty corpus"):
        Vocab.build([[], []])
    with pytest.raises(TypeError, match="one string"):
        Vocab.build("the cat sat")
    with pytest.raises(TypeError, match="document 1"):
        Vocab.build([["ok"], "not a list"])
    with pytest.raises(ValueError, match="removed every token"):
        Vocab.build(CORPUS, min_count=10)
    with pytest.raises(ValueError, match="min_count"):
        Vocab.build(CORPUS, min_count=0)
    with pytest.raises(ValueError, match="max_size must be an int >= 5, got 3: it holds the 5 "):
        Vocab.build(CORPUS, max_size=3)
    with pytest.raises(ValueError, match="must include"):
        Vocab(["a"], specials=[PAD])
    vocab = Vocab.build(CORPUS)
    with pytest.raises(TypeError, match="not a string"):
        vocab.encode("the cat")
    with pytest.raises(IndexError, match="valid ids are 0..10"):
        vocab.decode([3, 11])
    with pytest.raises(ValueError, match="1-D"):
        vocab.decode([[1, 2]])
    with pytest.raises(KeyError, match="no '\\[PAD\\]'"):
        _ = Vocab.build(CORPUS, specials=[UNK]).pad_id


def test_oov_rate_counts_running_tokens():
    vocab = Vocab.build(CORPUS)
    assert oov_rate(["the", "cow", "cow", "cat"], vocab) == 0.5
    assert oov_rate(["x"], {"x"}) == 0.0
    with pytest.raises(ValueError, match="empty"):
        oov_rate([], vocab)
    with pytest.raises(TypeError, match="not a string"):
        oov_rate("the cat", vocab)


def test_train_bpe_learns_pieces_and_is_deterministic():
    corpus = [["lower", "lowest", "newer", "newest", "wider", "widest"]] * 50
    tok = train_bpe(corpus, vocab_size=60, min_frequency=2)
    assert tok.get_vocab_size() <= 60
    assert tok.token_to_id(UNK) is not None
    pieces = tok.encode("slowest").tokens
    assert len(pieces) > 1 and "".join(pieces) == "slowest"
    again = train_bpe(corpus, vocab_size=60, min_frequency=2)
    assert tok.to_str() == again.to_str()
    assert train_bpe(["lower lowest"] * 10, vocab_size=30).encode("low").tokens


def test_train_bpe_marks_unseen_characters_unknown():
    tok = train_bpe([["abc", "abd"]] * 10, vocab_size=20)
    assert tok.encode("abz").tokens[-1] == UNK


def test_train_bpe_bad_input():
    with pytest.raises(ValueError, match="empty corpus"):
        train_bpe([[], []])
    with pytest.raises(ValueError, match="vocab_size must be an int >= 6, got 3: more than the 5"):
        train_bpe(CORPUS, vocab_size=3)


def test_pad_sequences_shapes_mask_and_truncation():
    ids, mask = pad_sequences([[5, 6, 7], [8]], pad_id=0)
    assert ids.tolist() == [[5, 6, 7], [8, 0, 0]]
    assert mask.tolist() == [[1, 1, 1], [1, 0, 0]]
    assert ids.dtype == np.int64
    ids, mask = pad_sequences([[5, 6, 7], [8]], pad_id=9, max_len=2)
    assert ids.tolist() == [[5, 6], [8, 9]] and mask.tolist() == [[1, 1], [1, 0]]


def test_pad_sequences_bad_input():
    with pytest.raises(ValueError, match="non-empty list"):
        pad_sequences([])
    with pytest.raises(ValueError, match=r"max_len must be an int >= 1, got 0 \(or None"):
        pad_sequences([[1]], max_len=0)
    with pytest.raises(ValueError, match="every sequence is empty: nothing to pad"):
        pad_sequences([[], []])
