"""course_utils.initializers: each scheme's statistics, pretrained and subword init, errors."""

import math

import numpy as np
import pytest
import torch
from gensim.models import KeyedVectors

from course_utils.initializers import (
    SCHEMES,
    add_tokens,
    embedding_multiplier,
    init_embedding,
    neighbor_overlap,
    pretrained_init,
    subword_init,
    widen,
)
from course_utils.text import Vocab, train_bpe

V, D = 4000, 50
EXPECTED_STD = {
    "normal": 1.0, "gpt2": 0.02, "xavier_normal": math.sqrt(2 / (V + D)),
    "xavier_uniform": math.sqrt(6 / (V + D)) / math.sqrt(3), "kaiming": math.sqrt(2 / D),
    "word2vec": 0.5 / D / math.sqrt(3), "zeros": 0.0, "transformer": 1 / math.sqrt(D),
}


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_scheme_std_mean_and_shape(scheme):
    emb = init_embedding(V, D, scheme, seed=1)
    assert emb.shape == (V, D) and emb.dtype == torch.float32
    assert emb.std().item() == pytest.approx(EXPECTED_STD[scheme], rel=0.02, abs=1e-9)
    assert abs(emb.mean().item()) < 0.02 * max(EXPECTED_STD[scheme], 1e-9) + 1e-9


def test_kaiming_matches_torch_for_an_embedding_shaped_weight():
    w = torch.empty(V, D)
    torch.nn.init.kaiming_normal_(w)
    assert init_embedding(V, D, "kaiming").std().item() == pytest.approx(w.std().item(), rel=0.03)


def test_xavier_matches_torch():
    for name, fn in [("xavier_normal", torch.nn.init.xavier_normal_),
                     ("xavier_uniform", torch.nn.init.xavier_uniform_)]:
        w = fn(torch.empty(V, D))
        assert init_embedding(V, D, name).std().item() == pytest.approx(w.std().item(), rel=0.03)


def test_uniform_schemes_respect_their_bounds():
    assert init_embedding(V, D, "word2vec").abs().max().item() <= 0.5 / D
    assert init_embedding(V, D, "xavier_uniform").abs().max().item() <= math.sqrt(6 / (V + D))


def test_seed_makes_it_reproducible_and_leaves_the_global_rng_alone():
    torch.manual_seed(0)
    before = torch.rand(1)
    torch.manual_seed(0)
    a = init_embedding(10, 4, "gpt2", seed=3)
    assert torch.equal(torch.rand(1), before)
    assert torch.equal(a, init_embedding(10, 4, "gpt2", seed=3))
    assert not torch.equal(a, init_embedding(10, 4, "gpt2", seed=4))


def test_multiplier():
    assert embedding_multiplier("transformer", 64) == 8.0
    assert embedding_multiplier("gpt2", 64) == 1.0
    scaled = init_embedding(V, 64, "transformer") * embedding_multiplier("transformer", 64)
    assert scaled.std().item() == pytest.approx(1.0, rel=0.02)


@pytest.mark.parametrize("args,match", [
    ((0, 4, "normal"), "num_embeddings must be an int >= 1, got 0"),
    ((4, -1, "normal"), "dim must be an int >= 1, got -1"),
    ((4, 4, "gaussian"), "unknown scheme 'gaussian' .known: normal, gpt2"),
    ((4.0, 4, "normal"), "num_embeddings must be an int, got 4.0")])
def test_init_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        init_embedding(*args)


def test_unknown_scheme_suggests_a_name():
    with pytest.raises(ValueError, match="did you mean 'kaiming'"):
        init_embedding(4, 4, "kaimin")
    with pytest.raises(ValueError, match="seed must be an int >= 0, got -1: try seed=0"):
        init_embedding(4, 4, "gpt2", seed=-1)
    with pytest.raises(ValueError, match="unknown scheme 'nope'"):
        embedding_multiplier("nope", 4)


# --------------------------------------------------------------------------- pretrained


@pytest.fixture()
def kv():
    kv = KeyedVectors(3)
    kv.add_vectors(["good", "bad", "movie"],
                   np.array([[1, 0, 0], [0, 2, 0], [0, 0, 3]], dtype=np.float32))
    return kv


def test_pretrained_init_copies_found_vectors_and_reports_coverage(kv):
    vocab = Vocab.build([["good", "movie", "movie", "zzz"]])
    emb, report = pretrained_init(vocab, kv, oov="zeros")
    assert emb.shape == (len(vocab), 3)
    assert torch.equal(emb[vocab.index("movie")], torch.tensor([0.0, 0, 3]))
    assert torch.equal(emb[vocab.pad_id], torch.zeros(3))
    # 5 specials minus [PAD] + 3 words = 7 entries considered; 2 found
    assert (report.n_tokens, report.n_found) == (7, 2)
    assert report.coverage == pytest.approx(2 / 7)
    assert report.token_coverage == pytest.approx(3 / 4)  # counts: movie 2, good 1, zzz 1
    assert "zzz" in report.missing and "[PAD]" not in report.missing
    assert "2 of 7" in str(report)


def test_oov_policies(kv):
    tokens = ["good", "bad", "movie", "unseen", "other"]
    mean, _ = pretrained_init(tokens, kv, oov="mean")
    assert torch.allclose(mean[3], torch.tensor([1 / 3, 2 / 3, 1.0]))
    rand, report = pretrained_init(tokens, kv, oov="random", seed=0)
    assert rand[3].norm().item() == pytest.approx(2.0, rel=1e-5)  # mean norm of 1, 2, 3
    assert not torch.allclose(rand[3], rand[4])
    assert report.token_coverage is None and report.coverage == pytest.approx(0.6)
    again, _ = pretrained_init(tokens, kv, oov="random", seed=0)
    assert torch.equal(rand, again)


