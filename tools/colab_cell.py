"""Make ``course_utils.colab.COLAB_CELL`` the first code cell of every notebook, after its title.

    python tools/colab_cell.py            # lessons and solutions under notebooks/
    python tools/colab_cell.py --check    # exit 1 if a notebook's cell differs (changes nothing)

Run it after changing ``course_utils.colab.REPOSITORY`` (or the cell itself). It is idempotent:
a notebook whose first code cell already is the cell is left byte for byte as it was; one whose
first code cell is an older version of the cell (it starts with the same comment line) gets it
replaced, outputs cleared; any other notebook gets a new cell inserted after its title. It
edits sources only: re-execute the notebooks afterwards (tools/execute_notebooks.py).
"""

from __future__ import annotations

import argparse
import json
import runpy
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# read from this clone's file, whether or not course_utils is installed (and from where)
COLAB_CELL: str = runpy.run_path(str(REPO / "course_utils" / "colab.py"))["COLAB_CELL"]

# how the cell's first line has always begun: an older version of the cell is recognised by it
MARKER = "# On Colab"


def notebooks(root: Path = REPO) -> list[Path]:
    folder = root / "notebooks"
    return sorted(folder.glob("[0-9][0-9]*_*.ipynb")) + sorted(
        (folder / "solutions").glob("[0-9][0-9]*_*.ipynb"))


def _cell() -> dict:
    return {"cell_type": "code", "execution_count": None, "id": "colab-setup", "metadata": {},
            "outputs": [], "source": COLAB_CELL.splitlines(keepends=True)}


def with_colab_cell(nb: dict) -> dict:
    """``nb`` (parsed JSON) with the Colab cell as its first code cell; the title stays first."""
    cells = nb["cells"]
    first = next((i for i, c in enumerate(cells) if c["cell_type"] == "code"), None)
    if first is not None:
        source = "".join(cells[first]["source"])
        if source == COLAB_CELL:
            return nb
        if source.startswith(MARKER):
            cells[first] = {**_cell(), "id": cells[first].get("id", "colab-setup")}
            return nb
    at = 1 if cells and cells[0]["cell_type"] == "markdown" else 0
    cells.insert(at, _cell())
    return nb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report, change nothing")
    parser.add_argument("--root", type=Path, default=REPO, help="the course's folder")
    args = parser.parse_args(argv)
    stale = []
    for path in notebooks(args.root):
        text = path.read_text(encoding="utf-8")
        new = json.dumps(with_colab_cell(json.loads(text)), indent=1, ensure_ascii=False) + "\n"
        if new != text and json.loads(new) != json.loads(text):
            stale.append(path)
            if not args.check:
                path.write_text(new, encoding="utf-8")
    verb = "differ" if args.check else "updated"
    print(f"{len(stale)} notebook(s) {verb}" + "".join(f"\n  {p}" for p in stale))
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
