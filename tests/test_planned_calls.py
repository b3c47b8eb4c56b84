"""Calls made ahead: a check's known calls of one sandboxed function in one request, judged as if made one by one."""
from __future__ import annotations

import numpy as np
import pytest

from autograder.calls import LearnerFault, call, plan
from autograder.remote import MAX_PLANNED_ELEMENTS, RemoteFunction, SubmissionRunner
from autograder.sandbox import ForkServer, Limits

pytestmark = pytest.mark.slow

PROGRAM = """
import time
import numpy as np
made = []

def double(z):
    made.append(float(np.sum(z)))
    if np.sum(z) == 3.0:
        time.sleep(100)
    if np.sum(z) == 5.0:
        raise ValueError("five is not allowed")
    if np.sum(z) == 7.0:
        import os
        os._exit(3)
    return z * 2

def scale_in_place(z):
    z *= 10.0
    return z

def made_so_far():
    return list(made)
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with ForkServer(tmp_path_factory.mktemp("course"), uid=61960, uid_span=8,
                    limits=Limits(cell_seconds=5, call_seconds=1)) as fork_server:
        yield fork_server


@pytest.fixture
def runner(server):
    runner = SubmissionRunner(server, [("program", PROGRAM)], budget_seconds=30)
    runner.start()
    yield runner
    runner.close()


def arrays(*sums):
    return [((np.array([s - 1.0, 1.0]),), {}) for s in sums]


def requests_during(runner, work):
    """How many requests reach the child while ``work()`` runs (one per round trip)."""
    counted = []
    session = runner.session
    ask, each = session._ask, session.call_each
    session._ask = lambda request, seconds: counted.append(request["op"]) or ask(request, seconds)
    session.call_each = lambda *a, **k: counted.append("calls") or each(*a, **k)
    try:
        work()
    finally:
        session._ask, session.call_each = ask, each
    return counted


def test_planned_calls_answer_as_single_calls_do_in_one_round_trip(runner):
    double = RemoteFunction("double", runner)
    planned = arrays(1.0, 2.0, 4.0, 6.0)
    values = []

    def check():
        plan(double, planned)
        values.extend(call(double, args, kwargs).value for args, kwargs in planned)

    assert requests_during(runner, check) == ["calls"]
    assert [v.tolist() for v in values] == [(2 * args[0]).tolist() for args, _ in planned]
    assert RemoteFunction("made_so_far", runner)() == [1.0, 2.0, 4.0, 6.0]  # each made once, in order


def test_a_check_that_goes_another_way_drops_the_plan_and_is_answered_one_by_one(runner):
    double = RemoteFunction("double", runner)
    plan(double, arrays(1.0, 2.0))
    [(other, _)] = arrays(4.0)
    assert call(double, other).value.tolist() == (2 * other[0]).tolist()  # not the planned first call
    assert not runner.planned
    [(first, _)] = arrays(1.0)
    assert requests_during(runner, lambda: call(double, first)) == ["call"]


def test_an_exception_ends_the_planned_calls_where_one_by_one_they_would_end(runner):
    double = RemoteFunction("double", runner)
    planned = arrays(1.0, 5.0, 6.0)
    plan(double, planned)
    assert call(double, *planned[0]).problem is None
    raised = call(double, *planned[1])
    assert raised.raised is not None and issubclass(raised.raised, ValueError)
    assert "five is not allowed" in raised.problem.en
    assert RemoteFunction("made_so_far", runner)() == [1.0, 5.0]  # the call after it was never made


def test_a_planned_call_that_hangs_is_reported_when_the_check_reaches_it(runner):
    double = RemoteFunction("double", runner)
    planned = arrays(1.0, 3.0, 4.0)
    plan(double, planned)
    assert call(double, *planned[0]).problem is None
    assert "double" not in runner.broken  # the hang ended the child, but the check has not reached it
    hung = call(double, *planned[1])
    assert "within 1 s" in hung.problem.en and runner.broken["double"] == "timed_out"


def test_a_hang_the_check_never_reaches_costs_nothing_but_its_time(runner):
    double = RemoteFunction("double", runner)
    planned = arrays(2.0, 3.0)
    plan(double, planned)
    assert call(double, *planned[0]).problem is None
    [(after, _)] = arrays(4.0)  # the check failed at its first call, say; the next check calls anew
    assert call(double, after).value.tolist() == (2 * after[0]).tolist()
    assert "double" not in runner.broken
    assert RemoteFunction("made_so_far", runner)() == [4.0]  # a fresh child: the cells ran again
    plan(double, arrays(2.0, 3.0))  # a hang the checks never reached is not risked again
    assert not runner.planned and "double" in runner.unplanned


def test_a_planned_call_that_crashes_the_child_is_its_own_fault(runner):
    double = RemoteFunction("double", runner)
    planned = arrays(7.0, 1.0)
    plan(double, planned)
    crashed = call(double, *planned[0])
    assert "exit status 3" in crashed.problem.en and runner.broken["double"] == "crashed"


def test_a_planned_call_reports_an_argument_it_changed(runner):
    scale = RemoteFunction("scale_in_place", runner)
    planned = arrays(1.0, 2.0)
    plan(scale, planned)
    changed = call(scale, *planned[0])
    assert changed.problem is not None and changed.problem.key == "mutated"


def test_only_plain_data_is_planned(runner):
    double = RemoteFunction("double", runner)
    plan(double, [((np.random.default_rng(0),), {}), ((np.array([1.0]),), {})])  # a generator's state changes
    assert not runner.planned
    plan(double, arrays(1.0))  # one call: nothing to gain
    assert not runner.planned
    big = np.zeros(MAX_PLANNED_ELEMENTS // 2 + 1)
    plan(double, [((big,), {}), ((big,), {})])  # together too large for one request
    assert not runner.planned


def test_planned_calls_never_outlast_the_submissions_budget(server):
    runner = SubmissionRunner(server, [("program", PROGRAM)], budget_seconds=3.0)
    runner.start()
    try:
        slow = RemoteFunction("double", runner).with_deadline(60)
        planned = arrays(1.0, 3.0)
        plan(slow, planned)
        assert call(slow, *planned[0]).problem is None
        hung = call(slow, *planned[1])
        assert hung.problem is not None and runner.left() < 0.5
        with pytest.raises(LearnerFault):
            runner.call("made_so_far", (), {})
    finally:
        runner.close()


def test_a_local_function_is_simply_called():
    seen = []

    def local(z):
        seen.append(z)
        return z

    plan(local, [((1.0,), {}), ((2.0,), {})])
    assert seen == [] and call(local, (1.0,)).value == 1.0



def test_a_planned_call_that_writes_to_the_grader_s_channel_is_at_fault(runner):
    assert runner.session.run_cell(
        "import os, socket, stat, struct\n"
        "def noisy(z):\n"
        "    if float(np.sum(z)) == 2.0:  # the second call writes a frame of its own where its answer goes\n"
        "        fd = next(fd for fd in range(3, 64) if _is_socket(fd))\n"
        "        os.write(fd, struct.pack('>I', 2) + b'{}')\n"
        "    return z\n"
        "def _is_socket(fd):\n"
        "    try:\n"
        "        return stat.S_ISSOCK(os.fstat(fd).st_mode)\n"
        "    except OSError:\n"
        "        return False\n") == {"ok": True}
    noisy = RemoteFunction("noisy", runner)
    planned = arrays(1.0, 2.0, 3.0)
    plan(noisy, planned)
    assert call(noisy, *planned[0]).problem is None
    assert "noisy" not in runner.broken
    outcome = call(noisy, *planned[1])
    assert outcome.problem is not None and runner.broken["noisy"] == "crashed"


def test_a_last_planned_call_that_forges_its_own_answer_is_at_fault(runner):
    """The last call writes an answer with the request's own id and index (found up its stack) and
    more after it: the frame read as its answer is not the server's, so the call is at fault."""
    assert runner.session.run_cell(
        "import json, os, struct, sys\n"
        "def forger(z):\n"
        "    if float(np.sum(z)) == 2.0:\n"
        "        frame = sys._getframe(1)\n"
        "        while 'request_id' not in frame.f_locals:\n"
        "            frame = frame.f_back\n"
        "        here = frame.f_locals\n"
        "        forged = json.dumps({'value': 99.0, 'changed_args': {}, 'changed_kwargs': {}, 'warnings': [],\n"
        "                             'records': {}, 'id': here['request_id'], 'index': here['index']}).encode()\n"
        "        os.write(here['data'].fileno(), struct.pack('>I', len(forged)) + forged + struct.pack('>I', 2) + b'{}')\n"
        "    return z\n") == {"ok": True}
    forger = RemoteFunction("forger", runner)
    planned = arrays(1.0, 2.0)
    plan(forger, planned)
    assert call(forger, *planned[0]).problem is None
    outcome = call(forger, *planned[1])
    assert outcome.problem is not None and runner.broken["forger"] == "crashed"
    assert outcome.value is None or not np.array_equal(np.asarray(outcome.value), 99.0)
