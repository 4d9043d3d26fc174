"""A small, readable decoder-only transformer (GPT), its tokenizer and the course checkpoint.

The model follows GPT-2 (Radford et al. 2019) as nanoGPT writes it: token embedding
``wte`` (+ learned positions ``wpe``, or RoPE inside attention), pre-LayerNorm blocks of
causal self-attention and an MLP, a final LayerNorm, and an unembedding ``lm_head`` that
is the *same* matrix as ``wte`` (weight tying, Press & Wolf 2017) unless the config says
otherwise. ``load_course_gpt()`` loads the model the course trained on the wiki sample
(``python -m course_utils train-gpt``), checked against ``datasets/manifest.json``.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F

from course_utils.validation import check_float, check_int

CHECKPOINT_DIR = Path(__file__).resolve().parents[1] / "datasets" / "course_gpt"
EOT = "<|endoftext|>"  # the one special token: separates documents


@dataclass
class GPTConfig:
    """Sizes of a GPT (nanoGPT's field names) and two design choices lesson 07 studies."""

    vocab_size: int = 4096
    block_size: int = 128  # the longest sequence (context) the model accepts
    n_layer: int = 4
    n_head: int = 4
    n_embd: int = 128
    dropout: float = 0.0
    position: str = "learned"  # "learned" (GPT-2's wpe table) or "rope" (rotary, no table)
    tie_weights: bool = True  # lm_head.weight is wte.weight

    def __post_init__(self):
        for name in ("vocab_size", "block_size", "n_layer", "n_head", "n_embd"):
            setattr(self, name, check_int(getattr(self, name), f"GPTConfig.{name}", minimum=1))
        if self.n_embd % self.n_head:
            raise ValueError(f"n_embd ({self.n_embd}) must be divisible by n_head "
                             f"({self.n_head}): each head gets n_embd // n_head dimensions")
        if self.position not in ("learned", "rope"):
            raise ValueError(f"position must be 'learned' or 'rope', got {self.position!r}")
        if self.position == "rope" and (self.n_embd // self.n_head) % 2:
            raise ValueError(f"RoPE rotates pairs of dimensions: head size "
                             f"{self.n_embd // self.n_head} must be even")
        self.dropout = check_float(self.dropout, "GPTConfig.dropout", minimum=0.0,
                                   hint=": try dropout=0.0 (the course GPT) or 0.1")
        if self.dropout >= 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout!r}: dropout=1 would "
                             "zero every activation; try dropout=0.1")


class CausalSelfAttention(nn.Module):
    """Multi-head attention in which position t only sees positions <= t."""

    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.n_head, self.rope, self.dropout = cfg.n_head, cfg.position == "rope", cfg.dropout
        self.c_attn = nn.Linear(cfg.n_embd, 3 * cfg.n_embd)  # queries, keys, values at once
        self.c_proj = nn.Linear(cfg.n_embd, cfg.n_embd)  # a residual projection (see _init)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        q, k, v = (z.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for z in (q, k, v))
        if self.rope:  # rotate queries and keys by their position; values stay as they are
            from course_utils.positions import rope

            q, k = rope(q), rope(k)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True,  # the causal mask
                                           dropout_p=self.dropout if self.training else 0.0)
        return self.c_proj(y.transpose(1, 2).reshape(B, T, C))


