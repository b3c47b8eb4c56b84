"""Run ``nnmath`` with one more assignment known: ``03_retake``, a copy of 03_activations.

Tests that need two different assignments graded at once copy ``source/03_activations`` to
``source/03_retake`` and call this file instead of ``nnmath``:
``python tests/fixture_assignment.py grade 03_retake --course-dir ...`` (same arguments).

With ``NNMATH_TEST_MEET=<folder>:<n>`` the run's first new learner row waits until ``n`` runs
have reached theirs (a barrier made of files in ``folder``), so runs at once insert the same row
at the same moment; each ``Gradebook.add_student`` is logged there (``added`` or ``conflict``).
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autograder import curriculum  # noqa: E402

RETAKE = "03_retake"
_base = curriculum.ASSIGNMENTS["03_activations"]
curriculum.ASSIGNMENTS[RETAKE] = curriculum.Assignment(RETAKE, _base.notebook, _base.graded)



def meet_at_first_new_learner(folder: Path, parties: int, timeout: float = 120) -> None:
    from nbgrader.api import Gradebook, InvalidEntry

    original = Gradebook.add_student
    waited = []
    log = folder / f"log-{os.getpid()}"

    def add_student(self, student_id, **kwargs):
        if not waited:
            waited.append(True)
            (folder / f"arrived-{os.getpid()}").touch()
            deadline = time.monotonic() + timeout
            while len(list(folder.glob("arrived-*"))) < parties:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the other grading run never created a learner row in {timeout} s")
                time.sleep(0.005)
        try:
            student = original(self, student_id, **kwargs)
        except InvalidEntry:
            with log.open("a") as out:
                out.write(f"conflict {student_id}\n")
            raise
        with log.open("a") as out:
            out.write(f"added {student_id}\n")
        return student

    Gradebook.add_student = add_student


if "NNMATH_TEST_MEET" in os.environ:
    _folder, _parties = os.environ["NNMATH_TEST_MEET"].rsplit(":", 1)
    meet_at_first_new_learner(Path(_folder), int(_parties))

if __name__ == "__main__":
    from autograder.cli import main

    sys.exit(main(sys.argv[1:]))
