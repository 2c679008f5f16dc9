"""Server-sent events: fan-out of published events, and the thread that writes the streams.

A :class:`Broadcaster` hands every published event to every subscriber's bounded queue. A
:class:`StreamHub` owns the open event streams (one per open page, at most ``limit``): one
thread, non-blocking sockets and a selector, so a stream never holds a worker thread, a browser
that stops reading is dropped once its unsent bytes pass a bound or it takes nothing for
``send_timeout`` seconds, and a browser that goes away is forgotten without a word.
"""

from __future__ import annotations

import contextlib
import json
import queue
import selectors
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Event", "Broadcaster", "CLOSED", "StreamHub"]


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
    """Hands every published event to every subscriber's queue; slow subscribers are dropped.

    A subscriber may give a ``wake`` callable, called (outside the lock) after each publish or
    close that put something in its queue, so one thread can wait on many queues.
    """

    def __init__(self, backlog: int = 64) -> None:
        self._lock = threading.Lock()
        self._queues: list[queue.Queue[Event]] = []
        self._wakes: dict[int, Callable[[], None]] = {}
        self._backlog = backlog
        self._closed = False

    def subscribe(self, wake: Callable[[], None] | None = None) -> queue.Queue[Event]:
        q: queue.Queue[Event] = queue.Queue(self._backlog)
        with self._lock:
            if self._closed:
                q.put_nowait(CLOSED)
            else:
                self._queues.append(q)
                if wake is not None:
                    self._wakes[id(q)] = wake
        return q

    def unsubscribe(self, q: queue.Queue[Event]) -> None:
        with self._lock:
            if q in self._queues:
                self._queues.remove(q)
            self._wakes.pop(id(q), None)

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
            wakes = set(self._wakes.values())
        for wake in wakes:
            wake()

    def close(self) -> None:
        """Tell every subscriber to end its stream (server shutdown)."""
        with self._lock:
            self._closed = True
            for q in self._queues:
                _force_close(q)
            self._queues.clear()
            wakes = set(self._wakes.values())
            self._wakes.clear()
        for wake in wakes:
            wake()


def _force_close(q: queue.Queue[Event]) -> None:
    while True:
        try:
            q.put_nowait(CLOSED)
            return
        except queue.Full:
            with contextlib.suppress(queue.Empty):
                q.get_nowait()


class _Stream:
    __slots__ = ("sock", "page", "queue", "pending", "last_progress", "ending")

    def __init__(self, sock: socket.socket, page: str, q: queue.Queue[Event], first: bytes):
        self.sock = sock
        self.page = page
        self.queue = q
        self.pending = bytearray(first)
        self.last_progress = time.monotonic()
        self.ending = False  # flush what is pending, then close


