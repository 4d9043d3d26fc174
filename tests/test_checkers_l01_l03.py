"""Checkers of lessons 01-03: plausible wrong answers are rejected, right answers in other
dtypes pass, inputs are fresh per call, expected values are never shown, "do not use X" holds.

Keep the wrong answers here, next to each checker's right answers: every new exercise of these
lessons gets its own block.
"""

from __future__ import annotations

import functools
import math
from collections import Counter

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_utils import checks
from tests.nbutils import NOTEBOOK_DIR, load_definitions, solutions_for


def passes(check, fn) -> bool:
    verdict = check(fn)
    assert isinstance(verdict, checks.Verdict)
    return verdict.passed


def test_shared_helpers_give_fresh_seeds_and_find_forbidden_calls():
    assert checks.fresh_rng().integers(1 << 62) != checks.fresh_rng().integers(1 << 62)

    def uses(ids, n):
        return F.one_hot(ids, n).float()

    def assigns(ids, n):
        one_hot = torch.zeros(len(ids), n)  # a variable named like the function is fine
        return one_hot

    assert checks.forbidden_names_used(uses, ["one_hot"]) == ["one_hot"]
    assert checks.forbidden_names_used(assigns, ["one_hot"]) == []
    with checks.forbid_calls([(F, "one_hot")]), pytest.raises(checks.ForbiddenCallError,
                                                              match="not to call one_hot"):
        F.one_hot(torch.tensor([0]), 2)
    assert F.one_hot(torch.tensor([1]), 2).tolist() == [[0, 1]]  # restored afterwards


def memorising(check, make_args_key):
    """An answer that records the right outputs of one call and replays them: fresh inputs
    per call must defeat it."""
    return check, make_args_key


# --------------------------------------------------------------------------- 1.1 one-hot


def good_one_hot(ids, n):
    out = torch.zeros(len(ids), n, dtype=torch.float64)
    out[torch.arange(len(ids)), ids] = 1.0
    return out


def test_one_hot():
    assert passes(checks.check_one_hot, good_one_hot)
    assert passes(checks.check_one_hot, lambda ids, n: good_one_hot(ids, n).float())
    assert passes(checks.check_one_hot, lambda ids, n: torch.eye(n)[ids])
    wrong = [lambda ids, n: F.one_hot(ids, n).float(),  # forbidden
             lambda ids, n: torch.nn.functional.one_hot(ids, n).to(torch.float32),
             lambda ids, n: good_one_hot(ids, n).long(),  # not float
             lambda ids, n: torch.zeros(len(ids), n),
             lambda ids, n: good_one_hot(ids, n + 1),
             lambda ids, n: torch.eye(n)[ids.clamp(max=n - 2)]]  # the last class wrong
    for fn in wrong:
        assert not passes(checks.check_one_hot, fn)
    def plain(ids, n):
        return F.one_hot(ids, n).float()

    assert "not to use one_hot" in checks.check_one_hot(plain).message

    def sneaky(ids, n):  # the name hidden from the source check: caught at run time
        return getattr(F, "one_" + "hot")(ids, n).float()

    assert "not to call one_hot" in checks.check_one_hot(sneaky).message


# --------------------------------------------------------------------------- 1.2 memory


def test_embedding_memory():
    assert passes(checks.check_embedding_memory, lambda v, d, b: v * d * b / 2**20)
    assert passes(checks.check_embedding_memory, lambda v, d, b: np.float32(v * d * b / 2**20))
    assert passes(checks.check_embedding_memory,
                  lambda v, d, b: torch.tensor(v * d * b / 2**20, dtype=torch.float64))
    for fn in [lambda v, d, b: v * d * b / 1e6, lambda v, d, b: v * d / 2**20,
               lambda v, d, b: v * d * b / 2**30, lambda v, d, b: str(v * d * b / 2**20)]:
        assert not passes(checks.check_embedding_memory, fn)


def test_memory_checker_memorised_dict_fails_and_expected_value_is_hidden():
    seen = {}

    def record(v, d, b):
        seen[v, d, b] = v * d * b / 2**20
        return seen[v, d, b]

    assert passes(checks.check_embedding_memory, record)
    verdict = checks.check_embedding_memory(lambda v, d, b: seen.get((v, d, b), 0.0))
    assert not verdict.passed
    assert not any(f"{x:.2f}" in verdict.message for x in seen.values())


# --------------------------------------------------------------------------- 1.3 OOV


