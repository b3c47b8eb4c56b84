"""Plain data across the sandbox boundary: length-prefixed JSON frames, arrays as raw bytes.

Only data crosses: ndarrays of numeric or boolean dtype (as dtype, shape and raw bytes),
Python floats, ints, bools, strings, None, and lists/tuples/dicts of those. Anything else the
learner's code returns is described by its type name, never reconstructed, so an object cannot
lie about itself to the trusted side (a fake ``__eq__`` or ``__array__`` never leaves the sandbox).
"""
from __future__ import annotations

import base64
import json
import socket
import struct
import time

import numpy as np

from . import crossing

MAX_FRAME = 64 * 1024 * 1024  # bytes; a larger answer is treated as a crash, not read
# Plain numeric and boolean arrays only (little-endian or byte-order-free): no objects, no strings.
ARRAY_DTYPES = {"<f8", "<f4", "<f2", "<i8", "<i4", "<i2", "|i1", "<u8", "<u4", "<u2", "|u1", "|b1"}
_HEADER = struct.Struct("!I")


class WireError(Exception):
    """The other side sent something that is not a well-formed message."""


class Opaque:
    """A value that could not cross: only its type name did."""

    def __init__(self, type_name: str):
        self.type_name = type_name

    def __repr__(self) -> str:
        return f"<{self.type_name} object>"


def encode(value, depth: int = 0):
    """A JSON-ready description of ``value`` (in the sandbox: untrusted values become plain data)."""
    if depth > 20:
        return {"t": "opaque", "type": "deeply nested value"}
    if value is None or type(value) in (bool, str):
        return {"t": "py", "v": value}
    if type(value) is int:
        return {"t": "int", "v": str(value)}
    if type(value) is float:
        return {"t": "float", "v": value.hex()}
    if type(value) is np.float64:
        return {"t": "np.float64", "v": float(value).hex()}
    if type(value) in (np.bool_, np.int64, np.int32, np.float32):
        return {"t": "np.scalar", "v": encode(np.asarray(value))}
    if type(value) is np.ndarray and value.dtype.str in ARRAY_DTYPES:
        return {"t": "ndarray", "dtype": value.dtype.str, "shape": list(value.shape),
                "v": base64.b64encode(value.tobytes(order="C")).decode()}
    if type(value) in (list, tuple):
        return {"t": type(value).__name__, "v": [encode(v, depth + 1) for v in value]}
    if type(value) is dict and all(type(k) is str for k in value):
        return {"t": "dict", "v": {k: encode(v, depth + 1) for k, v in value.items()}}
    if crossing.encodes(value):  # course functions, learner-function references, generators
        return crossing.encode(value)
    return {"t": "opaque", "type": _type_name(value)}


def decode(data):
    """The value an :func:`encode` description stands for (on the trusted side: strict)."""
    if not isinstance(data, dict) or "t" not in data:
        raise WireError("malformed value")
    tag, v = data["t"], data.get("v")
    if tag == "py" and (v is None or type(v) in (bool, str)):
        return v
    if tag == "int" and isinstance(v, str) and len(v) < 400:
        return int(v)
    if tag in ("float", "np.float64") and isinstance(v, str):
        number = float.fromhex(v)
        return np.float64(number) if tag == "np.float64" else number
    if tag == "np.scalar":
        return decode(v)[()]
    if tag == "ndarray" and isinstance(v, str) and data.get("dtype") in ARRAY_DTYPES:
        shape = data.get("shape")
        if not (isinstance(shape, list) and len(shape) <= 32 and all(type(n) is int and n >= 0 for n in shape)):
            raise WireError("malformed array shape")
        raw = base64.b64decode(v, validate=True)
        dtype = np.dtype(data["dtype"])
        if len(raw) != dtype.itemsize * int(np.prod(shape, dtype=np.int64)):
            raise WireError("array data does not match its shape")
        return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    if tag in ("list", "tuple") and isinstance(v, list):
        items = [decode(item) for item in v]
        return items if tag == "list" else tuple(items)
    if tag == "dict" and isinstance(v, dict):
        return {str(k): decode(item) for k, item in v.items()}
    if tag in crossing.TAGS:  # rebuilt only inside the sandbox; see autograder.crossing
        return crossing.decode(data)
    if tag == "opaque":
        return Opaque(str(data.get("type", "object"))[:100])
    raise WireError(f"unknown value tag {tag!r}")


def _type_name(value) -> str:
    try:
        cls = type(value)
        return f"{cls.__module__}.{cls.__qualname__}"[:100]
    except Exception:  # a hostile class can make even this fail
        return "object"


def send(sock, message: dict) -> None:
    payload = json.dumps(message, separators=(",", ":")).encode()
    sock.sendall(_HEADER.pack(len(payload)) + payload)


def receive(sock, deadline: float | None = None) -> dict:
    """The next message; :class:`WireError` on a malformed or oversized frame, EOFError at the end.

    deadline: a ``time.monotonic()`` by which the *whole* message must have arrived (a sender
    trickling one byte at a time cannot stretch it); ``socket.timeout`` when it passes.
    """
    (length,) = _HEADER.unpack(_read_exactly(sock, _HEADER.size, deadline))
    if length > MAX_FRAME:
        raise WireError(f"a message of {length} bytes is over the {MAX_FRAME}-byte limit")
    try:
        message = json.loads(_read_exactly(sock, length, deadline))
    except ValueError as error:
        raise WireError(f"not JSON: {error}") from None
    if not isinstance(message, dict):
        raise WireError("a message must be an object")
    return message


def pending(sock) -> bool:
    """Whether more bytes are already waiting on the socket (after a reply, there should be none)."""
    timeout = sock.gettimeout()
    sock.setblocking(False)  # in timeout mode Python would wait for data before peeking
    try:
        return bool(sock.recv(1, socket.MSG_PEEK))
    except (BlockingIOError, InterruptedError):
        return False
    finally:
        sock.settimeout(timeout)


def _read_exactly(sock, size: int, deadline: float | None = None) -> bytes:
    chunks, remaining = [], size
    while remaining:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout("the message did not arrive in time")
            sock.settimeout(left)
        chunk = sock.recv(min(remaining, 1 << 20))
        if not chunk:
            raise EOFError("the other side closed the connection")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)
