"""How models know order: sinusoidal, rotary (RoPE), ALiBi and T5 relative positions.

Everything returns torch tensors (``rope`` returns what it was given: numpy or torch).
Shapes: ``T`` positions, ``d`` dimensions, ``H`` heads.

>>> sinusoidal(4, 6).shape
torch.Size([4, 6])
>>> alibi_slopes(8).tolist()[:3]
[0.5, 0.25, 0.125]
"""

from __future__ import annotations

import math

from course_utils.validation import check_float, check_int

__all__ = [
    "sinusoidal", "rope_frequencies", "rope", "alibi_slopes", "alibi_bias",
    "relative_positions", "relative_position_bucket", "max_positions",
    "check_sequence_length", "bert_input_embeddings",
]


def _check_dim(dim, what: str) -> int:
    """``dim`` as an even int >= 2 (numpy ints too): sinusoidal and RoPE pair dimensions up."""
    try:
        value = check_int(dim, "dim", minimum=1)
    except ValueError:
        value = None
    if value is None or value % 2:
        fix = f"try dim={value + 1}" if value else "try 64"
        raise ValueError(f"{what} needs an even dimension >= 2 (it pairs up dimensions), "
                         f"got dim={dim!r}: {fix}") from None
    return value


def _check_base(base) -> float:
    return check_float(base, "base", minimum=1, strict=True, hint=": the papers use 10000")


# --------------------------------------------------------------------------- sinusoidal


