"""What comes from a submission, made safe to store and to show: text, and files beside the notebook.

Learner text (exception messages, warnings, type names, cell errors) reaches the gradebook,
the autograded notebook, the feedback page, the terminal and logs. :func:`learner_text` turns
*any* string into one printable line that every writer can encode and no reader interprets:
lone UTF-16 surrogates become U+FFFD, control characters (ESC of terminal colour codes, CR, NUL,
form feeds, bidirectional overrides) and line breaks become visible escapes such as ``\\x1b`` and
``\\n``, so the text can neither rewrite a screen nor start a line of its own (a forged
"✓ ... as expected" line stays inside the sentence that quotes it). Markup (HTML, rich's
``[bold]``, Markdown) is left as characters: each writer shows it as text.

:func:`open_plain` opens a file the submission brings (the notebook, ``timestamp.txt``) the
only safe way for a grader running as root: a plain file at its own path, no links, never
blocking on a FIFO or device, and read up to a size bound.
"""
from __future__ import annotations

import io
import os
import re
import stat

# C0 and C1 controls but tab and newline, DEL, and the characters that reorder or hide text.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def without_surrogates(text: str) -> str:
    """``text`` with every lone surrogate (not encodable as UTF-8) replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def shown_text(text: str) -> str:
    """Text that may span lines (ours, quoting learner fragments): encodable, no control characters."""
    return _CONTROL.sub(_escape, without_surrogates(str(text)))


def learner_text(value, limit: int = 500) -> str:
    """Any learner-controlled value as one safe printable line of at most about ``limit`` characters."""
    try:
        text = value if type(value) is str else str(value)
    except Exception:  # a hostile object's __str__
        text = "(unprintable)"
    text = text[:limit * 2]  # escapes grow the text: cut before and after
    text = shown_text(text.replace("\r\n", "\n").replace("\n", "\\n").replace("\t", " "))
    return text if len(text) <= limit else text[:limit] + "…"


MAX_FILE_BYTES = 32 << 20  # a submitted notebook larger than this is refused, not read


class NotPlainFile(OSError):
    """The path is a link, a FIFO, a device, a directory, a hard link, or too large."""


def open_plain(path, max_bytes: int = MAX_FILE_BYTES, encoding: str = "utf-8") -> io.StringIO:
    """The text of the file at ``path``, refusing anything but a plain, singly linked file of its own.

    The grader runs as root: a symbolic link (of the file or of any folder above it) or a hard
    link could make it read, and copy into feedback, a file the learner may not see; a FIFO or
    a device would block it. Opened with ``O_NOFOLLOW | O_NONBLOCK``, checked with ``fstat``
    and read at most ``max_bytes`` (+1 to notice more). Undecodable bytes are replaced.
    """
    if os.path.realpath(path) != os.path.abspath(path):
        raise NotPlainFile(f"{os.path.basename(path)} is a link to another file")
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY)
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode) or status.st_nlink != 1:
            raise NotPlainFile(f"{os.path.basename(path)} is not a plain file")
        if status.st_size > max_bytes:
            raise NotPlainFile(f"{os.path.basename(path)} is larger than {max_bytes >> 20} MB")
        chunks, size = [], 0
        while size <= max_bytes:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > max_bytes:
            raise NotPlainFile(f"{os.path.basename(path)} is larger than {max_bytes >> 20} MB")
    finally:
        os.close(fd)
    return io.StringIO(b"".join(chunks).decode(encoding, errors="replace"))
