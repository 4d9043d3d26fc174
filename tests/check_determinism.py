"""Run every notebook again under other conditions and compare its checked cells.

    python -m tests.check_determinism [notebooks ...]

``make notebooks`` (nbval) already proves that a fresh run with PYTHONHASHSEED=0 and the
default thread count reproduces the committed outputs of every ``# NBVAL_CHECK_OUTPUT``
cell. This script runs each notebook once more with PYTHONHASHSEED=1 and one thread
(OMP/MKL/torch), and fails if any of those cells now prints something else: so the
numbers the lessons rely on depend on neither hash seeds nor thread counts.
"""

from __future__ import annotations

import configparser
import difflib
import os
import re
import sys
import time
from pathlib import Path

import nbformat

from tests.nbutils import REPO, all_notebooks, code_cells
from tests.nbval_guard import guarded_ipython_dir

ENV = {"PYTHONHASHSEED": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
       "OPENBLAS_NUM_THREADS": "1", "COURSE_STATIC_WIDGETS": "1"}


def sanitizers() -> list[tuple[re.Pattern, str]]:
    cfg = configparser.ConfigParser()
    cfg.read(REPO / "tests" / "nbval_sanitize.cfg")
    return [(re.compile(cfg[s]["regex"]), cfg[s]["replace"]) for s in cfg.sections()]


def checked_outputs(nb) -> dict[int, str]:
    """Text of every NBVAL_CHECK_OUTPUT cell's outputs, by code-cell position, sanitized."""
    subs = sanitizers()
    out = {}
    for i, cell in enumerate(code_cells(nb)):
        if "# NBVAL_CHECK_OUTPUT" not in cell.source:
            continue
        parts = []
        stream = None  # how output is split into stream chunks depends on timing: merge them
        for o in cell.get("outputs", []):
            if o.output_type == "stream" and stream == o.name:
                parts[-1] += o.text
                continue
            stream = o.name if o.output_type == "stream" else None
            if o.output_type == "stream":
                parts.append(f"[{o.name}] {o.text}")
            elif o.output_type in ("execute_result", "display_data"):
                parts.append(o.get("data", {}).get("text/plain", ""))
            elif o.output_type == "error":
                parts.append(f"{o.ename}: {o.evalue}")
        text = "\n".join(parts)
        for pattern, repl in subs:
            text = pattern.sub(repl, text)
        out[i] = text
    return out


def run(path: Path) -> tuple[list[str], float]:
    from nbclient import NotebookClient

    committed = nbformat.read(path, as_version=4)
    fresh = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(fresh, timeout=600, kernel_name="python3", record_timing=False,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    elapsed = time.perf_counter() - start
    before, after = checked_outputs(committed), checked_outputs(fresh)
    problems = []
    for i, text in before.items():
        if after.get(i) != text:
            diff = "\n".join(difflib.unified_diff(text.splitlines(), after.get(i, "").splitlines(),
                                                  "committed", "rerun", lineterm=""))
            problems.append(f"{path.name}, code cell {i + 1}:\n{diff}")
    return problems, elapsed


def main(argv: list[str]) -> int:
    os.environ.update(ENV)
    os.environ["IPYTHONDIR"] = guarded_ipython_dir()
    paths = [Path(p) for p in argv] or all_notebooks()
    problems = []
    for path in paths:
        found, elapsed = run(path)
        checked = len(checked_outputs(nbformat.read(path, as_version=4)))
        status = "ok" if not found else f"{len(found)} DIFFER"
        name = path.resolve().relative_to(REPO) if path.resolve().is_relative_to(REPO) else path
        print(f"{status:>9}  {name}: {checked} checked cells, rerun with PYTHONHASHSEED="
              f"{ENV['PYTHONHASHSEED']}, 1 thread, {elapsed:.1f} s", flush=True)
        problems += found
    if problems:
        print("\nchecked outputs changed between runs (not deterministic):\n")
        print("\n\n".join(problems))
        return 1
    print(f"determinism: {len(paths)} notebooks, every checked cell identical")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
