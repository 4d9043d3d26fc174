"""Sphinx configuration for the course website (``make site``).

The source folder is the repository root, so README.md (the course map) is the home page
and its links to ``notebooks/*.ipynb`` resolve to the lesson pages. Notebooks are rendered
from their committed outputs and never executed here. Every asset is local: MathJax comes
from the ``sphinx-mathjax-offline`` package, so the built site works from a USB stick.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# course_utils.colab (stdlib only) names the repository: importable from the checkout, so
# the site builds with requirements-site.txt alone (no torch), e.g. in a GitHub Pages job
sys.path.insert(0, str(ROOT))

project = "Embeddings in LLMs"
author = "the course authors"
copyright = "the course authors, MIT license"  # noqa: A001 (Sphinx's name)

# Where the course is published: launch buttons (Binder, Colab) and "edit on GitHub" links
# are built from it (course_utils.colab.REPOSITORY).
# Override without editing: COURSE_REPOSITORY=owner/name make site
from course_utils.colab import REPOSITORY as _DEFAULT_REPOSITORY  # noqa: E402

REPOSITORY = os.environ.get("COURSE_REPOSITORY", _DEFAULT_REPOSITORY)
BRANCH = os.environ.get("COURSE_BRANCH", "main")

extensions = [
    "myst_nb",  # also registers myst_parser for .md
    "sphinx-mathjax-offline",  # MathJax 3 copied into _static/, no CDN
    "sphinx.ext.githubpages",  # .nojekyll, so GitHub Pages serves _static/
]

root_doc = "README"
# the repository root is the source folder: take only what the site shows
include_patterns = [
    "README.md",
    "INSTRUCTORS.md",
    "datasets/README.md",
    "tests/README.md",
    "notebooks/*.ipynb",
    "notebooks/solutions/*.ipynb",
]
exclude_patterns = [".venv*", "build", ".cache", "**/.ipynb_checkpoints", ".git"]

# rendered from committed outputs: the site never runs a notebook
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3

html_theme = "sphinx_book_theme"
html_title = project
html_favicon = "favicon.svg"  # without one, the browser logs a 404 on every first visit
# a fixed colour mode: an empty one makes the theme log an error in the console
html_context = {"default_mode": "light"}
html_show_sourcelink = False  # the download button (.ipynb, .md) stays
html_theme_options = {
    "repository_url": f"https://github.com/{REPOSITORY}",
    "repository_branch": BRANCH,
    "path_to_docs": "",
    "use_repository_button": True,
    "use_download_button": True,
    "launch_buttons": {
        "binderhub_url": "https://mybinder.org",
        "colab_url": "https://colab.research.google.com",
        "notebook_interface": "jupyterlab",
    },
    "show_toc_level": 2,
}


def _lessons() -> list[str]:
    return sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9]*.ipynb"))


def _toctree() -> str:
    """The navigation, added to the home page at build time (README stays plain Markdown)."""
    lessons = "\n".join(f"notebooks/{stem}" for stem in _lessons())
    solutions = "\n".join(
        f"notebooks/solutions/{p.stem}"
        for p in sorted((ROOT / "notebooks" / "solutions").glob("*.ipynb")))
    return (
        f"\n\n```{{toctree}}\n:hidden:\n:caption: Lessons\n\n{lessons}\n```\n"
        f"\n```{{toctree}}\n:hidden:\n:caption: Solutions\n\n{solutions}\n```\n"
        "\n```{toctree}\n:hidden:\n:caption: About\n\n"
        "INSTRUCTORS\ndatasets/README\ntests/README\n```\n")


def _add_navigation(app, docname, source):
    if docname == root_doc:
        if not (ROOT / "INSTRUCTORS.md").exists():
            source[0] += _toctree().replace("INSTRUCTORS\n", "")
        else:
            source[0] += _toctree()


def _home_page(app, exception):
    """The home page is README.html; index.html is its copy, so the site opens at /."""
    if exception is None and app.builder.format == "html":
        shutil.copyfile(Path(app.outdir) / "README.html", Path(app.outdir) / "index.html")


def _repository_links():
    """A post-transform: a Markdown link to a folder or a file the site does not render
    (``notebooks/solutions/``, ``LICENSE``) points at it on GitHub. It runs before MyST's
    resolver (priority 9), and only for paths that exist: a link to a missing file stays
    a build error."""
    from docutils import nodes
    from sphinx import addnodes
    from sphinx.transforms.post_transforms import SphinxPostTransform

    class RepositoryLinks(SphinxPostTransform):
        default_priority = 5

        def run(self, **kwargs) -> None:
            for node in list(self.document.findall(addnodes.pending_xref)):
                if node.get("reftype") != "myst" or node.get("refdomain") == "doc":
                    continue
                target = node["reftarget"].split("#")[0]
                here = (ROOT / node.get("refdoc", self.env.docname)).parent
                path = (here / target).resolve()
                if not target or not path.exists() or ROOT not in path.parents:
                    continue
                kind = "tree" if path.is_dir() else "blob"
                url = (f"https://github.com/{REPOSITORY}/{kind}/{BRANCH}/"
                       f"{path.relative_to(ROOT).as_posix()}")
                node.replace_self(nodes.reference("", "", *node.children, refuri=url))

    return RepositoryLinks


def _link_solutions(app, doctree):
    """Under a lesson's "Exercises" heading, a link to its solutions page (when there is one)."""
    from docutils import nodes
    from sphinx import addnodes

    docname = app.env.docname
    if not docname.startswith("notebooks/") or docname.count("/") != 1:
        return
    solutions = f"notebooks/solutions/{docname.split('/')[1]}_solutions"
    if not (ROOT / f"{solutions}.ipynb").exists():
        return
    for section in doctree.findall(nodes.section):
        title = section.next_node(nodes.title)
        if title is not None and title.astext().strip().lower().startswith("exercises"):
            ref = addnodes.pending_xref("", refdomain="std", reftype="doc",
                                        reftarget=f"/{solutions}", refexplicit=True,
                                        refdoc=docname)
            ref += nodes.inline("", "the solutions notebook")
            note = nodes.paragraph("", "Stuck, or done? Compare with ")
            note += ref
            note += nodes.Text(" (try first: each exercise's check tells you when you are right).")
            section.insert(1, note)
            return


def setup(app):
    app.connect("doctree-read", _link_solutions)
    app.add_post_transform(_repository_links())
    app.connect("source-read", _add_navigation)
    app.connect("build-finished", _home_page)
