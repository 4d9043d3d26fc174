"""Interactive explorers: move a slider, watch embeddings answer (ipywidgets).

Each explorer returns a widget in JupyterLab. Where nobody can move a slider (under nbval,
while ``tools/execute_notebooks.py`` commits outputs, on the course site, in plain Python)
it prints or draws its default view once and returns None, so no widget state is saved.
``static=True``/``False`` forces either; by default the output is static when the variable
``COURSE_STATIC_WIDGETS=1`` is set, under pytest, or outside a Jupyter kernel.

The computations behind the sliders are plain functions (``neighbors_view``,
``analogy_view``, ``position_view``, ``retrieval_view``) that tests and lessons call directly.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

from course_utils.validation import check_int

__all__ = ["static_output", "neighbors_view", "analogy_view", "position_view", "retrieval_view",
           "neighbors_explorer", "analogy_explorer", "positions_explorer", "retrieval_explorer"]


def static_output(static: bool | None = None) -> bool:
    """Whether an explorer renders a static view (True) rather than a live widget."""
    if static is not None:
        if not isinstance(static, bool):
            raise TypeError(f"static must be True, False or None (decide), got {static!r}")
        return static
    if os.environ.get("COURSE_STATIC_WIDGETS", "").lower() in ("1", "true", "yes"):
        return True
    if "PYTEST_CURRENT_TEST" in os.environ:  # nbval kernels inherit it from pytest
        return True
    try:
        from IPython import get_ipython
    except ImportError:
        return True
    shell = get_ipython()
    return shell is None or not hasattr(shell, "kernel")  # a terminal IPython has no kernel


# ------------------------------------------------------------------------ the views (pure)

def neighbors_view(kv, word: str, k: int = 10) -> list[tuple[str, float]]:
    """The ``k`` nearest words to ``word`` by cosine, best first (its own row excluded)."""
    from course_utils.geometry import nearest_neighbors

    return nearest_neighbors(kv, word, k=k)


def analogy_view(kv, a: str, b: str, c: str, k: int = 5, method: str = "3cosadd"
                 ) -> dict[str, list[tuple[str, float]]]:
    """"a is to b as c is to ?", with the input words excluded and included.

    ``{"excluded": [...], "included": [...]}``: the second list is the plain nearest
    neighbours of b − a + c (unit vectors), where an input word (often ``b`` or ``c``) tends
    to come first. That is why the literature and ``solve_analogy`` exclude them.
    """
    import numpy as np

    from course_utils.geometry import nearest_neighbors, solve_analogy

    excluded = solve_analogy(kv, a, b, c, k=k, method=method)
    unit = {w: kv.get_vector(w, norm=True) for w in (a, b, c)}
    target = unit[b] - unit[a] + unit[c]
    included = nearest_neighbors(kv, np.asarray(target, dtype=np.float32), k=k)
    return {"excluded": excluded, "included": included}


def position_view(kind: str = "sinusoidal", position: int = 10, pair: int = 0,
                  n_positions: int = 64, dim: int = 64, base: float = 10000.0
                  ) -> dict[str, Any]:
    """What one position looks like in one dimension pair, for "sinusoidal" or "rope".

    Returns numpy arrays: ``angles`` (n_positions,) the pair's angle at every position,
    ``wavelength`` (positions per turn of the pair), and ``similarity`` (n_positions,):
    for "sinusoidal" the dot product PE[position]·PE[j]; for "rope" the score of one fixed
    vector rotated as a query at ``position`` and as a key at every j, which depends on
    ``position - j`` only and peaks at j = position.
    """
    import numpy as np
    import torch

    from course_utils.positions import rope, rope_frequencies, sinusoidal

    if kind not in ("sinusoidal", "rope"):
        raise ValueError(f"kind must be 'sinusoidal' or 'rope', got {kind!r}")
    pair = check_int(pair, "pair", minimum=0, maximum=dim // 2 - 1, hint=f" for dim={dim}")
    position = check_int(position, "position", minimum=0, maximum=n_positions - 1)
    freq = float(rope_frequencies(dim, base)[pair])
    angles = np.arange(n_positions) * freq
    if kind == "sinusoidal":
        pe = sinusoidal(n_positions, dim, base).double().numpy()
        similarity = pe @ pe[position]
    else:
        # one fixed vector as query at `position` and as key at every j: after RoPE their
        # score is sum_i |pair_i|^2 cos((position - j) theta_i), a function of the offset
        q = torch.randn(dim, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
        rotated = rope(q.expand(n_positions, dim).contiguous(), base=base)
        similarity = (rotated @ rotated[position]).numpy()
    return {"kind": kind, "position": position, "pair": pair, "angles": angles,
            "wavelength": 2 * np.pi / freq, "similarity": similarity}


def retrieval_view(encode: Callable[[list[str]], Any], passages: Sequence[str], query: str,
                   k: int = 3, passage_vectors=None) -> list[tuple[float, str]]:
    """The ``k`` passages most similar to ``query`` by cosine: ``[(score, passage), ...]``.

    ``encode(list_of_texts)`` returns an ``(n, d)`` array or tensor; pass
    ``passage_vectors`` to reuse the passages' encodings across queries.
    """
    import numpy as np

    if not passages:
        raise ValueError("passages is empty: pass at least one passage to search")
    k = check_int(k, "k", minimum=1)
    if not isinstance(query, str) or not query.strip():
        raise ValueError(f"query must be a non-empty string, got {query!r}")
    docs = _unit_rows(encode(list(passages)) if passage_vectors is None else passage_vectors)
    if docs.shape[0] != len(passages):
        raise ValueError(f"encode returned {docs.shape[0]} vectors for {len(passages)} "
                         "passages: it must return one row per text")
    q = _unit_rows(encode([query]))[0]
    scores = docs @ q
    top = np.argsort(-scores, kind="stable")[:k]
    return [(float(scores[i]), passages[i]) for i in top]


def _unit_rows(vectors):
    import numpy as np

    if hasattr(vectors, "detach"):
        vectors = vectors.detach().cpu().float().numpy()
    x = np.asarray(vectors, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"encode must return shape (n, d), got {x.shape}")
    from course_utils.encoders import unit_rows_keep_zero

    return unit_rows_keep_zero(x, dtype=np.float64)


# ------------------------------------------------------------------------ rendering

def _table(rows, header: str) -> str:
    lines = [header]
    lines += [f"  {word:<16} {score:.3f}" for word, score in rows]
    return "\n".join(lines)


def _print_neighbors(word, rows):
    print(_table(rows, f"nearest to {word!r} (cosine):"))


def _print_analogy(a, b, c, view):
    print(_table(view["excluded"], f"{a} : {b} :: {c} : ?   (inputs excluded)"))
    print(_table(view["included"], "the same search with the inputs left in:"))


def _plot_position(view):
    import matplotlib.pyplot as plt
    import numpy as np

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.4))
    p, i = view["position"], view["pair"]
    n = len(view["angles"])
    if view["kind"] == "sinusoidal":
        labels = (f"sin: PE[:, {2 * i}]", f"cos: PE[:, {2 * i + 1}]")
    else:
        labels = (f"sin(p·θ_{i})", f"cos(p·θ_{i})")  # the rotation of pair i at position p
    left.plot(np.sin(view["angles"]), label=labels[0])
    left.plot(np.cos(view["angles"]), label=labels[1])
    left.axvline(p, color="k", ls=":", lw=1)
    left.set(title=f"pair {i}: one turn every {view['wavelength']:.1f} positions",
             xlabel="position", ylabel="value", xlim=(0, n - 1))
    left.legend(loc="lower right", fontsize=8)
    right.plot(view["similarity"], color="tab:purple")
    right.axvline(p, color="k", ls=":", lw=1)
    what = ("PE[p] · PE[j]" if view["kind"] == "sinusoidal"
            else "one vector at p and at j, q·k after RoPE")
    right.set(title=f"{what}, p = {p}", xlabel="position j", ylabel="dot product",
              xlim=(0, n - 1))
    fig.tight_layout()
    plt.show()


def _print_retrieval(query, rows):
    print(f"query: {query!r}")
    for score, passage in rows:
        short = passage if len(passage) <= 90 else passage[:87] + "..."
        print(f"  {score:.3f}  {short}")


# ------------------------------------------------------------------------ widgets

def _live(controls: dict, compute: Callable[..., Any], render: Callable[[Any, dict], None]):
    """A VBox of ``controls`` and an output area redrawn by ``render`` on every change.

    The box's ``last`` attribute holds the latest computed view (tests read it).
    """
    import ipywidgets as widgets

    out = widgets.Output()
    box = widgets.VBox([*controls.values(), out])

    def update(_change=None):
        values = {name: c.value for name, c in controls.items()}
        with out:
            out.clear_output(wait=True)
            try:
                box.last = compute(**values)
            except (KeyError, ValueError) as err:  # an unknown word while typing
                box.last = err
                print(err)
                return
            render(box.last, values)

    for control in controls.values():
        control.observe(update, names="value")
    update()
    return box


def neighbors_explorer(kv, word: str = "king", k: int = 10, static: bool | None = None):
    """Type a word, move ``k``: its nearest neighbours over ``kv`` (e.g. GloVe)."""
    if static_output(static):
        _print_neighbors(word, neighbors_view(kv, word, k))
        return None
    import ipywidgets as widgets

    controls = {"word": widgets.Text(value=word, description="word", continuous_update=False),
                "k": widgets.IntSlider(value=k, min=1, max=30, description="k")}
    return _live(controls, lambda word, k: neighbors_view(kv, word.strip().lower(), k),
                 lambda rows, v: _print_neighbors(v["word"], rows))


def analogy_explorer(kv, a: str = "man", b: str = "king", c: str = "woman", k: int = 5,
                     static: bool | None = None):
    """"a is to b as c is to ?" with three text boxes, inputs excluded and included."""
    if static_output(static):
        _print_analogy(a, b, c, analogy_view(kv, a, b, c, k))
        return None
    import ipywidgets as widgets

    controls = {name: widgets.Text(value=value, description=name, continuous_update=False)
                for name, value in (("a", a), ("b", b), ("c", c))}
    controls["method"] = widgets.ToggleButtons(options=["3cosadd", "3cosmul"],
                                               description="method")

    def compute(a, b, c, method):
        a, b, c = (w.strip().lower() for w in (a, b, c))
        return analogy_view(kv, a, b, c, k, method=method)

    return _live(controls, compute, lambda view, v: _print_analogy(v["a"], v["b"], v["c"], view))


def positions_explorer(kind: str = "sinusoidal", position: int = 10, pair: int = 0,
                       n_positions: int = 64, dim: int = 64, static: bool | None = None):
    """Move the position and the dimension pair: sinusoidal or RoPE angles and similarities."""
    if static_output(static):
        _plot_position(position_view(kind, position, pair, n_positions, dim))
        return None
    import ipywidgets as widgets

    controls = {
        "kind": widgets.ToggleButtons(options=["sinusoidal", "rope"], value=kind,
                                      description="encoding"),
        "position": widgets.IntSlider(value=position, min=0, max=n_positions - 1,
                                      description="position"),
        "pair": widgets.IntSlider(value=pair, min=0, max=dim // 2 - 1, description="pair i")}
    return _live(controls,
                 lambda kind, position, pair: position_view(kind, position, pair,
                                                            n_positions, dim),
                 lambda view, v: _plot_position(view))


def retrieval_explorer(encode: Callable[[list[str]], Any], passages: Sequence[str],
                       query: str = "Who proposed the theory of relativity?", k: int = 3,
                       static: bool | None = None):
    """Type a query: the ``k`` passages whose embeddings (``encode``) are closest by cosine."""
    if not passages:
        raise ValueError("passages is empty: pass at least one passage to search")
    vectors = encode(list(passages))
    if static_output(static):
        _print_retrieval(query, retrieval_view(encode, passages, query, k, vectors))
        return None
    import ipywidgets as widgets

    controls = {"query": widgets.Text(value=query, description="query",
                                      continuous_update=False,
                                      layout=widgets.Layout(width="90%")),
                "k": widgets.IntSlider(value=k, min=1, max=max(1, min(10, len(passages))),
                                       description="k")}
    return _live(controls,
                 lambda query, k: retrieval_view(encode, passages, query, k, vectors),
                 lambda rows, v: _print_retrieval(v["query"], rows))
