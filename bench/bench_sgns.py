"""The course's word2vec engine against gensim Word2Vec, written to bench/results/sgns.md.

    python bench/bench_sgns.py            # a few minutes; or: make bench
    python bench/bench_sgns.py --epochs 1 # a quick look

One run each, same corpus (the Wikipedia sample, load_corpus("wiki")), same settings: dim 100,
window 5, 5 negatives, min_count 5, 5 epochs, sample 1e-3, each trainer's default learning
rate. Skip-gram and CBOW; the course engine with ``threads=2`` against gensim with
``workers=2``, and one thread against ``workers=1``.

Reported: raw corpus words per second (every token, out-of-vocabulary and subsampled ones
included, times epochs, over the wall time of the whole call: vocabulary building plus
training), warm (the engine already compiled) and cold (a fresh process with an empty Numba
cache, so the JIT compile is counted); their ratio to gensim; WordSim-353 and SimLex-999
Spearman on the same pairs for every model (pairs whose words all models know). The CUDA
path of the torch trainer is measured when a GPU is present. Not a test: timings depend on
the machine and on what else it is doing, so the load average is printed beside them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
SETTINGS = dict(window=5, negative=5, min_count=5, seed=0)

COLD = """
import json, sys, time
start = time.perf_counter()
from course_utils.data import load_corpus
from course_utils.sgns import train_cbow, train_sgns
corpus = load_corpus("wiki")
loaded = time.perf_counter()
train = train_sgns if sys.argv[1] == "skipgram" else train_cbow
train(corpus, dim=100, epochs=int(sys.argv[2]), threads=int(sys.argv[3]), **json.loads(sys.argv[4]))
print(json.dumps({"seconds": time.perf_counter() - loaded}))
"""


def load() -> str:
    one, five, _ = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return f"{one:.1f} / {five:.1f}"


def spearman_on(kvs: list, pairs) -> tuple[list[float], int]:
    """Spearman rho of each model on the pairs whose two words every model knows."""
    from scipy.stats import spearmanr

    kept = [(a, b, s) for a, b, s in pairs
            if all(a in kv.key_to_index and b in kv.key_to_index for kv in kvs)]
    human = [s for *_, s in kept]
    return [float(spearmanr([kv.similarity(a, b) for a, b, _ in kept], human).statistic)
            for kv in kvs], len(kept)


def cold_run(arch: str, epochs: int, threads: int) -> float:
    """Seconds of one training call in a fresh process with an empty Numba cache."""
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache, PYTHONPATH=str(REPO))
        out = subprocess.run([sys.executable, "-c", COLD, arch, str(epochs), str(threads),
                              json.dumps(SETTINGS)], env=env, capture_output=True, text=True,
                             check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])["seconds"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2, help="threads / gensim workers")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--no-cold", action="store_true", help="skip the cold-start runs")
    args = parser.parse_args()

    import gensim
    import numba
    from gensim.models import Word2Vec

    from course_utils.data import load_corpus, load_similarity
    from course_utils.sgns import train_cbow, train_sgns

    corpus = load_corpus("wiki")
    raw = sum(map(len, corpus)) * args.epochs
    train_sgns(corpus[:3], dim=8, epochs=1, threads=1, min_count=1)  # compile (or load cache)
    print(f"load average (1 / 5 min) at the start: {load()}", flush=True)

    rows, models = [], []
    thread_counts = sorted({args.threads, 1}, reverse=True)
    for arch, sg, ours in [("skip-gram", 1, train_sgns), ("CBOW", 0, train_cbow)]:
        for n in thread_counts:
            start = time.perf_counter()
            model = Word2Vec(corpus, vector_size=100, sg=sg, workers=n, sample=1e-3,
                             epochs=args.epochs, **SETTINGS)
            t_gensim = time.perf_counter() - start
            start = time.perf_counter()
            kv = ours(corpus, dim=100, epochs=args.epochs, threads=n, **SETTINGS)
            t_ours = time.perf_counter() - start
            rows.append({"arch": arch, "threads": n, "t_gensim": t_gensim, "t_ours": t_ours,
                         "load": load()})
            models += [model.wv, kv]
            print(f"{arch} {n} thread(s): gensim {raw / t_gensim:,.0f} words/s, course "
                  f"{raw / t_ours:,.0f} words/s (load {load()})", flush=True)

    cold = {}
    if not args.no_cold:
        for arch, key in [("skip-gram", "skipgram"), ("CBOW", "cbow")]:
            cold[arch] = cold_run(key, args.epochs, args.threads)
            print(f"{arch} cold ({args.threads} threads): {raw / cold[arch]:,.0f} words/s",
                  flush=True)

    ws, n_ws = spearman_on(models, load_similarity("wordsim353"))
    sl, n_sl = spearman_on(models, load_similarity("simlex999"))

    cuda_line = "No GPU on this machine: the CUDA path of the torch trainer was not measured."
    import torch

    if torch.cuda.is_available():
        start = time.perf_counter()
        train_sgns(corpus, dim=100, epochs=args.epochs, engine="torch", device="cuda",
                   batch_size=8192, progress=False, **SETTINGS)
        t = time.perf_counter() - start
        cuda_line = (f"CUDA path (torch trainer, {torch.cuda.get_device_name()}, batch 8192): "
                     f"{raw / t:,.0f} raw words/s, skip-gram.")

    lines = [
        "# word2vec training: the course engine (course_utils.sgns) vs gensim Word2Vec",
        "",
        f"{platform.processor() or platform.machine()}, {platform.system()}, {os.cpu_count()} "
        f"CPUs, Python {platform.python_version()}, numba {numba.__version__}, gensim "
        f"{gensim.__version__}; wiki sample, {raw // args.epochs:,} raw tokens x {args.epochs} "
        "epochs; dim 100, window 5, 5 negatives, min_count 5, sample 1e-3; one run each. "
        "Words/s: raw corpus tokens x epochs over the wall time of the whole call (vocabulary "
        "+ training). Load average (1 / 5 min) beside each row: the machine may be shared.",
        "",
        "| architecture | threads | gensim words/s | course words/s (warm) | ratio | "
        "WS353 gensim | WS353 course | SimLex gensim | SimLex course | load |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for i, r in enumerate(rows):
        g, o = raw / r["t_gensim"], raw / r["t_ours"]
        lines.append(f"| {r['arch']} | {r['threads']} | {g:,.0f} | {o:,.0f} | **{o / g:.2f}x** | "
                     f"{ws[2 * i]:.3f} | {ws[2 * i + 1]:.3f} | {sl[2 * i]:.3f} | "
                     f"{sl[2 * i + 1]:.3f} | {r['load']} |")
    lines += ["", f"WordSim-353 on {n_ws} pairs, SimLex-999 on {n_sl} pairs (those every model "
              "covers)."]
    if cold:
        lines += ["", f"Cold start ({args.threads} threads, fresh process, empty Numba cache: "
                  "JIT compile counted):"]
        for arch, t in cold.items():
            g = next(raw / r["t_gensim"] for r in rows
                     if r["arch"] == arch and r["threads"] == args.threads)
            lines.append(f"- {arch}: {raw / t:,.0f} words/s ({t:.1f} s), {raw / t / g:.2f}x "
                         "gensim's warm rate")
    lines += ["", cuda_line, "", f"Load average at the end: {load()}."]
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "sgns.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"\nwritten to {out.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
