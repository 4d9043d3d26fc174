"""Benchmarks of course_utils.evaluate against gensim, written to bench/results/evaluate.md.

    make bench            # or: python bench/bench_evaluate.py [--repeat 3] [--every 4]

Word similarity (``similarity_score`` vs ``KeyedVectors.evaluate_word_pairs``) and analogies
(``analogy_accuracy`` vs ``evaluate_word_analogies``, restrict_vocab=30,000) on GloVe 50d, in
one run, with the scores of both so a speed-up never hides a different answer. The analogy
peer takes minutes on the full set, so ``--every N`` keeps every N-th question of each
section (``--every 1``: all 19,544). Medians of --repeat runs; not a test.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"


def timed(fn, repeat: int):
    runs, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--every", type=int, default=4)
    args = parser.parse_args()
    from course_utils.data import load_analogies, load_glove, source_file
    from course_utils.evaluate import analogy_accuracy, similarity_score

    kv = load_glove()
    rows = []
    for name in ("wordsim353", "simlex999"):
        path = str(source_file(name))
        t_peer, peer = timed(lambda p=path: kv.evaluate_word_pairs(p), args.repeat)
        t_ours, ours = timed(lambda n=name: similarity_score(kv, n, n_boot=0), args.repeat)
        t_ci, _ = timed(lambda n=name: similarity_score(kv, n), args.repeat)
        rows.append((f"{name}: similarity_score (no bootstrap) vs evaluate_word_pairs", t_ours,
                     t_peer, f"rho {ours.spearman:.4f} vs {peer[1].statistic:.4f}"))
        rows.append((f"{name}: similarity_score with a 1,000-resample bootstrap", t_ci, t_peer,
                     ""))
    sample = {s: qs[:: args.every] for s, qs in load_analogies(lowercase=False).items()}
    n_questions = sum(map(len, sample.values()))
    with tempfile.TemporaryDirectory() as tmp:
        qfile = Path(tmp) / "questions.txt"
        qfile.write_text("".join(f": {s}\n" + "".join(" ".join(q) + "\n" for q in qs)
                                 for s, qs in sample.items()))
        t_peer, (peer, _) = timed(lambda: kv.evaluate_word_analogies(str(qfile),
                                                                     restrict_vocab=30_000), 1)
    t_ours, ours = timed(lambda: analogy_accuracy(kv, sample, restrict_vocab=30_000), args.repeat)
    rows.append((f"analogy_accuracy vs evaluate_word_analogies ({n_questions:,} questions; "
                 "peer timed once)", t_ours, t_peer, f"accuracy {ours.accuracy:.4f} vs {peer:.4f}"))

    load = os.getloadavg() if hasattr(os, "getloadavg") else ("?",) * 3
    lines = ["# course_utils.evaluate vs gensim", "",
             f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
             f"load average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; medians of "
             f"{args.repeat} runs.", "",
             "| what | course_utils (s) | gensim (s) | speed-up | same answer |",
             "|---|---:|---:|---:|---|"]
    for what, ours_t, peer_t, note in rows:
        lines.append(f"| {what} | {ours_t:.3f} | {peer_t:.3f} | {peer_t / ours_t:.1f}x | {note} |")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "evaluate.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
