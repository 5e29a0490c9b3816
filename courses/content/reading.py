"""Reading one file under the content root, as far as it is safe to.

Content files are trusted, but not blindly: a file is read only when it is a regular file
inside the content root (a symbolic link is followed only when it leads to one) and no larger
than CONTENT_MAX_FILE_BYTES. Anything else is refused with a `path: message` problem, before a
byte is read: a named pipe would block the loader for ever, a device would never end, a link
could show the database what the server holds elsewhere.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from django.conf import settings

from courses.content.problems import ContentError, ContentProblem, shortened

LINK_LOOP = "is a symbolic link that leads nowhere (a loop?)"

# Not following a last link the check below did not see (it was swapped in since), and not
# waiting for a writer when the file turns out to be a pipe after all.
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_BINARY", 0)
)


def content_file_read(path: Path, *, root: Path, display: str) -> bytes:
    """The bytes of `path`, a file under `root`, named `display` in problems; raise
    ContentError when it is a link leading outside `root`, not a regular file, or larger than
    settings.CONTENT_MAX_FILE_BYTES. At most that many bytes and one more are read."""
    real = content_path_resolve(path, root=root, display=display, kind="a file")
    limit = settings.CONTENT_MAX_FILE_BYTES
    try:
        found = os.stat(real)
    except FileNotFoundError:
        raise _refused(display, "does not exist (a broken symbolic link?)") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # Python 3.13's resolve() leaves loops to stat
            raise _refused(display, LINK_LOOP) from None
        raise _refused(display, f"cannot be read: {exc.strerror}") from None
    _check_regular_and_size(found, display=display, limit=limit)
    try:
        descriptor = os.open(real, _OPEN_FLAGS)
    except OSError as exc:
        raise _refused(display, f"cannot be read: {exc.strerror}") from None
    with os.fdopen(descriptor, "rb") as file:
        _check_regular_and_size(os.fstat(file.fileno()), display=display, limit=limit)
        data = file.read(limit + 1)
    if len(data) > limit:  # it grew after it was measured
        raise _refused(display, _too_large(None, limit))
    return data


def content_path_resolve(path: Path, *, root: Path, display: str, kind: str) -> Path:
    """Where `path` really is; raise ContentError when that is outside `root` (a symbolic link,
    or a folder of it, leading out) or cannot be found out (a loop of links). `kind` ("a file",
    "a folder") is what the link was expected to lead to."""
    try:
        real = path.resolve()
        inside = real.is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # RuntimeError: a loop of links, before Python 3.13
        raise _refused(display, LINK_LOOP) from None
    if not inside:
        raise _refused(
            display,
            f"is a symbolic link to {kind} outside the content folder ({shortened(str(real))}); "
            "only links that stay inside it are followed",
        )
    return real


def _check_regular_and_size(found: os.stat_result, *, display: str, limit: int) -> None:
    if not stat.S_ISREG(found.st_mode):
        raise _refused(display, f"is {_kind_of(found.st_mode)}, not a regular file")
    if found.st_size > limit:
        raise _refused(display, _too_large(found.st_size, limit))


def _kind_of(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "something else"


def _too_large(size: int | None, limit: int) -> str:
    measured = f"{size:,} bytes, " if size is not None else ""
    return f"is {measured}over the limit of {limit:,} bytes (CONTENT_MAX_FILE_BYTES)"


def _refused(display: str, message: str) -> ContentError:
    return ContentError([ContentProblem(display, None, None, message)])
