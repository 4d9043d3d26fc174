"""course_utils.sgns, word2vec, sgns_torch and w2v_engine: the update, determinism, snapshots,
resume, and bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from course_utils.sgns import _engine_corpus, train_cbow, train_sgns, train_word2vec
from course_utils.sgns_torch import (
    SGNSTrainer,
    SnapshotError,
    latest_snapshot,
    load_snapshot,
    sgns_loss,
    sparse_sgd_step,
)
from course_utils.toyworld import make_toy_corpus, toy_analogies
from course_utils.word2vec import (
    Word2VecRandom,
    Word2VecSettings,
    build_vocabulary,
    check_rates,
    check_training_corpus,
    initial_vectors,
    keep_probabilities,
    keyed_vectors,
    make_pairs,
    noise_distribution,
    noise_table,
    reference_sgns_loop,
    reference_sgns_step,
    sigmoid,
    thread_seeds,
)

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
    hand = train_sgns(toy, engine="torch", **opts)
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



# --------------------------------------------------------------------------- the compiled engine

TINY2 = [["a", "b", "c", "a", "b", "d", "e"], ["c", "a", "d", "b"],
         ["a", "a", "b", "c", "d", "e", "f"]] * 3
ENGINE = dict(dim=6, window=2, negative=3, min_count=1, epochs=3, seed=4, threads=1,
              table_size=100, sample=0.05, lr=0.1)


def _start(vocab, dim, seed):
    """The engine's starting tables for ``seed``: inputs uniform in +-0.5/dim, outputs zero."""
    gen = np.random.default_rng(np.random.SeedSequence([seed, 0xE3B]))
    w_in = (gen.random((len(vocab), dim), dtype=np.float32) - 0.5) / dim
    return w_in, np.zeros_like(w_in)


def _setup(corpus, opts):
    vocab = build_vocabulary(corpus, opts["min_count"])
    ids, starts = _engine_corpus(corpus, vocab.index)
    sentences = [ids[a:b] for a, b in zip(starts[:-1], starts[1:], strict=True)]
    keep = keep_probabilities(vocab.counts, opts["sample"]).astype(np.float32)
    table = noise_table(vocab.counts, opts["table_size"]).astype(np.int32)
    return vocab, sentences, keep, table


def _shared_or_cbow_reference(sentences, w_in, w_out, table, keep, window, negative, epochs,
                              lr, min_lr, rng, cbow):
    """The default engine paths written as NumPy matrix products (test-only reference):
    skip-gram inputs (m, d) against outputs (1 + K, d) with one draw of negatives per window;
    CBOW the mean of the inputs against the same outputs."""
    n_tok = sum(len(s) for s in sentences)
    total = float(epochs) * n_tok
    for epoch in range(epochs):
        seen = 0
        for sentence in sentences:
            kept = [w for w in sentence if keep[w] >= 1 or rng.uniform() < keep[w]]
            for i, centre in enumerate(kept):
                progress = (epoch * n_tok + seen + float(len(sentence)) * i / len(kept)) / total
                rate = np.float32(max(min_lr, lr * (1.0 - progress)))
                reach = window - rng.integer(window)
                ctx = [kept[j] for j in range(max(0, i - reach), min(len(kept), i + reach + 1))
                       if j != i]
                if not ctx:
                    continue
                tgt = [centre] + [int(table[rng.integer(len(table))]) for _ in range(negative)]
                labels = np.array([1] + [0] * negative, np.float32)
                mask = np.array([True] + [t != centre for t in tgt[1:]])
                inputs = w_in[ctx].mean(0, keepdims=True) if cbow else w_in[ctx]
                coef = rate * (labels - sigmoid(inputs @ w_out[tgt].T)) * mask
                step_in = coef @ w_out[tgt]
                np.add.at(w_out, tgt, coef.T @ inputs)
                if cbow:
                    np.add.at(w_in, ctx, np.repeat(step_in, len(ctx), 0))
                else:
                    np.add.at(w_in, ctx, step_in)
            seen += len(sentence)


