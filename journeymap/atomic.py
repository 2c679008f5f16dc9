"""Atomic file output: write beside the target, then rename over it.

A failure mid-way never leaves a half-written file and never destroys the previous one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["write_bytes_atomic", "write_text_atomic"]


def write_bytes_atomic(
    path: str | os.PathLike[str], data: bytes, mode: int = 0o644, durable: bool = True
) -> None:
    """Write ``data`` to ``path`` atomically (same-folder temporary file + ``os.replace``).

    ``mode`` is the new file's permission bits. ``durable`` flushes the data to disk before the
    rename, so a crash leaves the old file or the new one; throwaway files can skip it.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    write_bytes_atomic(path, text.encode("utf-8"))
