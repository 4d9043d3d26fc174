"""Seeding and device selection shared by every lesson."""

from __future__ import annotations

import os
import random

from course_utils.validation import check_int


def set_seed(seed: int = 0) -> None:
    """Seed Python's ``random``, numpy and torch (CPU and every GPU) with ``seed``.

    Every random thing in a lesson goes through this one call, so a lesson run twice
    with the same seed prints the same numbers.
    """
    seed = check_int(seed, "seed", minimum=0, hint=": try set_seed(0)")
    if seed >= 2**32:  # numpy's legacy seeding takes 32 bits
        raise ValueError(f"seed must be below 2**32 (numpy's limit), got {seed}: try set_seed(0)")
    random.seed(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)  # inherited by subprocesses (e.g. gensim workers)
    import numpy as np

    np.random.seed(seed)
    try:
        import torch
    except ImportError:  # torch is optional for the helpers that do not need it
        return
    torch.manual_seed(seed)  # also seeds every CUDA device


def get_device(prefer: str | None = None) -> str:
    """The device lessons run on: ``"cuda"`` when a GPU is usable, else ``"cpu"``.

    ``prefer`` forces a choice ("cpu" or "cuda"); asking for "cuda" without a GPU
    raises an error that says so. The environment variable ``COURSE_DEVICE`` does the
    same for a whole session (``COURSE_DEVICE=cpu make lab``).
    """
    import torch

    choice = prefer if prefer is not None else os.environ.get("COURSE_DEVICE")
    if choice is None:
        return "cuda" if torch.cuda.is_available() else "cpu"
    if isinstance(choice, torch.device):
        choice = choice.type
    if not isinstance(choice, str):
        raise TypeError(f"device must be 'cpu' or 'cuda', got {type(choice).__name__} "
                        f"{choice!r}: try get_device('cpu')")
    choice = choice.lower()
    if choice not in {"cpu", "cuda"}:
        raise ValueError(f"device must be 'cpu' or 'cuda', got {choice!r}: try get_device('cpu')")
    if choice == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(
            "device 'cuda' was asked for but torch sees no GPU "
            f"(torch {torch.__version__}); use 'cpu' or install a CUDA build of torch"
        )
    return choice
