"""Descriptions of test inputs, drawn at check time from a seeded generator.

A hidden test declares *what kind* of input it wants (``Uniform((4, 5), -3, 3)``) rather than the
input itself, so whoever evaluates the declaration chooses the values: the learner's kernel, or
the trusted grader with a seed derived from the learner and the assignment.
"""
from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass

import numpy as np

_seed: int | None = None


def set_seed(seed: int | None) -> None:
    """Make every input drawn from now on reproducible from ``seed`` (None: a fresh random seed)."""
    global _seed
    _seed = seed


def generator(label: str) -> np.random.Generator:
    """A generator for the check called ``label``: its own stream, reproducible from the seed.

    The seed is the one set with :func:`set_seed`, else ``NNMATH_SEED``, else drawn once per
    process, so hidden inputs differ between runs unless the grader pins them.
    """
    global _seed
    if _seed is None:
        _seed = int(os.environ.get("NNMATH_SEED", secrets.randbits(63)))
    digest = hashlib.sha256(f"{_seed}:{label}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


@dataclass(frozen=True)
class Uniform:
    """Floats uniform in ``[low, high)``; ``shape=()`` gives a Python float.

    avoid: points no entry may come closer to than ``margin`` (kinks, thresholds).
    """

    shape: tuple = ()
    low: float = -3.0
    high: float = 3.0
    avoid: tuple = ()
    margin: float = 1e-2

    def draw(self, rng: np.random.Generator):
        x = rng.uniform(self.low, self.high, size=self.shape)
        for point in self.avoid:
            near = np.abs(x - point) < self.margin
            x = np.where(near, point + np.where(x >= point, 2, -2) * self.margin, x)
        return float(x) if self.shape == () else x


@dataclass(frozen=True)
class Normal:
    """Floats from ``N(mean, std^2)``; ``shape=()`` gives a Python float."""

    shape: tuple = ()
    mean: float = 0.0
    std: float = 1.0

    def draw(self, rng: np.random.Generator):
        x = rng.normal(self.mean, self.std, size=self.shape)
        return float(x) if self.shape == () else x


@dataclass(frozen=True)
class Labels:
    """``n`` integer class labels in ``range(classes)``, shape ``(n,)``."""

    n: int
    classes: int

    def draw(self, rng: np.random.Generator) -> np.ndarray:
        return rng.integers(0, self.classes, size=self.n)


# --- 04_losses: rows of class probabilities ------------------------------------------------------
@dataclass(frozen=True)
class Probabilities:
    """``(n, classes)`` rows of class probabilities: each row positive and summing to 1
    (the softmax of normal logits with standard deviation ``std``)."""

    n: int
    classes: int
    std: float = 1.5

    def draw(self, rng: np.random.Generator) -> np.ndarray:
        z = rng.normal(0.0, self.std, size=(self.n, self.classes))
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)


# --- 05_forward: the parameters of a network ------------------------------------------------------
@dataclass(frozen=True)
class Params:
    """``[(W, b), ...]`` for a network of ``layer_sizes``: ``W (n_out, n_in)`` and ``b (n_out,)``, entries
    from ``N(0, std^2)`` (biases too, so a forgotten bias shows)."""

    layer_sizes: tuple
    std: float = 0.8

    def draw(self, rng: np.random.Generator) -> list:
        sizes = self.layer_sizes
        return [(rng.normal(0.0, self.std, size=(n_out, n_in)), rng.normal(0.0, self.std, size=n_out))
                for n_in, n_out in zip(sizes[:-1], sizes[1:])]


def draw(spec, rng: np.random.Generator):
    """A value for ``spec``: drawn if it is an input description, else a copy of it as given."""
    if hasattr(spec, "draw"):
        return spec.draw(rng)
    return np.array(spec, copy=True) if isinstance(spec, np.ndarray) else spec
