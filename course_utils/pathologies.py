"""What goes wrong in an embedding space, measured and corrected (lesson 04, section 5).

Anisotropy: every vector leans the same way, so unrelated words look similar
(``mean_cosine``, Ethayarajh 2019); removing the mean row and the top principal
directions corrects it (``center``, ``top_directions``, ``all_but_the_top``, Mu &
Viswanath 2018). Hubness: a few vectors are the nearest neighbour of very many others
(``k_occurrence`` and its ``skewness``, Radovanović et al. 2010). Functions take an
``(n, d)`` numpy array or torch tensor; those that return vectors return the same kind.
"""

from __future__ import annotations

from course_utils.geometry import as_tensor, topk_scores, unit_rows
from course_utils.validation import check_int, check_seed


def _as_matrix(emb, name: str = "emb"):
    """``emb`` as a float ``(n, d)`` torch tensor, and whether the caller passed torch."""
    import torch

    was_torch = isinstance(emb, torch.Tensor)
    t = as_tensor(emb, name)
    if t.ndim != 2:
        raise ValueError(f"{name}: expected a matrix of shape (n, d), got {tuple(t.shape)}: "
                         f"try {name}.reshape(1, -1)")
    return t.float() if t.dtype == torch.float16 else t, was_torch


def _back(t, was_torch: bool):
    return t if was_torch else t.numpy()


def center(emb):
    """``emb`` minus its mean row: ``(n, d)`` → ``(n, d)`` (numpy in → numpy out)."""
    t, was_torch = _as_matrix(emb)
    return _back(t - t.mean(dim=0, keepdim=True), was_torch)


def top_directions(emb, n_components: int):
    """The ``n_components`` leading principal directions of ``emb`` (centered), ``(D, d)``."""
    import torch

    t, was_torch = _as_matrix(emb)
    n_components = check_int(n_components, "n_components", minimum=0, maximum=min(t.shape),
                             hint=f" for a {tuple(t.shape)} matrix")
    centered = t - t.mean(dim=0, keepdim=True)
    _, _, vh = torch.linalg.svd(centered.double(), full_matrices=False)
    return _back(vh[:n_components].to(t.dtype), was_torch)


def all_but_the_top(emb, n_components: int | None = None):
    """Mu & Viswanath (2018)'s post-processing: remove the mean and the top directions.

    ``emb``: ``(n, d)``. Subtracts the mean row, then each row's projection on the first
    ``n_components`` principal directions (default ``max(1, d // 100)``, the paper's rule
    of thumb). Returns an ``(n, d)`` array of the same kind.
    """
    t, was_torch = _as_matrix(emb)
    if n_components is None:
        n_components = max(1, t.shape[1] // 100)
    centered = t - t.mean(dim=0, keepdim=True)
    if n_components == 0:
        return _back(centered, was_torch)
    u = as_tensor(top_directions(t, n_components), "directions").to(t.dtype)
    return _back(centered - (centered @ u.T) @ u, was_torch)


def mean_cosine(emb, n_pairs: int = 10_000, seed: int = 0) -> float:
    """Mean cosine similarity of ``n_pairs`` random pairs of distinct rows of ``emb``.

    Near 0 for directions spread evenly (isotropic); clearly positive when every vector
    leans the same way (anisotropy, Ethayarajh 2019). Deterministic for a given ``seed``.
    """
    import torch

    t, _ = _as_matrix(emb)
    if t.shape[0] < 2:
        raise ValueError(f"need at least 2 rows to form pairs, got {t.shape[0]}")
    n_pairs = check_int(n_pairs, "n_pairs", minimum=1)
    gen = torch.Generator().manual_seed(check_seed(seed))
    i = torch.randint(0, t.shape[0], (n_pairs,), generator=gen)
    j = (i + torch.randint(1, t.shape[0], (n_pairs,), generator=gen)) % t.shape[0]  # j != i
    u = unit_rows(t.float(), "emb")
    return float((u[i] * u[j]).sum(dim=1).mean())


def k_occurrence(emb, k: int = 10, metric: str = "cosine", queries=None,
                 device: str | None = None):
    """How often each row of ``emb`` is among the ``k`` nearest neighbours of the others.

    ``emb``: ``(n, d)``; each row's own index is excluded from its list. With ``queries``
    (``(m, d)``) the lists are those of the queries instead (nothing excluded). Returns an
    ``(n,)`` int numpy array summing to ``k`` times the number of lists. A few rows with
    very high counts are *hubs* (Radovanović et al. 2010).
    """
    import numpy as np

    t, _ = _as_matrix(emb)
    if queries is None:
        q, exclude = t, np.arange(t.shape[0])[:, None]
        if t.shape[0] < 2:
            raise ValueError("need at least 2 rows: a row is not its own neighbour")
    else:
        q, _ = _as_matrix(queries, "queries")
        exclude = None
    _, idx = topk_scores(q, t, k=k, metric=metric, exclude=exclude, device=device)
    if queries is None:
        idx = idx[:, : min(k, t.shape[0] - 1)]
    return np.bincount(idx.reshape(-1).numpy(), minlength=t.shape[0])


def skewness(values) -> float:
    """The sample skewness E[(x - mean)³] / std³ (0 for a symmetric distribution)."""
    import numpy as np

    x = np.asarray(values, dtype=np.float64).reshape(-1)
    if x.size < 2:
        raise ValueError(f"need at least 2 values, got {x.size}")
    if not np.isfinite(x).all():
        raise ValueError(f"values must be finite, got {int((~np.isfinite(x)).sum())} NaN or "
                         f"infinite of {x.size}; drop them first, e.g. x[np.isfinite(x)]")
    sd = x.std()
    return 0.0 if sd == 0 else float(((x - x.mean()) ** 3).mean() / sd**3)