def oov_alphabetical(train, test, size):
    counts = Counter(train)
    kept = set(sorted(counts, key=lambda t: (-counts[t], t))[:size])
    return sum(t not in kept for t in test) / len(test)


def test_oov_rate():
    assert passes(checks.check_oov_rate, oov_alphabetical)
    assert passes(checks.check_oov_rate, lambda *a: np.float64(oov_alphabetical(*a)))
    assert passes(checks.check_oov_rate, lambda *a: np.float32(oov_alphabetical(*a))) is False \
        or True  # float32 rounding may miss 1e-9: not required either way

    def most_common(train, test, size):  # insertion-order ties: the wrong answer
        kept = {t for t, _ in Counter(train).most_common(size)}
        return sum(t not in kept for t in test) / len(test)

    def distinct_test(train, test, size):  # repeats not counted
        kept = {t for t, _ in sorted(Counter(train).items(), key=lambda kv: (-kv[1], kv[0]))[:size]}
        return sum(t not in kept for t in set(test)) / len(set(test))

    def reverse_ties(train, test, size):
        counts = Counter(train)
        kept = set(sorted(counts, key=lambda t: (-counts[t], t), reverse=False)[:size + 1])
        return sum(t not in kept for t in test) / len(test)

    for fn in (most_common, distinct_test, reverse_ties):
        assert not passes(checks.check_oov_rate, fn)
    assert most_common(list("bbaac"), ["a"], 1) == 1.0  # the case the checker always includes


# --------------------------------------------------------------------------- 1.4 masked mean


def masked_mean(x, m):
    m = m.unsqueeze(-1).to(x.dtype)
    return (x * m).sum(1) / m.sum(1)


def test_masked_mean():
    assert passes(checks.check_masked_mean, masked_mean)  # float64 inputs come too
    assert passes(checks.check_masked_mean, lambda x, m: masked_mean(x.float(), m))
    assert passes(checks.check_masked_mean, lambda x, m: masked_mean(x.double(), m.bool()))

    def padding_at_end(x, m):  # the wrong answer
        return torch.stack([x[i, : int(m[i].sum())].mean(0) for i in range(len(x))])

    def float32_only(x, m):  # the refused-correct answer of before, made wrong on purpose
        return masked_mean(x, m.float())

    wrong = [padding_at_end, lambda x, m: x.mean(1), lambda x, m: (x * m[..., None]).sum(1),
             lambda x, m: (x * m[..., None]).sum(1) / m.shape[1]]
    for fn in wrong:
        assert not passes(checks.check_masked_mean, fn)
    assert passes(checks.check_masked_mean, float32_only)  # float64 x with a float mask is fine


# --------------------------------------------------------------------------- 1.5 BPE merge


@functools.cache
def _solution_bpe_merge_step():
    lesson = NOTEBOOK_DIR / "01_tokens_to_vectors.ipynb"
    return load_definitions(solutions_for(lesson), ["bpe_merge_step"])["bpe_merge_step"]


def bpe_merge(counts):
    """The solutions notebook's answer to exercise 1.5 (written apart from the checker's
    reference)."""
    return _solution_bpe_merge_step()(counts)


def test_bpe_merge():
    assert passes(checks.check_bpe_merge, bpe_merge)
    assert passes(checks.check_bpe_merge, lambda c: list(bpe_merge(c)))

    def most_common_ties(counts):  # ties by first appearance
        pairs = Counter()
        for w, c in counts.items():
            for p in zip(w, w[1:], strict=False):
                pairs[p] += c
        best = pairs.most_common(1)[0][0]
        return bpe_merge({**counts})[0] if False else (best, bpe_merge(counts)[1])

    def unweighted(counts):  # counts each word once
        return bpe_merge(dict.fromkeys(counts, 1))[0], bpe_merge(counts)[1]

    def overlapping(counts):  # ('a','a','a') -> ('aa','aa')
        best, _ = bpe_merge(counts)
        out = {}
        for w, c in counts.items():
            new = [w[i] + w[i + 1] if w[i:i + 2] == best else w[i] for i in range(len(w))
                   if not (i > 0 and w[i - 1:i + 1] == best and w[i:i + 2] != best)]
            out[tuple(new)] = out.get(tuple(new), 0) + c
        return best, out

    for fn in (most_common_ties, unweighted, overlapping, lambda c: bpe_merge(c)[0]):
        assert not passes(checks.check_bpe_merge, fn)


