"""The data sets the course package ships (autograder/data): the digits of 07_training's capstone."""
from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from autograder.data import DIGITS_FILE, blobs, digits_split, load_digits
from conftest import REPO

# scripts/make-digits-data writes this file; change the hash only when regenerating on purpose.
DIGITS_SHA256 = "78a85852f7f6b2b5d209ab9b246a3f6783ba99bf264099704d8725980b7e0b97"


def test_the_digits_file_is_the_one_the_script_makes():
    assert hashlib.sha256(DIGITS_FILE.read_bytes()).hexdigest() == DIGITS_SHA256
    assert (DIGITS_FILE.parent / "LICENSE").is_file()
    notice = (DIGITS_FILE.parent / "LICENSE").read_text()
    assert "CC BY 4.0" in notice and "BSD 3-Clause" in notice and "Alpaydin" in notice


def test_the_digits_are_scikit_learns_bundled_copy():
    from sklearn.datasets import load_digits as sklearn_digits
    images, labels = load_digits()
    reference = sklearn_digits()
    assert images.shape == (1797, 8, 8) and images.dtype == np.float64
    assert labels.shape == (1797,) and labels.dtype == np.int64
    np.testing.assert_array_equal(images, reference.images)
    np.testing.assert_array_equal(labels, reference.target)


def test_the_script_regenerates_the_same_bytes(tmp_path):
    target = tmp_path / "digits.npz"
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "make-digits-data"), str(target)],
                            capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert target.read_bytes() == DIGITS_FILE.read_bytes()


def test_the_split_holds_out_a_fifth_standardised_on_the_training_part():
    X_train, y_train, X_test, y_test, test_images = digits_split()
    assert X_train.shape == (1438, 64) and X_test.shape == (359, 64) and test_images.shape == (359, 8, 8)
    assert y_train.shape == (1438,) and y_test.shape == (359,)
    np.testing.assert_allclose(X_train.mean(axis=0), 0.0, atol=1e-12)
    std = X_train.std(axis=0)
    assert np.all((np.abs(std - 1) < 1e-12) | (std == 0))
    again = digits_split()
    assert all(np.array_equal(a, b) for a, b in zip(again, (X_train, y_train, X_test, y_test, test_images)))


def test_blobs_are_labelled_clouds():
    X, labels = blobs(90, np.random.default_rng(0))
    assert X.shape == (90, 2) and labels.tolist() == [i % 3 for i in range(90)]
    for c in range(3):
        centre = X[labels == c].mean(axis=0)
        angle = 2 * np.pi * c / 3
        np.testing.assert_allclose(centre, [2 * np.cos(angle), 2 * np.sin(angle)], atol=0.3)


@pytest.mark.slow
def test_the_wheel_ships_the_digits_and_their_licence(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path), str(REPO)],
                   check=True, capture_output=True)
    [wheel] = tmp_path.glob("nnmath-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert {"autograder/data/__init__.py", "autograder/data/digits.npz", "autograder/data/LICENSE"} <= names
        assert archive.read("autograder/data/digits.npz") == DIGITS_FILE.read_bytes()
    probe = ("import sys; sys.path.insert(0, sys.argv[1]); import autograder.data as d; "
             "images, labels = d.load_digits(); assert d.__file__.startswith(sys.argv[1]); print(images.shape, labels.shape)")
    result = subprocess.run([sys.executable, "-I", "-c", probe, str(wheel)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(1797, 8, 8) (1797,)"
