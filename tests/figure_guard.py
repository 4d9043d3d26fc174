"""Figure guard: ``plt.show()`` fails on a figure with an Axes that holds no plotted data.

An Axes holding only text or annotations (which do not rescale the axes, so labels float
and arrows land off-screen) or nothing at all is a broken figure. ``tests/nbval_guard.py``
installs this in every notebook kernel under ``make notebooks``; ``install()`` also works in
any Python session. Plain module: the kernel gets its source through a startup file.
"""

from __future__ import annotations


class EmptyFigureError(AssertionError):
    """A figure about to be shown has an Axes with no lines, markers, bars, images or patches."""


def empty_axes(fig) -> list[str]:
    """Descriptions of the visible Axes of ``fig`` that hold no plotted data."""
    empty = []
    for k, ax in enumerate(fig.axes):
        if not ax.get_visible():
            continue
        data = (list(ax.lines) + list(ax.collections) + list(ax.images) + list(ax.patches)
                + list(ax.tables) + list(ax.artists))
        if not data:
            title = ax.get_title() or f"axes {k}"
            empty.append(f"{title!r} (only {len(ax.texts)} text/annotation artists)")
    return empty


def check_open_figures() -> None:
    """Raise ``EmptyFigureError`` naming every empty Axes of the open pyplot figures."""
    import matplotlib.pyplot as plt

    problems = []
    for num in plt.get_fignums():
        fig = plt.figure(num)
        problems += [f"figure {num}: {desc}" for desc in empty_axes(fig)]
    if problems:
        raise EmptyFigureError(
            "a figure has axes with no plotted data: " + "; ".join(problems) + ". Text and "
            "annotate() do not rescale the axes: plot the points or arrows (ax.plot, "
            "ax.scatter, ax.quiver) or set the limits, then show")


def install() -> None:
    """Wrap ``matplotlib.pyplot.show`` so that it checks the open figures first."""
    import matplotlib.pyplot as plt

    if getattr(plt.show, "_figure_guard", False):
        return
    original = plt.show

    def show(*args, **kwargs):
        check_open_figures()
        return original(*args, **kwargs)

    show._figure_guard = True
    plt.show = show
