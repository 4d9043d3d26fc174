"""Committed notebooks are clean, complete, and come from one top-to-bottom run.

nbval (``make test``) re-executes them; these checks look at what is committed.
"""

from __future__ import annotations

import re

import pytest

from tests.nbutils import all_notebooks, code_cells, lessons, output_text, read, solutions_for

NOTEBOOKS = all_notebooks()
IDS = [p.name for p in NOTEBOOKS]
LOCAL_PATH = re.compile(r"(/home/|/root/|/Users/|/work/|site-packages|\.venv|[A-Z]:\\\\)")


def test_there_are_lessons_and_each_has_solutions():
    assert lessons(), "no lesson notebooks found"
    for lesson in lessons():
        assert solutions_for(lesson).exists(), f"{lesson.name} has no solutions notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_outputs_come_from_one_clean_run(path):
    counts = [c.execution_count for c in code_cells(read(path))]
    assert counts == list(range(1, len(counts) + 1)), (
        f"{path.name}: execution counts {counts} are not 1, 2, 3, ...; run `make execute`")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_metadata_is_clean(path):
    nb = read(path)
    assert set(nb.metadata) <= {"kernelspec", "language_info"}, sorted(nb.metadata)
    assert nb.metadata.get("language_info", {}) in ({}, {"name": "python"})
    assert "widgets" not in nb.metadata
    for cell in nb.cells:
        assert set(cell.metadata) <= {"tags"}, f"{path.name}: cell metadata {dict(cell.metadata)}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_outputs_hold_no_errors_warnings_or_local_paths(path):
    for cell in code_cells(read(path)):
        tags = cell.metadata.get("tags", [])
        text = output_text(cell)
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if "raises-exception" in tags:
            assert "# NBVAL_RAISES_EXCEPTION" in cell.source
            assert "# NBVAL_CHECK_OUTPUT" in cell.source
        else:
            assert not errors, f"{path.name}: unexpected error in\n{cell.source[:200]}"
        if "# NBVAL_RAISES_EXCEPTION" in cell.source:
            assert "raises-exception" in tags, f"{path.name}: tag the cell 'raises-exception'"
        stderr = [o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stderr"]
        assert not stderr, f"{path.name}: stderr output (a warning?): {stderr[0][:300]}"
        assert not LOCAL_PATH.search(text), f"{path.name}: local path in output: {text[:300]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_path_hacks_or_star_imports(path):
    for cell in code_cells(read(path)):
        assert "sys.path" not in cell.source and "import *" not in cell.source


@pytest.mark.parametrize("path", lessons(), ids=[p.name for p in lessons()])
def test_lesson_structure(path):
    nb = read(path)
    first = nb.cells[0].source
    assert first.startswith("# ") and "Run time" in first and "able to" in first
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for heading in ("## Exercises", "## Recap", "## Interview questions", "## References"):
        assert heading in markdown, f"{path.name} lacks a '{heading}' section"
    assert "# NBVAL_CHECK_OUTPUT" in "\n".join(c.source for c in code_cells(nb))
    for cell in code_cells(nb):
        if cell.source.rstrip().endswith(")") and "plt.subplots" in cell.source:
            assert "plt.show()" in cell.source, f"{path.name}: end plot cells with plt.show()"


CHECK_CALL = re.compile(r"^(check_\w+)\(", re.M)


def _exercise_checks(source: str) -> list[str]:
    """Calls of the exercise checkers (names from course_utils.checks) at a line start."""
    import course_utils.checks as checks

    return [name for name in CHECK_CALL.findall(source) if hasattr(checks, name)]


@pytest.mark.parametrize("lesson", lessons(), ids=[p.name for p in lessons()])
def test_solutions_pass_every_check_of_their_lesson(lesson):
    asked = _exercise_checks("\n".join(c.source for c in code_cells(read(lesson))))
    assert asked, f"{lesson.name} has no exercise checks"
    solved: dict[str, str] = {}
    for cell in code_cells(read(solutions_for(lesson))):
        for name in _exercise_checks(cell.source):
            solved[name] = output_text(cell)
            assert "# NBVAL_CHECK_OUTPUT" in cell.source, "nbval must re-check the verdict"
    for name in asked:
        assert name in solved, f"the solutions do not call {name}"
        assert "✅ correct" in solved[name], f"{name} did not pass: {solved[name][:200]}"


# A number in scientific notation (1e-9, 9.5e-07) or with 5+ decimals is floating-point noise
# in a checked output, unless it is the bound of a comparison ("< 1e-9"): such cells differ
# across CPUs and BLAS builds and turn CI red on another machine.
NOISY_NUMBER = re.compile(
    r"(?<![\w.])(?P<num>[-+]?\d*\.?\d+[eE][-+]?\d+|[-+]?\d+\.\d{5,})(?![\w.])")
BOUND_BEFORE = re.compile(r"(<|>|<=|>=|≤|≥)\s*$")


def noisy_numbers(text: str) -> list[str]:
    """Numbers in ``text`` that may change with the CPU or BLAS build (not comparison bounds)."""
    return [m["num"] for m in NOISY_NUMBER.finditer(text)
            if not BOUND_BEFORE.search(text[max(0, m.start() - 4):m.start()])]


def test_noisy_number_guard_catches_what_it_should():
    assert noisy_numbers("largest |L2² - (2 - 2cos)| over 1,000 pairs: 9.5e-07") == ["9.5e-07"]
    assert noisy_numbers("loss 2.3025851") == ["2.3025851"]
    assert noisy_numbers("every diagonal constant (spread < 1e-9): True") == []
    assert noisy_numbers("error <= 1e-6: True, rho 0.503, n 19,544") == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_checked_outputs_hold_no_floating_point_noise(path):
    for cell in code_cells(read(path)):
        if "# NBVAL_CHECK_OUTPUT" not in cell.source:
            continue
        noisy = noisy_numbers(output_text(cell))
        assert not noisy, (f"{path.name}: a checked cell prints {noisy}, which can differ on "
                           f"another CPU; round it or print a comparison (`err < 1e-6`):\n"
                           f"{cell.source[:200]}")


# A figure whose axes hold no plotted data (only text or annotations, which do not rescale the
# axes) fails at `plt.show()` in every notebook kernel: tests/nbval_guard.py installs
# tests/figure_guard.py through an IPython startup file. These tests show it catches one.


def _run_startup_file(code: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from tests.nbval_guard import guarded_ipython_dir

    startup = __import__("pathlib").Path(guarded_ipython_dir()) / "profile_default" / "startup"
    source = (startup / "01-figure-guard.py").read_text(encoding="utf-8")
    namespace: dict = {}
    exec(compile(source, "01-figure-guard.py", "exec"), namespace)  # what a kernel runs
    exec(code, namespace)


def test_figure_guard_fails_on_an_axes_with_only_annotations():
    import matplotlib.pyplot as plt

    original = plt.show
    try:
        with pytest.raises(AssertionError, match="'relations' .only 2 text/annotation"):
            _run_startup_file(
                "import matplotlib.pyplot as plt\n"
                "fig, ax = plt.subplots()\n"
                "ax.annotate('', xy=(5, 5), xytext=(4, 4), arrowprops={'arrowstyle': '->'})\n"
                "ax.text(4, 4, 'king')\n"
                "ax.set_title('relations')\n"
                "plt.show()\n")
        plt.close("all")
        _run_startup_file(  # the same figure with the points plotted passes
            "import matplotlib.pyplot as plt\n"
            "fig, (ax, cax) = plt.subplots(1, 2)\n"
            "ax.scatter([4, 5], [4, 5])\n"
            "fig.colorbar(cax.imshow([[0, 1]]), ax=cax)\n"
            "ax.annotate('', xy=(5, 5), xytext=(4, 4), arrowprops={'arrowstyle': '->'})\n"
            "plt.show()\n")
        with pytest.raises(AssertionError, match="figure .*axes 1"):
            _run_startup_file("import matplotlib.pyplot as plt\n"
                              "fig, axes = plt.subplots(1, 2)\n"
                              "axes[0].plot([1, 2])\n"
                              "plt.show()\n")
    finally:
        plt.close("all")
        plt.show = original


# Solutions notebooks hold only the exercises (plus the setup they need): no copy of a lesson
# cell from before its "## Exercises" section, and none of the lesson's section headings.
def _is_setup(source: str) -> bool:
    """Imports, seeding and blank/comment lines only: the setup a solutions notebook may share."""
    from course_utils.colab import COLAB_CELL

    if source.strip() == COLAB_CELL.strip():  # every notebook's first code cell
        return True
    for line in source.splitlines():
        s = line.strip()
        if s and not s.startswith(("#", "import ", "from ", "set_seed(", ")")) \
                and not s.endswith(","):
            return False
    return True


def lesson_cells_copied_into_solutions(lesson) -> list[str]:
    """What the solutions notebook of ``lesson`` copies from the lesson outside its exercises."""
    nb, sol = read(lesson), read(solutions_for(lesson))
    before = []
    for cell in nb.cells:
        if cell.cell_type == "markdown" and "## Exercises" in cell.source:
            break
        before.append(cell)
    code = {c.source.strip() for c in before if c.cell_type == "code" and not _is_setup(c.source)}
    headings = {line.strip() for c in before if c.cell_type == "markdown"
                for line in c.source.splitlines() if line.startswith("## ")}
    found = []
    for cell in sol.cells:
        if cell.cell_type == "code" and cell.source.strip() in code:
            found.append(f"code cell {cell.source.strip()[:60]!r}")
        if cell.cell_type == "markdown":
            found += [f"heading {line.strip()!r}" for line in cell.source.splitlines()
                      if line.strip() in headings]
    return found


@pytest.mark.parametrize("lesson", lessons(), ids=[p.name for p in lessons()])
def test_solutions_hold_only_the_exercises(lesson):
    copied = lesson_cells_copied_into_solutions(lesson)
    assert not copied, (f"{solutions_for(lesson).name} repeats the lesson outside its exercises: "
                        f"{copied[:5]}; keep only the exercises and the setup they need")


def test_solutions_guard_catches_a_full_copy(tmp_path, monkeypatch):
    import nbformat

    from tests import nbutils

    lesson = lessons()[0]
    (tmp_path / "solutions").mkdir()
    nbformat.write(read(lesson), tmp_path / "solutions" / f"{lesson.stem}_solutions.ipynb")
    monkeypatch.setattr(nbutils, "NOTEBOOK_DIR", tmp_path)
    assert lesson_cells_copied_into_solutions(lesson)