def test_reference_loop_and_engine_give_the_same_vectors_from_the_same_draws():
    opts = {**ENGINE, "shared_negatives": False}
    run = train_word2vec(TINY2, **opts)
    vocab, sentences, keep, table = _setup(TINY2, opts)
    w_in, w_out = _start(vocab, opts["dim"], opts["seed"])
    assert np.array_equal(w_in, _start(run.vocab, 6, 4)[0])
    reference_sgns_loop(sentences, w_in, w_out, table, keep, opts["window"], opts["negative"],
                        opts["epochs"], opts["lr"], 1e-4,
                        Word2VecRandom(thread_seeds(opts["seed"], 1)[0]))
    assert run.skipped_negatives > 0 and (keep < 1).any()  # the cases that are tested
    assert np.allclose(run.w_in, w_in, atol=1e-6) and np.allclose(run.w_out, w_out, atol=1e-6)
    assert np.abs(w_in).max() > 0.05  # it learned something: rows left their start


@pytest.mark.parametrize("architecture", ["skipgram", "cbow"])
def test_default_engine_paths_match_their_matrix_form(architecture):
    run = train_word2vec(TINY2, architecture=architecture, **ENGINE)
    vocab, sentences, keep, table = _setup(TINY2, ENGINE)
    w_in, w_out = _start(vocab, 6, ENGINE["seed"])
    _shared_or_cbow_reference(sentences, w_in, w_out, table, keep, 2, 3, 3, 0.1, 1e-4,
                              Word2VecRandom(thread_seeds(4, 1)[0]), architecture == "cbow")
    assert np.allclose(run.w_in, w_in, atol=1e-6) and np.allclose(run.w_out, w_out, atol=1e-6)


def test_reference_step_matches_the_torch_update():
    gen = np.random.default_rng(3)
    w_in, w_out = gen.normal(size=(6, 4)).astype(np.float32), gen.normal(size=(6, 4)).astype(
        np.float32)
    t_in, t_out = torch.from_numpy(w_in.copy()), torch.from_numpy(w_out.copy())
    # torch updates the output rows and the input row from the same old values
    sparse_sgd_step(t_in, t_out, torch.tensor([2]), torch.tensor([[0, 3, 5]]), 0.1)
    reference_sgns_step(w_in, w_out, 2, 0, [3, 5], 0.1)
    assert np.allclose(w_out, t_out.numpy(), atol=1e-6)
    assert np.allclose(w_in, t_in.numpy(), atol=1e-6)
    before = w_out.copy()
    reference_sgns_step(w_in, w_out, 1, 4, [4, 4], 0.1)  # negatives equal to the target: skipped
    moved = np.flatnonzero(np.abs(w_out - before).sum(1))
    assert moved.tolist() == [4]
    g = 0.1 * (1 - sigmoid(w_in[1] @ before[4]))  # only the positive term, once
    assert np.allclose(w_out[4], before[4] + g * (w_in[1] - (w_out[4] - before[4]) * 0), atol=1)


def test_one_thread_is_bit_for_bit_reproducible_and_seeded():
    for arch in ("skipgram", "cbow"):
        a = train_word2vec(TINY2 * 5, architecture=arch, **{**ENGINE, "seed": 7})
        b = train_word2vec(TINY2 * 5, architecture=arch, **{**ENGINE, "seed": 7})
        c = train_word2vec(TINY2 * 5, architecture=arch, **{**ENGINE, "seed": 8})
        assert np.array_equal(a.w_in, b.w_in) and np.array_equal(a.w_out, b.w_out)
        assert not np.allclose(a.w_in, c.w_in)


@pytest.mark.parametrize("train", [train_sgns, train_cbow])
def test_two_threads_learn_the_toy_relations(train):
    corpus = make_toy_corpus(n_sentences=3000, seed=0)
    kv, run = train(corpus, dim=30, window=3, min_count=2, epochs=5, threads=2,
                    return_trainer=True)
    assert run.threads == 2
    questions = [q for qs in toy_analogies().values() for q in qs]
    right = sum(kv.most_similar(positive=[b, c], negative=[a], topn=1)[0][0] == d
                for a, b, c, d in questions)
    assert right / len(questions) > 0.25  # chance is about 1 in 100


