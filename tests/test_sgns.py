"""course_utils.sgns: the update, determinism, snapshots, resume, and bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from course_utils.sgns import (
    SGNSTrainer,
    SnapshotError,
    build_vocabulary,
    keep_probabilities,
    latest_snapshot,
    load_snapshot,
    make_pairs,
    noise_distribution,
    noise_table,
    sgns_loss,
    sparse_sgd_step,
    train_sgns,
)
from course_utils.toyworld import make_toy_corpus, toy_analogies

TINY = [["a", "b", "c", "a", "b", "d"], ["c", "a", "d", "b"], ["a", "a", "b", "c", "d"]] * 3
FAST = dict(dim=8, window=2, negative=3, min_count=1, epochs=2, progress=False,
            batch_size=16, chunk_words=20, table_size=1000)


@pytest.fixture(scope="module")
def toy():
    return make_toy_corpus(n_sentences=600, seed=1)


def test_hand_written_update_matches_autograd():
    gen = torch.Generator().manual_seed(0)
    w_in, w_out = torch.randn(7, 5, generator=gen), torch.randn(7, 5, generator=gen)
    centres = torch.tensor([0, 3, 3, 6])  # a repeated row: its gradients must add up
    targets = torch.tensor([[1, 2, 4], [2, 2, 5], [0, 1, 6], [3, 4, 0]])  # repeats here too
    lr = 0.1
    a_in, a_out = w_in.clone().requires_grad_(), w_out.clone().requires_grad_()
    loss = sgns_loss(a_in[centres], a_out[targets]).sum()
    loss.backward()
    h_in, h_out = w_in.clone(), w_out.clone()
    hand_loss = sparse_sgd_step(h_in, h_out, centres, targets, lr)
    assert torch.allclose(hand_loss, loss.detach(), atol=1e-5)
    assert torch.allclose(h_in, w_in - lr * a_in.grad, atol=1e-6)
    assert torch.allclose(h_out, w_out - lr * a_out.grad, atol=1e-6)
    untouched = [2, 5]  # never a centre: its input row must not move
    assert torch.equal(h_in[untouched], w_in[untouched])


def test_valid_mask_skips_negatives():
    w_in, w_out = torch.ones(3, 2), torch.ones(3, 2)
    before = w_out.clone()
    sparse_sgd_step(w_in, w_out, torch.tensor([0]), torch.tensor([[1, 2]]), 0.5,
                    valid=torch.tensor([[1.0, 0.0]]))
    assert torch.equal(w_out[2], before[2]) and not torch.equal(w_out[1], before[1])


def test_hand_path_equals_autograd_sgd_path(toy):
    opts = dict(dim=10, epochs=1, min_count=2, progress=False, seed=3)
    hand = train_sgns(toy, **opts)
    auto = train_sgns(toy, optimizer="sgd", **opts)
    assert np.allclose(hand.vectors, auto.vectors, atol=1e-4)


def test_same_seed_same_vectors_other_seed_differs(toy):
    a = train_sgns(toy, seed=5, **{**FAST, "min_count": 2})
    b = train_sgns(toy, seed=5, **{**FAST, "min_count": 2})
    c = train_sgns(toy, seed=6, **{**FAST, "min_count": 2})
    assert a.index_to_key == b.index_to_key
    assert np.array_equal(a.vectors, b.vectors)
    assert not np.allclose(a.vectors, c.vectors)


def test_returns_keyed_vectors_with_counts(toy):
    kv = train_sgns(toy, **{**FAST, "min_count": 3})
    from gensim.models import KeyedVectors

    assert isinstance(kv, KeyedVectors) and kv.vector_size == 8
    counts = [kv.get_vecattr(w, "count") for w in kv.index_to_key]
    assert counts == sorted(counts, reverse=True) and min(counts) >= 3


@pytest.mark.parametrize("optimizer", ["adam", "sparse_adam",
                                       lambda p: torch.optim.Adagrad(p, lr=0.05)])
def test_optimizers_train_and_lower_the_loss(toy, optimizer):
    _, tr = train_sgns(toy, dim=16, min_count=2, epochs=3, optimizer=optimizer, progress=False,
                       batch_size=64, log_every=5, return_trainer=True)
    losses = [loss for _, loss in tr.loss_history]
    assert np.isfinite(losses).all()
    assert np.mean(losses[-3:]) < np.mean(losses[:3])


def test_training_lowers_loss_and_learns_toy_relations(toy):
    corpus = make_toy_corpus(n_sentences=3000, seed=0)
    kv, tr = train_sgns(corpus, dim=30, window=3, min_count=2, epochs=5, progress=False,
                        batch_size=128, return_trainer=True, log_every=10)
    first, last = tr.loss_history[0][1], tr.loss_history[-1][1]
    assert last < 0.8 * first
    questions = [q for qs in toy_analogies().values() for q in qs]
    right = sum(kv.most_similar(positive=[b, c], negative=[a], topn=1)[0][0] == d
                for a, b, c, d in questions)
    assert right / len(questions) > 0.25  # chance is about 1 in 100


def test_snapshots_in_memory(toy):
    _, tr = train_sgns(toy, snapshot_steps=[0, 3, 6], return_trainer=True, **FAST)
    assert [s.step for s in tr.snapshots] == [0, 3, 6]
    s0, s3, s6 = tr.snapshots
    assert s0.counts.sum() == 0 and np.isnan(s0.loss)
    assert 0 < s3.counts.sum() < s6.counts.sum()
    assert np.isfinite(s6.loss) and s6.vectors.shape == (len(tr.vocab), 8)
    assert not np.allclose(s0.vectors, s6.vectors)
    assert 0 < s3.epoch < s6.epoch <= 2


def test_snapshot_files_are_plain_npz_and_resume_is_exact(tmp_path, toy):
    opts = {**FAST, "min_count": 2}
    full, ftr = train_sgns(toy, return_trainer=True, **opts)
    steps = [4, 9]
    assert ftr.step > 10
    # an "interrupted" run: only the first snapshot exists when it stops
    train_sgns(toy, snapshot_steps=steps, snapshot_dir=tmp_path, **opts)
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["step_000000004.npz", "step_000000009.npz"]  # no temporary files left
    (tmp_path / "step_000000009.npz").unlink()
    data = load_snapshot(tmp_path / "step_000000004.npz")
    assert data["w_in"].dtype == np.float32 and int(data["position"][0]) == 4
    resumed = train_sgns(toy, snapshot_steps=steps, snapshot_dir=tmp_path, resume=True, **opts)
    assert np.allclose(resumed.vectors, full.vectors, atol=1e-6)
    assert latest_snapshot(tmp_path).name == "step_000000009.npz"


def test_resume_restores_optimizer_state(tmp_path, toy):
    opts = {**FAST, "min_count": 2, "optimizer": "adam"}
    full = train_sgns(toy, **opts)
    train_sgns(toy, snapshot_steps=[5], snapshot_dir=tmp_path, **opts)
    resumed = train_sgns(toy, snapshot_dir=tmp_path, resume=True, **opts)
    assert np.allclose(resumed.vectors, full.vectors, atol=1e-5)


def test_resume_refuses_a_snapshot_of_another_run(tmp_path, toy):
    train_sgns(toy, snapshot_steps=[2], snapshot_dir=tmp_path, **{**FAST, "min_count": 2})
    with pytest.raises(SnapshotError, match="different run"):
        train_sgns(toy, snapshot_dir=tmp_path, resume=True, **{**FAST, "min_count": 2, "dim": 9})


def test_corrupt_or_missing_snapshot(tmp_path):
    bad = tmp_path / "step_000000001.npz"
    bad.write_bytes(b"not a zip file")
    with pytest.raises(SnapshotError, match="not a readable snapshot"):
        load_snapshot(bad)
    with pytest.raises(FileNotFoundError, match="no snapshot"):
        load_snapshot(tmp_path / "nope.npz")
    with pytest.raises(ValueError, match="snapshot_dir"):
        train_sgns(TINY, resume=True, **FAST)


def test_pickled_arrays_are_refused(tmp_path):
    path = tmp_path / "step_000000001.npz"
    np.savez(path, config=np.array([{"a": 1}], dtype=object))
    with pytest.raises(SnapshotError):
        load_snapshot(path)


def test_make_pairs_respects_windows_and_sentences():
    ids = np.arange(10)
    sentence = np.array([0] * 5 + [1] * 5)
    rng = np.random.default_rng(0)
    c, o = make_pairs(ids, sentence, 0, 10, window=2, rng=rng)
    assert len(c) == len(o) > 0
    assert np.all(np.abs(c - o) <= 2) and np.all(c != o)
    assert np.all(sentence[c] == sentence[o])  # never across a sentence
    c1, _ = make_pairs(ids, sentence, 0, 10, window=1, rng=rng)
    assert len(c1) == 16  # window 1: every neighbour inside each 5-token sentence, both sides


def test_subsampling_and_noise_distributions():
    counts = np.array([1000, 100, 10, 1])
    keep = keep_probabilities(counts, sample=1e-2)
    assert keep[0] < keep[1] <= 1 and keep[-1] == 1
    assert np.all(keep_probabilities(counts, 0) == 1)
    p = noise_distribution(counts)
    assert np.isclose(p.sum(), 1) and np.isclose(p[0] / p[1], 10 ** 0.75)
    table = noise_table(counts, size=100_000)
    share = np.bincount(table, minlength=4) / len(table)
    assert np.allclose(share, p, atol=1e-4)


def test_vocabulary_order_and_total():
    vocab = build_vocabulary(TINY, min_count=1)
    assert vocab.words[0] in {"a", "b"} and vocab.total_words == sum(map(len, TINY))
    assert list(vocab.counts) == sorted(vocab.counts, reverse=True)


@pytest.mark.parametrize("corpus, match", [
    ([], "empty"), ([[], []], "empty"), ("just a string", "list of token lists"),
    (["a sentence as a string"], "split it first"), (42, "list of token lists")])
def test_bad_corpus(corpus, match):
    with pytest.raises(ValueError, match=match):
        train_sgns(corpus, **FAST)


def test_window_zero_and_other_bad_numbers():
    with pytest.raises(ValueError, match="window must be an int >= 1, got 0"):
        train_sgns(TINY, **{**FAST, "window": 0})
    for name, value in [("dim", 0), ("negative", -1), ("epochs", 1.5), ("batch_size", 0)]:
        with pytest.raises(ValueError, match=name):
            train_sgns(TINY, **{**FAST, name: value})
    with pytest.raises(ValueError, match="sample"):
        train_sgns(TINY, **{**FAST, "sample": 1.5})
    with pytest.raises(ValueError, match="seed"):
        train_sgns(TINY, **{**FAST, "seed": -1})


def test_min_count_that_empties_the_vocabulary():
    with pytest.raises(ValueError, match=r"min_count=100 removes every word.*'a'.*lower"):
        train_sgns(TINY, **{**FAST, "min_count": 100})


def test_unknown_optimizer_suggests_a_name():
    with pytest.raises(ValueError, match="did you mean 'adam'"):
        train_sgns(TINY, **{**FAST, "optimizer": "adma"})
    with pytest.raises(ValueError, match="torch.optim.Optimizer"):
        train_sgns(TINY, **{**FAST, "optimizer": lambda params: "not an optimizer"})


def test_device_argument_on_cpu():
    kv, tr = train_sgns(TINY, device="cpu", return_trainer=True, **FAST)
    assert tr.w_in.device.type == "cpu" and tr.counts.device.type == "cpu"
    with pytest.raises(ValueError, match="device"):
        SGNSTrainer(TINY, device="tpu", **FAST)
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="no GPU"):
            SGNSTrainer(TINY, device="cuda", **FAST)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_matches_cpu(toy):
    cpu = train_sgns(toy, device="cpu", **{**FAST, "min_count": 2})
    gpu = train_sgns(toy, device="cuda", **{**FAST, "min_count": 2})
    assert np.allclose(cpu.vectors, gpu.vectors, atol=1e-4)


def test_threads_option_restores_torch_setting():
    before = torch.get_num_threads()
    train_sgns(TINY, threads=1, **FAST)
    assert torch.get_num_threads() == before


def test_progress_bar_goes_to_stderr_only_when_enabled(capsys):
    train_sgns(TINY, **FAST)
    assert capsys.readouterr().err == ""
