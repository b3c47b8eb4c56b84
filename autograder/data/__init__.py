"""Data sets that come with the course, so a notebook never downloads anything.

``load_digits()``: the 8 x 8 handwritten digits of 07_training's capstone (UCI "Optical
Recognition of Handwritten Digits", as scikit-learn bundles it; licences in ``LICENSE`` beside
this file, how the file was made in ``scripts/make-digits-data``).
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np

__all__ = ["load_digits", "digits_split", "blobs"]

DIGITS_FILE = Path(__file__).with_name("digits.npz")


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 handwritten digits: ``(images, labels)``.
    1,797 个手写数字：``(images, labels)``。

    images: (1797, 8, 8) float64, pixel values 0..16 (0 is white paper, 16 full ink).
    images：形状 (1797, 8, 8) 的 float64 数组，像素值 0..16（0 是白纸，16 是最浓的墨迹）。
    labels: (1797,) int64, the digit 0..9 each image shows.
    labels：形状 (1797,) 的 int64 数组，每张图片上的数字 0..9。
    """
    # Read as a package resource: works wherever the package sits (a folder, a zip).
    with resources.files(__name__).joinpath(DIGITS_FILE.name).open("rb") as handle, np.load(handle) as data:
        return data["images"].astype(np.float64), data["labels"].astype(np.int64)


def digits_split(seed: int = 0, held_out: float = 0.2):
    """The digits split for training: ``(X_train, y_train, X_test, y_test, test_images)``.
    用于训练的数字数据划分：``(X_train, y_train, X_test, y_test, test_images)``。

    A random ``held_out`` share of the images (drawn with ``default_rng(seed)``) is set aside for
    testing; every image becomes a row of 64 pixels, and each pixel is standardised with the mean
    and standard deviation of the training part only: ``x = (pixel - mean) / std`` (std 1 where
    a pixel is constant there). X_*: (n, 64) float64; y_*: (n,) int64; test_images: (n, 8, 8).
    随机留出 ``held_out`` 比例的图片（由 ``default_rng(seed)`` 抽取）用于测试；每张图片变成一行 64 个像素，
    每个像素只用训练部分的均值和标准差做标准化：``x = (pixel - mean) / std``（训练部分中恒定的像素取 std = 1）。
    """
    images, labels = load_digits()
    X = images.reshape(len(images), -1)
    order = np.random.default_rng(seed).permutation(len(X))
    n_test = int(round(held_out * len(X)))
    test, train = order[:n_test], order[n_test:]
    mean, std = X[train].mean(axis=0), X[train].std(axis=0)
    std[std == 0] = 1.0
    X = (X - mean) / std
    return X[train], labels[train], X[test], labels[test], images[test]


def blobs(n: int, rng: np.random.Generator, classes: int = 3, spread: float = 0.6):
    """A small classification data set: ``n`` points in the plane around ``classes`` centres.
    一个小的分类数据集：平面上围绕 ``classes`` 个中心的 ``n`` 个点。

    The centres sit on the unit circle; each point is its centre plus normal noise of std ``spread``.
    Returns ``(X, labels)``: X (n, 2) float64, labels (n,) int64 (class c for the points of centre c).
    各中心位于单位圆上；每个点等于它的中心加上标准差为 ``spread`` 的正态噪声。
    返回 ``(X, labels)``：X 形状 (n, 2) 的 float64，labels 形状 (n,) 的 int64。
    """
    labels = np.arange(n) % classes
    angles = 2 * np.pi * labels / classes
    centres = np.column_stack([np.cos(angles), np.sin(angles)]) * 2.0
    X = centres + rng.normal(0.0, spread, size=(n, 2))
    return X, labels.astype(np.int64)