class Block(nn.Module):
    """Pre-LN block: x + attn(LN(x)), then x + mlp(LN(x)). The residual stream is x."""

    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.ln_1, self.ln_2 = nn.LayerNorm(cfg.n_embd), nn.LayerNorm(cfg.n_embd)
        self.attn = CausalSelfAttention(cfg)
        self.mlp = nn.Sequential(nn.Linear(cfg.n_embd, 4 * cfg.n_embd), nn.GELU(),
                                 nn.Linear(4 * cfg.n_embd, cfg.n_embd), nn.Dropout(cfg.dropout))
        self.mlp[2].is_residual_proj = True
        self.attn.c_proj.is_residual_proj = True

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    """A decoder-only transformer: ``model(ids)``, ids ``(B, T)``, returns logits ``(B, T, V)``."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        if not isinstance(config, GPTConfig):
            raise TypeError(f"GPT expects a GPTConfig, got {type(config).__name__}: "
                            "try GPT(GPTConfig(vocab_size=..., n_embd=...))")
        self.config = cfg = config
        self.wte = nn.Embedding(cfg.vocab_size, cfg.n_embd)  # token id -> row of the table
        self.wpe = nn.Embedding(cfg.block_size, cfg.n_embd) if cfg.position == "learned" else None
        self.drop = nn.Dropout(cfg.dropout)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layer))
        self.ln_f = nn.LayerNorm(cfg.n_embd)
        self.lm_head = nn.Linear(cfg.n_embd, cfg.vocab_size, bias=False)
        if cfg.tie_weights:
            self.lm_head.weight = self.wte.weight  # one (V, d) matrix reads in and writes out
        self.apply(self._init)

    def _init(self, module):
        """GPT-2's initialization (Radford et al. 2019), as nanoGPT writes it.

        Every weight matrix and embedding table ~ N(0, 0.02); biases 0; LayerNorm gain 1.
        The two projections that write into the residual stream in each block get
        std 0.02 / sqrt(2 * n_layer): 2 * n_layer of them add up, so their sum keeps
        roughly the size of one.
        """
        if isinstance(module, nn.Linear):
            std = 0.02
            if getattr(module, "is_residual_proj", False):
                std = 0.02 / math.sqrt(2 * self.config.n_layer)
            nn.init.normal_(module.weight, mean=0.0, std=std)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def num_params(self) -> int:
        """Parameters counted once (a tied matrix is one matrix)."""
        return sum(p.numel() for p in self.parameters())

    def _check_ids(self, ids):
        if not isinstance(ids, torch.Tensor):
            raise TypeError(f"ids must be a torch tensor of token ids, got {type(ids).__name__}: "
                            "try torch.tensor([ids])")
        if ids.dtype not in (torch.int64, torch.int32, torch.int16, torch.uint8):
            raise ValueError(f"ids must be integer token ids, got dtype {ids.dtype}: "
                             "try ids.long()")
        if ids.ndim != 2:
            raise ValueError(f"ids must have shape (B, T), got {tuple(ids.shape)}: "
                             "for one sequence use ids.unsqueeze(0)")
        B, T = ids.shape
        if T == 0 or B == 0:
            raise ValueError(f"ids is empty (shape {tuple(ids.shape)}): give at least one token")
        if T > self.config.block_size:
            raise ValueError(f"sequence of length {T} is longer than the context "
                             f"block_size={self.config.block_size}: keep the last "
                             f"{self.config.block_size} tokens (ids[:, -block_size:])")
        lo, hi = int(ids.min()), int(ids.max())
        if lo < 0 or hi >= self.config.vocab_size:
            raise ValueError(f"token ids must be in [0, {self.config.vocab_size}), got range "
                             f"[{lo}, {hi}]: was the text encoded with this model's tokenizer?")
        return ids.long()

    def residual_stream(self, ids) -> list[torch.Tensor]:
        """The residual stream ``(B, T, d)`` after the embeddings and after each block."""
        ids = self._check_ids(ids)
        x = self.wte(ids)  # (B, T, d): one row of the table per token
        if self.wpe is not None:
            x = x + self.wpe(torch.arange(ids.shape[1], device=ids.device))
        states = [self.drop(x)]
        for block in self.blocks:
            states.append(block(states[-1]))
        return states

    def unembed(self, x):
        """Final LayerNorm, then the (tied) head: residual ``(..., d)`` -> logits ``(..., V)``."""
        return self.lm_head(self.ln_f(x))

    def forward(self, ids, targets=None):
        """Logits ``(B, T, V)``; with ``targets`` ``(B, T)``, ``(logits, mean cross-entropy)``."""
        logits = self.unembed(self.residual_stream(ids)[-1])
        if targets is None:
            return logits
        return logits, F.cross_entropy(logits.flatten(0, 1), targets.flatten().long())

    @torch.no_grad()
    def generate(self, ids, max_new_tokens: int, temperature: float = 1.0, top_k=None):
        """Append ``max_new_tokens`` sampled tokens to ``ids`` ``(B, T)``; temperature=0: greedy."""
        for _ in range(max_new_tokens):
            logits = self(ids[:, -self.config.block_size:])[:, -1, :]
            if temperature == 0:
                nxt = logits.argmax(-1, keepdim=True)
            else:
                logits = logits / temperature
                if top_k is not None:
                    kth = torch.topk(logits, min(top_k, logits.shape[-1])).values[:, [-1]]
                    logits = logits.masked_fill(logits < kth, float("-inf"))
                nxt = torch.multinomial(F.softmax(logits, dim=-1), 1)
            ids = torch.cat([ids, nxt], dim=1)
        return ids


@torch.no_grad()
def logit_lens(model: GPT, ids) -> torch.Tensor:
    """Next-token log-probabilities read at every depth: ``(n_layer + 1, T, V)``.

    Row 0 reads the embeddings, row ``l`` the residual stream after block ``l``; each goes
    through the final LayerNorm and the tied head (nostalgebraist 2020). The last row is
    exactly ``log_softmax(model(ids))``. ``ids``: one sequence, shape ``(T,)`` or ``(1, T)``.
    """
    if not isinstance(model, GPT):
        raise TypeError(f"logit_lens expects a course GPT, got {type(model).__name__}")
    if isinstance(ids, (list, tuple)):
        ids = torch.tensor(ids, dtype=torch.long)
    if isinstance(ids, torch.Tensor) and ids.ndim == 1:
        ids = ids.unsqueeze(0)
    if isinstance(ids, torch.Tensor) and ids.ndim == 2 and ids.shape[0] != 1:
        raise ValueError(f"logit_lens reads one sequence: shape (T,) or (1, T), got "
                         f"{tuple(ids.shape)}: pass ids[0]")
    was_training = model.training
    model.eval()
    try:
        states = model.residual_stream(ids)
        return torch.stack([F.log_softmax(model.unembed(h[0]), dim=-1) for h in states])
    finally:
        model.train(was_training)


# --------------------------------------------------------------------------- tokenizer


class CourseTokenizer:
    """A byte-level BPE tokenizer: ``encode(str) -> list[int]``, ``decode(ids) -> str``.

    A thin wrapper around a ``tokenizers.Tokenizer`` (kept as ``.hf``). Every one of the
    256 bytes is a token, so any UTF-8 text encodes, and decodes back exactly.
    """

    def __init__(self, hf_tokenizer):
        self.hf = hf_tokenizer

    @classmethod
    def from_file(cls, path) -> CourseTokenizer:
        from tokenizers import Tokenizer

        return cls(Tokenizer.from_file(str(path)))

    @property
    def vocab_size(self) -> int:
        return self.hf.get_vocab_size()

    def encode(self, text: str) -> list[int]:
        if not isinstance(text, str):
            raise TypeError(f"encode takes a string, got {type(text).__name__}")
        return self.hf.encode(text).ids

    def decode(self, ids) -> str:
        if isinstance(ids, torch.Tensor):
            ids = ids.tolist()
        return self.hf.decode(list(ids), skip_special_tokens=False)

    def tokens(self, text: str) -> list[str]:
        """The pieces as the vocabulary spells them (a space shows as 'Ġ')."""
        return self.hf.encode(text).tokens

    def id_to_token(self, i: int) -> str:
        return self.hf.id_to_token(int(i))

    def token_to_id(self, token: str):
        return self.hf.token_to_id(token)

    def __repr__(self) -> str:
        return f"CourseTokenizer(byte-level BPE, vocab_size={self.vocab_size})"


def train_byte_bpe(texts, vocab_size: int = 4096) -> CourseTokenizer:
    """Train a byte-level BPE tokenizer (GPT-2's scheme) on strings; deterministic."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())  # no unk_token: every byte is in the vocabulary
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=[EOT],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  show_progress=False)
    tok.train_from_iterator(list(texts), trainer=trainer)
    return CourseTokenizer(tok)


