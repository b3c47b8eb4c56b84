"""Plots the lessons draw with the learner's own functions, labelled in the release's language.

A panel whose function is missing or still raises ``NotImplementedError`` shows ``name(z) = ?``
instead of a curve, so a plot cell works from the first run of a fresh notebook and fills in as
the learner progresses. A function that works but breaks a rule (it modifies its input) is drawn,
with a note saying what is wrong; one that raises another error gets a note instead of a curve.
"""
from __future__ import annotations

import math
from typing import Callable, Sequence

import numpy as np

from .calls import call
from .fonts import select as _select_font
from .messages import Text, get_language, say

# Chinese labels need the course font from the first figure on, whenever the language was chosen.
_select_font(get_language())


def label(en: str, zh: str) -> str:
    """A plot label (axis, legend, title) or a short printed line, in the current language:
    ``label("layer", "层")``."""
    return Text(en, zh).render()


def _curve(fn: Callable | None, z: np.ndarray, kwargs: dict) -> tuple[np.ndarray | None, str | None]:
    """``(y, note)``: ``fn(z, **kwargs)`` as a float array of z's shape (None if there is none to draw)
    and a note on what is wrong (None if nothing is, or if the function is simply not written yet)."""
    name = getattr(fn, "__name__", "f")
    if not callable(fn):
        return None, None
    outcome = call(fn, (z,), kwargs)
    problem = outcome.problem
    if problem is not None and problem.key == "not_implemented":
        return None, None
    if problem is not None and problem.key == "raised":
        error = problem.en.split(" raised ", 1)[-1].rstrip(".").strip("`")  # "TypeError: ...", in both
        return None, say("plot_raised", fn=name, error=error[:60]).render()
    if problem is not None and problem.key != "mutated":
        return None, str(problem)
    try:
        y = np.asarray(outcome.value, dtype=np.float64)
    except (TypeError, ValueError):
        y = None
    if y is None or y.shape != z.shape:
        return None, say("plot_not_numbers", fn=name).render()
    return y, (say("plot_modifies_input", fn=name).render() if problem is not None else None)


def plot_with_derivatives(pairs: Sequence[tuple], z_range=(-4.0, 4.0), columns: int = 3) -> None:
    """One panel per ``(f, f_grad)`` or ``(f, f_grad, kwargs)``: ``f`` solid, ``f_grad`` dashed.

    pairs: element-wise functions and their derivatives; ``kwargs`` (e.g. ``{"alpha": 0.1}``) is
    passed to both and shown in the panel's title. The figure is left to the notebook's inline
    backend to display (returning it would display it twice).
    """
    import matplotlib.pyplot as plt

    z = np.linspace(*z_range, 401)
    rows = math.ceil(len(pairs) / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4 * columns, 3.2 * rows), squeeze=False)
    for ax, pair in zip(axes.flat, pairs):
        fn, grad_fn, kwargs = (*pair, {})[:3]
        name = getattr(fn, "__name__", "f")
        settings = ", ".join(f"{k} = {v}" for k, v in kwargs.items())
        ax.axhline(0, color="0.8", lw=0.8)
        ax.axvline(0, color="0.8", lw=0.8)
        notes = []
        for f, style, color, text in ((fn, "-", "C0", f"{name}(z)"), (grad_fn, "--", "C1", f"{name}'(z)")):
            y, note = _curve(f, z, kwargs)
            if y is not None:
                ax.plot(z, y, style, color=color, label=text)
            elif note is None:
                notes.append(f"{text} = ?")
            if note is not None:
                notes.append(note)
        for k, note in enumerate(notes):
            ax.text(0.5, 0.62 - 0.14 * k, note, transform=ax.transAxes, ha="center", color="0.3",
                    fontsize="small", wrap=True, bbox={"facecolor": "white", "edgecolor": "0.8", "alpha": 0.9})
        ax.set_title(f"{name} ({settings})" if settings else name)
        ax.set_xlabel(str(say("plot_axis_z")))
        ax.set_ylabel(str(say("plot_axis_value")))
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="upper left", fontsize="small")
    for ax in list(axes.flat)[len(pairs):]:
        ax.axis("off")
    fig.tight_layout()


