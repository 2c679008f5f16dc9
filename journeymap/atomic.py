"""Atomic file output: write beside the target, then rename over it.

The one writer every output goes through (command outputs, ``init``, the report cache, the live
preview). A failure mid-way never leaves a half-written file and never destroys the previous
one; any :class:`OSError` becomes an :class:`~journeymap.errors.OutputError` naming the path, so
every command reports an unwritable output the same way: one line, exit code 2.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from journeymap.errors import OutputError, UsageError

__all__ = ["write_bytes_atomic", "write_text_atomic", "os_error"]

_HINTS = {
    errno.ENOSPC: "the disk is full; free some space or write to another disk",
    errno.EDQUOT: "your disk quota is used up; free some space or write elsewhere",
    errno.EROFS: "that file system is read-only; write somewhere else",
    errno.EACCES: "you may not write in that folder; check its permissions or write elsewhere",
    errno.EPERM: "you may not write in that folder; check its permissions or write elsewhere",
    errno.ENOTDIR: "a file is in the way where a folder should be; move it or write elsewhere",
    errno.EEXIST: "a file is in the way where a folder should be; move it or write elsewhere",
    errno.ENOENT: "the folder does not exist; create it first or write elsewhere",
    errno.EISDIR: "a folder is in the way; give a file name",
    errno.EXDEV: "the temporary file and the output are on different disks; write elsewhere",
}


def os_error(path: str | os.PathLike[str], err: OSError) -> OutputError:
    """The one-line :class:`OutputError` for an :class:`OSError` raised writing ``path``,
    with a hint chosen by its errno (disk full, read-only, no permission, a file in the way)."""
    reason = err.strerror or type(err).__name__
    return OutputError(os.fspath(path), reason, _HINTS.get(err.errno or 0))


def write_bytes_atomic(
    path: str | os.PathLike[str],
    data: bytes,
    mode: int = 0o644,
    durable: bool = True,
    overwrite: bool = True,
) -> None:
    """Write ``data`` to ``path`` atomically (same-folder temporary file, then a rename).

    Missing folders are created. ``mode`` is the new file's permission bits. ``durable``
    flushes the data to disk before the rename, so a crash leaves the old file or the new one;
    throwaway files can skip it. Without ``overwrite`` an existing file is never replaced, even
    one that appears while writing (the file is linked into place, which fails if it exists).
    Raises :class:`OutputError` when the file cannot be written or ``path`` is a folder,
    :class:`UsageError` when (without ``overwrite``) it exists.
    """
    target = Path(path)
    name = os.fspath(path)
    if target.is_dir():
        raise OutputError(name, "it is a folder", "give a file name")
    if not overwrite and target.exists():
        raise UsageError(f"{name} already exists; not overwriting it")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as err:
        raise os_error(name, err) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        if overwrite:
            os.replace(tmp, target)
        else:
            os.link(tmp, target)
    except FileExistsError:
        raise UsageError(f"{name} already exists; not overwriting it") from None
    except OSError as err:
        raise os_error(name, err) from None
    finally:
        Path(tmp).unlink(missing_ok=True)  # gone after a rename; a leftover otherwise


def write_text_atomic(path: str | os.PathLike[str], text: str, overwrite: bool = True) -> None:
    """Write ``text`` to ``path`` atomically as UTF-8 with ``\\n`` line ends."""
    write_bytes_atomic(path, text.encode("utf-8"), overwrite=overwrite)
