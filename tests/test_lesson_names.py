"""Different things get different names across lessons (issue 15).

A learner who meets ``analogy_accuracy`` from ``course_utils.evaluate`` in one lesson and a
lesson-local ``analogy_accuracy`` with another signature in the next is misled; so is one who
meets two different ``NextWord`` classes. Two rules, over the top-level definitions of every
lesson's code cells (solutions re-define their lesson's exercise names on purpose, so they are
not scanned):

- no function or class name is defined in two lessons;
- no lesson defines a name that some lesson imports from ``course_utils``.
"""

from __future__ import annotations

import ast
from collections import defaultdict

from tests.nbutils import code_cells, lessons, read


def definitions(source: str) -> set[str]:
    """Top-level function and class names that ``source`` defines."""
    return {node.name for node in ast.parse(source).body
            if isinstance(node, ast.FunctionDef | ast.ClassDef)}


def course_imports(source: str) -> set[str]:
    """Names that ``source`` imports from the course's package (``from course_utils... import``)."""
    return {alias.asname or alias.name for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("course_utils")
            for alias in node.names}


def name_clashes(sources: dict[str, str]) -> list[str]:
    """What breaks the two rules, for ``{lesson: its code}``; empty when nothing does."""
    defined: dict[str, set[str]] = defaultdict(set)
    imported: dict[str, set[str]] = defaultdict(set)
    for lesson, source in sources.items():
        for name in definitions(source):
            defined[name].add(lesson)
        for name in course_imports(source):
            imported[name].add(lesson)
    clashes = [f"{name!r} is defined in {sorted(where)}: give each its own descriptive name"
               for name, where in sorted(defined.items()) if len(where) > 1]
    clashes += [f"{name!r} is defined in {sorted(defined[name])} and imported from course_utils "
                f"in {sorted(imported[name])}: rename the lesson's version to say how it differs"
                for name in sorted(set(defined) & set(imported))]
    return clashes


def lesson_sources() -> dict[str, str]:
    return {path.stem: "\n".join(cell.source for cell in code_cells(read(path)))
            for path in lessons()}


def test_no_name_means_two_things_across_lessons():
    sources = lesson_sources()
    assert len(sources) >= 9 and all(definitions(s) for s in sources.values())
    clashes = name_clashes(sources)
    assert not clashes, "\n".join(clashes)


def test_the_rules_catch_the_clashes_issue_15_found():
    twin_classes = {"02a": "class NextWord:\n    pass", "05": "class NextWord:\n    pass"}
    assert "'NextWord' is defined in ['02a', '05']" in name_clashes(twin_classes)[0]
    hidden = {"04": "from course_utils.evaluate import analogy_accuracy",
              "05": "def analogy_accuracy(vectors, words):\n    return {}"}
    assert "imported from course_utils in ['04']" in name_clashes(hidden)[0]
    aliased = {"06": "from course_utils.evaluate import (\n    similarity_score as score)",
               "07": "def score(x):\n    return x"}
    assert name_clashes(aliased) and "'score'" in name_clashes(aliased)[0]
    distinct = {"02a": "class TwoWordLMFromTable:\n    pass", "05": "class TwoWordLM:\n    pass",
                "04": "from course_utils.evaluate import analogy_accuracy"}
    assert name_clashes(distinct) == []