def test_train_sgns_routes_to_the_engine_and_returns_keyed_vectors():
    from gensim.models import KeyedVectors

    kv, run = train_sgns(TINY2, dim=5, min_count=1, epochs=1, threads=1, progress=False,
                         return_trainer=True)
    assert isinstance(kv, KeyedVectors) and run.architecture == "skipgram"
    assert np.array_equal(kv.vectors, run.w_in)
    counts = [kv.get_vecattr(w, "count") for w in kv.index_to_key]
    assert counts == sorted(counts, reverse=True)
    _, tr = train_sgns(TINY2, dim=5, min_count=1, epochs=1, batch_size=8, progress=False,
                       return_trainer=True)
    assert isinstance(tr, SGNSTrainer)  # a torch-only option picks the torch trainer


# ---- the recipe, pinned: each test fails when its piece of word2vec is removed


def test_recipe_negatives_equal_to_the_centre_are_skipped_at_the_noise_rate():
    # two words, 90 % / 10 %, no subsampling: a negative equals the centre with probability
    # q(centre), q = counts ** 0.75 normalised; skipped / (pairs * K) estimates sum f(w) q(w)
    corpus = [(["x"] * 9 + ["y"]) * 400]  # one long sentence: no edge effects
    for arch in ("skipgram", "cbow"):
        run = train_word2vec(corpus, dim=4, window=3, negative=5, min_count=1, epochs=2,
                             sample=0, threads=1, architecture=arch)
        q = np.array([9.0, 1.0]) ** 0.75
        q /= q.sum()
        expected = 0.9 * q[0] + 0.1 * q[1]  # 0.771; with power 1.0 it would be 0.82
        units = run.pairs if arch == "skipgram" else run.kept_words
        rate = run.skipped_negatives / (units * 5)
        assert abs(rate - expected) < 0.01, (arch, rate)


def test_recipe_learning_rate_decays_linearly_to_min_lr():
    run = train_word2vec(TINY2 * 20, **{**ENGINE, "epochs": 2, "min_lr": 1e-6})
    assert 0 < run.final_lr < 0.01 * ENGINE["lr"]  # the last step runs at about zero
    run = train_word2vec(TINY2 * 20, **{**ENGINE, "epochs": 2, "min_lr": 0.04})
    assert np.isclose(run.final_lr, 0.04)  # never below min_lr


def test_recipe_subsampling_drops_frequent_words_at_the_formula_rate():
    corpus = [["the"] * 30 + [f"w{i}" for i in range(10)] for _ in range(300)]
    vocab = build_vocabulary(corpus, 1)
    keep = keep_probabilities(vocab.counts, 1e-3)
    expected = float((vocab.counts * keep).sum()) * 2
    run = train_word2vec(corpus, dim=4, min_count=1, epochs=2, sample=1e-3, threads=1)
    assert abs(run.kept_words / expected - 1) < 0.02
    full = train_word2vec(corpus, dim=4, min_count=1, epochs=2, sample=0, threads=1)
    assert full.kept_words == 2 * vocab.counts.sum() > 2 * run.kept_words


def test_recipe_window_size_is_drawn_uniformly_from_1_to_window():
    corpus = [[f"w{i % 50}" for i in range(2000)]]
    for window in (1, 3, 5):
        run = train_word2vec(corpus, dim=4, window=window, min_count=1, epochs=3, sample=0,
                             threads=1)
        per_word = run.pairs / run.kept_words  # 2 * E[reach] = window + 1 (edges aside)
        assert abs(per_word - (window + 1)) < 0.05 * (window + 1), (window, per_word)


# ---- bad settings: refused before anything runs


