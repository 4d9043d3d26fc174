"""Export vectors for the TensorFlow Embedding Projector (https://projector.tensorflow.org).

The projector loads two tab-separated files: ``vectors.tsv`` (one vector per line, no header)
and ``metadata.tsv`` (one label per line, same order). Open the projector, click "Load",
and choose the two files: it runs PCA, t-SNE and UMAP in the browser and shows neighbours.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["export_projector"]


def _as_matrix(vectors: Any):
    """(rows, labels or None) from KeyedVectors, a numpy array or a torch tensor."""
    import numpy as np

    if hasattr(vectors, "index_to_key") and hasattr(vectors, "vectors"):  # gensim KeyedVectors
        return np.asarray(vectors.vectors), [str(k) for k in vectors.index_to_key]
    if hasattr(vectors, "detach") and hasattr(vectors, "cpu"):  # torch tensor
        vectors = vectors.detach().cpu().float().numpy()
    try:
        matrix = np.asarray(vectors)
    except (TypeError, ValueError) as err:
        raise TypeError(
            f"expected gensim KeyedVectors, a numpy array or a torch tensor of shape (n, d), "
            f"got {type(vectors).__name__}: pass e.g. `kv`, `emb` or `model.wte.weight`"
        ) from err
    return matrix, None


def _clean_label(label: Any) -> str:
    # the projector splits lines on tabs and newlines: keep each label on one cell
    text = str(label).replace("\t", " ").replace("\r\n", " ").replace("\n", " ")
    text = text.replace("\r", " ")
    return text if text.strip() else "<empty>"


def export_projector(vectors_or_kv: Any, folder: str | Path, labels: Any = None, *,
                     words: list[str] | None = None) -> tuple[Path, Path]:
    """Write ``vectors.tsv`` and ``metadata.tsv`` for projector.tensorflow.org into ``folder``.

    vectors_or_kv: gensim ``KeyedVectors`` (its words are the labels), or a numpy array /
        torch tensor of shape ``(n, d)``.
    labels: ``n`` labels, one per row (required for arrays, optional for KeyedVectors).
    words: with KeyedVectors, export only these words (in this order), e.g. a few hundred
        around a theme; the projector gets slow beyond ~10k rows.
    Returns the two paths ``(vectors.tsv, metadata.tsv)``. Tabs and newlines in labels are
    replaced by spaces; an empty label becomes ``<empty>``.
    """
    matrix, own_labels = (_as_matrix(vectors_or_kv) if words is None
                          else _selected_rows(vectors_or_kv, words))
    _check_matrix(matrix)
    labels = _labels_for(own_labels if labels is None else labels, len(matrix))
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    vectors_path, metadata_path = folder / "vectors.tsv", folder / "metadata.tsv"
    _write_vectors(vectors_path, matrix)
    with open(metadata_path, "w", encoding="utf-8", newline="\n") as out:
        out.write("\n".join(labels) + "\n")
    return vectors_path, metadata_path


def _selected_rows(kv: Any, words: list[str]):
    """(rows, labels) of ``words`` from gensim KeyedVectors, in that order."""
    import numpy as np

    if not hasattr(kv, "index_to_key"):
        raise TypeError("`words=` selects rows of gensim KeyedVectors; for an array, "
                        "index it yourself (emb[ids]) and pass `labels=`")
    missing = [w for w in words if w not in kv.key_to_index]
    if missing:
        raise KeyError(f"{missing[:5]} not in the vocabulary ({len(missing)} of "
                       f"{len(words)} words): drop them or check the spelling")
    return (np.stack([kv[w] for w in words]) if words else np.zeros((0, 0))), list(words)


def _check_matrix(matrix) -> None:
    """Refuse what the projector cannot show: not (n, d), empty, not real, NaN or inf."""
    import numpy as np

    if matrix.ndim != 2:
        raise ValueError(f"expected vectors of shape (n, d), got {matrix.shape}: "
                         f"for one vector use `x.reshape(1, -1)`")
    if 0 in matrix.shape:
        raise ValueError(f"nothing to export: the vectors have shape {matrix.shape}")
    real = np.issubdtype(matrix.dtype, np.integer) or np.issubdtype(matrix.dtype, np.floating)
    if not real:
        raise TypeError(f"expected real numbers, got dtype {matrix.dtype}")
    bad = ~np.isfinite(matrix.astype(np.float64)).all(axis=1)
    if bad.any():
        rows = np.flatnonzero(bad)
        raise ValueError(f"{bad.sum()} rows hold NaN or inf (first: row {rows[0]}): "
                         "the projector cannot place them; drop or fix those rows")


def _labels_for(labels: Any, n: int) -> list[str]:
    """One cleaned label per row; an array without labels, or a wrong count, is refused."""
    if labels is None:
        raise ValueError(f"an array of {n} vectors needs `labels=` (one per row): "
                         "the projector shows them on hover and in searches")
    labels = [_clean_label(x) for x in labels]
    if len(labels) != n:
        raise ValueError(f"got {len(labels)} labels for {n} vectors: "
                         "pass exactly one label per row, in row order")
    return labels


def _write_vectors(path: Path, matrix) -> None:
    """One tab-separated row per vector, at the precision that round-trips its dtype."""
    import numpy as np

    # repr-precision of float32 keeps files small and round-trips float32 exactly
    digits = 9 if matrix.dtype.itemsize <= 4 else 17
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        for row in matrix.astype(np.float64):
            out.write("\t".join(f"{v:.{digits}g}" for v in row) + "\n")