class StreamHub:
    """The open event streams of one server, written by one thread.

    ``add`` takes a connected socket whose response headers (and first events) are ``first``;
    it returns False when ``limit`` streams are already open (the caller answers "busy").
    Every ``keepalive`` seconds an idle stream gets a comment line, which also finds the
    browsers that went away.
    """

    def __init__(
        self,
        events: Broadcaster,
        *,
        limit: int,
        keepalive: float = 15.0,
        backlog_bytes: int = 16 << 20,
        send_timeout: float = 10.0,
    ) -> None:
        self.events = events
        self.limit = limit
        self.keepalive = keepalive
        self.backlog_bytes = backlog_bytes
        self.send_timeout = send_timeout
        self._lock = threading.Lock()
        self._streams: dict[int, _Stream] = {}  # by fd
        self._new: list[_Stream] = []
        self._reserved = 0
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._selector.register(self._wake_r, selectors.EVENT_READ)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="journeymap-streams", daemon=True)
        self._thread.start()

    @property
    def count(self) -> int:
        """Open streams (and streams being opened)."""
        with self._lock:
            return len(self._streams) + len(self._new) + self._reserved

    def reserve(self) -> bool:
        """Hold a place for a stream about to open; False when every place is taken."""
        with self._lock:
            if len(self._streams) + len(self._new) + self._reserved >= self.limit:
                return False
            self._reserved += 1
            return True

    def release(self) -> None:
        """Give back a place held by :meth:`reserve` that will not be used."""
        with self._lock:
            self._reserved = max(0, self._reserved - 1)

    def add(self, sock: socket.socket, page: str, first: bytes) -> None:
        """Start writing a stream in a place held by :meth:`reserve`."""
        q = self.events.subscribe(wake=self.wake)
        stream = _Stream(sock, page, q, first)
        with self._lock:
            self._reserved = max(0, self._reserved - 1)
            self._new.append(stream)
        self.wake()

    def wake(self) -> None:
        with contextlib.suppress(OSError):
            self._wake_w.send(b"\0")

    def close(self) -> None:
        """End every stream and the thread."""
        self._stop.set()
        self.wake()
        self._thread.join(timeout=5)
        with self._lock:
            streams = list(self._streams.values()) + self._new
            self._streams.clear()
            self._new.clear()
        for stream in streams:
            self._forget(stream, unregister=False)
        with contextlib.suppress(OSError):
            self._selector.close()
        for s in (self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                s.close()

    # -- the thread ----------------------------------------------------------------------------

    def _run(self) -> None:
        next_beat = time.monotonic() + self.keepalive
        while not self._stop.is_set():
            try:
                ready = self._selector.select(timeout=1.0)
            except (OSError, ValueError):
                return
            for key, mask in ready:
                if key.fileobj is self._wake_r:
                    with contextlib.suppress(OSError):
                        while self._wake_r.recv(4096):
                            pass
                    continue
                stream = key.data
                if mask & selectors.EVENT_READ:
                    self._read(stream)
                if mask & selectors.EVENT_WRITE and stream.sock.fileno() >= 0:
                    self._flush(stream)
            self._admit()
            self._drain_queues()
            now = time.monotonic()
            beat = now >= next_beat
            if beat:
                next_beat = now + self.keepalive
            for stream in list(self._streams.values()):
                if beat and not stream.pending:
                    stream.pending += b": keep-alive\n\n"
                if stream.pending:
                    self._flush(stream)
                if stream.sock.fileno() < 0:
                    continue
                if stream.pending and now - stream.last_progress > self.send_timeout:
                    self._forget(stream)  # stopped reading
                elif stream.ending and not stream.pending:
                    self._forget(stream)

    def _admit(self) -> None:
        # A stream moves from _new to _streams in one step under the lock, so it is counted at
        # every instant: a place is never seen free while its stream is being registered.
        with self._lock:
            new = list(self._new)
        for stream in new:
            try:
                stream.sock.setblocking(False)
                fd = stream.sock.fileno()
                self._selector.register(stream.sock, selectors.EVENT_READ, stream)
            except (OSError, ValueError):
                with self._lock:
                    self._unqueue(stream)
                self._forget(stream, unregister=False)
                continue
            with self._lock:
                self._unqueue(stream)
                self._streams[fd] = stream
            self._flush(stream)

    def _unqueue(self, stream: _Stream) -> None:
        """Take ``stream`` off the new streams (holding the lock; close() may have cleared them)."""
        if stream in self._new:
            self._new.remove(stream)

    def _drain_queues(self) -> None:
        for stream in list(self._streams.values()):
            while True:
                try:
                    event = stream.queue.get_nowait()
                except queue.Empty:
                    break
                if event is CLOSED:
                    stream.ending = True
                    break
                if event.data.get("page") == stream.page:
                    stream.pending += event.encode()
            if len(stream.pending) > self.backlog_bytes:
                self._forget(stream)

    def _read(self, stream: _Stream) -> None:
        try:
            data = stream.sock.recv(4096)
        except BlockingIOError:
            return
        except OSError:
            self._forget(stream)
            return
        if not data:  # the browser closed the page
            self._forget(stream)

    def _flush(self, stream: _Stream) -> None:
        if stream.sock.fileno() < 0:
            return
        try:
            while stream.pending:
                sent = stream.sock.send(stream.pending[:262144])
                if sent <= 0:
                    break
                del stream.pending[:sent]
                stream.last_progress = time.monotonic()
        except BlockingIOError:
            pass
        except OSError:
            self._forget(stream)
            return
        want = selectors.EVENT_READ | (selectors.EVENT_WRITE if stream.pending else 0)
        with contextlib.suppress(KeyError, ValueError, OSError):
            self._selector.modify(stream.sock, want, stream)

    def _forget(self, stream: _Stream, *, unregister: bool = True) -> None:
        self.events.unsubscribe(stream.queue)
        with self._lock:
            for fd, s in list(self._streams.items()):
                if s is stream:
                    del self._streams[fd]
        if unregister:
            with contextlib.suppress(KeyError, ValueError, OSError):
                self._selector.unregister(stream.sock)
        with contextlib.suppress(OSError):
            stream.sock.close()