@pytest.mark.parametrize("train", [train_word2vec, train_sgns, train_cbow])
@pytest.mark.parametrize("options, match", [
    ({"lr": -1.0}, r"lr must be > 0.0, got -1.0: word2vec uses lr=0.025"),
    ({"lr": 0}, r"lr must be > 0.0, got 0"),
    ({"lr": float("nan")}, r"lr must be finite, got nan"),
    ({"lr": float("inf")}, r"lr must be finite, got inf"),
    ({"lr": "0.1"}, r"lr must be a number, got '0.1'"),
    ({"min_lr": float("nan")}, r"min_lr must be finite, got nan"),
    ({"min_lr": 0.0}, r"min_lr must be > 0.0, got 0.0"),
    ({"lr": 0.01, "min_lr": 0.1}, r"min_lr=0.1 is above lr=0.01"),
    ({"threads": 0}, r"threads must be an int >= 1, got 0"),
    ({"threads": 1.5}, r"threads must be an int, got 1.5: how many CPU threads"),
    ({"threads": True}, r"threads must be an int, got True"),
    ({"sample": float("nan")}, r"sample must be finite, got nan: word2vec uses 1e-3"),
    ({"sample": -0.1}, r"sample must be >= 0.0 and <= 1.0, got -0.1"),
    ({"table_size": 0}, r"table_size must be an int >= 1"),
    ({"shared_negatives": "yes"}, r"shared_negatives must be True or False"),
    ({"dim": 0}, r"dim must be an int >= 1, got 0"),
    ({"seed": -2}, r"seed must be an int >= 0, got -2: try seed=0"),
])
def test_engine_refuses_bad_settings(train, options, match):
    with pytest.raises(ValueError, match=match):
        train(TINY2, min_count=1, **options)


def test_unknown_architecture_and_engine_and_torch_options_on_the_engine():
    with pytest.raises(ValueError, match="unknown architecture 'cbw'.*'cbow'"):
        train_word2vec(TINY2, min_count=1, architecture="cbw")
    with pytest.raises(ValueError, match="engine must be one of"):
        train_sgns(TINY2, min_count=1, engine="gpu")
    with pytest.raises(ValueError, match=r"\['batch_size'\] only work with engine='torch'"):
        train_sgns(TINY2, min_count=1, engine="numba", batch_size=8)
    with pytest.raises(ValueError, match="only work with engine='torch'"):
        train_sgns(TINY2, min_count=1, engine="numba", device="cuda")


@pytest.mark.parametrize("options, match", [
    ({"lr": -1.0}, "lr must be > 0.0, got -1.0"),
    ({"min_lr": float("nan")}, "min_lr must be finite, got nan"),
    ({"lr": 0.01, "min_lr": 0.02}, "min_lr=0.02 is above lr=0.01"),
    ({"sample": float("inf")}, r"sample must be finite, got inf"),
    ({"optimizer": "adam", "lr": float("nan")}, "lr must be finite, got nan"),
])
def test_torch_trainer_refuses_bad_rates_before_training(options, match):
    with pytest.raises(ValueError, match=match):
        SGNSTrainer(TINY, **{**FAST, **options})


def test_a_snapshot_folder_that_cannot_be_written_is_refused_up_front(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    with pytest.raises(ValueError, match="snapshot_dir .*a_file.* cannot be written"):
        SGNSTrainer(TINY, snapshot_dir=blocker, snapshot_steps=[2], **FAST)
    with pytest.raises(ValueError, match="cannot be written"):
        train_sgns(TINY, snapshot_dir=blocker / "inside", snapshot_steps=[2], **FAST)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "missing_array", "nan"])
def test_resume_falls_back_to_the_last_good_snapshot(tmp_path, toy, damage):
    opts = {**FAST, "min_count": 2}
    full = train_sgns(toy, **opts)
    train_sgns(toy, snapshot_steps=[4, 9], snapshot_dir=tmp_path, **opts)
    bad = tmp_path / "step_000000009.npz"
    if damage == "garbage":
        bad.write_bytes(b"not a zip file")
    elif damage == "truncated":
        bad.write_bytes(bad.read_bytes()[:200])
    else:
        data = load_snapshot(bad)
        if damage == "missing_array":
            del data["w_out"]
        else:
            data["w_in"][0, 0] = np.nan
        np.savez(bad, **data)
    with pytest.raises(SnapshotError):
        SGNSTrainer(toy, **opts).load(bad)
    with pytest.warns(UserWarning, match="skipping a damaged snapshot.*step_000000009"):
        resumed = train_sgns(toy, snapshot_steps=[4, 9], snapshot_dir=tmp_path, resume=True,
                             **opts)
    assert np.allclose(resumed.vectors, full.vectors, atol=1e-6)


