"""The shared argument checks and the atomic write."""

from __future__ import annotations

import math

import numpy as np
import pytest

from course_utils.validation import (
    BadCorpusError,
    atomic_write,
    check_corpus,
    check_float,
    check_int,
    check_probability,
    check_seed,
)


def test_check_int_accepts_python_and_numpy_ints():
    assert check_int(3, "n") == 3
    assert type(check_int(np.int64(3), "n")) is int
    assert check_int(np.uint8(0), "n", minimum=0) == 0


@pytest.mark.parametrize("bad", [True, np.bool_(True), 2.0, "3", None, np.float32(1)])
def test_check_int_refuses_non_ints(bad):
    with pytest.raises(ValueError, match="n must be an int, got"):
        check_int(bad, "n")


def test_check_int_bounds_name_the_range():
    with pytest.raises(ValueError, match=r"dim must be an int >= 1, got 0"):
        check_int(0, "dim", minimum=1)
    with pytest.raises(ValueError, match=r"k must be an int in \[1, 5\], got 6: fewer"):
        check_int(6, "k", minimum=1, maximum=5, hint=": fewer")
    with pytest.raises(ValueError, match=r"k must be an int <= 5"):
        check_int(6, "k", maximum=5)


def test_check_seed():
    assert check_seed(np.int32(7)) == 7
    with pytest.raises(ValueError, match="try seed=0"):
        check_seed(-1)


def test_check_float_finite_and_bounds():
    assert check_float(np.float32(0.5), "lr", minimum=0, strict=True) == 0.5
    assert check_float(2, "x") == 2.0
    for bad in (math.nan, math.inf, -math.inf):
        with pytest.raises(ValueError, match="lr must be finite"):
            check_float(bad, "lr")
    with pytest.raises(ValueError, match=r"lr must be > 0, got 0.0"):
        check_float(0.0, "lr", minimum=0, strict=True)
    with pytest.raises(ValueError, match=r"lr must be >= 0"):
        check_float(-1, "lr", minimum=0)
    with pytest.raises(ValueError, match="must be a number"):
        check_float(True, "lr")


def test_check_probability():
    assert check_probability(1, "p") == 1.0
    with pytest.raises(ValueError, match=r"p must be >= 0.0 and <= 1.0, got 1.5"):
        check_probability(1.5, "p")


def test_atomic_write_replaces_whole_files_and_cleans_up(tmp_path):
    path = tmp_path / "sub" / "f.txt"
    atomic_write(path, lambda fh: fh.write("one"), binary=False)
    assert path.read_text() == "one"
    assert path.stat().st_mode & 0o040  # group-readable: a class can share a cache

    def broken(fh):
        fh.write(b"half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(path, broken)
    assert path.read_text() == "one"
    assert [p.name for p in path.parent.iterdir()] == ["f.txt"]


@pytest.mark.parametrize("corpus, match", [
    ("the cat sat", "got one string: tokenize it first"),
    (42, "got int: tokenize it first"),
    ([["a"], "b c"], "document 1 is a str, not a list of string tokens: split it first"),
    ([["a"], None], "document 1 is a NoneType"),
    ([["a", 3]], r"document 0 holds a token that is not a string \(3\)"),
])
def test_check_corpus_names_the_bad_document_and_the_fix(corpus, match):
    with pytest.raises(BadCorpusError, match=match) as info:
        check_corpus(corpus)
    assert isinstance(info.value, TypeError) and isinstance(info.value, ValueError)


def test_check_corpus_accepts_iterables_tuples_and_an_empty_corpus():
    assert check_corpus(iter([("a", "b"), ["c"]])) == [("a", "b"), ["c"]]
    assert check_corpus([]) == [] and check_corpus([[]]) == [[]]
