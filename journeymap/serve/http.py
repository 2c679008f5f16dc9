"""The HTTP side of ``journeymap serve``: a guarded static file server plus an event stream.

Defences, each at our own layer (see tests/adversarial-corpus.md and docs/workshop.md,
"Limits"):

- only files inside the site folder are served: the raw request path is decoded once (bad
  percent-encoding or UTF-8 is ``400``), any ``.`` or ``..`` segment, empty segment
  (``//evil.com``), backslash, NUL or dot-file is refused, and the resolved real path (symlinks
  followed) must still lie inside the folder — else 404;
- the ``Host`` header must name this server (``localhost``, ``127.0.0.1`` or ``[::1]``, with our
  port), which defeats DNS rebinding; ``--host`` adds that name; two ``Host`` headers are 400;
- the request head is parsed strictly by our own parser (never a traceback): a malformed request
  line, header or method is a 4xx answer and the connection is closed; GET and HEAD only (405),
  no request bodies (413), request line and path bounded (414), headers bounded (431);
- bounded resources: one I/O thread reads every request head (a slow client holds no worker and
  is cut off after :data:`HEAD_TIMEOUT`), at most :data:`MAX_WORKERS` threads answer, at most
  :data:`MAX_CONNECTIONS` connections and :data:`MAX_STREAMS` event streams are open; past a cap
  the answer is ``503`` with ``Retry-After`` (:func:`busy_response`);
- every response carries ``X-Content-Type-Options: nosniff``, ``Cache-Control: no-store``,
  ``Referrer-Policy: no-referrer`` and, for pages, the page's Content-Security-Policy;
- a client that goes away is forgotten silently.
"""

from __future__ import annotations

import collections
import contextlib
import email.utils
import html
import ipaddress
import re
import selectors
import socket
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from urllib.parse import parse_qs, unquote_to_bytes, urlsplit

from journeymap import __version__
from journeymap.serve.events import Event, StreamHub
from journeymap.serve.page import DEFAULT_POLICY, EVENTS_URL, live_policy
from journeymap.serve.site import LiveSite

__all__ = [
    "LiveHTTPServer",
    "Request",
    "RequestError",
    "parse_head",
    "decode_path",
    "resolve_site_path",
    "host_allowed",
    "busy_response",
    "MAX_PATH",
    "MAX_WORKERS",
    "MAX_STREAMS",
    "MAX_CONNECTIONS",
    "MAX_REQUEST_LINE",
    "MAX_HEAD",
    "MAX_HEADERS",
    "HEAD_TIMEOUT",
    "IDLE_TIMEOUT",
    "SEND_TIMEOUT",
    "RETRY_AFTER",
    "SERVER_THREADS",
]

