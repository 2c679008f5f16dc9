"""The live server under hostile and careless clients (issue: serve hardening).

A real server on a real socket; requests go over raw sockets, byte for byte as written. Each
audit finding is a regression test here: malformed requests get a 4xx answer and never a
traceback, clients that vanish are forgotten silently, slow clients hold no thread and time out,
and past a cap the answer is a short 503 with Retry-After.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from journeymap.serve import LiveServer
from journeymap.serve import http as live_http
from journeymap.serve.events import Broadcaster, Event
from tests.serve.conftest import raw_request, status_of

WAIT = 10.0  # seconds: how long a test waits for a state it expects (never a timing claim)


def _host(port: int) -> bytes:
    return f"Host: 127.0.0.1:{port}\r\n".encode()


def _wait_until(predicate: object, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, what
        time.sleep(0.01)


def _quiet(err: str) -> None:
    """At most one log line, and never a traceback or a socket error's name."""
    assert len(err.strip().splitlines()) <= 1, err
    for word in ("Traceback", "BrokenPipe", "ConnectionReset", "UnicodeDecodeError", "Exception"):
        assert word not in err, err


def _still_serving(port: int) -> None:
    ok = raw_request(port, b"GET / HTTP/1.1\r\n" + _host(port) + b"Connection: close\r\n\r\n")
    assert status_of(ok) == 200


# -- malformed requests -------------------------------------------------------------------------