# --------------------------------------------------------------------------- checkpoint


def save_gpt(model: GPT, directory) -> None:
    """Write ``model.safetensors`` and ``config.json`` (no pickle)."""
    from safetensors.torch import save_model

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    save_model(model, str(directory / "model.safetensors"))  # stores a tied matrix once
    (directory / "config.json").write_text(json.dumps(asdict(model.config), indent=2) + "\n",
                                          encoding="utf-8")


def load_gpt(directory) -> GPT:
    """A GPT from ``config.json`` and ``model.safetensors`` in ``directory``, in eval mode."""
    from safetensors.torch import load_model

    directory = Path(directory)
    model = GPT(GPTConfig(**json.loads((directory / "config.json").read_text(encoding="utf-8"))))
    load_model(model, str(directory / "model.safetensors"))
    return model.eval()


def load_course_gpt(device: str | None = None, verify: bool = True):
    """The course GPT trained on the wiki sample: ``(tokenizer, model)``, model in eval mode.

    Its files (``datasets/course_gpt/``) are checked against their SHA-256 in the manifest;
    a missing or altered file raises an error naming it and the fix (``make model``).
    """
    from course_utils import data
    from course_utils.runtime import get_device

    files = data.catalog()["course_gpt"].files
    directory = {data.source_file("course_gpt", f, verify=verify) for f in files}.pop().parent
    model = load_gpt(directory).to(get_device(device))
    return CourseTokenizer.from_file(directory / "tokenizer.json"), model
