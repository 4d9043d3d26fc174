"""INSTRUCTORS.md stays true to the notebooks: a section per lesson, and every notebook heading it
names (`## 3. Analogies: …`) is one the notebooks have, since that is how it points into them.

A heading may be cited by its beginning (`## 2. Frozen or fine-tuned?` for the full
`## 2. Frozen or fine-tuned? A small downstream task`), and wrapped over two lines.
"""

from __future__ import annotations

import re

from tests.nbutils import REPO, lessons, read

INSTRUCTORS = REPO / "INSTRUCTORS.md"


def notebook_headings() -> set[str]:
    return {line.strip() for path in lessons() for cell in read(path).cells
            if cell.cell_type == "markdown"
            for line in cell.source.splitlines() if re.match(r"#{2,4} ", line)}


def stale_headings(text: str, headings: set[str]) -> list[str]:
    """The headings ``text`` cites in backticks that begin no heading in ``headings``."""
    cited = re.findall(r"`(#{2,4} [^`]+)`", " ".join(text.split()))
    return sorted({h for h in cited
                   if not any(x.startswith(h.rstrip("…").rstrip()) for x in headings)})


def test_instructors_has_a_section_per_lesson():
    text = INSTRUCTORS.read_text(encoding="utf-8")
    for path in lessons():
        number = path.stem.split("_")[0]
        assert re.search(rf"^## {number} · ", text, re.M), f"no '## {number} · …' in INSTRUCTORS.md"


def test_every_heading_instructors_cites_is_in_the_notebooks():
    headings = notebook_headings()
    assert len(headings) > 50  # the notebooks were read
    stale = stale_headings(INSTRUCTORS.read_text(encoding="utf-8"), headings)
    assert not stale, f"INSTRUCTORS.md cites headings no lesson has (renamed?): {stale}"


def test_stale_headings_finds_a_renamed_heading_and_accepts_prefixes_and_wrapping():
    headings = {"## 4. Does the scheme matter in training?", "## 3. Analogies: directions"}
    text = ("`## 4. Does it matter for training?`, `## 3. Analogies: …`, `## 4. Does the\n"
            "scheme matter`, `### Gone`")
    assert stale_headings(text, headings) == ["## 4. Does it matter for training?", "### Gone"]