# (request line or whole head with {host} for the Host line, expected status)
MALFORMED = [
    # bad percent-encoding and bad UTF-8 (overlong forms, truncated sequences, lone bytes)
    (b"GET /%c0%ae%c0%ae/etc/passwd HTTP/1.1\r\n{host}\r\n", 400),
    (b"GET /%e0%80 HTTP/1.1\r\n{host}\r\n", 400),
    (b"GET /%ff HTTP/1.1\r\n{host}\r\n", 400),
    (b"GET /%c0%af HTTP/1.1\r\n{host}\r\n", 400),
    (b"GET /%ed%a0%80 HTTP/1.1\r\n{host}\r\n", 400),  # a UTF-16 surrogate
    (b"GET /%zz HTTP/1.1\r\n{host}\r\n", 400),
    (b"GET /index.html% HTTP/1.1\r\n{host}\r\n", 400),
    (b"GET /%e0%80?page=x HTTP/1.1\r\n{host}\r\n", 400),
    (b"GET /_live/%e0%80 HTTP/1.1\r\n{host}\r\n", 400),
    # raw bytes the request line may not carry
    (b"GET /\xc3\xa9.html HTTP/1.1\r\n{host}\r\n", 400),
    (b"GET /\x00 HTTP/1.1\r\n{host}\r\n", 400),
    (b"GET /a\x7fb HTTP/1.1\r\n{host}\r\n", 400),
    (b"GET /a\tb HTTP/1.1\r\n{host}\r\n", 400),
    (b"GET  / HTTP/1.1\r\n{host}\r\n", 400),
    # request line shape and version
    (b"GET /\r\n{host}\r\n", 400),
    (b"GET\r\n\r\n", 400),
    (b"GET / HTTP/1.1 extra\r\n{host}\r\n", 400),
    (b"GET / HTTP/9.9\r\n{host}\r\n", 400),
    (b"GET / HTTP/1.1x\r\n{host}\r\n", 400),
    (b"GET / http/1.1\r\n{host}\r\n", 400),
    (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 400),  # a TLS hello
    # methods: not a token, or not one we answer (never a 5xx)
    (b"G@T / HTTP/1.1\r\n{host}\r\n", 400),
    (b"G\x00T / HTTP/1.1\r\n{host}\r\n", 400),
    (b"FOO / HTTP/1.1\r\n{host}\r\n", 405),
    (b"get / HTTP/1.1\r\n{host}\r\n", 405),
    (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 400),
    # headers
    (b"GET / HTTP/1.1\r\n{host}{host}\r\n", 400),  # duplicate Host
    (b"GET / HTTP/1.1\r\n{host}Host: evil.example\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\n{host}Content-Length: 0\r\nContent-Length: 0\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\n{host}Content-Length: abc\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\n{host}no colon here\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\n{host}X-A : b\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\n{host}X-A: b\r\n c\r\n\r\n", 400),  # obsolete line folding
    (b"GET / HTTP/1.1\r\n{host}X-A: b\x00c\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\n{host}X-A: b\rc\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\n{host}X\xe9: b\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\n{host}: b\r\n\r\n", 400),
    # sizes
    (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\n{host}\r\n", 414),
    (b"GET /" + b"a" * 3000 + b" HTTP/1.1\r\n{host}\r\n", 414),
    (b"GET / HTTP/1.1\r\n{host}X-Big: " + b"b" * 20000 + b"\r\n\r\n", 431),
    (b"GET / HTTP/1.1\r\n{host}" + b"X-N: 1\r\n" * 80 + b"\r\n", 431),
]


@pytest.mark.parametrize(("request_bytes", "status"), MALFORMED, ids=lambda v: repr(v)[:40])
def test_a_malformed_request_gets_a_4xx_and_no_traceback(
    server: LiveServer, capfd: pytest.CaptureFixture[str], request_bytes: bytes, status: int
) -> None:
    request = request_bytes.replace(b"{host}", _host(server.port))
    response = raw_request(server.port, request)
    assert response.startswith(b"HTTP/1.1 "), response[:100]  # an answer, not a dropped line
    assert status_of(response) == status, response[:200]
    assert b"Connection: close" in response.partition(b"\r\n\r\n")[0]
    assert b"root:" not in response
    _still_serving(server.port)
    _quiet(capfd.readouterr().err)


def test_malformed_requests_in_a_row_leave_the_server_answering(
    server: LiveServer, capfd: pytest.CaptureFixture[str]
) -> None:
    for request_bytes, status in MALFORMED * 3:
        response = raw_request(server.port, request_bytes.replace(b"{host}", _host(server.port)))
        assert status_of(response) == status
    _still_serving(server.port)
    assert capfd.readouterr().err == ""


def test_an_empty_or_cut_request_is_closed_without_a_word(
    server: LiveServer, capfd: pytest.CaptureFixture[str]
) -> None:
    for partial in (b"", b"\r\n", b"GET / HT", b"GET / HTTP/1.1\r\nHost: 127.0.0.1"):
        with socket.create_connection(("127.0.0.1", server.port), timeout=WAIT) as sock:
            sock.sendall(partial)
            sock.shutdown(socket.SHUT_WR)  # the client gives up half way
            assert sock.recv(65536) == b""
    _still_serving(server.port)
    assert capfd.readouterr().err == ""


def test_parse_head_and_decode_path_directly() -> None:
    from journeymap.serve.http import RequestError, decode_path, parse_head

    request = parse_head(b"GET /a?b=1 HTTP/1.1\r\nHost: x:1\r\nX-Y:  z \r\n\r\n")
    assert (request.method, request.target, request.version) == ("GET", "/a?b=1", "HTTP/1.1")
    assert request.get("host") == "x:1" and request.get("x-y") == "z"
    assert request.keep_alive
    assert not parse_head(b"GET / HTTP/1.1\r\nConnection: Close\r\n\r\n").keep_alive
    assert not parse_head(b"GET / HTTP/1.0\r\n\r\n").keep_alive
    with pytest.raises(RequestError) as err:
        parse_head(b"GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n")
    assert err.value.status == 400
    assert decode_path("/%61%62") == "/ab"
    assert decode_path("/%C3%A9") == "/\u00e9"
    for bad in ("/%c0%ae", "/%e0%80", "/%ff", "/%zz", "/%", "/%4"):
        assert decode_path(bad) is None, bad


# -- keep-alive still works -----------------------------------------------------------------------


def test_two_requests_on_one_connection_and_pipelined(server: LiveServer) -> None:
    one = b"GET /_live/live.css HTTP/1.1\r\n" + _host(server.port) + b"\r\n"
    last = b"GET /_live/live.css HTTP/1.1\r\n" + _host(server.port) + b"Connection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", server.port), timeout=WAIT) as sock:
        sock.sendall(one)
        first = _read_response(sock)
        assert status_of(first) == 200
        sock.sendall(one + last)  # pipelined: both in one write
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    assert data.count(b"HTTP/1.1 200 OK") == 2


