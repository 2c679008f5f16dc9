"""A polling file watcher: stdlib only, every platform, no inotify limits.

Every ``interval`` seconds it stats the watched files (modification time in nanoseconds and size)
and rescans the watched folders for new or vanished journey files. Editors that save by writing a
new file and renaming it over the old one are seen like any other change. Polling ~60 small files
every 50 ms costs well under a millisecond per round (measured: see docs/workshop.md).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable

__all__ = ["Signature", "file_signature", "Watcher"]

Signature = tuple[int, int, int] | None  # (mtime_ns, size, inode), None when absent


def file_signature(path: str) -> Signature:
    """What the watcher compares: modification time, size and inode; None if missing."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


class Watcher:
    """Calls ``on_change(changed_paths)`` from its own thread when watched files change.

    ``files()`` is asked on every round for the current set of paths to watch (so the set can
    grow as journeys start using new files); ``rescan()`` is called every ``rescan_every``
    rounds to discover new files in watched folders.
    """

    def __init__(
        self,
        files: Callable[[], Iterable[str]],
        on_change: Callable[[set[str]], object],
        *,
        interval: float = 0.05,
        rescan: Callable[[], None] | None = None,
        rescan_every: int = 7,
    ) -> None:
        self._files = files
        self._on_change = on_change
        self._interval = interval
        self._rescan = rescan
        self._rescan_every = max(1, rescan_every)
        self._seen: dict[str, Signature] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.errors: list[BaseException] = []

    def prime(self) -> None:
        """Record the current state, so only later changes are reported."""
        self._seen = {p: file_signature(p) for p in self._files()}

    def poll(self) -> set[str]:
        """One round: the watched paths whose signature changed since the last round."""
        changed = set()
        current = {}
        for path in self._files():
            sig = file_signature(path)
            current[path] = sig
            if path in self._seen and self._seen[path] != sig:
                changed.add(path)
        self._seen = current
        return changed

    def start(self) -> None:
        self.prime()
        self._thread = threading.Thread(target=self._run, name="journeymap-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        rounds = 0
        while not self._stop.wait(self._interval):
            rounds += 1
            try:
                if self._rescan is not None and rounds % self._rescan_every == 0:
                    self._rescan()
                changed = self.poll()
                if changed:
                    self._on_change(changed)
            except Exception as err:  # noqa: BLE001 - the watcher must outlive any one rebuild
                self.errors.append(err)
