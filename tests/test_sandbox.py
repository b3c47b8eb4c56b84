"""The sandbox on its own: what learner code can see, reach and leave behind."""
from __future__ import annotations

import os
import time

import numpy as np
import pytest

from autograder.sandbox import ForkServer, Limits, SandboxDown, SandboxFault, kept_paths
from conftest import REPO

pytestmark = pytest.mark.slow
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="namespaces and uid switching need root")
UID_SPAN = 8


@pytest.fixture(scope="module")
def sentinel(tmp_path_factory):
    """A kept folder under /tmp (as a virtualenv may be), holding a file that must survive."""
    folder = tmp_path_factory.mktemp("kept")
    (folder / "precious.txt").write_text("keep me")
    folder.chmod(0o755)  # readable by anyone, as an installed environment is
    return folder


@pytest.fixture(scope="module")
def server(tmp_path_factory, sentinel):
    course = tmp_path_factory.mktemp("course")
    (course / "gradebook.db").write_text("secret")
    with ForkServer(course, uid=61901, uid_span=UID_SPAN, limits=Limits(cell_seconds=3, call_seconds=2),
                    prelude=["import numpy as np"], keep=kept_paths() + [str(sentinel)]) as fork_server:
        fork_server.course = course
        yield fork_server


def run(server, *cells):
    session = server.session()
    try:
        return [session.run_cell(cell) for cell in cells]
    finally:
        session.end()


@needs_root
def test_it_runs_isolated_as_its_own_user_without_network(server):
    assert server.isolated
    uids = []
    for _ in range(2):  # each submission a uid of its own, from the server's block
        session = server.session()
        try:
            [ok, net] = [session.run_cell(f"import os\nassert os.getuid() == os.getgid() == {session.uid}"),
                         session.run_cell("import socket\nsocket.create_connection(('127.0.0.1', 22), timeout=1)")]
        finally:
            session.end()
        assert ok == {"ok": True}
        assert not net["ok"] and net["error"]["type"] == "OSError"
        uids.append(session.uid)
    assert uids[0] != uids[1] and all(61901 <= uid < 61901 + UID_SPAN for uid in uids)


@needs_root
def test_course_code_checkout_and_homes_are_hidden(server):
    paths = [server.course / "gradebook.db", REPO / "solutions" / "activations.py", REPO / "source", "/root/.bashrc"]
    results = run(server, *[f"open({str(p)!r}).read()" for p in paths if os.path.exists(p)])
    assert results and all(r["error"]["type"] in ("FileNotFoundError", "IsADirectoryError") for r in results)
    [imported] = run(server, "import solutions")
    assert imported["error"]["type"] == "ModuleNotFoundError"


@needs_root
def test_the_root_holds_only_the_system_python_and_the_checks(server):
    allowed = {"bin", "sbin", "lib", "lib32", "lib64", "libx32", "usr", "etc", "dev", "proc", "tmp", "var"}
    allowed |= {p.strip("/").split("/")[0] for p in kept_paths()}
    [listing] = run(server, f"import os\nextra = set(os.listdir('/')) - set({sorted(allowed)!r})\nassert not extra, extra")
    assert listing == {"ok": True}, listing
    [other_checkouts] = run(server, "import glob\nfound = [p for depth in range(1, 6) for p in "
                                    "glob.glob('/' + '*/' * depth + 'solutions/activations.py')]\nassert not found, found")
    assert other_checkouts == {"ok": True}, other_checkouts


@needs_root
def test_kept_paths_are_read_only_and_survive_clean_up(server, sentinel):
    [read, delete] = run(server, f"assert open({str(sentinel / 'precious.txt')!r}).read() == 'keep me'",
                         f"import os\nos.remove({str(sentinel / 'precious.txt')!r})")
    assert read == {"ok": True} and not delete["ok"]
    run(server, "open('/tmp/junk', 'w').write('x')\nimport os\nos.makedirs('/tmp/junkdir/a')")
    [gone] = run(server, "import os\nassert not os.path.exists('/tmp/junk') and not os.path.exists('/tmp/junkdir')")
    assert gone == {"ok": True}, "what one learner leaves in /tmp is gone before the next"
    assert (sentinel / "precious.txt").read_text() == "keep me"


