"""Re-run notebooks top to bottom in a fresh kernel and store clean outputs in place.

    python tools/execute_notebooks.py notebooks            # every notebook, solutions too
    python tools/execute_notebooks.py notebooks/01_*.ipynb # some
    python tools/execute_notebooks.py --clean-only notebooks

Cells tagged ``raises-exception`` may raise (that is their point); any other error stops
the run. Afterwards volatile metadata (timings, widget state, machine details) is stripped
so that committed notebooks differ only when their content does.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
CELL_KEYS_KEPT = {"tags"}


def clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Keep only the metadata that means something on every machine."""
    nb.metadata = nbformat.from_dict({"kernelspec": KERNELSPEC,
                                      "language_info": {"name": "python"}})
    for i, cell in enumerate(nb.cells):
        cell.metadata = nbformat.from_dict(
            {k: v for k, v in cell.metadata.items() if k in CELL_KEYS_KEPT and v})
        cell.id = f"cell-{i:03d}"  # stable ids keep diffs small
        for out in cell.get("outputs", []):
            if out.output_type == "error":  # the last line says it all; the frames hold local paths
                out.traceback = out.traceback[-1:]
    return nb


def find(paths: list[str]) -> list[Path]:
    found: list[Path] = []
    for p in map(Path, paths):
        found += sorted(p.rglob("*.ipynb")) if p.is_dir() else [p]
    return [f for f in found if ".ipynb_checkpoints" not in f.parts]


def execute(path: Path, timeout: int) -> float:
    from nbclient import NotebookClient

    # explorers (course_utils.explorers) print their static view: no widget state is committed
    os.environ.setdefault("COURSE_STATIC_WIDGETS", "1")
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    elapsed = time.perf_counter() - start
    nbformat.write(clean(nb), path)
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--clean-only", action="store_true", help="strip metadata, run nothing")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    args = parser.parse_args()
    for path in find(args.paths):
        if args.clean_only:
            nbformat.write(clean(nbformat.read(path, as_version=4)), path)
            print(f"cleaned  {path}")
        else:
            print(f"ran      {path}  in {execute(path, args.timeout):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
