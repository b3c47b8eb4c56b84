"""What a submission sends is data: safe text, plain files, bounded replies (issue 8; no sandbox needed)."""
from __future__ import annotations

import base64
import os

import numpy as np
import pytest

from autograder import wire
from autograder.calls import LearnerFault
from autograder.remote import RemoteFunction, reply_size_bound, shape_signature
from autograder.untrusted import NotPlainFile, learner_text, open_plain, shown_text

NASTY = "ok \ud800 \x00 \x1b[2J\x1b[31m red \r\n✓ relu = 1, as expected.\n\u202eevil [bold]x[/] <b>"


def test_learner_text_is_one_printable_encodable_line():
    text = learner_text(NASTY)
    text.encode("utf-8")
    assert "\n" not in text and "\r" not in text and "\x1b" not in text and "\x00" not in text
    assert "\\x1b[2J" in text and "\\n✓ relu = 1" in text and "\\u202e" in text and "\ufffd" in text
    assert "[bold]x[/] <b>" in text, "markup stays characters; writers show it as text"


def test_learner_text_is_bounded_and_survives_hostile_objects():
    class Unprintable:
        def __str__(self):
            raise RuntimeError("no")

    assert learner_text(Unprintable()) == "(unprintable)"
    assert len(learner_text("\x1b" * 10_000, 100)) <= 101


def test_shown_text_keeps_our_line_breaks_only():
    assert shown_text("one\ntwo\x1b[0m\ud800") == "one\ntwo\\x1b[0m\ufffd"


def test_open_plain_reads_a_plain_file_and_refuses_the_rest(tmp_path):
    plain = tmp_path / "timestamp.txt"
    plain.write_text("2026-11-20 12:00:00 UTC")
    assert open_plain(plain).read() == "2026-11-20 12:00:00 UTC"
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    link = tmp_path / "link"
    link.symlink_to("/dev/zero")
    hard = tmp_path / "hard"
    os.link(plain, hard)
    for path in (fifo, link, hard, tmp_path):
        with pytest.raises(OSError):  # at once: a FIFO nobody writes never blocks it
            open_plain(path)
    big = tmp_path / "big"
    big.write_bytes(b"x" * 2000)
    with pytest.raises(NotPlainFile):
        open_plain(big, max_bytes=1000)


def array_frame(shape, data: bytes, dtype="<f8") -> dict:
    return {"t": "ndarray", "dtype": dtype, "shape": shape, "v": base64.b64encode(data).decode()}


def test_decode_refuses_what_would_be_large_before_building_it():
    with pytest.raises(wire.WireError):  # 2**64 elements: int64 product wraps to 0, a Python int does not
        wire.decode(array_frame([2 ** 32, 2 ** 32, 0 + 1], b""))
    with pytest.raises(wire.WireError):
        wire.decode(array_frame([wire.MAX_ELEMENTS + 1], b""))
    many = {"t": "list", "v": [{"t": "py", "v": None}] * (wire.MAX_ITEMS + 1)}
    with pytest.raises(wire.WireError, match="values in one answer"):
        wire.decode(many)
    assert len(wire.decode({"t": "list", "v": [{"t": "py", "v": None}] * 1000})) == 1000
    deep = {"t": "py", "v": None}
    for _ in range(wire.MAX_DEPTH + 2):
        deep = {"t": "list", "v": [deep]}
    with pytest.raises(wire.WireError):
        wire.decode(deep)
    assert wire.decode(array_frame([2, 2], np.arange(4.0).tobytes())).shape == (2, 2)


def test_opaque_type_names_and_dict_keys_are_safe_text():
    opaque = wire.decode({"t": "opaque", "type": NASTY})
    assert "\x1b" not in opaque.type_name and "\n" not in opaque.type_name
    value = wire.decode({"t": "dict", "v": {"\x1b[2Jkey": {"t": "py", "v": None}}})
    assert list(value) == ["\\x1b[2Jkey"]


class FakeRunner:
    """Replies as a learner's sandbox would, from a list; checks them like the real runner."""

    def __init__(self, values):
        from autograder.remote import SubmissionRunner

        self.values = list(values)
        self.reply_shapes = {}
        self.check_reply = SubmissionRunner.check_reply.__get__(self)

    def planned_answer(self, name, args, kwargs):
        return None  # nothing made ahead: every call is asked for

    def call(self, name, args, kwargs, seconds=None):
        return {"value": wire.encode(self.values.pop(0)), "changed_args": {}, "changed_kwargs": {},
                "warnings": [["UserWarning", NASTY]]}


def test_replies_far_larger_than_their_arguments_are_refused():
    z = np.zeros(5)
    assert reply_size_bound((z,), {}) == 4096 and reply_size_bound((np.zeros(100),), {}) == 40_000
    relu = RemoteFunction("relu", FakeRunner([np.zeros(5000)]))
    with pytest.raises(LearnerFault) as fault:  # refused before anything (its warnings included) is used
        relu(z)
    assert "far more than its arguments" in fault.value.text.en and "远多于" in fault.value.text.zh


def test_replies_shaped_unlike_before_for_the_same_shapes_are_refused():
    """A column, then a row: broadcast against each other they would make a 4096 x 4096 matrix."""
    relu = RemoteFunction("relu", FakeRunner([np.zeros((4096, 1)), np.zeros((1, 4096)), np.zeros(3)]))
    with pytest.warns(UserWarning) as caught:
        assert relu(np.zeros(5)).shape == (4096, 1)
        with pytest.raises(LearnerFault) as fault:
            relu(np.ones(5))
        assert relu(np.zeros(3)).shape == (3,), "other argument shapes may have other answer shapes"
    assert "returned (1, 4096), but earlier, for arguments of the same shapes, (4096, 1)" in fault.value.text.en
    assert all("\x1b" not in str(w.message) and "\n" not in str(w.message) for w in caught)
    assert shape_signature((np.zeros(2), [1.0, np.float64(2)])) == ("tuple", (("array", (2,)), ("list", ("scalar", "scalar"))))