# -- the limits (docs/workshop.md, "Limits"); declared here only --------------------------------
MAX_WORKERS = 48  # threads answering requests (started as needed)
MAX_STREAMS = 32  # open event streams: one per open page, written by one thread
MAX_CONNECTIONS = 512  # other connections open at once: reading, waiting, answered, idle
MAX_PATH = 2048  # bytes of request target (414 beyond)
MAX_REQUEST_LINE = 8192  # bytes of the request line (414 beyond)
MAX_HEAD = 16384  # bytes of request line and headers together (431 beyond)
MAX_HEADERS = 64  # header lines (431 beyond)
HEAD_TIMEOUT = 10.0  # seconds a client has to send a whole request head (408 after)
IDLE_TIMEOUT = 15.0  # seconds an idle keep-alive connection stays open
SEND_TIMEOUT = 10.0  # seconds a client has to take a whole response
RETRY_AFTER = 2  # seconds, in the busy answer
KEEPALIVE_SECONDS = 15.0  # comment line on an idle event stream
STREAM_BACKLOG = 16 << 20  # unsent bytes an event stream may owe before it is dropped
MAX_LINGER = 128  # refused connections kept a moment so the client reads the answer
LINGER_SECONDS = 1.0
SERVER_THREADS = MAX_WORKERS + 2  # workers, the I/O thread, the stream thread

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".png": "image/png",
    ".txt": "text/plain; charset=utf-8",
}
_LOCAL_NAMES = {"localhost", "127.0.0.1", "::1"}
_WILDCARDS = {"", "0.0.0.0", "::"}
_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
_TARGET = re.compile(rb"[\x21-\x7e]+\Z")
_VERSION = re.compile(rb"HTTP/1\.[0-9]\Z")
_BAD_VALUE = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")
_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_HEAD_END = re.compile(rb"\n\r?\n")
_COMMON = (
    ("X-Content-Type-Options", "nosniff"),
    ("Cache-Control", "no-store"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
)


# -- requests ----------------------------------------------------------------------------------


class RequestError(Exception):
    """A request we refuse: the status to answer and a short text."""

    def __init__(self, status: HTTPStatus, text: str = "") -> None:
        super().__init__(text or status.phrase)
        self.status = status
        self.text = text


@dataclass(frozen=True)
class Request:
    """A parsed request head (header names lower-case, values as latin-1 text)."""

    method: str
    target: str
    version: str
    headers: tuple[tuple[str, str], ...]

    def get(self, name: str) -> str | None:
        """The first value of header ``name`` (lower-case), or None."""
        for key, value in self.headers:
            if key == name:
                return value
        return None

    def count(self, name: str) -> int:
        return sum(1 for key, _ in self.headers if key == name)

    @property
    def keep_alive(self) -> bool:
        """HTTP/1.1 without ``Connection: close`` (HTTP/1.0 connections are always closed)."""
        if self.version != "HTTP/1.1":
            return False
        tokens = {t.strip().lower() for t in (self.get("connection") or "").split(",")}
        return "close" not in tokens


def parse_head(head: bytes) -> Request:
    """Parse a request line and headers (up to the blank line), strictly; raise RequestError.

    Refused: anything but ``METHOD SP target SP HTTP/1.x``; a method that is not a token; a
    target with spaces, control or non-ASCII bytes; a header without a colon, with space before
    it, with a name that is not a token, with control bytes (NUL, a bare CR) in its value, or
    folded onto the next line; two ``Host`` or ``Content-Length`` headers.
    """
    lines = head.split(b"\n")
    while lines and lines[-1] in (b"", b"\r"):
        lines.pop()
    while lines and lines[0] in (b"", b"\r"):  # RFC 9112: ignore blank lines before a request
        lines.pop(0)
    if not lines:
        raise RequestError(HTTPStatus.BAD_REQUEST, "empty request")
    lines = [line[:-1] if line.endswith(b"\r") else line for line in lines]
    first = lines[0]
    if len(first) > MAX_REQUEST_LINE:
        raise RequestError(HTTPStatus.REQUEST_URI_TOO_LONG)
    parts = first.split(b" ")
    if len(parts) != 3:
        raise RequestError(HTTPStatus.BAD_REQUEST, "malformed request line")
    method, target, version = parts
    if not _TOKEN.match(method):
        raise RequestError(HTTPStatus.BAD_REQUEST, "malformed method")
    if not _TARGET.match(target):
        raise RequestError(HTTPStatus.BAD_REQUEST, "malformed request target")
    if not _VERSION.match(version):
        raise RequestError(HTTPStatus.BAD_REQUEST, "only HTTP/1.0 and HTTP/1.1 are spoken here")
    if len(target) > MAX_PATH:
        raise RequestError(HTTPStatus.REQUEST_URI_TOO_LONG)
    if len(lines) - 1 > MAX_HEADERS:
        raise RequestError(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "too many headers")
    headers = []
    for line in lines[1:]:
        if line[:1] in (b" ", b"\t"):
            raise RequestError(HTTPStatus.BAD_REQUEST, "folded header line")
        name, sep, value = line.partition(b":")
        if not sep or not _TOKEN.match(name):
            raise RequestError(HTTPStatus.BAD_REQUEST, "malformed header line")
        value = value.strip(b" \t")
        if _BAD_VALUE.search(value):
            raise RequestError(HTTPStatus.BAD_REQUEST, "control character in a header")
        headers.append((name.decode("ascii").lower(), value.decode("latin-1")))
    request = Request(
        method.decode("ascii"),
        target.decode("ascii"),
        "HTTP/1.1" if version != b"HTTP/1.0" else "HTTP/1.0",
        tuple(headers),
    )
    for unique in ("host", "content-length"):
        if request.count(unique) > 1:
            raise RequestError(HTTPStatus.BAD_REQUEST, f"more than one {unique.title()} header")
    return request


def decode_path(raw_path: str) -> str | None:
    """The path of a request target, percent-decoded as UTF-8 once; None when malformed
    (a ``%`` not followed by two hex digits, bytes that are not UTF-8, overlong forms)."""
    path = urlsplit(raw_path).path if not raw_path.startswith("//") else raw_path
    if "%" not in path:
        return path
    if _PERCENT.search(path):
        return None
    try:
        return unquote_to_bytes(path).decode("utf-8", errors="strict")
    except UnicodeDecodeError:
        return None


def resolve_site_path(root: Path, raw_path: str) -> Path | None:
    """The file inside ``root`` that ``raw_path`` (as sent, query included) names, or None."""
    if len(raw_path) > MAX_PATH:
        return None
    path = urlsplit(raw_path).path if not raw_path.startswith("//") else raw_path
    if not path.startswith("/") or path.startswith("//"):
        return None
    decoded = decode_path(path)
    if decoded is None or "\\" in decoded or "\x00" in decoded or "%" in decoded:
        return None
    parts = decoded.split("/")[1:]
    if parts and parts[-1] == "":
        parts[-1] = "index.html"
    for part in parts:
        if part in ("", ".", "..") or part.startswith("."):
            return None
    root = root.resolve()
    candidate = root.joinpath(*parts) if parts else root / "index.html"
    try:
        real = candidate.resolve(strict=True)
    except (OSError, RuntimeError, ValueError):
        return None
    if real != root and root not in real.parents:
        return None
    return real if real.is_file() else None


def _split_host(host: str) -> tuple[str, int | None] | None:
    host = host.strip()
    if not host or any(c.isspace() for c in host) or "/" in host or "@" in host:
        return None
    if host.startswith("["):
        end = host.find("]")
        if end < 0:
            return None
        name, rest = host[1:end], host[end + 1 :]
        if rest and not rest.startswith(":"):
            return None
        port_text = rest[1:] if rest else None
    else:
        name, sep, port_text_ = host.rpartition(":")
        if not sep:
            name, port_text_ = host, ""
        port_text = port_text_ if sep else None
        if ":" in name:
            return None
    if port_text is not None:
        if not (port_text.isascii() and port_text.isdigit()) or len(port_text) > 5:
            return None
        return name.lower().rstrip("."), int(port_text)
    return name.lower().rstrip("."), None


def host_allowed(header: str | None, port: int, bound_host: str) -> bool:
    """Whether a request's ``Host`` header names this server (DNS-rebinding defence).

    Always allowed: ``localhost``, ``127.0.0.1`` and ``[::1]`` on our port. With ``--host NAME``
    that name too; with a wildcard bind (``0.0.0.0``, ``::``) any IP literal (an IP cannot be
    rebound by DNS), never an arbitrary host name.
    """
    if header is None:
        return False
    split = _split_host(header)
    if split is None:
        return False
    name, given_port = split
    if given_port is not None and given_port != port:
        return False
    if given_port is None and port != 80:
        return False
    if name in _LOCAL_NAMES:
        return True
    bound = bound_host.strip("[]").lower()
    if bound in _WILDCARDS:
        try:
            ipaddress.ip_address(name)
        except ValueError:
            return False
        return True
    return name == bound


# -- responses ---------------------------------------------------------------------------------


def _response(
    status: HTTPStatus,
    headers: list[tuple[str, str]],
    body: bytes = b"",
    *,
    head_only: bool = False,
    close: bool = True,
) -> bytes:
    lines = [
        f"HTTP/1.1 {status.value} {status.phrase}",
        f"Server: journeymap/{__version__}",
        f"Date: {email.utils.formatdate(usegmt=True)}",
        *(f"{k}: {v}" for k, v in headers),
        *(f"{k}: {v}" for k, v in _COMMON),
    ]
    if close:
        lines.append("Connection: close")
    out = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return out if head_only else out + body


def plain_response(
    status: HTTPStatus,
    text: str = "",
    extra: tuple[tuple[str, str], ...] = (),
    *,
    head_only: bool = False,
) -> bytes:
    """A short text answer that closes the connection."""
    body = (text or f"{status.value} {status.phrase}\n").encode("utf-8")
    headers = [
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Length", str(len(body))),
        *extra,
    ]
    return _response(status, headers, body, head_only=head_only)


def busy_response(what: str = "requests") -> bytes:
    """``503 Service Unavailable`` with ``Retry-After``: a cap is reached."""
    return plain_response(
        HTTPStatus.SERVICE_UNAVAILABLE,
        f"503 busy: the preview server has too many open {what}; retry in {RETRY_AFTER} s\n",
        (("Retry-After", str(RETRY_AFTER)),),
    )


def _error_text(err: RequestError) -> str:
    return f"{err.status.value} {err.status.phrase}: {err.text}\n" if err.text else ""


def _page_policy(data: bytes) -> str:
    """The policy a served page declares in its meta tag, repeated as a header."""
    found = re.search(rb'http-equiv="Content-Security-Policy"\s+content="([^"]*)"', data)
    if not found:
        return DEFAULT_POLICY
    return live_policy(html.unescape(found.group(1).decode("utf-8", "replace")))


# -- connections -------------------------------------------------------------------------------


class _Conn:
    """A client connection while the I/O thread has it: reading a request head, writing the
    rest of an answer a worker could not send at once, or lingering after a refusal."""

    __slots__ = ("sock", "buf", "deadline", "fresh", "linger", "out", "keep")

    def __init__(
        self,
        sock: socket.socket,
        buf: bytes,
        deadline: float,
        fresh: bool,
        out: memoryview | None = None,
        keep: bool = False,
    ) -> None:
        self.sock = sock
        self.buf = buf
        self.deadline = deadline
        self.fresh = fresh  # nothing of the current request received yet
        self.linger = False  # answered and refused: read and discard until the client closes
        self.out = out  # unsent answer bytes (the client reads slowly)
        self.keep = keep  # after the answer, wait for the next request


def _send_all(sock: socket.socket, data: bytes, deadline: float) -> None:
    view = memoryview(data)
    while view:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("client too slow to read")
        sock.settimeout(left)
        sent = sock.send(view[:262144])
        view = view[sent:]


def _quiet_close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.close()


class LiveHTTPServer:
    """The live site's HTTP server: one I/O thread, a bounded worker pool, a stream hub.

    The I/O thread accepts connections and reads request heads with non-blocking sockets (so
    slow clients cost a buffer, not a thread, and are cut off after :data:`HEAD_TIMEOUT`); a
    complete head goes to a worker (at most :data:`MAX_WORKERS`), which answers it and hands a
    keep-alive connection back. Event streams go to a :class:`StreamHub` thread.
    """

    def __init__(
        self,
        site: LiveSite,
        host: str,
        port: int,
        *,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.site = site
        self.bound_host = host
        self.stopping = threading.Event()
        self.log = log or (lambda line: print(line, file=sys.stderr, flush=True))
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.listener = socket.socket(family, socket.SOCK_STREAM)
        try:
            self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.listener.bind((host, port))
            self.listener.listen(MAX_CONNECTIONS)
            self.listener.setblocking(False)
        except OSError:
            self.listener.close()
            raise
        self.server_address = self.listener.getsockname()
        self.hub = StreamHub(
            site.events,
            limit=MAX_STREAMS,
            keepalive=KEEPALIVE_SECONDS,
            backlog_bytes=STREAM_BACKLOG,
            send_timeout=SEND_TIMEOUT,
        )
        self.pool = ThreadPoolExecutor(MAX_WORKERS, thread_name_prefix="journeymap-http")
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._lock = threading.Lock()
        self._open = 0  # connections counted against MAX_CONNECTIONS
        self._busy: set[socket.socket] = set()  # with a worker
        self._back: collections.deque[_Conn] = collections.deque()  # keep-alive, from workers
        self._reading: dict[int, _Conn] = {}
        self._lingering = 0
        self._thread: threading.Thread | None = None
        self.refused_busy = 0  # 503 answers given

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def open_connections(self) -> int:
        with self._lock:
            return self._open

    @property
    def busy_workers(self) -> int:
        """Connections a worker is answering right now."""
        with self._lock:
            return len(self._busy)

    def start(self) -> None:
        self._selector.register(self.listener, selectors.EVENT_READ, "listen")
        self._selector.register(self._wake_r, selectors.EVENT_READ, "wake")
        self._thread = threading.Thread(target=self._run, name="journeymap-io", daemon=True)
        self._thread.start()

    def shutdown(self) -> None:
        """Stop accepting, end the streams, cut every connection, stop the workers."""
        self.stopping.set()
        self._wake()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.hub.close()
        with self._lock:
            busy = list(self._busy)
        for sock in busy:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self.pool.shutdown(wait=True, cancel_futures=True)
        for conn in list(self._reading.values()):
            _quiet_close(conn.sock)
        self._reading.clear()
        while self._back:
            _quiet_close(self._back.popleft().sock)

    def server_close(self) -> None:
        _quiet_close(self.listener)
        with contextlib.suppress(OSError):
            self._selector.close()
        _quiet_close(self._wake_r)
        _quiet_close(self._wake_w)

    def _wake(self) -> None:
        with contextlib.suppress(OSError):
            self._wake_w.send(b"\0")

    # -- the I/O thread ------------------------------------------------------------------------

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                self._round()
            except (OSError, ValueError):
                if self.stopping.is_set():
                    return
                time.sleep(0.05)
            except Exception as err:  # noqa: BLE001 - the I/O thread must outlive any bug
                self.log(f"journeymap serve: internal error ({type(err).__name__}: {err})")
                time.sleep(0.05)

    def _round(self) -> None:
        """One turn of the I/O thread: accept, read, hand over, expire."""
        now = time.monotonic()
        soonest = min((c.deadline for c in self._reading.values()), default=now + 1.0)
        ready = self._selector.select(timeout=max(0.0, min(1.0, soonest - now)))
        for key, mask in ready:
            if key.data == "listen":
                self._accept()
            elif key.data == "wake":
                with contextlib.suppress(OSError):
                    while self._wake_r.recv(4096):
                        pass
            elif mask & selectors.EVENT_WRITE:
                self._write(key.data)
            else:
                self._read(key.data)
        while self._back:
            self._resume(self._back.popleft())
        now = time.monotonic()
        for conn in [c for c in self._reading.values() if c.deadline <= now]:
            self._expire(conn)

    def _accept(self) -> None:
        for _ in range(64):
            try:
                sock, _ = self.listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:  # out of file descriptors and the like: try again later
                time.sleep(0.01)
                return
            sock.setblocking(False)
            with self._lock:
                full = self._open >= MAX_CONNECTIONS
                if not full:
                    self._open += 1
            if full:
                self.refused_busy += 1
                self._refuse(_Conn(sock, b"", time.monotonic(), True), busy_response("connections"))
                continue
            conn = _Conn(sock, b"", time.monotonic() + HEAD_TIMEOUT, True)
            self._watch(conn)

    def _watch(self, conn: _Conn) -> None:
        try:
            self._selector.register(conn.sock, selectors.EVENT_READ, conn)
        except (OSError, ValueError):
            self._drop(conn)
            return
        self._reading[conn.sock.fileno()] = conn

    def _unwatch(self, conn: _Conn) -> None:
        self._reading.pop(conn.sock.fileno(), None)
        with contextlib.suppress(KeyError, ValueError, OSError):
            self._selector.unregister(conn.sock)

    def _drop(self, conn: _Conn) -> None:
        """Close a counted connection."""
        self._unwatch(conn)
        _quiet_close(conn.sock)
        with self._lock:
            self._open -= 1

    def _read(self, conn: _Conn) -> None:
        try:
            data = conn.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if conn.linger:
            if not data:
                self._unwatch(conn)
                _quiet_close(conn.sock)
                self._lingering -= 1
            return
        if not data:
            self._drop(conn)
            return
        if conn.fresh:  # the head must be complete HEAD_TIMEOUT after its first byte at most
            conn.fresh = False
            conn.deadline = min(conn.deadline, time.monotonic() + HEAD_TIMEOUT)
        conn.buf += data
        self._check(conn)

    def _check(self, conn: _Conn) -> None:
        """Hand a complete head to a worker, or refuse one that grew too large."""
        buf = conn.buf.lstrip(b"\r\n")
        end = _HEAD_END.search(buf)
        if end is not None and end.end() <= MAX_HEAD:
            self._unwatch(conn)
            head, rest = buf[: end.end()], buf[end.end() :]
            with self._lock:
                self._busy.add(conn.sock)
            try:
                self.pool.submit(self._serve, conn.sock, head, rest)
            except RuntimeError:  # shutting down
                self._drop(conn)
            return
        first_line = buf.split(b"\n", 1)[0]
        if len(first_line) > MAX_REQUEST_LINE:
            self._refuse_counted(conn, plain_response(HTTPStatus.REQUEST_URI_TOO_LONG))
        elif len(buf) > MAX_HEAD:
            self._refuse_counted(conn, plain_response(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE))

    def _expire(self, conn: _Conn) -> None:
        if conn.out is not None:  # too slow to take the answer
            self._drop(conn)
        elif conn.linger:
            self._unwatch(conn)
            _quiet_close(conn.sock)
            self._lingering -= 1
        elif conn.fresh:  # an idle connection: close without a word, as browsers expect
            self._drop(conn)
        else:  # a request that never finished (slowloris)
            self._refuse_counted(conn, plain_response(HTTPStatus.REQUEST_TIMEOUT))

    def _refuse_counted(self, conn: _Conn, answer: bytes) -> None:
        self._unwatch(conn)
        with self._lock:
            self._open -= 1
        self._refuse(conn, answer)

    def _refuse(self, conn: _Conn, answer: bytes) -> None:
        """Send a short answer without blocking, then linger a moment before closing, so the
        client reads the answer instead of a reset (its unread request would cause one)."""
        sock = conn.sock
        with contextlib.suppress(OSError):
            while sock.recv(65536):
                pass
        try:
            sock.send(answer)
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            _quiet_close(sock)
            return
        if self._lingering >= MAX_LINGER:
            _quiet_close(sock)
            return
        conn.linger = True
        conn.deadline = time.monotonic() + LINGER_SECONDS
        self._lingering += 1
        try:
            self._selector.register(sock, selectors.EVENT_READ, conn)
        except (OSError, ValueError):
            _quiet_close(sock)
            self._lingering -= 1
            return
        self._reading[sock.fileno()] = conn

    def _resume(self, conn: _Conn) -> None:
        """A connection back from a worker: write the rest of its answer, or wait for its next
        request (keep-alive)."""
        if self.stopping.is_set():
            self._drop(conn)
            return
        if conn.out is not None:
            try:
                self._selector.register(conn.sock, selectors.EVENT_WRITE, conn)
            except (OSError, ValueError):
                self._drop(conn)
                return
            self._reading[conn.sock.fileno()] = conn
            return
        self._watch(conn)
        if conn.buf and conn.sock.fileno() in self._reading:
            conn.fresh = False
            conn.deadline = time.monotonic() + HEAD_TIMEOUT
            self._check(conn)

    def _write(self, conn: _Conn) -> None:
        """Send more of an answer; when it is all sent, close or wait for the next request."""
        assert conn.out is not None
        try:
            sent = conn.sock.send(conn.out[:262144])
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._drop(conn)
            return
        conn.out = conn.out[sent:]
        if conn.out:
            return
        conn.out = None
        if conn.keep:
            with contextlib.suppress(KeyError, ValueError, OSError):
                self._selector.modify(conn.sock, selectors.EVENT_READ, conn)
            conn.fresh = True
            conn.deadline = time.monotonic() + IDLE_TIMEOUT
            if conn.buf:
                conn.fresh = False
                conn.deadline = time.monotonic() + HEAD_TIMEOUT
                self._check(conn)
        else:
            self._unwatch(conn)
            self._finish(conn.sock)

    # -- workers -------------------------------------------------------------------------------

    def _serve(self, sock: socket.socket, head: bytes, rest: bytes) -> None:
        """Answer one request (in a worker thread)."""
        keep = handed_off = False
        unsent: memoryview | None = None
        try:
            deadline = time.monotonic() + SEND_TIMEOUT
            answer, keep, stream = self._answer(head)
            if stream is not None:
                page, first = stream
                try:
                    _send_all(sock, answer, deadline)  # a few hundred bytes
                except BaseException:
                    self.hub.release()
                    raise
                self.hub.add(sock, page, first)
                handed_off = True
                return
            # As much as the socket takes now; a slow reader's rest is the I/O thread's, so
            # a client that does not read holds no worker.
            sock.setblocking(False)
            view = memoryview(answer)
            with contextlib.suppress(BlockingIOError, InterruptedError):
                while view:
                    view = view[sock.send(view[:262144]) :]
            if view:
                unsent = view
        except OSError:  # the client went away or stopped reading: nothing to say
            keep = False
        except Exception as err:  # noqa: BLE001 - a bug must cost one request, not the server
            keep = False
            self.log(f"journeymap serve: internal error ({type(err).__name__}: {err})")
            with contextlib.suppress(OSError):
                _send_all(
                    sock,
                    plain_response(HTTPStatus.INTERNAL_SERVER_ERROR),
                    time.monotonic() + 1.0,
                )
        finally:
            with self._lock:
                self._busy.discard(sock)
                if handed_off:
                    self._open -= 1
            if handed_off:
                pass  # the stream thread owns it now
            elif unsent is not None and not self.stopping.is_set():
                later = _Conn(sock, rest, time.monotonic() + SEND_TIMEOUT, False, unsent, keep)
                self._back.append(later)
                self._wake()
            elif keep and not self.stopping.is_set():
                self._back.append(_Conn(sock, rest, time.monotonic() + IDLE_TIMEOUT, True))
                self._wake()
            else:
                self._finish(sock)

    def _finish(self, sock: socket.socket) -> None:
        """Close a connection after the answer, gently (its unread bytes would reset it)."""
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_WR)
        with contextlib.suppress(OSError):
            sock.settimeout(0.0)
            while sock.recv(65536):
                pass
        _quiet_close(sock)
        with self._lock:
            self._open -= 1

    def _answer(self, head: bytes) -> tuple[bytes, bool, tuple[str, bytes] | None]:
        """``(response bytes, keep the connection, (page, first bytes) of an event stream)``."""
        try:
            request = parse_head(head)
        except RequestError as err:
            return plain_response(err.status, _error_text(err)), False, None
        head_only = request.method == "HEAD"
        if request.method not in ("GET", "HEAD"):
            return (
                plain_response(HTTPStatus.METHOD_NOT_ALLOWED, extra=(("Allow", "GET, HEAD"),)),
                False,
                None,
            )
        if not host_allowed(request.get("host"), self.port, self.bound_host):
            text = "421 unknown Host header\n"
            return (
                plain_response(HTTPStatus.MISDIRECTED_REQUEST, text, head_only=head_only),
                False,
                None,
            )
        length = request.get("content-length")
        if length is not None and not (length.isascii() and length.isdigit()):
            return plain_response(HTTPStatus.BAD_REQUEST, head_only=head_only), False, None
        if (length is not None and int(length) != 0) or request.get("transfer-encoding"):
            return (
                plain_response(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, head_only=head_only),
                False,
                None,
            )
        target = request.target
        decoded = decode_path(target) if target.startswith("/") else target
        if decoded is None:
            text = "400 Bad Request: the path is not valid percent-encoded UTF-8\n"
            return plain_response(HTTPStatus.BAD_REQUEST, text, head_only=head_only), False, None
        if urlsplit(target).path == EVENTS_URL and not target.startswith("//"):
            return self._events(request)
        found = resolve_site_path(self.site.root, target)
        data = None
        if found is not None:
            try:
                data = found.read_bytes()
            except OSError:
                data = None
        if found is None or data is None:
            return plain_response(HTTPStatus.NOT_FOUND, head_only=head_only), False, None
        suffix = found.suffix.lower()
        headers = [
            ("Content-Type", _TYPES.get(suffix, "application/octet-stream")),
            ("Content-Length", str(len(data))),
        ]
        if suffix == ".html":
            headers.append(("Content-Security-Policy", _page_policy(data)))
        keep = request.keep_alive
        answer = _response(HTTPStatus.OK, headers, data, head_only=head_only, close=not keep)
        return answer, keep, None

    def _events(self, request: Request) -> tuple[bytes, bool, tuple[str, bytes] | None]:
        if request.method == "HEAD":
            answer = plain_response(
                HTTPStatus.METHOD_NOT_ALLOWED, extra=(("Allow", "GET"),), head_only=True
            )
            return answer, False, None
        if not self.hub.reserve():
            self.refused_busy += 1
            return busy_response("event streams"), False, None
        page = (parse_qs(urlsplit(request.target).query).get("page") or [""])[0]
        try:
            lines = [
                "HTTP/1.1 200 OK",
                f"Server: journeymap/{__version__}",
                "Content-Type: text/event-stream; charset=utf-8",
                "Cache-Control: no-store",
                "X-Content-Type-Options: nosniff",
                "Connection: close",
            ]
            answer = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
            first = b"retry: 1000\n\n"
            current = self.site.page_payload(page)
            if current is not None:
                first += Event("page", current).encode()
        except BaseException:
            self.hub.release()
            raise
        return answer, False, (page, first)