def sinusoidal(n_positions: int, dim: int, base: float = 10000.0):
    """Vaswani et al. (2017) position encodings, shape ``(n_positions, dim)``, float32.

    ``PE[p, 2i] = sin(p / base**(2i/dim))`` and ``PE[p, 2i+1] = cos(p / base**(2i/dim))``.
    """
    import torch

    n_positions = check_int(n_positions, "n_positions", minimum=0)
    dim = _check_dim(dim, "sinusoidal")
    base = _check_base(base)
    pos = torch.arange(n_positions, dtype=torch.float64)[:, None]
    inv_freq = base ** (-torch.arange(0, dim, 2, dtype=torch.float64) / dim)
    angles = pos * inv_freq  # (T, d/2)
    pe = torch.empty(n_positions, dim, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(angles)
    pe[:, 1::2] = torch.cos(angles)
    return pe.float()


# --------------------------------------------------------------------------- RoPE


def rope_frequencies(dim: int, base: float = 10000.0):
    """RoPE's ``dim/2`` rotation frequencies ``theta_i = base**(-2i/dim)``, float64 tensor."""
    import torch

    dim = _check_dim(dim, "RoPE")
    base = _check_base(base)
    return base ** (-torch.arange(0, dim, 2, dtype=torch.float64) / dim)


def rope(x, positions=None, base: float = 10000.0, interleaved: bool = False):
    """Rotate query/key vectors by their positions (Su et al. 2021), same shape as ``x``.

    ``x`` has shape ``(..., T, d)`` with ``d`` even; ``positions`` is ``(T,)`` (default
    ``0..T-1``). Pair ``i`` is rotated by the angle ``position * base**(-2i/d)``.

    Two conventions pair the dimensions differently:

    - ``interleaved=True`` (the paper, GPT-J, Meta's original Llama code): pairs are
      ``(x[2i], x[2i+1])``;
    - ``interleaved=False`` (Hugging Face Llama/GPT-NeoX, "rotate half"): pairs are
      ``(x[i], x[i + d/2])``.

    They are the same rotation after permuting dimensions: ``rope(x)`` equals
    ``rope(x[..., p], interleaved=True)[..., argsort(p)]`` with ``p = [0, d/2, 1, d/2+1, ...]``.
    Accepts numpy arrays or torch tensors and returns the same kind.
    """
    import torch

    t, was_numpy = _rope_input(x)
    T, d = t.shape[-2], t.shape[-1]
    _check_dim(d, "RoPE")
    pos = torch.arange(T, dtype=torch.float64) if positions is None else \
        _rope_positions(positions, T)
    angles = pos[:, None] * rope_frequencies(d, base)[None, :]  # (T, d/2)
    cos = torch.cos(angles).to(t.dtype).to(t.device)
    sin = torch.sin(angles).to(t.dtype).to(t.device)
    if interleaved:
        x1, x2 = t[..., 0::2], t[..., 1::2]
        out = torch.stack((x1 * cos - x2 * sin, x1 * sin + x2 * cos), dim=-1).flatten(-2)
    else:
        x1, x2 = t[..., : d // 2], t[..., d // 2:]
        out = torch.cat((x1 * cos - x2 * sin, x1 * sin + x2 * cos), dim=-1)
    return out.numpy() if was_numpy else out


def _rope_input(x):
    """``x`` as a float tensor of shape ``(..., T, d)``, and whether it came as numpy."""
    import numpy as np
    import torch

    was_numpy = isinstance(x, np.ndarray)
    if not (was_numpy or isinstance(x, torch.Tensor)):
        raise TypeError(f"rope expects a torch tensor or numpy array, got {type(x).__name__}")
    if was_numpy and x.dtype.kind not in "biuf":
        raise TypeError(f"rope expects numbers, got a numpy array of dtype {x.dtype}")
    # a reversed view (x[::-1]) has negative strides, which torch.from_numpy refuses
    t = torch.from_numpy(np.ascontiguousarray(x)) if was_numpy else x
    if t.ndim < 2:
        raise ValueError(f"rope expects shape (..., T, d), got {tuple(t.shape)}: "
                         "for one vector use x.reshape(1, -1)")
    return (t if t.is_floating_point() else t.float()), was_numpy


def _rope_positions(positions, T: int):
    """``positions`` as a float64 ``(T,)`` CPU tensor of finite numbers."""
    import numpy as np
    import torch

    raw = positions if isinstance(positions, torch.Tensor) else np.asarray(positions)
    if raw.dtype == torch.bool or getattr(raw.dtype, "kind", "f") not in "iuf":
        raise TypeError(f"positions must be numbers (ints, or floats for interpolated "
                        f"positions), got dtype {raw.dtype}")
    pos = torch.as_tensor(raw).to(torch.float64).cpu()
    if pos.ndim != 1 or pos.shape[0] != T:
        raise ValueError(f"positions must have shape ({T},) to match x's {T} positions, "
                         f"got {tuple(pos.shape)}")
    if not torch.isfinite(pos).all():
        raise ValueError(f"positions must be finite, got {pos.tolist()[:8]}: "
                         "NaN or inf positions have no rotation angle")
    return pos


ROPE_SCALINGS = ("none", "linear", "ntk", "yarn")


def rope_scaled_frequencies(dim: int, base: float = 10000.0, factor: float = 1.0,
                            method: str = "none", original_max_position: int = 2048,
                            beta_fast: float = 32.0, beta_slow: float = 1.0):
    """RoPE's ``dim/2`` frequencies for a context ``factor`` times the trained one, float64.

    - ``"none"``: unchanged (positions past the trained length give angles never seen);
    - ``"linear"``: position interpolation, every frequency divided by ``factor``
      (Chen et al. 2023, https://arxiv.org/abs/2306.15595);
    - ``"ntk"``: "NTK-aware" scaling, the base raised to ``base * factor ** (dim / (dim - 2))``
      so the highest frequency is kept and the lowest divided by ``factor`` (bloc97, 2023);
    - ``"yarn"``: YaRN's "NTK-by-parts" (Peng et al. 2023, https://arxiv.org/abs/2309.00071):
      pairs that turn more than ``beta_fast`` times over ``original_max_position`` keep their
      frequency, pairs that turn less than ``beta_slow`` times are divided by ``factor``, and a
      linear ramp over the pair index joins the two. (YaRN also scales attention logits by
      ``(0.1 ln factor + 1)²``; see ``yarn_attention_scale``.)
    """
    import torch

    inv = rope_frequencies(dim, base)
    factor = check_float(factor, "factor", minimum=1, hint=" (new length / trained length)")
    if method not in ROPE_SCALINGS:
        raise ValueError(f"unknown RoPE scaling {method!r}; choose one of {ROPE_SCALINGS}")
    original_max_position = check_int(original_max_position, "original_max_position", minimum=1)
    if method == "none" or factor == 1:
        return inv
    if method == "linear":
        return inv / factor
    if method == "ntk":
        return rope_frequencies(dim, base * factor ** (dim / (dim - 2)))

    def pair_for(rotations: float) -> float:  # the pair index that turns `rotations` times
        turns = original_max_position / (rotations * 2 * math.pi)
        return dim * math.log(turns) / (2 * math.log(base))

    low = max(math.floor(pair_for(beta_fast)), 0)
    high = min(math.ceil(pair_for(beta_slow)), dim - 1)
    ramp = ((torch.arange(dim // 2, dtype=torch.float64) - low) / max(high - low, 1e-3)).clamp(0, 1)
    keep = 1 - ramp  # weight of the original frequency
    return inv / factor * ramp + inv * keep


def yarn_attention_scale(factor: float) -> float:
    """YaRN's factor on the attention logits, ``(0.1 ln factor + 1)²`` (1 for ``factor <= 1``)."""
    return 1.0 if factor <= 1 else (0.1 * math.log(factor) + 1.0) ** 2


# --------------------------------------------------------------------------- ALiBi


def _power_of_two_slopes(n: int) -> list[float]:
    start = 2.0 ** (-8.0 / n)
    return [start ** (i + 1) for i in range(n)]


def alibi_slopes(n_heads: int):
    """ALiBi's per-head slopes (Press et al. 2022), shape ``(n_heads,)``, float32.

    For ``n`` a power of two: the geometric sequence ``2**(-8/n), 2**(-16/n), ...``, so 8
    heads get 1/2, 1/4, ..., 1/256. Otherwise, as in the paper's code, the slopes of the
    nearest smaller power of two followed by every other slope of twice that power.
    """
    import torch

    n_heads = check_int(n_heads, "n_heads", minimum=1)
    closest = 2 ** math.floor(math.log2(n_heads))
    slopes = _power_of_two_slopes(closest)
    if closest < n_heads:
        slopes += _power_of_two_slopes(2 * closest)[0::2][: n_heads - closest]
    return torch.tensor(slopes, dtype=torch.float32)


def alibi_bias(n_heads: int, seq_len: int, causal: bool = True):
    """ALiBi attention biases, shape ``(n_heads, seq_len, seq_len)``, added to the logits.

    ``bias[h, i, j] = -slope[h] * (i - j)`` for keys ``j <= i``; with ``causal=True`` future
    keys (``j > i``) get ``-inf`` (the decoder setting of the paper), with ``causal=False``
    they get ``-slope[h] * |i - j|`` (a symmetric variant used by encoders).
    """
    import torch

    slopes = alibi_slopes(n_heads)
    seq_len = check_int(seq_len, "seq_len", minimum=0)
    dist = relative_positions(seq_len, seq_len).abs().float()  # (T, T): |j - i|
    bias = -slopes[:, None, None] * dist[None]
    if causal:
        future = torch.triu(torch.ones(seq_len, seq_len, dtype=torch.bool), diagonal=1)
        bias = bias.masked_fill(future, float("-inf"))
    return bias


# --------------------------------------------------------------------------- T5 relative


def relative_positions(query_len: int, key_len: int):
    """Matrix of key position minus query position, shape ``(query_len, key_len)``, int64."""
    import torch

    query_len = check_int(query_len, "query_len", minimum=0)
    key_len = check_int(key_len, "key_len", minimum=0)
    return torch.arange(key_len)[None, :] - torch.arange(query_len)[:, None]


def relative_position_bucket(relative_position, bidirectional: bool = True,
                             num_buckets: int = 32, max_distance: int = 128):
    """T5's bucket for each relative position (key minus query), same shape, int64 tensor.

    Half the buckets are exact small distances, the other half cover distances up to
    ``max_distance`` on a log scale; anything farther shares the last bucket. With
    ``bidirectional=True`` (the encoder) keys before and after the query get separate
    halves; with ``False`` (the decoder) only past keys are distinguished (future -> 0).
    """
    import torch

    num_buckets = check_int(num_buckets, "num_buckets", minimum=2)
    max_distance = check_int(max_distance, "max_distance", minimum=1)
    try:
        rel = torch.as_tensor(relative_position)
    except (TypeError, ValueError, RuntimeError) as exc:
        raise TypeError(f"relative positions must be integers (a tensor, array or list), got "
                        f"{type(relative_position).__name__} ({exc})") from None
    if rel.is_floating_point() or rel.dtype == torch.bool:
        raise ValueError(f"relative positions must be integers, got dtype {rel.dtype}")
    rel = rel.long()
    buckets = torch.zeros_like(rel)
    n = num_buckets
    if bidirectional:
        if n < 4:
            raise ValueError(f"bidirectional buckets need num_buckets >= 4, got {num_buckets}")
        n //= 2
        buckets += (rel > 0).long() * n
        dist = rel.abs()
    else:
        dist = (-rel).clamp(min=0)
    max_exact = n // 2
    if max_distance <= max_exact:
        raise ValueError(f"max_distance ({max_distance}) must exceed the {max_exact} exact "
                         f"buckets; raise max_distance or lower num_buckets")
    scaled = torch.log(dist.clamp(min=1).double() / max_exact) / math.log(max_distance / max_exact)
    large = (max_exact + scaled * (n - max_exact)).long().clamp(max=n - 1)
    return buckets + torch.where(dist < max_exact, dist, large)


# --------------------------------------------------------------------------- learned (BERT)


def max_positions(model) -> int:
    """How many learned absolute positions a BERT-style model has (MiniLM: 512)."""
    emb = getattr(model, "embeddings", None)
    table = getattr(emb, "position_embeddings", None)
    if table is None:
        raise ValueError(f"{type(model).__name__} has no embeddings.position_embeddings table; "
                         "expected a BERT-style model such as load_minilm()'s")
    return int(table.weight.shape[0])


def check_sequence_length(model, length: int) -> int:
    """Raise a clear ``ValueError`` if ``length`` tokens exceed the model's learned positions.

    Returns ``length`` when it fits. Without this check a too-long input fails deep inside
    torch with an index error (or a shape mismatch) that does not say why.
    """
    if hasattr(length, "shape"):
        length = int(length.shape[-1])
    length = check_int(length, "length", minimum=0)
    limit = max_positions(model)
    if length > limit:
        raise ValueError(
            f"this input has {length:,} tokens but {type(model).__name__} learned only {limit} "
            f"positions (ids 0..{limit - 1}); there is no vector for position {limit}. Truncate "
            f"with tokenizer(..., truncation=True, max_length={limit}), or split the text into "
            f"windows of at most {limit} tokens")
    return length


def bert_input_embeddings(model, input_ids, token_type_ids=None):
    """A BERT model's embedding layer output, ``LayerNorm(word + position + token type)``.

    ``input_ids`` is ``(B, T)`` (or ``(T,)``); ``token_type_ids`` defaults to all zeros.
    Dropout is skipped (as in eval mode). Returns ``(B, T, hidden)``.
    """
    import torch

    ids = torch.as_tensor(input_ids)
    if ids.ndim == 1:
        ids = ids[None]
    if ids.ndim != 2:
        raise ValueError(f"input_ids must have shape (B, T) or (T,), got {tuple(ids.shape)}")
    if ids.is_floating_point() or ids.dtype == torch.bool:
        raise TypeError(f"input_ids must be integer token ids, got dtype {ids.dtype}: "
                        "use tokenizer(...)['input_ids'] or ids.long()")
    T = check_sequence_length(model, ids.shape[1])
    emb = model.embeddings
    _check_ids(ids, emb.word_embeddings.weight.shape[0], "input_ids", "the vocabulary")
    device = emb.word_embeddings.weight.device
    ids = ids.to(device)
    if token_type_ids is None:
        types = torch.zeros_like(ids)
    else:
        types = torch.as_tensor(token_type_ids)
        if types.numel() != ids.numel() or types.is_floating_point():
            raise ValueError(f"token_type_ids must be integers with the shape of input_ids "
                             f"{tuple(ids.shape)}, got {tuple(types.shape)} ({types.dtype})")
        types = types.reshape(ids.shape)
        _check_ids(types, emb.token_type_embeddings.weight.shape[0], "token_type_ids",
                   "the token types (0 = first segment, 1 = second)")
        types = types.to(device)
    pos = torch.arange(T, device=device)[None]
    x = emb.word_embeddings(ids) + emb.position_embeddings(pos) + emb.token_type_embeddings(types)
    return emb.LayerNorm(x)


def _check_ids(ids, n_rows: int, name: str, what: str) -> None:
    """Refuse ids outside ``0..n_rows-1`` before an embedding lookup fails with an IndexError."""
    if ids.numel() and (int(ids.min()) < 0 or int(ids.max()) >= n_rows):
        raise ValueError(f"{name} holds ids from {int(ids.min())} to {int(ids.max())}, but "
                         f"{what} has only {n_rows} rows (valid ids 0..{n_rows - 1}); was it made "
                         "by this model's tokenizer?")