def test_hangs_and_crashes_are_faults_of_the_session_only(server):
    session = server.session()
    with pytest.raises(SandboxFault) as hang:
        session.run_cell("import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True: pass")
    assert hang.value.kind == "timed_out"
    session = server.session()
    with pytest.raises(SandboxFault) as crash:
        session.run_cell("import os\nos._exit(7)")
    assert crash.value.kind == "crashed" and "exit status 7" in crash.value.detail
    [fine] = run(server, "x = 1")
    assert fine == {"ok": True}


def test_memory_processes_and_output_are_limited(server):
    memory, processes, output = run(
        server, "import numpy as np\nnp.ones(10**10)",
        "import os\nfor _ in range(40):\n    if os.fork() == 0:\n        os._exit(0)  # zombies count until reaped",
        "open('big.bin', 'wb').write(b'x' * (64 << 20))")
    assert memory["error"]["type"] == "MemoryError"
    assert (not processes["ok"] and processes["error"]["type"] == "BlockingIOError") or os.geteuid() != 0
    assert not output["ok"]


def test_calls_return_plain_data_and_report_argument_changes(server):
    session = server.session()
    try:
        session.run_cell("def f(z):\n    z[0] = 99.0\n    return z * 2\nclass Liar:\n    def __eq__(self, o): return True\n"
                         "def g():\n    return Liar()")
        reply = session.call("f", (np.array([1.0, 2.0]),), {})
        assert set(reply["changed_args"]) == {"0"}
        from autograder import wire
        assert isinstance(wire.decode(session.call("g", (), {})["value"]), wire.Opaque)
    finally:
        session.end()


# --- issue 8: limits of the submission as a whole, nothing shared between submissions ----------------------

def host_ipc_objects() -> str:
    """System V objects of the grader's own IPC namespace (where nothing of a sandbox may appear)."""
    return "".join(open(f"/proc/sysvipc/{kind}").read().split("\n", 1)[1] for kind in ("shm", "sem", "msg"))


SHM = """
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
def segment(key, size):
    shmid = libc.shmget(key, size, 0o1000 | 0o666)  # IPC_CREAT
    assert shmid >= 0, ctypes.get_errno()
    address = libc.shmat(shmid, None, 0)
    ctypes.memset(address, 7, size)
    libc.shmdt(ctypes.c_void_p(address))
    return shmid
"""


@needs_root
def test_system_v_memory_is_private_to_a_submission_and_dies_with_it(server):
    before = host_ipc_objects()
    [made] = run(server, SHM + "segment(0x5eed, 16 << 20)")
    [capped] = run(server, SHM + "assert libc.shmget(0x700, 3 << 29, 0o1000 | 0o600) == -1  # 1.5 GiB in one")
    assert capped == {"ok": True}, "shared memory is capped in the submission's own IPC namespace"
    assert made == {"ok": True}, made
    [found] = run(server, "import ctypes\nassert ctypes.CDLL(None).shmget(0x5eed, 0, 0) == -1, 'the segment survived'")
    assert found == {"ok": True}, "a later submission sees an earlier one's System V segment"
    assert host_ipc_objects() == before, "a sandbox's segment appeared outside it"


@needs_root
def test_shared_memory_counts_against_the_submission(server):
    if not server.whole_limits:
        pytest.fail("no per-submission cgroups on this machine (root, cgroup v1 memory and pids expected)")
    session = server.session()
    try:
        with pytest.raises(SandboxFault) as fault:  # segments no process holds, and memory within its own limit
            session.run_cell(SHM + "for i in range(7):\n    segment(0x600 + i, 128 << 20)\nmore = bytearray(600 << 20)")
    finally:
        session.end()
    assert fault.value.kind == "crashed" and "memory" in str(fault.value.detail)


@needs_root
def test_memory_is_limited_for_all_processes_of_a_submission_together(tmp_path):
    """Six processes of 300 MB each: fine one by one (the per-process limit is 1 GiB), not together."""
    with ForkServer(tmp_path, uid=61970, limits=Limits(cell_seconds=60)) as fork_server:
        [held] = run(fork_server, "import os, time\npids = []\nfor _ in range(6):\n    pid = os.fork()\n    if pid == 0:\n"
                         "        hoard = bytearray(300 << 20)\n        hoard[::4096] = b'x' * len(hoard[::4096])\n"
                         "        time.sleep(1.5)\n        os._exit(0)\n    pids.append(pid)\n"
                         "killed = [os.waitpid(pid, 0)[1] for pid in pids].count(9)\n"
                         "assert killed >= 2, f'{killed} of 6 killed'")
    assert held == {"ok": True}, held