# --------------------------------------------------------------------------- 1.6 lookup grad


def lookup_grad(ids, upstream, n):
    out = torch.zeros(n, upstream.shape[1], dtype=upstream.dtype)
    return out.index_add(0, ids, upstream)


def test_lookup_gradient():
    assert passes(checks.check_lookup_gradient, lookup_grad)
    assert passes(checks.check_lookup_gradient, lambda i, u, n: lookup_grad(i, u.double(), n))
    assert passes(checks.check_lookup_gradient, lambda i, u, n: lookup_grad(i, u.float(), n))

    def assign(ids, upstream, n):  # repeats overwrite instead of adding up
        out = torch.zeros(n, upstream.shape[1], dtype=upstream.dtype)
        out[ids] = upstream
        return out

    def by_autograd(ids, upstream, n):
        emb = torch.zeros(n, upstream.shape[1], dtype=upstream.dtype, requires_grad=True)
        (emb[ids] * upstream).sum().backward()
        return emb.grad

    for fn in (assign, by_autograd, lambda i, u, n: lookup_grad(i, u, n) / 2,
               lambda i, u, n: u):
        assert not passes(checks.check_lookup_gradient, fn)


# --------------------------------------------------------------------------- 2.1 Xavier


def xavier(v, d, dtype=torch.float32):
    b = math.sqrt(6 / (v + d))
    return (torch.rand(v, d, dtype=dtype) * 2 - 1) * b


def test_xavier_uniform():
    assert passes(checks.check_xavier_uniform, xavier)
    assert passes(checks.check_xavier_uniform, lambda v, d: xavier(v, d, torch.float64))
    wrong = [lambda v, d: xavier(v, d) * 0.955,  # a bound 4.5 % small
             lambda v, d: xavier(v, d) * 1.045,  # and large
             lambda v, d: torch.sign(torch.randn(v, d)) * math.sqrt(6 / (v + d)) / math.sqrt(3),
             lambda v, d: torch.randn(v, d) * math.sqrt(2 / (v + d)),
             lambda v, d: torch.rand(v, d) * math.sqrt(6 / (v + d)),
             lambda v, d: torch.nn.init.xavier_uniform_(torch.empty(v, d))]
    for fn in wrong:
        assert not passes(checks.check_xavier_uniform, fn)


# --------------------------------------------------------------------------- 2.2 LayerNorm


def ln_by_hand(x, w, b, eps):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * w + b


def test_layer_norm():
    assert passes(checks.check_layer_norm, ln_by_hand)
    assert passes(checks.check_layer_norm, lambda x, w, b, e: ln_by_hand(x.double(), w, b, e))
    assert passes(checks.check_layer_norm, lambda x, w, b, e: ln_by_hand(x.float(), w.float(),
                                                                           b.float(), e))
    def centered(x):
        return x - x.mean(-1, keepdim=True)

    def biased_std(x):
        return x.std(-1, keepdim=True, unbiased=False)

    wrong = [lambda x, w, b, e: centered(x) / torch.sqrt(x.var(-1, keepdim=True) + e) * w + b,
             lambda x, w, b, e: centered(x) / (biased_std(x) + e) * w + b,  # eps outside
             lambda x, w, b, e: centered(x) / biased_std(x) * w + b,  # no eps: NaN
             lambda x, w, b, e: F.layer_norm(x, x.shape[-1:], w, b, e),
             lambda x, w, b, e: ln_by_hand(x, w, b, e) - b]
    for fn in wrong:
        assert not passes(checks.check_layer_norm, fn)


# --------------------------------------------------------------------------- 2.3 logit std


def test_tied_logit_std():
    assert passes(checks.check_tied_logit_std, lambda d, s: math.sqrt(d) * s)
    assert passes(checks.check_tied_logit_std, lambda d, s: np.float64(np.sqrt(d) * s))
    assert passes(checks.check_tied_logit_std, lambda d, s: torch.tensor(d ** 0.5 * s))
    for fn in [lambda d, s: s, lambda d, s: d * s, lambda d, s: s / math.sqrt(d),
               lambda d, s: math.sqrt(d) * s * s, lambda d, s: d * s * s]:
        assert not passes(checks.check_tied_logit_std, fn)


# --------------------------------------------------------------------------- 2.4 OOV mean fill


def fill(emb, found):
    out = emb.clone()
    out[~found] = emb[found].mean(0)
    return out


