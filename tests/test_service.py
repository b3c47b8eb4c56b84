"""`nnmath serve`: warm workers grade `nnmath grade` requests exactly as a run of its own would.

Scores, the gradebook and faults are the same through the service; a changed notebook restarts its
workers; a killed service leaves nothing that stops `nnmath grade`, which grades in its own process;
only the owner may talk to the socket, and nothing a client sends stops the service.
"""
from __future__ import annotations

import json
import os
import queue
import signal
import socket
import stat
import subprocess
import sys
import threading
import time

import pytest

from autograder.service import socket_path
from autograder.simulate import ACTIVATIONS_CLASS, expected_score
from conftest import REPO
from notebook_tools import read
from test_grade import A, NB, new_course, scores_in_gradebook, submit

pytestmark = pytest.mark.slow
LEARNERS = {learner.student_id: learner for learner in ACTIVATIONS_CLASS}
SERVED = "graded by the grading service"


def nnmath(course, *args, timeout=300):
    return subprocess.run([sys.executable, "-m", "autograder.cli", *args, "--course-dir", str(course)], cwd=REPO,
                          capture_output=True, text=True, timeout=timeout)


class RunningService:
    """`nnmath serve` in the background; its log lines arrive on a queue as it prints them."""

    def __init__(self, course, *args):
        self.process = subprocess.Popen([sys.executable, "-m", "autograder.cli", "serve", "--course-dir", str(course),
                                         *args], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: queue.Queue = queue.Queue()
        self.log: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, words: str, timeout: float = 120) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break
            self.log.append(line)
            if words in line:
                return line
        raise AssertionError(f"the service never said {words!r}; it said: {self.log}")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def course(tmp_path):
    course = new_course(tmp_path / "course")
    for student in ("ada", "ben", "dan", "fay"):
        submit(course, LEARNERS[student])
    return course


@pytest.fixture
def service(course):
    running = RunningService(course, "--assignment", A)
    running.wait_for("ready:")
    yield running
    running.stop()


def test_the_service_grades_and_records_what_a_run_of_its_own_would(course, service):
    source = read(course / "source" / A / NB)
    served = nnmath(course, "grade", A, "--student", "ben", "--student", "fay")  # a mistake, a killed kernel
    assert served.returncode == 0, served.stderr
    assert SERVED in served.stdout and "Traceback" not in served.stdout + served.stderr
    by_service = scores_in_gradebook(course)
    for student in ("ben", "fay"):
        assert by_service[student][0:3] == (1, 14, 0)  # one submission, every cell graded, none missing
        assert by_service[student][3] == expected_score(LEARNERS[student], source)
    notebooks = {s: (course / "autograded" / s / A / NB).read_text() for s in ("ben", "fay")}

    here = nnmath(course, "grade", A, "--student", "ben", "--student", "fay", "--no-service")
    assert here.returncode == 0 and SERVED not in here.stdout
    assert scores_in_gradebook(course) == by_service  # same scores, nothing duplicated
    assert {s: (course / "autograded" / s / A / NB).read_text() for s in ("ben", "fay")} == notebooks

    whole = nnmath(course, "grade", A)  # the service goes on after a learner killed their kernel
    assert whole.returncode == 0 and SERVED in whole.stdout
    scores = scores_in_gradebook(course)
    assert {s: scores[s][3] for s in scores} == {s: expected_score(LEARNERS[s], source) for s in ("ada", "ben", "dan", "fay")}


def test_a_problem_the_user_can_fix_is_said_as_nnmath_grade_says_it(course, service):
    served = nnmath(course, "grade", A, "--student", "zoe")
    here = nnmath(course, "grade", A, "--student", "zoe", "--no-service")
    assert served.returncode == here.returncode == 1
    assert served.stderr == here.stderr and "no submission of 03_activations from zoe" in served.stderr
    cell = nnmath(course, "grade", A, "--cell", "test_nope")
    assert cell.returncode == 1 and "no test cell test_nope" in cell.stderr and "Traceback" not in cell.stderr


def test_a_changed_notebook_restarts_the_assignments_workers(course, service):
    path = course / "source" / A / NB
    os.utime(path, ns=(time.time_ns(), time.time_ns()))
    result = nnmath(course, "grade", A, "--student", "ada")
    assert result.returncode == 0 and SERVED in result.stdout
    service.wait_for("starting its workers anew", timeout=10)
    assert scores_in_gradebook(course)["ada"][3] == 14


def test_only_the_owner_reaches_the_socket_and_no_client_stops_the_service(course, service):
    path = socket_path(course)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    for junk in (b"not json\n", b"[1, 2]\n", json.dumps({"grade": A, "students": "ada"}).encode() + b"\n",
                 b"x" * 200_000, b""):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.connect(str(path))
            try:
                client.sendall(junk)
                client.shutdown(socket.SHUT_WR)
                answer = client.makefile("rb").read()
            except OSError:  # it hung up on an oversized request: allowed
                answer = b""
            assert b"done" not in answer
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:  # asks, then hangs up at once
        client.connect(str(path))
        client.sendall(json.dumps({"grade": A, "students": ["dan"]}).encode() + b"\n")
    result = nnmath(course, "grade", A, "--student", "ada")  # answered after dan's request (one at a time)
    assert result.returncode == 0 and SERVED in result.stdout
    assert scores_in_gradebook(course)["dan"][0:3] == (1, 14, 0)  # graded and recorded all the same
    if os.geteuid() == 0:  # another uid is turned away without an answer (SO_PEERCRED)
        asked = subprocess.run(["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups", sys.executable,
                                "-c", "import socket, sys; s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); "
                                "s.sendall(b'{\"ping\": true}\\n'); print(s.recv(100))", str(path)],
                               capture_output=True, text=True, timeout=60)
        assert "b'{" not in asked.stdout  # no answer: either refused at the door or hung up on


def test_a_killed_service_leaves_nothing_in_the_way(course, service):
    second = nnmath(course, "serve")
    assert second.returncode == 1 and "already answers" in second.stderr
    service.process.kill()
    service.process.wait()
    assert socket_path(course).exists()  # a socket left behind, nobody listening
    here = nnmath(course, "grade", A, "--student", "dan")
    assert here.returncode == 0 and SERVED not in here.stdout and "warning" not in here.stdout
    again = RunningService(course)  # replaces the dead one's socket; starts the assignment at its first request
    try:
        again.wait_for("ready:")
        result = nnmath(course, "grade", A, "--student", "dan")
        assert result.returncode == 0 and SERVED in result.stdout
        assert scores_in_gradebook(course)["dan"][0] == 1
    finally:
        again.stop()
    assert not socket_path(course).exists()  # a service that stops removes its socket
