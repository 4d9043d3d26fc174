"""course_utils.positions against independent computations, and its errors."""

import math

import numpy as np
import pytest
import torch

from course_utils.positions import (
    alibi_bias,
    alibi_slopes,
    bert_input_embeddings,
    check_sequence_length,
    max_positions,
    relative_position_bucket,
    relative_positions,
    rope,
    rope_frequencies,
    sinusoidal,
)

# --------------------------------------------------------------------------- sinusoidal


def test_sinusoidal_values_at_known_positions():
    pe = sinusoidal(50, 8)
    assert pe.shape == (50, 8) and pe.dtype == torch.float32
    assert torch.equal(pe[0], torch.tensor([0.0, 1, 0, 1, 0, 1, 0, 1]))
    # position 1, pair 0: sin(1), cos(1); pair 1 has frequency 10000**(-2/8) = 0.1
    assert pe[1, 0].item() == pytest.approx(math.sin(1.0), abs=1e-7)
    assert pe[1, 1].item() == pytest.approx(math.cos(1.0), abs=1e-7)
    assert pe[7, 2].item() == pytest.approx(math.sin(0.7), abs=1e-7)
    assert pe[7, 3].item() == pytest.approx(math.cos(0.7), abs=1e-7)
    assert pe[49, 7].item() == pytest.approx(math.cos(49 * 10000 ** (-6 / 8)), abs=1e-6)


def test_sinusoidal_dot_product_depends_only_on_offset():
    pe = sinusoidal(200, 64).double()
    for k in (1, 5, 17):
        dots = (pe[:-k] * pe[k:]).sum(1)
        assert torch.allclose(dots, dots[0].expand_as(dots), atol=1e-5)


def test_sinusoidal_shift_is_a_rotation():
    pe, k = sinusoidal(100, 16).double(), 7
    theta = k * rope_frequencies(16)
    for i, t in enumerate(theta):
        c, s = math.cos(t), math.sin(t)
        rot = torch.tensor([[c, -s], [s, c]], dtype=torch.float64)  # [sin, cos] row vectors
        assert torch.allclose(pe[:-k, 2 * i:2 * i + 2] @ rot, pe[k:, 2 * i:2 * i + 2], atol=1e-5)


@pytest.mark.parametrize("args,match", [
    ((-1, 8), "n_positions must be an int >= 0, got -1"),
    ((10, 7), "even dimension >= 2 .* got dim=7: try dim=8"),
    ((10, 0), "got dim=0"), ((10, 8.0), "got dim=8.0"),
    ((2.5, 8), "n_positions must be an int, got 2.5"),
    ((True, 8), "n_positions must be an int, got True")])
def test_sinusoidal_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        sinusoidal(*args)


def test_sinusoidal_empty_and_bad_base():
    assert sinusoidal(0, 4).shape == (0, 4)
    with pytest.raises(ValueError, match="base"):
        sinusoidal(4, 4, base=1)


# --------------------------------------------------------------------------- RoPE


