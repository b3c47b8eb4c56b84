"""Plots the lessons draw with the learner's own functions.

A panel whose function is not implemented yet (or raises) shows ``name(z) = ?`` instead of a
curve, so a plot cell works from the first run of a fresh notebook and fills in as the learner
progresses. Labels are mathematical, not prose, so they need no translation.
"""
from __future__ import annotations

import math
from typing import Callable, Sequence

import numpy as np

from .calls import call


def _curve(fn: Callable, z: np.ndarray):
    """``fn(z)`` as a float array of z's shape, or None if it is not available."""
    outcome = call(fn, (z,))
    if outcome.problem is not None:
        return None
    try:
        y = np.asarray(outcome.value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return y if y.shape == z.shape else None


def plot_with_derivatives(pairs: Sequence[tuple[Callable, Callable]], z_range=(-4.0, 4.0),
                          columns: int = 3) -> None:
    """One panel per ``(f, f_grad)`` pair: ``f`` solid, ``f_grad`` dashed, over ``z_range``.

    pairs: element-wise functions and their derivatives. The figure is left to the notebook's
    inline backend to display (returning it would display it twice).
    """
    import matplotlib.pyplot as plt

    z = np.linspace(*z_range, 401)
    rows = math.ceil(len(pairs) / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4 * columns, 3 * rows), squeeze=False)
    for ax, (fn, grad_fn) in zip(axes.flat, pairs):
        name = getattr(fn, "__name__", "f")
        ax.axhline(0, color="0.8", lw=0.8)
        ax.axvline(0, color="0.8", lw=0.8)
        for f, style, label in ((fn, "-", f"{name}(z)"), (grad_fn, "--", f"{name}'(z)")):
            y = _curve(f, z)
            if y is not None:
                ax.plot(z, y, style, label=label)
            else:
                ax.text(0.5, 0.5 if style == "-" else 0.35, f"{label} = ?", transform=ax.transAxes,
                        ha="center", color="0.4")
        ax.set_title(name)
        ax.set_xlabel("z")
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="upper left", fontsize="small")
    for ax in list(axes.flat)[len(pairs):]:
        ax.axis("off")
    fig.tight_layout()
