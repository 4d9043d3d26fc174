"""The PyTorch word2vec trainer: GPUs, optimizer studies and snapshots for studying dynamics.

    from course_utils.sgns import train_sgns
    kv, trainer = train_sgns(corpus, optimizer="adam", snapshot_steps=[0, 100], return_trainer=True)

``train_sgns`` picks this trainer (``SGNSTrainer``) when a torch-only option is given, or with
``engine="torch"``. ``optimizer=None``: the word2vec update written by hand, a sparse SGD step
that touches only the rows in the batch (``sparse_sgd_step``); ``optimizer="sgd" | "adam" |
"sparse_adam"`` (or a function ``params -> torch.optim``): the same loss (``sgns_loss``)
through ``nn.Embedding`` and autograd. The recipe (vocabulary, subsampling, noise, pairs) is
``course_utils.word2vec``'s.

All randomness comes from ``seed``: the numbers for epoch ``e``, chunk ``c`` are drawn from
their own ``numpy`` generator seeded with ``(seed, e, c)``. That makes a run reproducible
and resumable at any step: a snapshot stores the step it was taken at, and a resumed run
regenerates the interrupted chunk and skips the batches already done.

Snapshots (``snapshot_steps=[...]``) keep the input vectors, per-row update counts and the
mean loss since the previous snapshot; with ``snapshot_dir`` each is also written to disk as
a ``.npz`` (no pickle), atomically (temporary file, then ``os.replace``), with what a resume
needs (output vectors, optimizer state).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from course_utils.validation import atomic_write, check_int
from course_utils.word2vec import (
    Vocabulary,
    Word2VecSettings,
    build_vocabulary,
    check_training_corpus,
    initial_vectors,
    keep_probabilities,
    keyed_vectors,
    make_pairs,
    noise_table,
)

if TYPE_CHECKING:
    import torch

OPTIMIZERS = ("sgd", "adam", "sparse_adam")
DEFAULT_LR = {None: 0.025, "sgd": 0.025, "adam": 0.005, "sparse_adam": 0.005}
SNAPSHOT_FORMAT = 1


class SnapshotError(ValueError):
    """A snapshot file that cannot be used to resume this run."""


@dataclass
class Snapshot:
    """The state of training after ``step`` minibatch updates."""

    step: int
    epoch: float  # fractional epochs done, e.g. 1.5
    words_done: int  # raw corpus words processed so far
    vectors: np.ndarray  # (V, d) input vectors, float32 copy
    counts: np.ndarray  # (V,) how many (centre, context) updates each input row got
    loss: float  # mean loss per pair since the previous snapshot (nan if no batch since)


# --------------------------------------------------------------------------- the update


def sgns_loss(v: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
    """Per-pair SGNS loss: v (B, d) input vectors, u (B, 1+K, d) true context then K negatives.

    -log sigma(v.u_pos) - sum_k log sigma(-v.u_neg_k), shape (B,).
    """
    import torch.nn.functional as F

    if v.ndim != 2 or u.ndim != 3 or u.shape[0] != v.shape[0] or u.shape[2] != v.shape[1] \
            or u.shape[1] < 1:
        raise ValueError(f"sgns_loss expects v of shape (B, d) and u of shape (B, 1+K, d) (the "
                         f"true context, then K negatives), got v {tuple(v.shape)} and u "
                         f"{tuple(u.shape)}; for one pair use v[None] and u[None]")
    scores = (u @ v.unsqueeze(-1)).squeeze(-1)  # (B, 1+K)
    return -F.logsigmoid(scores[:, 0]) - F.logsigmoid(-scores[:, 1:]).sum(-1)


def sparse_sgd_step(w_in: torch.Tensor, w_out: torch.Tensor, centres: torch.Tensor,
                    targets: torch.Tensor, lr: float, valid: torch.Tensor | None = None
                    ) -> torch.Tensor:
    """One word2vec update on a batch, in place, without autograd; returns the summed loss.

    ``centres`` (B,) index ``w_in``; ``targets`` (B, 1+K) index ``w_out``: the true context
    first, then K negatives. ``valid`` (B, 1+K) masks out negatives that equal the true
    context (word2vec skips them). The gradient of the summed loss with respect to a row is
    the sum over its occurrences, so rows repeated in a batch are added with ``index_add_``.
    """
    import torch
    import torch.nn.functional as F

    for name, ids in (("centres", centres), ("targets", targets)):
        if not isinstance(ids, torch.Tensor) or ids.dtype not in (torch.int64, torch.int32):
            kind = ids.dtype if isinstance(ids, torch.Tensor) else type(ids).__name__
            raise TypeError(f"{name} must be a tensor of integer word ids (torch.int64), got "
                            f"{kind}: convert with torch.as_tensor(ids, dtype=torch.long)")
    if centres.ndim != 1 or targets.ndim != 2 or len(targets) != len(centres):
        raise ValueError(f"expected centres of shape (B,) and targets of shape (B, 1+K), got "
                         f"{tuple(centres.shape)} and {tuple(targets.shape)}")
    v = w_in.index_select(0, centres)  # (B, d)
    u = w_out.index_select(0, targets.reshape(-1)).view(*targets.shape, -1)  # (B, 1+K, d)
    scores = (u * v.unsqueeze(1)).sum(-1)  # (B, 1+K); faster than bmm for tiny matrices
    signs = torch.full_like(scores, -1.0)
    signs[:, 0] = 1.0  # +1 for the true context, -1 for negatives
    z = scores * signs
    coef = torch.sigmoid(-z) * signs  # minus d loss / d score: label - sigmoid(score)
    pair_loss = F.softplus(-z)  # -log sigmoid(z), the loss of each (pair, target)
    if valid is not None:
        coef = coef * valid
        pair_loss = pair_loss * valid
    coef = coef * lr
    grad_v = torch.bmm(coef.unsqueeze(1), u).squeeze(1)  # (B, d): computed before u moves
    grad_u = coef.unsqueeze(-1) * v.unsqueeze(1)  # (B, 1+K, d)
    w_out.index_add_(0, targets.reshape(-1), grad_u.reshape(-1, w_out.shape[1]))
    w_in.index_add_(0, centres, grad_v)
    return pair_loss.sum()


# --------------------------------------------------------------------------- snapshots on disk


def load_snapshot(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Read a snapshot file written by the trainer (``allow_pickle=False``: data only)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no snapshot at {path}: pass a file written by train_sgns "
                                "with snapshot_dir=")
    try:
        with np.load(path, allow_pickle=False) as npz:
            return {k: npz[k] for k in npz.files}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
        raise SnapshotError(f"{path} is not a readable snapshot ({exc}); delete it and resume "
                            "from an earlier one") from exc


def latest_snapshot(snapshot_dir: str | os.PathLike) -> Path | None:
    """The snapshot with the highest step in ``snapshot_dir``, or None."""
    files = sorted(Path(snapshot_dir).glob("step_*.npz"))
    return files[-1] if files else None


# --------------------------------------------------------------------------- settings checks


def _check_writable_dir(folder) -> Path:
    """Create ``folder`` and write a probe file in it, so a bad folder fails before training."""
    folder = Path(folder).expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".probe.", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise ValueError(f"snapshot_dir {str(folder)!r} cannot be written ({exc.strerror or exc}):"
                         " pass a folder you can write to, e.g. snapshot_dir='snapshots'"
                         ) from None
    return folder


def _check_optimizer(optimizer):
    """None, one of OPTIMIZERS, or a callable ``params -> torch.optim.Optimizer``."""
    if isinstance(optimizer, str) and optimizer not in OPTIMIZERS:
        from course_utils._hints import suggestion

        raise ValueError(f"unknown optimizer {optimizer!r}{suggestion(optimizer, OPTIMIZERS)}; "
                         f"use None (hand-written sparse SGD), one of {OPTIMIZERS}, or a "
                         "function params -> torch.optim.Optimizer")
    if optimizer is not None and not isinstance(optimizer, str) and not callable(optimizer):
        raise ValueError(f"optimizer must be None, a name or a callable, got {optimizer!r}")
    return optimizer


def _default_lr(optimizer) -> float:
    """word2vec's 0.025 for plain SGD; 0.005 for Adam (and for an optimizer function)."""
    return DEFAULT_LR[optimizer if isinstance(optimizer, str | None) else "adam"]