def test_oov_mean_fill():
    assert passes(checks.check_oov_mean_fill, fill)
    assert passes(checks.check_oov_mean_fill, lambda e, f: fill(e.double(), f))
    assert passes(checks.check_oov_mean_fill, lambda e, f: fill(e.float(), f))

    def in_place(emb, found):
        emb[~found] = emb[found].mean(0)
        return emb

    wrong = [in_place, lambda e, f: torch.where(f[:, None], e, e.mean(0)),  # mean over all rows
             lambda e, f: torch.where(f[:, None], e, torch.zeros_like(e)), lambda e, f: e]
    for fn in wrong:
        assert not passes(checks.check_oov_mean_fill, fn)
    assert "in place" in checks.check_oov_mean_fill(in_place).message


# --------------------------------------------------------------------------- 2.5 widening


def widen_q(emb, new_dim, seed):
    g = torch.Generator().manual_seed(seed)
    q, _ = torch.linalg.qr(torch.randn(new_dim, emb.shape[1], generator=g, dtype=torch.float64))
    return (emb.double() @ q.T).to(emb.dtype)


def test_orthogonal_widen():
    assert passes(checks.check_orthogonal_widen, widen_q)
    assert passes(checks.check_orthogonal_widen, lambda e, n, s: widen_q(e, n, s).double())
    assert passes(checks.check_orthogonal_widen, lambda e, n, s: widen_q(e, n, s).float())

    def zero_pad(emb, new_dim, seed):
        return torch.cat([emb, torch.zeros(len(emb), new_dim - emb.shape[1], dtype=emb.dtype)], 1)

    def gaussian(emb, new_dim, seed):
        g = torch.Generator().manual_seed(seed)
        return emb @ (torch.randn(new_dim, emb.shape[1], generator=g, dtype=emb.dtype).T
                      / math.sqrt(new_dim))

    def permuted_pad(emb, new_dim, seed):
        return zero_pad(emb, new_dim, seed)[:, torch.randperm(new_dim)]

    for fn in (zero_pad, gaussian, permuted_pad, lambda e, n, s: widen_q(e, n, s) * 2):
        assert not passes(checks.check_orthogonal_widen, fn)


# --------------------------------------------------------------------------- 2.6 bootstrap


def paired_boot(a, b, level, n_boot, seed):
    d = np.asarray(a) - np.asarray(b)
    rng = np.random.default_rng(seed)
    means = d[rng.integers(0, len(d), size=(n_boot, len(d)))].mean(1)
    return tuple(np.quantile(means, [(1 - level) / 2, (1 + level) / 2]))


def test_paired_bootstrap():
    assert passes(checks.check_paired_bootstrap, paired_boot)
    assert passes(checks.check_paired_bootstrap,
                  lambda *args: [np.float32(v) for v in paired_boot(*args)])
    assert passes(checks.check_paired_bootstrap,
                  lambda *args: torch.tensor(paired_boot(*args)))

    def unpaired(a, b, level, n_boot, seed):
        rng = np.random.default_rng(seed)
        a, b = np.asarray(a), np.asarray(b)
        ma = a[rng.integers(0, len(a), size=(n_boot, len(a)))].mean(1)
        mb = b[rng.integers(0, len(b), size=(n_boot, len(b)))].mean(1)
        return tuple(np.quantile(ma - mb, [(1 - level) / 2, (1 + level) / 2]))

    def always_95(a, b, level, n_boot, seed):
        return paired_boot(a, b, 0.95, n_boot, seed)

    def normal_sem(a, b, level, n_boot, seed):  # +- 1 standard error, whatever the level
        d = np.asarray(a) - np.asarray(b)
        se = d.std(ddof=1) / math.sqrt(len(d))
        return d.mean() - se, d.mean() + se

    for fn in (unpaired, always_95, normal_sem, lambda *a: (0.0, 0.0)):
        assert not passes(checks.check_paired_bootstrap, fn)


# --------------------------------------------------------------------------- 3.1 causal swap


def test_causal_swap():
    right = lambda T, i, j: set(range(i)) | set(range(j + 1, T))  # noqa: E731
    assert passes(checks.check_causal_swap, right)
    assert passes(checks.check_causal_swap, lambda *a: sorted(right(*a)))
    assert passes(checks.check_causal_swap, lambda *a: np.array(sorted(right(*a)), dtype=np.int32))
    wrong = [lambda T, i, j: set(range(T)) - {i, j},  # "only the swapped ones change"
             lambda T, i, j: set(range(i)),  # everything after i changes
             lambda T, i, j: set(),  # bidirectional thinking
             lambda T, i, j: set(range(i)) | set(range(j, T))]
    for fn in wrong:
        assert not passes(checks.check_causal_swap, fn)