@needs_root
def test_processes_are_counted_for_the_whole_submission(server):
    [spawned] = run(server, "import os, time\nkids = 0\ntry:\n    for _ in range(40):\n        if os.fork() == 0:\n"
                            "            time.sleep(30)\n        kids += 1\nexcept OSError:\n    pass\nassert kids < 16, kids")
    assert spawned == {"ok": True}, spawned


@needs_root
def test_cpu_time_is_counted_for_the_whole_submission(tmp_path):
    """Four spinning processes: the submission's 2 CPU seconds run out long before any one process's."""
    with ForkServer(tmp_path, uid=61960, limits=Limits(cell_seconds=30, cpu_seconds=2)) as fork_server:
        if not fork_server.whole_limits:
            pytest.fail("no per-submission cgroups on this machine (root, cgroup v1 memory and pids expected)")
        session = fork_server.session()
        try:
            with pytest.raises(SandboxFault) as fault:
                session.run_cell("import os\nfor _ in range(3):\n    if os.fork() == 0:\n        break\nwhile True: pass")
        finally:
            session.end()
    assert fault.value.kind == "crashed" and "CPU" in str(fault.value.detail), fault.value.detail


@needs_root
def test_clean_up_after_a_hostile_tree_is_bounded_and_the_server_survives(server):
    """Ten thousand nested folders and twenty thousand files in /tmp, /dev/shm and the working folder."""
    tree = ("import os\nfor top in ('/tmp', '/dev/shm', '.'):\n    os.chdir(top)\n    for i in range(10000):\n"
            "        os.mkdir('d')\n        os.chdir('d')\n    for i in range(20000 if top == '.' else 0):\n"
            "        open(f'f{i}', 'w').close()\n")
    session = server.session()
    try:
        assert session.run_cell(tree) == {"ok": True}
    finally:
        started = time.monotonic()
        session.end()
    assert time.monotonic() - started < 10 and server.alive()
    [fresh] = run(server, "import os\nassert not os.path.exists('/tmp/d') and not os.path.exists('/dev/shm/d')"
                          "\nassert os.listdir('.') == ['.output'], os.listdir('.')")
    assert fresh == {"ok": True}, fresh


def test_a_server_that_died_is_reported_down_not_blamed_on_the_learner(tmp_path):
    with ForkServer(tmp_path, uid=61950, limits=Limits(cell_seconds=3, call_seconds=2)) as fork_server:
        session = fork_server.session()
        assert session.run_cell("x = 1") == {"ok": True}
        fork_server.process.kill()
        fork_server.process.wait()
        deadline = time.monotonic() + 10
        with pytest.raises(SandboxDown):  # once its child is gone too (the kernel kills it soon after)
            while time.monotonic() < deadline:
                session.run_cell("x = 2")
                time.sleep(0.05)
        assert not fork_server.alive()
        with pytest.raises(SandboxDown):
            fork_server.session()


@needs_root
def test_a_closed_server_leaves_no_control_group(tmp_path):
    from autograder import cgroups

    with ForkServer(tmp_path, uid=61980, limits=Limits(cell_seconds=3)) as fork_server:
        [ok] = run(fork_server, "x = 1")
        name = fork_server.cgroup_name
        assert ok == {"ok": True} and name and fork_server.whole_limits
        folders = [os.path.join(path, name) for path in set(cgroups.own_groups().values())]
        assert any(os.path.isdir(folder) for folder in folders)
    assert not any(os.path.exists(folder) for folder in folders), "its control groups outlived the server"


def test_a_learner_may_draw_although_pyplot_is_loaded_only_on_first_use(server):
    """The setup cell's `%matplotlib inline` and `import matplotlib.pyplot` cost nothing in grading; an
    answer cell that draws still gets the real pyplot (Agg) in its own child."""
    setup, drew, after = run(server, "%matplotlib inline\nimport matplotlib.pyplot as plt",
                             "fig, ax = plt.subplots()\nax.plot([1.0, 2.0])\nassert len(ax.lines) == 1\n"
                             "fig.canvas.draw()\nassert plt.get_backend().lower() == 'agg'",
                             "from matplotlib import pyplot\nassert pyplot is plt and callable(pyplot.figure)")
    assert setup == drew == after == {"ok": True}