def _read_response(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(
        next(
            line.split(b":")[1]
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length")
        )
    )
    while len(body) < length:
        body += sock.recv(65536)
    return head + b"\r\n\r\n" + body


# -- clients that vanish ----------------------------------------------------------------------------


def _reset(sock: socket.socket) -> None:
    """Close with a TCP reset, as a killed browser tab or a load tool does."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def test_clients_that_disconnect_are_silent(
    server: LiveServer, capfd: pytest.CaptureFixture[str]
) -> None:
    request = b"GET /workshop.html HTTP/1.1\r\n" + _host(server.port) + b"\r\n"
    for _ in range(40):
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=WAIT)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
        sock.sendall(request)
        _reset(sock)  # before the answer is read (often before it is written)
    for _ in range(10):  # the same with the answer half read
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=WAIT)
        sock.sendall(request)
        sock.recv(100)
        _reset(sock)
    _still_serving(server.port)
    _quiet(capfd.readouterr().err)
    streams = []
    for _ in range(5):  # event streams, gone mid-stream
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=WAIT)
        sock.sendall(
            b"GET /_live/events?page=workshop.html HTTP/1.1\r\n" + _host(server.port) + b"\r\n"
        )
        assert sock.recv(100).startswith(b"HTTP/1.1 200")
        streams.append(sock)
    _wait_until(lambda: server.site.events.subscribers == 5, "five streams open")
    for sock in streams:
        _reset(sock)
    server.site.events.publish(Event("page", {"page": "workshop.html", "x": 1}))
    _wait_until(lambda: server.site.events.subscribers == 0, "the streams were forgotten")
    _still_serving(server.port)
    assert server.httpd is not None
    _wait_until(
        lambda: getattr(server.httpd, "open_connections", -1) == 0, "the connections were closed"
    )
    assert capfd.readouterr().err == ""


# -- bounded threads, slow clients, busy answers ------------------------------------------------


def test_slow_clients_hold_no_thread(server: LiveServer) -> None:
    before = threading.active_count()
    slow = []
    try:
        for _ in range(150):
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=WAIT)
            sock.sendall(b"GET / HTTP/1.1\r\nHo")  # and then nothing (slowloris)
            slow.append(sock)
        _still_serving(server.port)  # answered while they hang (so all 150 were accepted)
        # the old server had one thread per connection: 150 more
        assert threading.active_count() - before < 10  # no thread waits on them
        assert threading.active_count() - before <= live_http.MAX_WORKERS
    finally:
        for sock in slow:
            sock.close()


def test_clients_that_do_not_read_their_answer_hold_no_worker(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live_http, "SEND_TIMEOUT", 120.0)  # they are not cut off meanwhile
    (server.site.root / "big.txt").write_bytes(b"x" * (8 << 20))  # more than socket buffers
    request = b"GET /big.txt HTTP/1.1\r\n" + _host(server.port) + b"\r\n"
    stuck = []
    try:
        for _ in range(20):
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=WAIT)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.sendall(request)  # and never read
            stuck.append(sock)
        assert server.httpd is not None
        httpd = server.httpd
        _wait_until(lambda: httpd.open_connections == 20, "the readers connected")
        _wait_until(lambda: httpd.busy_workers == 0, "workers are free while clients stall")
        _still_serving(server.port)
    finally:
        for sock in stuck:
            sock.close()


@pytest.fixture()
def tight(
    journey_dir: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[LiveServer]:
    """A server with small caps (and, for the slowloris test, a short head timeout)."""
    if "slowloris" in request.node.name:
        monkeypatch.setattr(live_http, "HEAD_TIMEOUT", 0.5)
    monkeypatch.setattr(live_http, "MAX_CONNECTIONS", 4)
    monkeypatch.setattr(live_http, "MAX_STREAMS", 2)
    live = LiveServer([str(journey_dir)], port=0, interval=0.05)
    live.start()
    try:
        yield live
    finally:
        live.stop()


def test_a_slowloris_client_times_out_with_408(tight: LiveServer) -> None:
    import select

    with socket.create_connection(("127.0.0.1", tight.port), timeout=WAIT) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\n")
        deadline = time.monotonic() + WAIT
        # a byte now and then, never the blank line, until the server answers
        while not select.select([sock], [], [], 0.05)[0]:
            assert time.monotonic() < deadline, "the server waited for ever"
            sock.sendall(b"X")
        answer = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    assert status_of(answer) == 408, answer[:200]
    _still_serving(tight.port)


def test_past_the_connection_cap_the_answer_is_503_with_retry_after(
    tight: LiveServer, capfd: pytest.CaptureFixture[str]
) -> None:
    assert tight.httpd is not None
    idle = [socket.create_connection(("127.0.0.1", tight.port), timeout=WAIT) for _ in range(4)]
    try:
        _wait_until(lambda: tight.httpd.open_connections == 4, "four connections open")
        response = raw_request(
            tight.port, b"GET / HTTP/1.1\r\n" + _host(tight.port) + b"Connection: close\r\n\r\n"
        )
        assert status_of(response) == 503, response[:200]
        head, _, body = response.partition(b"\r\n\r\n")
        assert f"Retry-After: {live_http.RETRY_AFTER}".encode() in head
        assert b"busy" in body and len(body) < 200
    finally:
        for sock in idle:
            sock.close()
    _wait_until(lambda: tight.httpd.open_connections == 0, "the idle connections closed")
    _still_serving(tight.port)
    assert capfd.readouterr().err == ""


def test_past_the_stream_cap_the_answer_is_503_and_a_freed_place_is_reused(
    tight: LiveServer,
) -> None:
    def stream() -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", tight.port), timeout=WAIT)
        sock.sendall(
            b"GET /_live/events?page=index.html HTTP/1.1\r\n" + _host(tight.port) + b"\r\n"
        )
        return sock

    first, second = stream(), stream()
    try:
        for sock in (first, second):
            assert sock.recv(100).startswith(b"HTTP/1.1 200")
        third = stream()
        data = b""
        while True:
            chunk = third.recv(65536)
            if not chunk:
                break
            data += chunk
        third.close()
        assert status_of(data) == 503
        assert f"Retry-After: {live_http.RETRY_AFTER}".encode() in data
        first.close()
        # the place itself (the subscription goes a moment earlier, so waiting for that raced)
        hub = tight.httpd.hub if tight.httpd is not None else None
        assert hub is not None
        _wait_until(lambda: hub.count == 1, "the closed stream's place was freed")
        fourth = stream()
        assert fourth.recv(100).startswith(b"HTTP/1.1 200")
        fourth.close()
    finally:
        first.close()
        second.close()


def test_an_event_stream_that_stops_reading_is_dropped() -> None:
    from journeymap.serve.events import StreamHub

    events = Broadcaster()
    hub = StreamHub(events, limit=4, keepalive=60.0, backlog_bytes=1 << 20, send_timeout=60.0)
    ours, theirs = socket.socketpair()
    try:
        assert hub.reserve()
        hub.add(ours, "p.html", b"retry: 1000\n\n")
        _wait_until(lambda: events.subscribers == 1, "the stream subscribed")
        big = {"page": "p.html", "body": "x" * (256 << 10)}
        for _ in range(40):  # 10 MiB to a peer that reads nothing
            events.publish(Event("page", big))
        _wait_until(lambda: hub.count == 0, "the stuck stream was dropped")
        assert events.subscribers == 0
    finally:
        hub.close()
        theirs.close()