def draw_graph(root, ax=None, title: str | None = None):
    """Draw the computation that produced ``root`` (an 08 ``Value``): one box per node showing its
    ``data`` and ``grad`` (and the operation that made it), an arrow from each input to its result.

    Works on any object with ``data``, ``grad``, ``_prev`` (its inputs) and ``_op`` (a short name);
    leaves on the left, ``root`` on the right. Only matplotlib is needed. Returns the axes.
    """
    import matplotlib.pyplot as plt

    nodes, order = {}, []
    pending = [root]
    while pending:  # every node once, however often it is used
        node = pending.pop()
        if id(node) in nodes:
            continue
        nodes[id(node)] = node
        order.append(node)
        pending.extend(getattr(node, "_prev", ()))
    depth: dict[int, int] = {}

    def level(node) -> int:  # longest path from a leaf: inputs always left of their result
        key = id(node)
        if key not in depth:
            depth[key] = 0  # a guard against cycles in a broken graph
            depth[key] = 1 + max((level(c) for c in getattr(node, "_prev", ())), default=-1)
        return depth[key]

    for node in reversed(order):
        level(node)
    columns: dict[int, list] = {}
    for node in order:
        columns.setdefault(depth[id(node)], []).append(node)
    where = {}
    for x, column in columns.items():
        for row, node in enumerate(column):
            where[id(node)] = (x, row - (len(column) - 1) / 2)
    if ax is None:
        width = max(columns) + 1
        _, ax = plt.subplots(figsize=(2.4 * width + 1, 1.3 * max(len(c) for c in columns.values()) + 1.2))
    for node in order:
        x1, y1 = where[id(node)]
        for child in getattr(node, "_prev", ()):
            x0, y0 = where[id(child)]
            bend = 0.0 if x1 - x0 <= 1 else -0.35  # a long edge arcs around the boxes between
            ax.annotate("", xy=(x1 - 0.36, y1), xytext=(x0 + 0.36, y0),
                        arrowprops={"arrowstyle": "->", "color": "0.4", "connectionstyle": f"arc3,rad={bend}"})
        op = getattr(node, "_op", "")
        text = (f"{op}\n" if op else "") + f"data {node.data:.4g}\ngrad {node.grad:.4g}"
        ax.text(x1, y1, text, ha="center", va="center", fontsize=9, family="monospace",
                bbox={"boxstyle": "round", "facecolor": "C1" if node is root else ("C0" if op else "C2"),
                      "alpha": 0.25})
    ax.set_xlim(-0.6, max(columns) + 0.6)
    ax.set_ylim(min(y for _, y in where.values()) - 0.7, max(y for _, y in where.values()) + 0.7)
    ax.set_xlabel(label("from the inputs (left) to the output (right)", "从输入（左）到输出（右）"))
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    return ax


def draw_layers(layer_sizes: Sequence[int], ax=None):
    """Draw a fully connected network with every array's shape, in the course's row convention.

    One column of circles per layer (``layer_sizes[l]`` units; the input first), every unit joined to
    every unit of the next layer. Under the input: ``X (N, n_0)``; between layers l-1 and l:
    ``W_l (n_l, n_{l-1})`` and ``b_l (n_l,)``; under layer l: ``Z_l, A_l (N, n_l)``, the last layer
    ``Z_L = logits (N, n_L)`` (no activation). Only matplotlib is needed. Returns the axes.
    """
    import matplotlib.pyplot as plt

    sizes = [int(n) for n in layer_sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError("layer_sizes needs at least two positive sizes, the input first")
    if ax is None:
        _, ax = plt.subplots(figsize=(3.2 * len(sizes), 1.0 + 0.75 * max(sizes)))
    rows = [[(l, u - (n - 1) / 2) for u in range(n)] for l, n in enumerate(sizes)]
    for left, right in zip(rows[:-1], rows[1:]):
        for x0, y0 in left:
            for x1, y1 in right:
                ax.plot([x0, x1], [y0, y1], color="0.75", lw=0.8, zorder=1)
    for l, column in enumerate(rows):
        color = "C2" if l == 0 else ("C1" if l == len(sizes) - 1 else "C0")
        ax.scatter([x for x, _ in column], [y for _, y in column], s=500, color=color, alpha=0.35,
                   edgecolors=color, zorder=2)
    bottom = -(max(sizes) - 1) / 2 - 0.7
    last = len(sizes) - 1
    for l, n in enumerate(sizes):
        if l == 0:
            text = f"X  (N, {n})"
        elif l == last:
            text = f"Z{l} = logits  (N, {n})"
        else:
            text = f"Z{l}, A{l}  (N, {n})"
        ax.text(l, bottom, text, ha="center", va="top", fontsize=10, family="monospace")
        if l > 0:
            ax.text(l - 0.5, -bottom + 0.25, f"W{l} ({n}, {sizes[l - 1]})\nb{l} ({n},)", ha="center",
                    va="bottom", fontsize=10, family="monospace")
    ax.set_xlim(-0.6, last + 0.6)
    ax.set_ylim(bottom - 0.6, -bottom + 1.0)
    ax.set_xticks(range(len(sizes)))
    ax.set_xticklabels([label("input", "输入")] + [label(f"layer {l}", f"第 {l} 层") for l in range(1, last + 1)])
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    return ax
