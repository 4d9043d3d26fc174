"""Shared fixtures: an isolated cache and a fake package folder for data-integrity tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from course_utils import data
from tests import offline

REPO = Path(__file__).resolve().parents[1]
offline.install()  # any test that reaches the network fails, naming the code that tried


@pytest.fixture
def tmp_cache(tmp_path, monkeypatch):
    """Point the course cache at an empty temporary folder."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("COURSE_CACHE_DIR", str(cache))
    return cache


@pytest.fixture
def fake_provider(tmp_path, monkeypatch, tmp_cache):
    """Copy one source's files into a temp folder and make the loaders read them from there.

    Returns a function ``copy(name) -> folder`` so tests can alter, truncate or delete files.
    """
    root = tmp_path / "provider"
    root.mkdir()
    real_root = data.provider_root

    def copy(name: str) -> Path:
        src = data.catalog()[name]
        for filename in src.files:
            shutil.copy(real_root(src.provider) / filename, root / filename)
        return root

    monkeypatch.setattr(data, "provider_root", lambda provider: root)
    return copy


# `pytest --repeat-each N`: run every selected test N times. The exercise checkers draw fresh
# inputs on every call, so one green run says little about how often a wrong answer slips
# through; `make stress-checkers` repeats their tests to measure that rate (it should be 0).
def pytest_addoption(parser):
    parser.addoption("--repeat-each", type=int, default=1, metavar="N",
                     help="run every selected test N times (for randomized checkers)")


@pytest.fixture
def _repeat_index(request):
    return request.param


def pytest_generate_tests(metafunc):
    n = metafunc.config.getoption("repeat_each")
    if n > 1:
        metafunc.fixturenames.append("_repeat_index")
        metafunc.parametrize("_repeat_index", range(n), indirect=True)
