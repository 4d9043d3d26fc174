"""The Makefile's user-facing targets do what the README promises."""

import os
import subprocess

from tests.nbutils import REPO


def dry_run(target: str) -> str:
    out = subprocess.run(["make", "-n", target], cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_lab_serves_notebooks_and_allows_root_only_as_root():
    cmd = dry_run("lab")
    assert "jupyter lab --notebook-dir=notebooks" in cmd
    assert ("--allow-root" in cmd) == (os.getuid() == 0)
    assert "--ip" not in cmd and "token" not in cmd.lower()  # JupyterLab's defaults stay


def test_test_target_runs_lint_units_and_every_notebook_under_nbval():
    cmd = dry_run("test")
    assert "ruff check" in cmd and "pytest -q tests" in cmd
    assert "--nbval-lax" in cmd and "nbval_sanitize.cfg notebooks" in cmd


def test_ci_calls_make_test():
    assert "make test" in (REPO / ".ci" / "run").read_text()