def test_causal_swap_answer_is_true_for_causal_attention():
    torch.manual_seed(0)
    T, d = 7, 5
    x = torch.randn(T, d, dtype=torch.float64)
    w = [torch.randn(d, d, dtype=torch.float64) for _ in range(3)]

    def attend(x):
        q, k, v = x @ w[0], x @ w[1], x @ w[2]
        s = (q @ k.T).masked_fill(torch.triu(torch.ones(T, T, dtype=torch.bool), 1), -math.inf)
        return torch.softmax(s, -1) @ v

    i, j = 2, 4
    swapped = x.clone()
    swapped[[i, j]] = x[[j, i]]
    same = {t for t in range(T) if torch.allclose(attend(x)[t], attend(swapped)[t])}
    assert same == set(range(i)) | set(range(j + 1, T))


# --------------------------------------------------------------------------- 3.2 RoPE heads


def rope_heads(x, pos):
    d = x.shape[-1]
    inv = 10000.0 ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)
    ang = pos.double()[:, None] * inv  # (T, d/2)
    cos, sin = ang.cos(), ang.sin()
    x1, x2 = x[..., : d // 2].double(), x[..., d // 2:].double()
    return torch.cat([x1 * cos - x2 * sin, x1 * sin + x2 * cos], -1).to(x.dtype)


def _interleaved(x, pos):
    d = x.shape[-1]
    inv = 10000.0 ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)
    ang = pos.double()[:, None] * inv
    x1, x2 = x[..., 0::2].double(), x[..., 1::2].double()
    out = torch.stack([x1 * ang.cos() - x2 * ang.sin(), x1 * ang.sin() + x2 * ang.cos()], -1)
    return out.flatten(-2).to(x.dtype)


def test_rope_heads():
    from course_utils.positions import rope

    assert passes(checks.check_rope, rope_heads)
    assert passes(checks.check_rope, lambda x, p: rope_heads(x, p).double())
    assert passes(checks.check_rope, lambda x, p: rope_heads(x.float(), p))

    wrong = [_interleaved,  # the paper's adjacent pairs, not split-half
             lambda x, p: rope_heads(x, torch.arange(x.shape[-2])),  # ignores the positions
             lambda x, p: rope_heads(x, p.flip(0)),
             lambda x, p: rope(x, p)]  # forbidden course_utils call
    for fn in wrong:
        assert not passes(checks.check_rope, fn)


# --------------------------------------------------------------------------- 3.3 ALiBi


def test_alibi_slopes():
    assert passes(checks.check_alibi_slopes, lambda n: [2 ** (-8 * (i + 1) / n) for i in range(n)])
    assert passes(checks.check_alibi_slopes,
                  lambda n: np.float32(2.0) ** (-8 * np.arange(1, n + 1) / n))
    assert passes(checks.check_alibi_slopes,
                  lambda n: torch.tensor([2 ** (-8 * (i + 1) / n) for i in range(n)]))
    for fn in [lambda n: [2.0 ** -(i + 1) for i in range(n)],
               lambda n: [2 ** (-8 * i / n) for i in range(n)],
               lambda n: [2 ** (-8 * (i + 1) / n) for i in range(n)][::-1],
               lambda n: [2 ** (-(i + 1) / n) for i in range(n)]]:
        assert not passes(checks.check_alibi_slopes, fn)


# --------------------------------------------------------------------------- 3.4 Toeplitz


def toeplitz(values, T):
    off = torch.arange(T)[None, :] - torch.arange(T)[:, None]
    return values[off + T - 1]


def test_relative_bias():
    assert passes(checks.check_relative_bias, toeplitz)
    assert passes(checks.check_relative_bias, lambda v, T: toeplitz(v.double(), T))
    assert passes(checks.check_relative_bias, lambda v, T: toeplitz(v.float(), T))
    wrong = [lambda v, T: toeplitz(v, T).T,  # i - j instead of j - i
             lambda v, T: toeplitz(v.flip(0), T),
             lambda v, T: v[:T * T].reshape(T, T) if T > 1 else v.reshape(1, 1),
             lambda v, T: toeplitz(v, T) * 0]
    for fn in wrong:
        assert not passes(checks.check_relative_bias, fn)
