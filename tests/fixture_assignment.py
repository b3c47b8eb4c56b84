"""Run ``nnmath`` with one more assignment known: ``03_retake``, a copy of 03_activations.

Tests that need two different assignments graded at once copy ``source/03_activations`` to
``source/03_retake`` and call this file instead of ``nnmath``:
``python tests/fixture_assignment.py grade 03_retake --course-dir ...`` (same arguments).
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autograder import curriculum  # noqa: E402

RETAKE = "03_retake"
_base = curriculum.ASSIGNMENTS["03_activations"]
curriculum.ASSIGNMENTS[RETAKE] = curriculum.Assignment(RETAKE, _base.notebook, _base.graded)

if __name__ == "__main__":
    from autograder.cli import main

    sys.exit(main(sys.argv[1:]))
