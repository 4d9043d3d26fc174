"""course_utils.sgns against gensim Word2Vec, written to bench/results/sgns.md.

    make bench            # or: python bench/bench_sgns.py [--threads 2] [--epochs 5]

One run each, same corpus (the Wikipedia sample, load_corpus("wiki")), same settings: skip-gram,
dim 100, window 5, 5 negatives, min_count 5, 5 epochs, sample 1e-3. gensim gets
``workers=2``; our trainer gets ``--threads`` torch threads (default 1: on a busy 2-core
machine two OpenMP threads spin against each other and run many times slower). Reported: raw corpus
words per second (every token, out-of-vocabulary and subsampled ones included, times epochs,
over the wall time of vocabulary building plus training), their ratio, and WordSim-353
Spearman on the pairs both words of which are in the vocabulary (coverage reported).
Not a test: timings depend on the machine and on what else it is doing.
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"


def wordsim(kv, pairs) -> tuple[float, int]:
    from scipy.stats import spearmanr

    kept = [(kv.similarity(a, b), s) for a, b, s in pairs
            if a in kv.key_to_index and b in kv.key_to_index]
    rho = spearmanr([m for m, _ in kept], [h for _, h in kept]).statistic
    return float(rho), len(kept)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1, help="torch threads for our trainer")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=1024)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()

    import gensim
    import torch
    from gensim.models import Word2Vec

    from course_utils.data import load_corpus, load_similarity
    from course_utils.sgns import train_sgns

    corpus = load_corpus("wiki")
    pairs = load_similarity("wordsim353")
    raw = sum(map(len, corpus)) * args.epochs
    settings = dict(window=5, negative=5, min_count=5, epochs=args.epochs, seed=0)

    start = time.perf_counter()
    model = Word2Vec(corpus, vector_size=100, sg=1, workers=2, sample=1e-3, **settings)
    t_gensim = time.perf_counter() - start
    ws_gensim = wordsim(model.wv, pairs)

    start = time.perf_counter()
    kv = train_sgns(corpus, dim=100, threads=args.threads, batch_size=args.batch_size,
                    device=args.device, progress=False, **settings)
    t_ours = time.perf_counter() - start
    ws_ours = wordsim(kv, pairs)

    rows = [("gensim Word2Vec(sg=1, workers=2)", t_gensim, raw / t_gensim, *ws_gensim,
             len(model.wv)),
            (f"course_utils train_sgns ({args.threads} threads, batch {args.batch_size}, "
             f"{args.device})", t_ours, raw / t_ours, *ws_ours, len(kv))]
    import os

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        "# Skip-gram training: course_utils.sgns vs gensim",
        "",
        f"{platform.processor() or platform.machine()}, {platform.system()}, Python "
        f"{platform.python_version()}, torch {torch.__version__}, gensim {gensim.__version__}; "
        f"wiki sample, {raw // args.epochs:,} raw tokens x {args.epochs} epochs; dim 100, "
        "window 5, 5 negatives, min_count 5, sample 1e-3; one run each; "
        f"{os.cpu_count()} CPUs, 1-minute load average {load:.1f} at the end.",
        "",
        "| trainer | wall s | raw words/s | WordSim-353 Spearman | pairs covered | vocab |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, t, wps, rho, n, v in rows:
        lines.append(f"| {name} | {t:.1f} | {wps:,.0f} | {rho:.3f} | {n}/{len(pairs)} | {v:,} |")
    lines += ["", f"Throughput ratio (ours / gensim): **{rows[1][2] / rows[0][2]:.2f}**; "
              f"WordSim-353 difference (ours - gensim): {ws_ours[0] - ws_gensim[0]:+.3f}.", "",
              "gensim truncates documents at 10,000 tokens (a few wiki articles are longer); "
              "both rates divide the same raw token count by each trainer's own wall time."]
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "sgns.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"\nwritten to {out.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
