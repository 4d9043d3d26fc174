import random

import numpy as np
import pytest
import torch

from course_utils import get_device, set_seed


def draw():
    return random.random(), float(np.random.rand()), float(torch.rand(1))


def test_set_seed_makes_python_numpy_and_torch_repeat():
    set_seed(123)
    first = draw()
    set_seed(123)
    assert draw() == first
    set_seed(124)
    assert draw() != first


@pytest.mark.parametrize("bad", [-1, 1.5, "0", None, True])
def test_set_seed_rejects_bad_seeds(bad):
    with pytest.raises(ValueError, match=r"seed must be an int( >= 0)?, got .*: try set_seed\(0\)"):
        set_seed(bad)


def test_get_device_defaults_to_what_torch_sees(monkeypatch):
    monkeypatch.delenv("COURSE_DEVICE", raising=False)
    assert get_device() == ("cuda" if torch.cuda.is_available() else "cpu")
    assert get_device("cpu") == "cpu"


def test_get_device_env_override(monkeypatch):
    monkeypatch.setenv("COURSE_DEVICE", "CPU")
    assert get_device() == "cpu"


def test_get_device_rejects_unknown_and_unavailable(monkeypatch):
    with pytest.raises(ValueError, match="'cpu' or 'cuda'"):
        get_device("tpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(RuntimeError, match="no GPU"):
        get_device("cuda")