def test_pretrained_init_bad_input(kv):
    with pytest.raises(ValueError, match="oov policy"):
        pretrained_init(["good"], kv, oov="ignore")
    with pytest.raises(ValueError, match="empty"):
        pretrained_init([], kv)
    with pytest.raises(TypeError, match="not a string"):
        pretrained_init("good", kv)
    with pytest.raises(TypeError, match="KeyedVectors"):
        pretrained_init(["good"], {"good": [1, 2, 3]})


# --------------------------------------------------------------------------- subwords


def test_subword_init_is_the_mean_of_piece_rows():
    bpe = train_bpe([["lower", "lowest", "newer", "newest", "wide", "widest"]] * 20,
                    vocab_size=40)
    table = torch.randn(bpe.get_vocab_size(), 6, generator=torch.Generator().manual_seed(0))
    got = subword_init(["lowest", "widerr"], bpe, table)
    for row, word in zip(got, ["lowest", "widerr"], strict=True):
        ids = bpe.encode(word, add_special_tokens=False).ids
        assert torch.allclose(row, table[ids].mean(0))


def test_subword_init_with_a_wordpiece_tokenizer():
    from course_utils.data import load_minilm_tokenizer

    tok = load_minilm_tokenizer()
    table = torch.randn(tok.vocab_size, 4, generator=torch.Generator().manual_seed(0))
    ids = tok.convert_tokens_to_ids(tok.tokenize("embeddingz"))
    assert len(ids) > 1
    assert torch.allclose(subword_init(["embeddingz"], tok, table)[0], table[ids].mean(0))


def test_subword_init_bad_input():
    bpe = train_bpe([["abc", "abd"]] * 5, vocab_size=30)
    table = torch.zeros(bpe.get_vocab_size(), 3)
    with pytest.raises(TypeError, match="list of words"):
        subword_init("abc", bpe, table)
    with pytest.raises(ValueError, match="empty"):
        subword_init([], bpe, table)
    with pytest.raises(ValueError, match="non-empty"):
        subword_init([""], bpe, table)
    with pytest.raises(ValueError, match="shape"):
        subword_init(["abc"], bpe, torch.zeros(5))
    with pytest.raises(ValueError, match="outside"):
        subword_init(["abc"], bpe, torch.zeros(2, 3))
    with pytest.raises(TypeError, match="tokenizer"):
        subword_init(["abc"], object(), table)


# --------------------------------------------------------------------------- growing


def test_add_tokens():
    table = torch.randn(100, 8, generator=torch.Generator().manual_seed(0))
    grown = add_tokens(table, 3, "mean")
    assert grown.shape == (103, 8) and torch.equal(grown[:100], table)
    assert torch.allclose(grown[100], table.mean(0)) and torch.equal(grown[100], grown[102])
    rand = add_tokens(table, 3, "random", seed=1)
    assert rand[100:].std().item() == pytest.approx(table.std().item(), rel=0.5)
    with pytest.raises(ValueError, match="n_new must be an int >= 1, got 0"):
        add_tokens(table, 0)
    with pytest.raises(ValueError, match="method"):
        add_tokens(table, 1, "copy")
    with pytest.raises(ValueError, match=r"\(V, d\)"):
        add_tokens(torch.zeros(3), 1)


def test_widen_zeros_keeps_every_dot_product_and_projection_roughly():
    table = torch.randn(300, 20, generator=torch.Generator().manual_seed(0))
    padded = widen(table, 64)
    assert padded.shape == (300, 64) and torch.allclose(padded @ padded.T, table @ table.T)
    assert neighbor_overlap(table, padded, k=5) == 1.0
    proj = widen(table, 2000, "random_projection", seed=0)
    assert proj.shape == (300, 2000)
    assert 0.6 < neighbor_overlap(table, proj, k=5) < 1.0
    assert neighbor_overlap(table, widen(table, 20, "random_projection"), k=5) < \
        neighbor_overlap(table, proj, k=5)
    with pytest.raises(ValueError, match="smaller"):
        widen(table, 10)
    with pytest.raises(ValueError, match="method"):
        widen(table, 30, "pca")


def test_neighbor_overlap_reference_and_errors():
    a = torch.tensor([[1.0, 0], [0.9, 0.1], [0, 1], [0.1, 0.9]])
    assert neighbor_overlap(a, a, k=1) == 1.0
    b = torch.tensor([[1.0, 0], [0, 1], [0.9, 0.1], [0.1, 0.9]])  # pairs swapped
    assert neighbor_overlap(a, b, k=1) == 0.0
    with pytest.raises(ValueError, match="same n"):
        neighbor_overlap(a, a[:3])
    with pytest.raises(ValueError, match="k must"):
        neighbor_overlap(a, a, k=4)


def test_widen_orthogonal_keeps_every_dot_product_and_fills_every_coordinate():
    table = torch.randn(50, 8, generator=torch.Generator().manual_seed(0))
    wide = widen(table, 30, "orthogonal", seed=1)
    assert wide.shape == (50, 30) and wide.dtype == table.dtype
    assert torch.allclose(wide @ wide.T, table @ table.T, atol=1e-4)
    assert (wide.norm(dim=0) > 1e-3).all()  # no dead coordinate, unlike zero padding
    assert (widen(table, 30).norm(dim=0) == 0).sum() == 22
    assert not torch.allclose(widen(table, 30, "orthogonal", seed=2), wide)  # seeded
    with pytest.raises(ValueError, match="choose 'zeros', 'random_projection' or 'orthogonal'"):
        widen(table, 30, "pca")
