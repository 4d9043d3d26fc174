"""Helpers for the *Embeddings in LLMs* course.

Import the topic module you need, e.g. ``from course_utils.data import load_glove``.
This top-level module stays light: heavy libraries (torch, transformers, gensim)
are imported inside the functions that use them, so ``import course_utils`` is fast.
"""

from course_utils.runtime import get_device, set_seed

__all__ = ["get_device", "set_seed"]
__version__ = "0.1.0"