def _rope_by_loops(x, positions, base=10000.0):
    """The paper's formula, one 2x2 rotation per adjacent pair, in plain Python."""
    T, d = x.shape
    out = np.zeros_like(x, dtype=np.float64)
    for t in range(T):
        for i in range(d // 2):
            a = positions[t] * base ** (-2 * i / d)
            x1, x2 = x[t, 2 * i], x[t, 2 * i + 1]
            out[t, 2 * i] = x1 * math.cos(a) - x2 * math.sin(a)
            out[t, 2 * i + 1] = x1 * math.sin(a) + x2 * math.cos(a)
    return out


def test_rope_interleaved_matches_the_formula():
    x = np.random.default_rng(0).standard_normal((6, 8))
    pos = [0, 1, 2, 5, 10, 100]
    got = rope(x, pos, interleaved=True)
    assert isinstance(got, np.ndarray)
    assert np.allclose(got, _rope_by_loops(x, pos), atol=1e-10)


def test_rope_split_half_matches_hugging_face_llama():
    from transformers.models.llama.modeling_llama import apply_rotary_pos_emb

    gen = torch.Generator().manual_seed(0)
    q, k = torch.randn(1, 2, 5, 16, generator=gen), torch.randn(1, 2, 5, 16, generator=gen)
    pos = torch.arange(5)
    inv = rope_frequencies(16).float()
    freqs = pos[:, None].float() * inv[None]
    emb = torch.cat([freqs, freqs], -1)[None]
    q_hf, k_hf = apply_rotary_pos_emb(q, k, emb.cos(), emb.sin())
    assert torch.allclose(rope(q), q_hf, atol=1e-5)
    assert torch.allclose(rope(k), k_hf, atol=1e-5)


def test_rope_conventions_are_a_permutation_of_each_other():
    d = 12
    x = torch.randn(3, 7, d, generator=torch.Generator().manual_seed(1))
    perm = torch.stack([torch.arange(d // 2), torch.arange(d // 2) + d // 2], 1).flatten()
    inv = torch.argsort(perm)
    assert torch.allclose(rope(x), rope(x[..., perm], interleaved=True)[..., inv], atol=1e-6)


@pytest.mark.parametrize("interleaved", [True, False])
def test_rope_score_depends_only_on_offset_and_keeps_norms(interleaved):
    gen = torch.Generator().manual_seed(2)
    q, k = torch.randn(1, 32, generator=gen).double(), torch.randn(1, 32, generator=gen).double()
    scores = {}
    for m, n in [(3, 1), (12, 10), (102, 100), (5, 9), (44, 48)]:
        qm = rope(q, [m], interleaved=interleaved)
        kn = rope(k, [n], interleaved=interleaved)
        scores.setdefault(m - n, []).append((qm @ kn.T).item())
        assert torch.allclose(qm.norm(), q.norm())
    for vals in scores.values():
        assert max(vals) - min(vals) < 1e-9
    assert abs(scores[2][0] - scores[-4][0]) > 1e-6  # and it does depend on the offset


def test_rope_position_zero_is_identity_and_ints_become_floats():
    x = torch.arange(8).reshape(2, 4)
    assert torch.equal(rope(x, [0, 0]), x.float())


@pytest.mark.parametrize("bad,exc", [
    (torch.zeros(4, 7), ValueError),     # odd dim
    (torch.zeros(5), ValueError),        # no T axis
    ([[1.0, 2.0]], TypeError),           # a list
])
def test_rope_bad_input(bad, exc):
    with pytest.raises(exc):
        rope(bad)


def test_rope_positions_must_match_length():
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        rope(torch.zeros(3, 4), positions=[0, 1])


# --------------------------------------------------------------------------- ALiBi


def test_alibi_slopes_for_powers_of_two():
    assert alibi_slopes(8).tolist() == [1 / 2 ** i for i in range(1, 9)]
    assert alibi_slopes(16).tolist() == pytest.approx([2 ** (-0.5 * i) for i in range(1, 17)])
    assert alibi_slopes(1).tolist() == [2 ** -8]


def test_alibi_slopes_for_other_counts_follow_the_paper_code():
    # the reference implementation from github.com/ofirpress/attention_with_linear_biases
    def get_slopes(n):
        def power_of_2(n):
            start = 2 ** (-2 ** -(math.log2(n) - 3))
            return [start * start ** i for i in range(n)]
        if math.log2(n).is_integer():
            return power_of_2(n)
        closest = 2 ** math.floor(math.log2(n))
        return power_of_2(closest) + get_slopes(2 * closest)[0::2][: n - closest]

    for n in (3, 6, 12, 20):
        assert alibi_slopes(n).tolist() == pytest.approx(get_slopes(n))


def test_alibi_bias_values_and_mask():
    bias = alibi_bias(2, 4)
    assert bias.shape == (2, 4, 4)
    assert bias[0, 3, 0].item() == pytest.approx(-0.0625 * 3)  # slope 2**-4 for 2 heads
    assert bias[1, 2, 1].item() == pytest.approx(-2 ** -8)
    assert torch.isinf(bias[0, 0, 1]) and torch.all(torch.diagonal(bias, dim1=1, dim2=2) == 0)
    sym = alibi_bias(2, 4, causal=False)
    assert torch.allclose(sym, sym.transpose(1, 2)) and torch.isfinite(sym).all()


def test_alibi_bias_only_shifts_each_row_so_softmax_ignores_absolute_position():
    bias = alibi_bias(4, 10)
    # rows i and i+1 restricted to keys they share at the same offsets: identical biases
    assert torch.allclose(bias[:, 5, 2:6], bias[:, 8, 5:9])


@pytest.mark.parametrize("args,match", [
    ((0, 4), "n_heads must be an int >= 1, got 0"), ((-2, 4), "n_heads must be an int >= 1"),
    ((8, -1), "seq_len must be an int >= 0, got -1"), ((8.0, 4), "got 8.0")])
def test_alibi_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        alibi_bias(*args)


# --------------------------------------------------------------------------- T5 buckets


@pytest.mark.parametrize("bidirectional", [True, False])
@pytest.mark.parametrize("num_buckets,max_distance", [(32, 128), (16, 64), (8, 20)])
def test_buckets_match_hugging_face_t5(bidirectional, num_buckets, max_distance):
    from transformers.models.t5.modeling_t5 import T5Attention

    rel = relative_positions(40, 300)
    expected = T5Attention._relative_position_bucket(
        rel, bidirectional=bidirectional, num_buckets=num_buckets, max_distance=max_distance)
    got = relative_position_bucket(rel, bidirectional, num_buckets, max_distance)
    assert torch.equal(got, expected)


def test_buckets_small_distances_are_exact():
    got = relative_position_bucket(torch.arange(-7, 8))
    assert got.tolist() == [7, 6, 5, 4, 3, 2, 1, 0, 17, 18, 19, 20, 21, 22, 23]
    assert relative_position_bucket([[-1000, 1000]]).tolist() == [[15, 31]]


def test_relative_positions():
    assert relative_positions(2, 3).tolist() == [[0, 1, 2], [-1, 0, 1]]


@pytest.mark.parametrize("kwargs,match", [
    ({"num_buckets": 0}, "num_buckets must be an int >= 2, got 0"),
    ({"num_buckets": 2}, "bidirectional buckets need num_buckets >= 4, got 2"),
    ({"max_distance": 4, "num_buckets": 32}, "max_distance .4. must exceed the 8 exact buckets")])
def test_bucket_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        relative_position_bucket(torch.tensor([1, 2]), **kwargs)


def test_bucket_rejects_float_positions_and_bad_lengths():
    with pytest.raises(ValueError, match="integers"):
        relative_position_bucket(torch.tensor([0.5]))
    with pytest.raises(ValueError, match="query_len must be an int >= 0, got -1"):
        relative_positions(-1, 3)


# --------------------------------------------------------------------------- learned (BERT)


@pytest.fixture(scope="module")
def minilm():
    from course_utils.data import load_minilm

    return load_minilm(device="cpu")


def test_max_positions_and_a_clear_error_past_them(minilm):
    tokenizer, model = minilm
    assert max_positions(model) == 512
    assert check_sequence_length(model, 512) == 512
    assert check_sequence_length(model, torch.zeros(2, 10)) == 10
    with pytest.raises(ValueError, match="513 tokens.*512 positions.*truncation=True"):
        check_sequence_length(model, 513)
    with pytest.raises(ValueError, match="length must be an int >= 0, got -3"):
        check_sequence_length(model, -3)
    with pytest.raises(ValueError, match="BERT-style"):
        max_positions(torch.nn.Linear(2, 2))


def test_bert_input_embeddings_equal_the_models_own(minilm):
    tokenizer, model = minilm
    batch = tokenizer(["The bank raised rates."], ["It was a surprise."], return_tensors="pt")
    with torch.no_grad():
        expected = model.embeddings(input_ids=batch["input_ids"],
                                    token_type_ids=batch["token_type_ids"])
        got = bert_input_embeddings(model, batch["input_ids"], batch["token_type_ids"])
        one = bert_input_embeddings(model, batch["input_ids"][0])
    assert torch.allclose(got, expected, atol=1e-6)
    assert one.shape == (1, batch["input_ids"].shape[1], 384)
    with pytest.raises(ValueError, match="512 positions"):
        bert_input_embeddings(model, torch.zeros(1, 600, dtype=torch.long))
    with pytest.raises(ValueError, match=r"\(B, T\)"):
        bert_input_embeddings(model, torch.zeros(1, 2, 3, dtype=torch.long))


def test_rope_scaled_frequencies_follow_each_method():
    from course_utils.positions import (
        rope_frequencies,
        rope_scaled_frequencies,
        yarn_attention_scale,
    )

    d, L, s = 128, 4096, 4.0
    inv = rope_frequencies(d)
    assert torch.equal(rope_scaled_frequencies(d, factor=s), inv)  # "none"
    assert torch.allclose(rope_scaled_frequencies(d, factor=s, method="linear"), inv / s)
    ntk = rope_scaled_frequencies(d, factor=s, method="ntk")
    assert ntk[0] == inv[0] and torch.isclose(ntk[-1], inv[-1] / s)  # ends kept / interpolated
    assert ((ntk / inv)[1:] < 1).all() and ((ntk / inv).diff() < 0).all()
    yarn = rope_scaled_frequencies(d, factor=s, method="yarn", original_max_position=L)
    turns = L * inv / (2 * math.pi)  # rotations over the trained context
    assert torch.equal(yarn[turns > 32], inv[turns > 32])  # fast pairs untouched
    assert torch.allclose(yarn[turns < 1], inv[turns < 1] / s)  # slow pairs interpolated
    ratio = yarn / inv
    assert (ratio.diff() <= 1e-12).all() and ((ratio > 1 / s - 1e-12) & (ratio < 1 + 1e-12)).all()
    assert yarn_attention_scale(1.0) == 1.0
    assert yarn_attention_scale(s) == pytest.approx((0.1 * math.log(4) + 1) ** 2)


@pytest.mark.parametrize("kwargs,match", [
    ({"factor": 0.5}, r"factor must be >= 1, got 0.5 \(new length / trained length\)"),
    ({"factor": 2.0, "method": "dynamic"}, "unknown RoPE scaling 'dynamic'"),
    ({"factor": 2.0, "method": "yarn", "original_max_position": 0}, "original_max_position"),
])
def test_rope_scaled_frequencies_rejects_bad_settings(kwargs, match):
    from course_utils.positions import rope_scaled_frequencies

    with pytest.raises(ValueError, match=match):
        rope_scaled_frequencies(64, **kwargs)


# --------------------------------------------------------------------------- issue 17: mutants


@pytest.mark.parametrize("bidirectional", [True, False])
def test_buckets_default_arguments_match_hugging_face_t5(bidirectional):
    # T5's defaults (32 buckets, max distance 128), every distance up to well past 128:
    # a changed default moves the log-scale buckets (unidirectional uses all 32 buckets)
    from transformers.models.t5.modeling_t5 import T5Attention

    rel = torch.arange(-400, 401)
    expected = T5Attention._relative_position_bucket(rel, bidirectional=bidirectional)
    assert torch.equal(relative_position_bucket(rel, bidirectional=bidirectional), expected)


@pytest.mark.parametrize("bidirectional,num_buckets,max_distance", [
    (True, 4, 2), (True, 4, 3), (True, 5, 3), (False, 2, 2), (False, 2, 5), (False, 3, 2)])
def test_buckets_smallest_settings_that_work_match_hugging_face_t5(
        bidirectional, num_buckets, max_distance):
    # bidirectional needs num_buckets >= 4 (4 works), and max_distance just above the
    # max_exact = num_buckets // 2 (// 4 when bidirectional) exact buckets works
    from transformers.models.t5.modeling_t5 import T5Attention

    rel = torch.arange(-12, 13)
    expected = T5Attention._relative_position_bucket(
        rel, bidirectional=bidirectional, num_buckets=num_buckets, max_distance=max_distance)
    got = relative_position_bucket(rel, bidirectional, num_buckets, max_distance)
    assert torch.equal(got, expected)


@pytest.mark.parametrize("kwargs,match", [
    # max_distance equal to the exact buckets would divide by log(1) = 0
    ({"num_buckets": 32, "max_distance": 8}, r"max_distance \(8\) must exceed the 8 exact"),
    ({"num_buckets": 8, "max_distance": 4, "bidirectional": False},
     r"max_distance \(4\) must exceed the 4 exact"),
    ({"num_buckets": 3}, "bidirectional buckets need num_buckets >= 4, got 3"),
    # max_distance=1 never fits (there is always one exact bucket): the message says why
    ({"num_buckets": 2, "max_distance": 1, "bidirectional": False},
     r"max_distance \(1\) must exceed the 1 exact buckets; raise max_distance")])
def test_bucket_boundary_settings_are_refused_with_the_reason(kwargs, match):
    with pytest.raises(ValueError, match=match):
        relative_position_bucket(torch.tensor([1, -2]), **kwargs)


def test_rope_refuses_torch_bool_positions():
    # numpy bools are caught by dtype.kind; torch dtypes have no .kind, so the bool test is
    # what refuses them (else True/False would silently become positions 1/0)
    with pytest.raises(TypeError, match="positions must be numbers .* got dtype torch.bool"):
        rope(torch.zeros(2, 4), positions=torch.tensor([True, False]))
    with pytest.raises(TypeError, match="got dtype bool"):
        rope(torch.zeros(2, 4), positions=np.array([True, False]))