def test_initial_vectors_and_thread_seeds():
    a = initial_vectors(50, 10, seed=3)
    assert a.dtype == np.float32 and a.shape == (50, 10) and np.abs(a).max() <= 0.05
    assert np.array_equal(a, initial_vectors(50, 10, seed=3))
    assert not np.array_equal(a, initial_vectors(50, 10, seed=4))
    for kwargs, match in [({"n_words": 0}, "n_words must be an int >= 1, got 0"),
                          ({"dim": 0}, "dim must be an int >= 1, got 0"),
                          ({"seed": -1}, "seed must be an int >= 0, got -1")]:
        with pytest.raises(ValueError, match=match):
            initial_vectors(**{"n_words": 5, "dim": 4, "seed": 0, **kwargs})
    assert thread_seeds(1, 3) == thread_seeds(1, 3) and len(set(thread_seeds(1, 3))) == 3
    assert np.isfinite(sigmoid(np.array([-1e30, 1e30], np.float32))).all()


def test_settings_are_checked_once_for_both_engines(tmp_path):
    settings = Word2VecSettings(np.int64(8), np.int32(2), 3, 1, 2, np.int64(0), 0.025, 1e-4,
                                np.float32(0.5), 1000)
    assert type(settings.dim) is int and type(settings.seed) is int  # numpy ints cleaned
    assert type(settings.sample) is float
    good = dict(dim=8, window=2, negative=3, min_count=1, epochs=2, seed=0, lr=0.025,
                min_lr=1e-4, sample=1e-3, table_size=1000)
    for bad, match in [({"window": 0}, "window must be an int >= 1, got 0: how many words"),
                       ({"epochs": 1.5}, "epochs must be an int, got 1.5"),
                       ({"seed": -1}, "seed must be an int >= 0, got -1: try seed=0"),
                       ({"lr": float("nan")}, "lr must be finite, got nan"),
                       ({"lr": 0.01, "min_lr": 0.1}, "min_lr=0.1 is above lr=0.01"),
                       ({"sample": 1.5}, r"sample must be >= 0.0 and <= 1.0, got 1.5"),
                       ({"table_size": 0}, "table_size must be an int >= 1, got 0")]:
        with pytest.raises(ValueError, match=match):
            Word2VecSettings(**{**good, **bad})
    with pytest.raises(ValueError, match="lr must be > 0.0, got 0.0: word2vec uses"):
        check_rates(0, 1e-4)
    with pytest.raises(ValueError, match="lr must be a number, got True"):
        check_rates(True, 1e-4)
    assert check_rates(np.float32(0.5), 1e-4) == (0.5, 1e-4)
    with pytest.raises(ValueError, match="list of token lists"):
        check_training_corpus("a string")
    with pytest.raises(ValueError, match="the corpus is empty"):
        check_training_corpus([[], []])
    assert check_training_corpus(iter([["a"]])) == [["a"]]
    vocab = build_vocabulary(TINY, min_count=1)
    kv = keyed_vectors(vocab, np.ones((len(vocab), 3)))
    assert kv.vectors.dtype == np.float32 and kv.index_to_key == vocab.words
    assert kv.get_vecattr(vocab.words[0], "count") == vocab.counts[0]
    trainer = SGNSTrainer(TINY, **FAST)
    with pytest.raises(ValueError, match="resume=True needs snapshot_dir="):
        trainer.resume_latest()
    empty = SGNSTrainer(TINY, snapshot_dir=tmp_path, **FAST).resume_latest()
    assert empty.step == 0  # nothing to resume from: starts at the beginning
