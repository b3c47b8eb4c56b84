"""The sandbox on its own: what learner code can see, reach and leave behind."""
from __future__ import annotations

import os

import numpy as np
import pytest

from autograder.sandbox import ForkServer, Limits, SandboxFault, kept_paths
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
