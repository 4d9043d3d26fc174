"""Benchmarks of the course's foundation, written to bench/results/foundation.md.

    make bench            # or: python bench/bench_foundation.py [--repeat 5] [--skip-notebooks]

Measures, on this machine and in one run: `import course_utils`; loading the Wikipedia
sample cold (parse + cache) and warm (from the cache) against gensim's own WikiCorpus
parse, the peer a learner would otherwise use; loading GloVe and MiniLM; and each
notebook top to bottom in a fresh kernel (wall time and the kernel's peak resident
memory). Medians of --repeat runs (peak memory: the largest). Not a test: timings
depend on the machine and what else it is doing.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
# appended to each notebook run: the kernel's peak resident memory (and its children's), KiB
PEAK_RSS_CELL = ("import resource\n"
                 "print('peak', max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "
                 "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))")


def timed(fn, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def in_subprocess(code: str, env: dict | None = None) -> float:
    """Wall time of a fresh interpreter running ``code`` (includes interpreter start)."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, **(env or {})})
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-notebooks", action="store_true")
    args = parser.parse_args()
    rows: list[tuple[str, float, str]] = []

    bare = statistics.median(in_subprocess("pass") for _ in range(args.repeat))
    imp = statistics.median(in_subprocess("import course_utils") for _ in range(args.repeat))
    rows.append(("import course_utils (fresh interpreter, minus bare start)", imp - bare, ""))

    from gensim.corpora import WikiCorpus

    from course_utils import data

    wiki_file = str(data.source_file("wiki"))
    peer = timed(lambda: list(WikiCorpus(wiki_file, dictionary={}, processes=1).get_texts()),
                 args.repeat)
    rows.append(("gensim WikiCorpus parse of the wiki sample (peer)", peer, ""))
    cold = []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            code = "from course_utils.data import load_corpus; load_corpus('wiki')"
            cold.append(in_subprocess(code, {"COURSE_CACHE_DIR": tmp}) - bare)
    rows.append(("load_corpus('wiki'), cold cache (new interpreter: imports, verify, parse, write)",
                 statistics.median(cold), f"{statistics.median(cold) / peer:.2f}x peer"))
    data.load_corpus("wiki")
    warm = timed(lambda: data.load_corpus("wiki"), args.repeat)
    rows.append(("load_corpus('wiki'), warm cache", warm, f"{peer / warm:.0f}x faster than peer"))
    rows.append(("load_glove() (400k x 50)", timed(data.load_glove, args.repeat), ""))
    rows.append(("load_minilm() (median; the first call also imports transformers)",
                 timed(lambda: data.load_minilm(device="cpu"), args.repeat), ""))

    if not args.skip_notebooks:
        import nbformat
        from nbclient import NotebookClient

        for path in sorted((REPO / "notebooks").rglob("*.ipynb")):
            if ".ipynb_checkpoints" in path.parts:
                continue
            runs, peaks = [], []
            for _ in range(args.repeat):
                nb = nbformat.read(path, as_version=4)
                nb.cells.append(nbformat.v4.new_code_cell(PEAK_RSS_CELL))
                start = time.perf_counter()
                NotebookClient(nb, timeout=600, kernel_name="python3",
                               resources={"metadata": {"path": str(path.parent)}}).execute()
                runs.append(time.perf_counter() - start)
                peaks.append(int(nb.cells[-1].outputs[0].text.split()[-1]) / 2**20)  # KiB -> GiB
            budget = 120 if "training" in path.name else 60
            t, peak = statistics.median(runs), max(peaks)
            ok = t < budget and peak < 2.0
            rows.append((f"notebook {path.relative_to(REPO)}", t,
                         f"peak memory {peak:.2f} GiB; budget {budget} s / 2 GiB: "
                         f"{'ok' if ok else 'OVER'}"))

    lines = [
        "# Foundation benchmarks", "",
        f"- machine: {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}",
        f"- median of {args.repeat} runs; written {time.strftime('%Y-%m-%d %H:%M')}", "",
        "| what | seconds | note |", "|---|---:|---|",
    ] + [f"| {what} | {secs:.3f} | {note} |" for what, secs, note in rows]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "foundation.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    print(f"\nwritten to {RESULTS / 'foundation.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
