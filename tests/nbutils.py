"""Read committed notebooks: their cells, and the functions they define."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = REPO / "notebooks"


def all_notebooks() -> list[Path]:
    return sorted(p for p in NOTEBOOK_DIR.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def lessons() -> list[Path]:
    return sorted(NOTEBOOK_DIR.glob("[0-9][0-9]*_*.ipynb"))


def solutions_for(lesson: Path) -> Path:
    return NOTEBOOK_DIR / "solutions" / f"{lesson.stem}_solutions.ipynb"


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def code_cells(nb) -> list:
    return [c for c in nb.cells if c.cell_type == "code"]


def output_text(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type in ("execute_result", "display_data"):
            parts.append(out.get("data", {}).get("text/plain", ""))
        elif out.output_type == "error":
            parts.append("\n".join(out.traceback))
    return "\n".join(parts)


def load_definitions(path: Path, names: list[str], namespace: dict | None = None) -> dict:
    """Execute only the imports and the named function definitions of a notebook.

    This is how tests compare a lesson's hand-built version of an idea with course_utils
    without running the whole lesson.
    """
    ns: dict = dict(namespace or {})
    for cell in code_cells(read(path)):
        tree = ast.parse(cell.source)
        keep = [node for node in tree.body
                if isinstance(node, ast.Import | ast.ImportFrom)
                or (isinstance(node, ast.FunctionDef) and node.name in names)]
        if keep:
            exec(compile(ast.Module(body=keep, type_ignores=[]), str(path), "exec"), ns)
    missing = [n for n in names if n not in ns]
    if missing:
        raise AssertionError(f"{path.name} defines no function named {missing}")
    return ns