# --------------------------------------------------------------------------- the trainer


class SGNSTrainer:
    """Skip-gram negative-sampling training with snapshots; see the module docstring.

    Build it, call ``train()``, read ``keyed_vectors()``, ``snapshots`` and ``loss_history``
    (``[(step, mean loss per pair over the last log interval), ...]``).
    """

    def __init__(self, corpus, dim: int = 100, window: int = 5, negative: int = 5,
                 min_count: int = 5, epochs: int = 5, seed: int = 0, *, lr: float | None = None,
                 min_lr: float = 1e-4, sample: float = 1e-3, batch_size: int = 1024,
                 chunk_words: int = 20_000, optimizer: str | Callable | None = None,
                 device: str | None = None, snapshot_steps: Iterable[int] = (),
                 snapshot_dir: str | os.PathLike | None = None, keep_snapshots: bool = True,
                 log_every: int = 50, progress: bool = True, threads: int | None = 1,
                 table_size: int = 10_000_000, vocabulary: Vocabulary | None = None):
        import torch

        from course_utils.runtime import get_device

        self.optimizer_spec = _check_optimizer(optimizer)
        settings = Word2VecSettings(dim, window, negative, min_count, epochs, seed,
                                    _default_lr(optimizer) if lr is None else lr, min_lr, sample,
                                    table_size)
        self.dim, self.window, self.negative = settings.dim, settings.window, settings.negative
        self.min_count, self.epochs, self.seed = settings.min_count, settings.epochs, settings.seed
        self.lr, self.min_lr, self.sample = settings.lr, settings.min_lr, settings.sample
        self.table_size = settings.table_size
        self.batch_size = check_int(batch_size, "batch_size", minimum=1, hint=": try 1024")
        self.chunk_words = check_int(chunk_words, "chunk_words", minimum=1, hint=": try 20_000")
        self.snapshot_dir = None if snapshot_dir is None else _check_writable_dir(snapshot_dir)
        self.snapshot_steps = sorted({check_int(s, "snapshot step", minimum=0)
                                      for s in snapshot_steps})
        self.keep_snapshots = keep_snapshots
        self.device = torch.device(get_device(device))
        self.threads = None if threads is None else check_int(
            threads, "threads", minimum=1, hint=": how many torch threads, e.g. threads=1")
        self.progress, self.log_every = progress, check_int(log_every, "log_every", minimum=1)
        self._read_corpus(check_training_corpus(corpus), vocabulary)
        self._start_state()
        self._build_optimizer()

    def _read_corpus(self, docs: list, vocabulary: Vocabulary | None) -> None:
        """The vocabulary, the corpus as one id array (OOV dropped) with the sentence each
        token came from, subsampling probabilities and the noise table."""
        self.vocab = vocabulary or build_vocabulary(docs, self.min_count)
        index = self.vocab.index
        ids, sent = [], []
        for s, doc in enumerate(docs):
            row = [index[t] for t in doc if t in index]
            ids.append(np.asarray(row, dtype=np.int64))
            sent.append(np.full(len(row), s, dtype=np.int64))
        self.ids, self.sentence = np.concatenate(ids), np.concatenate(sent)
        self.keep_prob = keep_probabilities(self.vocab.counts, self.sample)
        self._noise_table = noise_table(self.vocab.counts, self.table_size)

    def _start_state(self) -> None:
        """word2vec's starting tables (inputs uniform in +-0.5/d, outputs zero), no steps yet."""
        import torch

        V, d = len(self.vocab), self.dim
        self.w_in = torch.from_numpy(initial_vectors(V, d, self.seed)).to(self.device)
        self.w_out = torch.zeros(V, d, device=self.device)
        self.counts = torch.zeros(V, dtype=torch.int64, device=self.device)
        self.step = 0
        self.words_done = 0
        self._position = (0, 0, 0)  # (epoch, chunk, batch within chunk) of the next batch
        self.snapshots: list[Snapshot] = []
        self.loss_history: list[tuple[int, float]] = []
        self._loss_sum, self._loss_pairs = 0.0, 0
        self._log_sum, self._log_pairs = 0.0, 0

    # ---- configuration fingerprint: a snapshot only resumes the run it came from
    def config(self) -> dict:
        opt = self.optimizer_spec if isinstance(self.optimizer_spec, str | None) else "custom"
        return {"format": SNAPSHOT_FORMAT, "dim": self.dim, "window": self.window,
                "negative": self.negative, "min_count": self.min_count, "epochs": self.epochs,
                "seed": self.seed, "lr": self.lr, "min_lr": self.min_lr, "sample": self.sample,
                "batch_size": self.batch_size, "chunk_words": self.chunk_words,
                "optimizer": opt, "vocab_size": len(self.vocab),
                "corpus": hashlib.sha256(self.ids.tobytes() + self.sentence.tobytes()
                                         ).hexdigest()[:16]}

    def _build_optimizer(self) -> None:
        import torch
        from torch import nn

        self.model = None
        self.opt = None
        if self.optimizer_spec is None:
            return
        sparse = self.optimizer_spec in ("sgd", "sparse_adam")
        self.model = nn.ModuleDict({
            "w_in": nn.Embedding(len(self.vocab), self.dim, sparse=sparse),
            "w_out": nn.Embedding(len(self.vocab), self.dim, sparse=sparse),
        }).to(self.device)
        with torch.no_grad():  # share storage: self.w_in / w_out always show the current values
            self.model["w_in"].weight.copy_(self.w_in)
            self.model["w_out"].weight.copy_(self.w_out)
        self.w_in, self.w_out = self.model["w_in"].weight.data, self.model["w_out"].weight.data
        params = list(self.model.parameters())
        if self.optimizer_spec == "sgd":
            self.opt = torch.optim.SGD(params, lr=self.lr)
        elif self.optimizer_spec == "adam":
            self.opt = torch.optim.Adam(params, lr=self.lr)
        elif self.optimizer_spec == "sparse_adam":
            self.opt = torch.optim.SparseAdam(params, lr=self.lr)
        else:
            self.opt = self.optimizer_spec(params)
            if not isinstance(self.opt, torch.optim.Optimizer):
                raise ValueError("the optimizer function must return a torch.optim.Optimizer, "
                                 f"got {type(self.opt).__name__}")
            self.lr = float(self.opt.param_groups[0]["lr"])

    # ---- the data of one epoch / chunk, from generators seeded by (seed, epoch, chunk)
    def _epoch_tokens(self, epoch: int) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng(np.random.SeedSequence([self.seed, epoch]))
        keep = rng.random(len(self.ids)) < self.keep_prob[self.ids]
        return self.ids[keep], self.sentence[keep]

    def _chunk_batches(self, ids, sentence, epoch: int, chunk: int):
        start = chunk * self.chunk_words
        stop = min(len(ids), start + self.chunk_words)
        rng = np.random.default_rng(np.random.SeedSequence([self.seed, epoch, chunk + 1]))
        centres, contexts = make_pairs(ids, sentence, start, stop, self.window, rng)
        # negatives: uniform positions in a table where word w fills a share P_noise(w)
        negatives = self._noise_table[rng.integers(0, len(self._noise_table),
                                                   (len(centres), self.negative))]
        return centres, contexts, negatives

    def _n_chunks(self, n_tokens: int) -> int:
        return max(1, -(-n_tokens // self.chunk_words))

    # ---- training
    def train(self) -> SGNSTrainer:
        """Run (or continue) training to the end; returns self."""
        import torch

        before = torch.get_num_threads()
        if self.threads is not None:
            torch.set_num_threads(self.threads)
        try:
            return self._train()
        finally:
            torch.set_num_threads(before)

    def _train(self) -> SGNSTrainer:
        from tqdm.auto import tqdm

        total_raw = self.vocab.total_words * self.epochs
        bar = tqdm(total=total_raw, initial=self.words_done, unit="word", unit_scale=True,
                   desc="sgns", disable=not self.progress, leave=False)
        if 0 in self.snapshot_steps and self.step == 0 and not self.snapshots:
            self._snapshot()
        epoch0, chunk0, batch0 = self._position
        for epoch in range(epoch0, self.epochs):
            ids, sentence = self._epoch_tokens(epoch)
            raw_per_kept = self.vocab.total_words / max(1, len(ids))
            for chunk in range(chunk0 if epoch == epoch0 else 0, self._n_chunks(len(ids))):
                first = batch0 if (epoch, chunk) == (epoch0, chunk0) else 0
                chunk_tokens = self._train_chunk(ids, sentence, epoch, chunk, first,
                                                 raw_per_kept, total_raw)
                # the chunk is done: account its raw words
                new_done = min(total_raw, int(epoch * self.vocab.total_words + raw_per_kept
                                              * (chunk * self.chunk_words + chunk_tokens)))
                bar.update(max(0, new_done - self.words_done))
                self.words_done = new_done
                self._position = (epoch, chunk + 1, 0)
            self._position = (epoch + 1, 0, 0)
        self.words_done = total_raw
        bar.close()
        return self

    def _train_chunk(self, ids, sentence, epoch: int, chunk: int, first: int,
                     raw_per_kept: float, total_raw: int) -> int:
        """The batches ``first``, ``first + 1``, ... of one chunk; returns its kept tokens."""
        centres, contexts, negatives = self._chunk_batches(ids, sentence, epoch, chunk)
        chunk_tokens = min(len(ids), (chunk + 1) * self.chunk_words) - chunk * self.chunk_words
        n_batches = max(1, -(-len(centres) // self.batch_size))
        t_c, t_t, t_valid = self._batch_tensors(centres, contexts, negatives)
        for b in range(first, n_batches):
            sl = slice(b * self.batch_size, (b + 1) * self.batch_size)
            # linear decay over raw words, as in word2vec
            done = epoch * self.vocab.total_words + raw_per_kept * (
                chunk * self.chunk_words + chunk_tokens * b / n_batches)
            lr = max(self.min_lr, self.lr * (1.0 - done / total_raw))
            if len(centres):
                self._update(t_c[sl], t_t[sl], t_valid[sl], lr)
            self.step += 1
            self._position = (epoch, chunk, b + 1)
            if self.step in self.snapshot_steps:
                self.words_done = int(done)
                self._snapshot()
        return chunk_tokens

    def _batch_tensors(self, centres, contexts, negatives):
        """Centres (B,), targets (B, 1+K) (the true context, then negatives) and a mask (B, 1+K)
        that skips negatives equal to the true context, as word2vec does; on the device."""
        import torch

        targets = np.concatenate([contexts[:, None], negatives], 1)
        valid = np.concatenate([np.ones((len(contexts), 1), np.float32),
                                (negatives != contexts[:, None]).astype(np.float32)], 1)
        return (torch.from_numpy(centres).to(self.device),
                torch.from_numpy(targets).to(self.device), torch.from_numpy(valid).to(self.device))

    def _update(self, centres, targets, valid, lr: float) -> None:
        import torch

        if self.opt is None:
            loss = sparse_sgd_step(self.w_in, self.w_out, centres, targets, lr, valid)
        else:
            for group in self.opt.param_groups:
                group["lr"] = lr
            self.opt.zero_grad(set_to_none=True)
            v = self.model["w_in"](centres)
            u = self.model["w_out"](targets)
            scores = (u @ v.unsqueeze(-1)).squeeze(-1)
            signs = torch.ones_like(scores)
            signs[:, 1:] = -1.0
            loss = -(torch.nn.functional.logsigmoid(signs * scores) * valid).sum()
            loss.backward()
            self.opt.step()
            loss = loss.detach()
        self.counts.index_add_(0, centres, torch.ones_like(centres))
        # losses stay on the device between log points: no GPU sync per batch
        self._loss_sum = self._loss_sum + loss.detach()
        self._loss_pairs += len(centres)
        self._log_sum = self._log_sum + loss.detach()
        self._log_pairs += len(centres)
        if self.step % self.log_every == self.log_every - 1:
            self.loss_history.append((self.step + 1, float(self._log_sum) / self._log_pairs))
            self._log_sum, self._log_pairs = 0.0, 0

    def _snapshot(self) -> None:
        loss = float(self._loss_sum) / self._loss_pairs if self._loss_pairs else float("nan")
        self._loss_sum, self._loss_pairs = 0.0, 0
        snap = Snapshot(self.step, self.words_done / self.vocab.total_words, self.words_done,
                        self.w_in.detach().cpu().numpy().copy(),
                        self.counts.cpu().numpy().copy(), loss)
        if self.keep_snapshots:
            self.snapshots.append(snap)
        if self.snapshot_dir is not None:
            self.save(self.snapshot_dir / f"step_{self.step:09d}.npz", loss=loss)

    # ---- persistence
    def save(self, path: str | os.PathLike, loss: float = float("nan")) -> Path:
        """Write everything a resume needs to ``path`` (.npz, atomic, no pickle)."""
        path = Path(path)
        arrays = {
            "config": np.array(json.dumps(self.config(), sort_keys=True)),
            "words": np.array(self.vocab.words),
            "w_in": self.w_in.detach().cpu().numpy(),
            "w_out": self.w_out.detach().cpu().numpy(),
            "counts": self.counts.cpu().numpy(),
            "position": np.array([self.step, self.words_done, *self._position], dtype=np.int64),
            "loss": np.array(loss, dtype=np.float64),
        }
        if self.opt is not None:
            state = self.opt.state_dict()
            for pid, st in state["state"].items():
                for key, val in st.items():
                    arr = val.detach().cpu().numpy() if hasattr(val, "detach") else np.array(val)
                    if hasattr(val, "is_sparse") and val.is_sparse:
                        arr = val.to_dense().cpu().numpy()
                    arrays[f"opt/{pid}/{key}"] = arr
        atomic_write(path, lambda fh: np.savez(fh, **arrays))
        return path

    def load(self, path: str | os.PathLike, data: dict | None = None) -> SGNSTrainer:
        """Restore the state saved by ``save`` (same corpus and settings), to continue training.

        ``data``: the file's arrays when already read (``load_snapshot(path)``).
        """
        import torch

        data = load_snapshot(path) if data is None else data
        try:
            saved = json.loads(str(data["config"]))
        except (KeyError, json.JSONDecodeError) as exc:
            raise SnapshotError(f"{path} has no training configuration: not a snapshot of "
                                "train_sgns") from exc
        mine = self.config()
        if saved != mine:
            diff = {k: (saved.get(k), mine.get(k)) for k in set(saved) | set(mine)
                    if saved.get(k) != mine.get(k)}
            raise SnapshotError(f"{path} comes from a different run; (snapshot, now) differ in "
                                f"{diff}: resume with the same corpus and settings, or start "
                                "a fresh snapshot_dir")
        _check_snapshot_arrays(data, path, len(self.vocab), self.dim)
        with torch.no_grad():
            self.w_in.copy_(torch.from_numpy(data["w_in"]))
            self.w_out.copy_(torch.from_numpy(data["w_out"]))
            self.counts.copy_(torch.from_numpy(data["counts"]))
        step, words, e, c, b = (int(x) for x in data["position"])
        self.step, self.words_done, self._position = step, words, (e, c, b)
        if self.opt is not None:
            state = self.opt.state_dict()
            per_param: dict[int, dict] = {}
            for key, arr in data.items():
                if key.startswith("opt/"):
                    _, pid, name = key.split("/", 2)
                    t = torch.from_numpy(np.array(arr))
                    per_param.setdefault(int(pid), {})[name] = (
                        t.to(self.device) if t.ndim else t)
            state["state"] = per_param
            self.opt.load_state_dict(state)
        self.snapshot_steps = [s for s in self.snapshot_steps if s > step]
        return self

    def resume_latest(self) -> SGNSTrainer:
        """Load the newest snapshot of ``snapshot_dir`` that reads, to continue training.

        Damaged files are skipped with a warning; a snapshot of another run is refused
        (``SnapshotError``). With no snapshot there, training starts from the beginning.
        """
        import warnings

        if self.snapshot_dir is None:
            raise ValueError("resume=True needs snapshot_dir= (where the snapshots are)")
        for path in sorted(self.snapshot_dir.glob("step_*.npz"), reverse=True):
            try:
                data = load_snapshot(path)
                try:
                    foreign = json.loads(str(data["config"])) != self.config()
                except (KeyError, json.JSONDecodeError):
                    foreign = False
                if not foreign:  # a snapshot of another run is refused by load, not skipped
                    _check_snapshot_arrays(data, path, len(self.vocab), self.dim)
            except SnapshotError as exc:
                warnings.warn(f"skipping a damaged snapshot: {exc}", stacklevel=3)
                continue
            return self.load(path, data=data)
        return self

    def keyed_vectors(self):
        """The input vectors as gensim ``KeyedVectors`` (word order: most frequent first)."""
        return keyed_vectors(self.vocab, self.w_in.detach().cpu().numpy())


def _check_snapshot_arrays(data: dict, path, n_words: int, dim: int) -> None:
    """A snapshot must hold every array a resume needs, with this run's shapes."""
    need = {"config": (), "w_in": (n_words, dim), "w_out": (n_words, dim), "counts": (n_words,),
            "position": (5,)}
    for key, shape in need.items():
        if key not in data:
            raise SnapshotError(f"{path} is damaged: it has no {key!r} array; delete it and "
                                "resume from an earlier one")
        if key != "config" and tuple(np.shape(data[key])) != shape:
            raise SnapshotError(f"{path} is damaged: {key!r} has shape "
                                f"{tuple(np.shape(data[key]))}, expected {shape}; delete it and "
                                "resume from an earlier one")
        if key in ("w_in", "w_out") and not np.isfinite(data[key]).all():
            raise SnapshotError(f"{path} is damaged: {key!r} holds NaN or inf; delete it and "
                                "resume from an earlier one")
