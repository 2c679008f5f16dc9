"""Fan-out of server-sent events to every connected browser."""

from __future__ import annotations

import contextlib
import json
import queue
import threading
from dataclasses import dataclass

__all__ = ["Event", "Broadcaster", "CLOSED"]


@dataclass(frozen=True)
class Event:
    """One server-sent event: a name and a JSON payload."""

    name: str
    data: dict[str, object]

    def encode(self) -> bytes:
        """The event in ``text/event-stream`` form (JSON has no raw newlines, one data line)."""
        payload = json.dumps(self.data, separators=(",", ":"), ensure_ascii=False)
        return f"event: {self.name}\ndata: {payload}\n\n".encode()


CLOSED = Event("close", {})


class Broadcaster:
    """Hands every published event to every subscriber's queue; slow subscribers are dropped."""

    def __init__(self, backlog: int = 64) -> None:
        self._lock = threading.Lock()
        self._queues: list[queue.Queue[Event]] = []
        self._backlog = backlog
        self._closed = False

    def subscribe(self) -> queue.Queue[Event]:
        q: queue.Queue[Event] = queue.Queue(self._backlog)
        with self._lock:
            if self._closed:
                q.put_nowait(CLOSED)
            else:
                self._queues.append(q)
        return q

    def unsubscribe(self, q: queue.Queue[Event]) -> None:
        with self._lock:
            if q in self._queues:
                self._queues.remove(q)

    @property
    def subscribers(self) -> int:
        with self._lock:
            return len(self._queues)

    def publish(self, event: Event) -> None:
        with self._lock:
            for q in list(self._queues):
                try:
                    q.put_nowait(event)
                except queue.Full:
                    # A browser that stopped reading: drop it rather than grow without bound.
                    self._queues.remove(q)
                    _force_close(q)

    def close(self) -> None:
        """Tell every subscriber to end its stream (server shutdown)."""
        with self._lock:
            self._closed = True
            for q in self._queues:
                _force_close(q)
            self._queues.clear()


def _force_close(q: queue.Queue[Event]) -> None:
    while True:
        try:
            q.put_nowait(CLOSED)
            return
        except queue.Full:
            with contextlib.suppress(queue.Empty):
                q.get_nowait()
