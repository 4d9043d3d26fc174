"""The checks every public function repeats, written once, and one atomic file write.

Each check returns the cleaned value (a plain ``int`` or ``float``) or raises a
``ValueError`` that names the argument, the value that came, what was expected and,
where there is one, the fix. numpy integer and float scalars are accepted wherever
Python numbers are (numpy's bool is not a number to Python either); ``True``/``False``
are never taken for numbers.

>>> import numpy as np
>>> check_int(np.int64(5), "dim", minimum=1)
5
>>> check_probability(0.25, "dropout")
0.25
"""

from __future__ import annotations

import math
import numbers
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

__all__ = ["BadCorpusError", "check_int", "check_seed", "check_float", "check_probability",
           "check_corpus", "atomic_write"]


def check_int(value, name: str, minimum: int | None = None, maximum: int | None = None,
              hint: str = "") -> int:
    """``value`` as an ``int`` within ``[minimum, maximum]``; numpy integers are accepted."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an int, got {value!r}{hint}")
    value = int(value)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        bounds = (f">= {minimum}" if maximum is None else
                  f"<= {maximum}" if minimum is None else f"in [{minimum}, {maximum}]")
        raise ValueError(f"{name} must be an int {bounds}, got {value!r}{hint}")
    return value


def check_seed(seed) -> int:
    """A seed: an int >= 0 (numpy integers accepted)."""
    return check_int(seed, "seed", minimum=0, hint=": try seed=0")


def check_float(value, name: str, minimum: float | None = None, maximum: float | None = None,
                strict: bool = False, hint: str = "") -> float:
    """``value`` as a finite ``float`` within the bounds (``strict``: bounds excluded)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number, got {value!r}{hint}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}{hint}")
    low = minimum is not None and (value <= minimum if strict else value < minimum)
    high = maximum is not None and (value >= maximum if strict else value > maximum)
    if low or high:
        lt, gt = ("<", ">") if strict else ("<=", ">=")
        parts = ([f"{gt} {minimum}"] if minimum is not None else []) + (
            [f"{lt} {maximum}"] if maximum is not None else [])
        raise ValueError(f"{name} must be {' and '.join(parts)}, got {value!r}{hint}")
    return value


def check_probability(value, name: str, hint: str = "") -> float:
    """A probability in ``[0, 1]``."""
    return check_float(value, name, minimum=0.0, maximum=1.0, hint=hint)


class BadCorpusError(TypeError, ValueError):
    """A corpus that is not a list of token lists (both a TypeError and a ValueError)."""


def check_corpus(corpus) -> list[list[str]]:
    """``corpus`` as a list of documents, each a sequence of string tokens; it may be empty.

    A string, a document that is a string, or a token that is not a string is refused
    with the document's number and the fix.
    """
    if isinstance(corpus, str) or not isinstance(corpus, Iterable):
        got = "one string" if isinstance(corpus, str) else type(corpus).__name__
        raise BadCorpusError(
            f"expected a corpus (a list of token lists), got {got}: tokenize it first, "
            "e.g. `[text.split() for text in texts]` or `load_corpus('toy')`")
    docs = list(corpus)
    for i, doc in enumerate(docs):
        if isinstance(doc, str) or not isinstance(doc, Sequence):
            raise BadCorpusError(
                f"document {i} is a {type(doc).__name__}, not a list of string tokens: "
                "split it first, e.g. `doc.split()`")
        bad = next((t for t in doc if not isinstance(t, str)), None)
        if bad is not None:
            raise BadCorpusError(
                f"document {i} holds a token that is not a string ({bad!r}); a corpus is a "
                "list of token lists like [['the', 'cat'], ['a', 'dog']]")
    return docs


def atomic_write(path: str | os.PathLike, write: Callable, binary: bool = True) -> Path:
    """Write a file so that a reader sees the old one or the new one, never half of either.

    ``write(fh)`` writes the content to an open temporary file in the same folder, which
    is flushed to disk and renamed over ``path``. The file is readable by the group, so a
    class can share one cache folder. On any error the temporary file is removed.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        mode = {"mode": "wb"} if binary else {"mode": "w", "encoding": "utf-8"}
        with os.fdopen(fd, **mode) as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
