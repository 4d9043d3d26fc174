"""Train the course GPT on the wiki sample: ``python -m course_utils train-gpt`` (``make model``).

Steps: the wiki sample's 106 articles (``load_corpus("wiki")``: lowercase words) are split
by article, every 10th held out; a byte-level BPE tokenizer is trained on the training
articles; a small GPT is trained for a fixed number of steps from a seed; held-out
perplexity is measured beside add-k unigram and bigram models on the same held-out tokens.
Writes ``model.safetensors``, ``config.json``, ``tokenizer.json`` and ``train_log.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import time
from pathlib import Path

HELD_OUT_EVERY = 10  # article i is held out when i % 10 == 0
DEFAULTS = dict(vocab_size=4096, block_size=128, n_layer=3, n_head=4, n_embd=96, dropout=0.0,
                steps=3000, batch_size=16, lr=4e-3, min_lr=4e-4, warmup=50,
                weight_decay=0.1, seed=0)


def wiki_texts() -> tuple[list[str], list[str]]:
    """The wiki sample as text, one string per article: ``(train, held_out)``."""
    from course_utils.data import load_corpus

    docs = [" ".join(doc) for doc in load_corpus("wiki")]
    train = [d for i, d in enumerate(docs) if i % HELD_OUT_EVERY]
    held = [d for i, d in enumerate(docs) if i % HELD_OUT_EVERY == 0]
    return train, held


def encode_stream(tokenizer, texts: list[str]) -> list[int]:
    """All articles as one id stream, each followed by the end-of-text token."""
    from course_utils.gpt import EOT

    eot = tokenizer.token_to_id(EOT)
    out: list[int] = []
    for text in texts:
        out.extend(tokenizer.encode(text))
        out.append(eot)
    return out


def ngram_perplexities(train_ids, held_ids, vocab_size: int,
                       ks=(1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0)) -> dict:
    """Held-out perplexity of add-k unigram and bigram models, each at its best k.

    Both predict the same targets as the GPT: held-out tokens 1..N-1. Picking k on the
    held-out set flatters the baselines, which makes beating them a harder test.
    """
    import numpy as np

    tr, he = np.asarray(train_ids, dtype=np.int64), np.asarray(held_ids, dtype=np.int64)
    uni = np.bincount(tr, minlength=vocab_size).astype(np.float64)
    pairs = np.bincount(tr[:-1] * vocab_size + tr[1:], minlength=vocab_size * vocab_size)
    pairs = pairs.reshape(vocab_size, vocab_size).astype(np.float64)
    prev, nxt = he[:-1], he[1:]
    best_uni = best_bi = (math.inf, None)
    for k in ks:
        p_uni = (uni[nxt] + k) / (uni.sum() + k * vocab_size)
        best_uni = min(best_uni, (float(np.exp(-np.log(p_uni).mean())), k))
        row = pairs.sum(axis=1)
        p_bi = (pairs[prev, nxt] + k) / (row[prev] + k * vocab_size)
        best_bi = min(best_bi, (float(np.exp(-np.log(p_bi).mean())), k))
    return {"unigram": best_uni[0], "unigram_k": best_uni[1],
            "bigram": best_bi[0], "bigram_k": best_bi[1]}


def gpt_perplexity(model, ids, batch_size: int = 32) -> float:
    """Held-out perplexity: targets 1..N-1, in consecutive windows of block_size."""
    import torch
    import torch.nn.functional as F

    T = model.config.block_size
    ids = torch.as_tensor(ids, dtype=torch.long)
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    starts = list(range(0, len(ids) - 1, T))
    with torch.no_grad():
        for i in range(0, len(starts), batch_size):
            for s in starts[i:i + batch_size]:  # last window may be short: run one by one
                x = ids[s:s + T][None, : len(ids) - 1 - s].to(device)
                y = ids[s + 1:s + 1 + x.shape[1]][None].to(device)
                total += F.cross_entropy(model(x)[0], y[0], reduction="sum").item()
                count += y.numel()
    model.train(was_training)
    return math.exp(total / count)


def train(args) -> dict:
    """Train the course GPT with the options of ``main``; write the checkpoint and its log."""
    import torch

    from course_utils.gpt import GPT, GPTConfig, save_gpt, train_byte_bpe
    from course_utils.runtime import get_device, set_seed

    t0 = time.perf_counter()
    torch.set_num_threads(args.threads)
    device = get_device(args.device)
    set_seed(args.seed)
    texts = wiki_texts()
    tokenizer = train_byte_bpe(texts[0], vocab_size=args.vocab_size)
    ids = tuple(encode_stream(tokenizer, part) for part in texts)
    cfg = GPTConfig(vocab_size=tokenizer.vocab_size, block_size=args.block_size,
                    n_layer=args.n_layer, n_head=args.n_head, n_embd=args.n_embd,
                    dropout=args.dropout, position=args.position, tie_weights=not args.untied)
    model = GPT(cfg).to(device)
    history = _run_steps(model, ids[0], args, device, t0)
    train_seconds = time.perf_counter() - t0
    model.eval()
    perplexity = {"gpt": gpt_perplexity(model, ids[1]),
                  **ngram_perplexities(ids[0], ids[1], cfg.vocab_size)}
    out = Path(args.out)
    save_gpt(model.cpu(), out)
    tokenizer.hf.save(str(out / "tokenizer.json"))
    log = _training_log(args, model, device, texts, ids, train_seconds, perplexity, history)
    (out / "train_log.json").write_text(json.dumps(log, indent=1) + "\n", encoding="utf-8")
    return log


def _lr_at(step: int, args) -> float:
    """Linear warmup over ``args.warmup`` steps, then cosine decay to ``args.min_lr``."""
    if step < args.warmup:
        return args.lr * (step + 1) / args.warmup
    progress = (step - args.warmup) / max(1, args.steps - args.warmup)
    return args.min_lr + 0.5 * (args.lr - args.min_lr) * (1 + math.cos(math.pi * progress))


def _run_steps(model, train_ids: list[int], args, device: str, t0: float) -> list[dict]:
    """``args.steps`` AdamW steps on random windows of the stream (weight decay on matrices
    only, gradients clipped to norm 1); returns the loss every 50 steps."""
    import torch
    from tqdm.auto import tqdm

    decay = [p for p in model.parameters() if p.ndim >= 2]
    no_decay = [p for p in model.parameters() if p.ndim < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.95))
    T = model.config.block_size
    data = torch.tensor(train_ids, dtype=torch.long)
    gen = torch.Generator().manual_seed(args.seed)
    history = []
    bar = tqdm(range(args.steps), desc="train-gpt", unit="step", disable=args.quiet)
    model.train()
    for step in bar:
        starts = torch.randint(0, len(data) - T - 1, (args.batch_size,), generator=gen).tolist()
        x = torch.stack([data[s:s + T] for s in starts]).to(device)
        y = torch.stack([data[s + 1:s + 1 + T] for s in starts]).to(device)
        for group in opt.param_groups:
            group["lr"] = _lr_at(step, args)
        _, loss = model(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step % 50 == 0 or step == args.steps - 1:
            history.append({"step": step, "train_loss": round(loss.item(), 4),
                            "lr": _lr_at(step, args),
                            "seconds": round(time.perf_counter() - t0, 1)})
            bar.set_postfix(loss=f"{loss.item():.3f}")
    return history


def _training_log(args, model, device: str, texts, ids, train_seconds: float,
                  perplexity: dict, history: list[dict]) -> dict:
    """What ``train_log.json`` records: the command, versions, settings, sizes, results."""
    import torch

    cfg = model.config
    return {
        "command": "python -m course_utils train-gpt " + " ".join(args.argv),
        "seed": args.seed, "device": device, "torch_threads": torch.get_num_threads(),
        "torch": torch.__version__, "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "hyperparameters": {k: getattr(args, k) for k in DEFAULTS},
        "config": {k: getattr(cfg, k) for k in ("vocab_size", "block_size", "n_layer", "n_head",
                                                 "n_embd", "dropout", "position", "tie_weights")},
        "params": model.num_params(),
        "articles": {"train": len(texts[0]), "held_out": len(texts[1])},
        "tokens": {"train": len(ids[0]), "held_out": len(ids[1])},
        "tokens_seen": args.steps * args.batch_size * cfg.block_size,
        "train_seconds": round(train_seconds, 1),
        "held_out_perplexity": {k: (round(v, 3) if k in ("gpt", "unigram", "bigram") else v)
                                for k, v in perplexity.items()},
        "history": history,
    }


def main(argv: list[str] | None = None) -> int:
    import sys

    argv = list(sys.argv[2:] if argv is None else argv)
    p = argparse.ArgumentParser(prog="python -m course_utils train-gpt",
                                description="Train the course GPT on the wiki sample.")
    for key, value in DEFAULTS.items():
        p.add_argument(f"--{key.replace('_', '-')}", type=type(value), default=value)
    p.add_argument("--position", choices=["learned", "rope"], default="learned")
    p.add_argument("--untied", action="store_true", help="a separate lm_head matrix")
    p.add_argument("--device", default=None, help="cpu or cuda (default: cuda when present)")
    p.add_argument("--threads", type=int, default=min(2, os.cpu_count() or 1))
    p.add_argument("--out", default=str(Path(__file__).resolve().parents[1]
                                        / "datasets" / "course_gpt"))
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    args = p.parse_args(argv)
    args.argv = argv
    log = train(args)
    ppl = log["held_out_perplexity"]
    print(f"params {log['params']:,}  trained {log['train_seconds']:.0f} s "
          f"({log['torch_threads']} threads, {log['device']})")
    print(f"held-out perplexity: GPT {ppl['gpt']:.1f}  bigram {ppl['bigram']:.1f}  "
          f"unigram {ppl['unigram']:.1f}")
    print(f"wrote {args.out}")
    return 0 if ppl["gpt"] < ppl["bigram"] < ppl["unigram"] else 1
