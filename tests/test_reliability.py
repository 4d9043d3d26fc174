"""The course runs offline, and a dead notebook kernel fails the suite fast."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import nbformat
import numpy as np
import pytest

from tests import offline
from tests.nbutils import REPO


@pytest.fixture
def no_real_network(monkeypatch):
    """Replace the real socket functions with fakes, so a guard bug cannot send traffic."""
    calls = []

    def fake(*args, **kwargs):
        calls.append(args)
        raise AssertionError("the guard let a non-loopback connection through")

    for name in ("connect", "connect_ex", "getaddrinfo"):
        monkeypatch.setitem(offline._REAL, name, fake)
    return calls


def test_guard_is_installed_for_the_tests():
    assert getattr(socket, "_course_offline_guard", False)


@pytest.mark.parametrize("address", [("192.0.2.1", 80), ("2001:db8::1", 443, 0, 0)])
def test_outbound_connections_fail_naming_the_code(no_real_network, address):
    family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        with pytest.raises(offline.NetworkBlockedError) as err:
            sock.connect(address)
        with pytest.raises(OSError):
            sock.connect_ex(address)
    assert "network access blocked" in str(err.value)
    assert "test_reliability.py" in str(err.value)  # names the code that tried
    assert not no_real_network


def test_name_lookups_fail(no_real_network):
    with pytest.raises(offline.NetworkBlockedError, match="huggingface.co"):
        socket.getaddrinfo("huggingface.co", 443)
    assert not no_real_network


def test_loopback_still_works():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=5):
            pass


def _run_notebook(tmp_path, source: str, timeout: int = 600):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    path = tmp_path / "probe.ipynb"
    nbformat.write(nb, path)
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "tests.nbval_guard", "--nbval-lax",
           "--nbval-current-env", f"--nbval-cell-timeout={timeout}", str(path)]
    start = time.monotonic()
    out = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=timeout + 120)
    return out, time.monotonic() - start


def test_notebook_kernels_start_with_the_guard(tmp_path):
    out, _ = _run_notebook(tmp_path, "import socket\nassert socket._course_offline_guard\n"
                                     "assert socket.socket.connect.__name__ == 'connect'")
    assert out.returncode == 0, out.stdout + out.stderr


def test_a_killed_kernel_fails_fast_and_says_so(tmp_path):
    kill = "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"
    out, elapsed = _run_notebook(tmp_path, kill, timeout=600)
    assert out.returncode != 0
    assert "kernel died" in out.stdout, out.stdout[-2000:]
    assert elapsed < 300, f"took {elapsed:.0f} s: the death was not noticed before the timeout"


def test_determinism_check_catches_a_hash_seed_dependent_cell(tmp_path, monkeypatch, capsys):
    from nbclient import NotebookClient

    from tests import check_determinism

    for key in check_determinism.ENV:
        monkeypatch.setenv(key, "0")
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    stable = "# NBVAL_CHECK_OUTPUT\nprint(sum(range(10)))"
    unstable = "# NBVAL_CHECK_OUTPUT\nprint(hash('embedding'))"  # differs across hash seeds
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(stable),
                                         nbformat.v4.new_code_cell(unstable)])
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    path = tmp_path / "hashy.ipynb"
    nbformat.write(nb, path)
    assert check_determinism.main([str(path)]) == 1
    report = capsys.readouterr().out
    assert "code cell 2" in report and "code cell 1:" not in report


# ----------------------------------------------------------------- interrupted training

SGNS_FAST = dict(dim=8, window=2, negative=3, min_count=2, epochs=2, progress=False,
                 batch_size=16, chunk_words=20, table_size=1000)


def _interrupt_after(monkeypatch, module, name, calls: int, partial_write=False):
    """Make ``module.name`` raise KeyboardInterrupt (Ctrl-C) on its ``calls``-th call."""
    real = getattr(module, name)
    count = {"n": 0}

    def wrapped(*args, **kwargs):
        count["n"] += 1
        if count["n"] == calls:
            if partial_write:  # die half-way through writing the file
                args[0].write(b"PK\x03\x04 half a zip file")
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapped)


def test_ctrl_c_then_resume_gives_the_uninterrupted_result(tmp_path, monkeypatch):
    from course_utils import sgns, sgns_torch
    from course_utils.toyworld import make_toy_corpus

    corpus = make_toy_corpus(n_sentences=600, seed=1)
    full = sgns.train_sgns(corpus, **SGNS_FAST)
    steps = [5, 10, 15]
    with monkeypatch.context() as mp:
        _interrupt_after(mp, sgns_torch, "sparse_sgd_step", calls=13)
        with pytest.raises(KeyboardInterrupt):
            sgns.train_sgns(corpus, snapshot_steps=steps, snapshot_dir=tmp_path, **SGNS_FAST)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["step_000000005.npz",
                                                           "step_000000010.npz"]
    resumed = sgns.train_sgns(corpus, snapshot_steps=steps, snapshot_dir=tmp_path, resume=True,
                              **SGNS_FAST)
    assert np.allclose(resumed.vectors, full.vectors, atol=1e-6)


def test_a_half_written_snapshot_is_never_loaded(tmp_path, monkeypatch):
    from course_utils import sgns, sgns_torch
    from course_utils.toyworld import make_toy_corpus

    corpus = make_toy_corpus(n_sentences=600, seed=1)
    with monkeypatch.context() as mp:  # Ctrl-C while the second snapshot is being written
        _interrupt_after(mp, sgns_torch.np, "savez", calls=2, partial_write=True)
        with pytest.raises(KeyboardInterrupt):
            sgns.train_sgns(corpus, snapshot_steps=[5, 10], snapshot_dir=tmp_path, **SGNS_FAST)
    assert [p.name for p in tmp_path.iterdir()] == ["step_000000005.npz"]  # no temp file left
    assert sgns_torch.latest_snapshot(tmp_path).name == "step_000000005.npz"
    assert int(sgns_torch.load_snapshot(tmp_path / "step_000000005.npz")["position"][0]) == 5


def test_determinism_check_ignores_how_stdout_was_split_into_chunks():
    from tests import check_determinism

    def nb(*chunks):
        cell = nbformat.v4.new_code_cell("# NBVAL_CHECK_OUTPUT\nprint('a'); print('b')")
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=t) for t in chunks]
        return nbformat.v4.new_notebook(cells=[cell])

    one, two = nb("a\nb\n"), nb("a\n", "b\n")
    assert check_determinism.checked_outputs(one) == check_determinism.checked_outputs(two)
    assert check_determinism.checked_outputs(one) != check_determinism.checked_outputs(nb("b\n"))
