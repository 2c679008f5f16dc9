"""The HTTP side of ``journeymap serve``: a guarded static file server plus an event stream.

Defences, each at our own layer (see tests/adversarial-corpus.md):

- only files inside the site folder are served: the raw request path is decoded once, any ``.``
  or ``..`` segment, empty segment (``//evil.com``), backslash, NUL or dot-file is refused, and
  the resolved real path (symlinks followed) must still lie inside the folder — else 404;
- the ``Host`` header must name this server (``localhost``, ``127.0.0.1`` or ``[::1]``, with our
  port), which defeats DNS rebinding; ``--host`` adds that name;
- GET and HEAD only (405 otherwise), no request bodies (413), request line and path bounded (414),
  a socket timeout against slow clients;
- every response carries ``X-Content-Type-Options: nosniff``, ``Cache-Control: no-store``,
  ``Referrer-Policy: no-referrer`` and, for pages, the page's Content-Security-Policy.
"""

from __future__ import annotations

import html
import ipaddress
import queue
import re
import socket
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from journeymap import __version__
from journeymap.serve.events import CLOSED, Event
from journeymap.serve.page import DEFAULT_POLICY, EVENTS_URL, live_policy
from journeymap.serve.site import LiveSite

__all__ = ["LiveHTTPServer", "Handler", "resolve_site_path", "host_allowed", "MAX_PATH"]

MAX_PATH = 2048
KEEPALIVE_SECONDS = 15.0
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


def resolve_site_path(root: Path, raw_path: str) -> Path | None:
    """The file inside ``root`` that ``raw_path`` (as sent, query included) names, or None."""
    if len(raw_path) > MAX_PATH:
        return None
    path = urlsplit(raw_path).path if not raw_path.startswith("//") else raw_path
    if not path.startswith("/") or path.startswith("//"):
        return None
    decoded = unquote(path, errors="strict") if "%" in path else path
    if "\\" in decoded or "\x00" in decoded or "%" in decoded:
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
    except (OSError, RuntimeError):
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


class LiveHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server that knows its live site and the host it was bound to."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, site: LiveSite, host: str, port: int) -> None:
        self.site = site
        self.bound_host = host
        self.stopping = threading.Event()
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.address_family = family
        super().__init__((host, port), Handler)

    @property
    def port(self) -> int:
        return int(self.server_address[1])


class Handler(BaseHTTPRequestHandler):
    """GET/HEAD of site files, and ``/_live/events`` (server-sent events)."""

    server: LiveHTTPServer
    server_version = f"journeymap/{__version__}"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    timeout = 30

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        """Quiet: a workshop terminal is for error lines, not access logs."""

    # -- refusals ----------------------------------------------------------------------------

    def _plain(
        self, status: HTTPStatus, text: str = "", extra: dict[str, str] | None = None
    ) -> None:
        body = (text or f"{status.value} {status.phrase}\n").encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self._common_headers()
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        if self.command != "HEAD":
            self.wfile.write(body)

    def _common_headers(self) -> None:
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Frame-Options", "DENY")

    def _guard(self) -> bool:
        """Common checks; False when a refusal was sent."""
        if len(self.path) > MAX_PATH:
            self._plain(HTTPStatus.REQUEST_URI_TOO_LONG)
            return False
        if not host_allowed(self.headers.get("Host"), self.server.port, self.server.bound_host):
            self._plain(HTTPStatus.MISDIRECTED_REQUEST, "421 unknown Host header\n")
            return False
        length = self.headers.get("Content-Length")
        if (length not in (None, "0")) or self.headers.get("Transfer-Encoding"):
            self._plain(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
            return False
        return True

    def _not_allowed(self) -> None:
        self._plain(HTTPStatus.METHOD_NOT_ALLOWED, extra={"Allow": "GET, HEAD"})

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = do_CONNECT = _not_allowed

    # -- serving -----------------------------------------------------------------------------

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        if not self._guard():
            return
        if urlsplit(self.path).path == EVENTS_URL and not self.path.startswith("//"):
            self._events()
            return
        target = resolve_site_path(self.server.site.root, self.path)
        if target is None:
            self._plain(HTTPStatus.NOT_FOUND)
            return
        try:
            data = target.read_bytes()
        except OSError:
            self._plain(HTTPStatus.NOT_FOUND)
            return
        ctype = _TYPES.get(target.suffix.lower(), "application/octet-stream")
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self._common_headers()
        if target.suffix.lower() == ".html":
            self.send_header("Content-Security-Policy", _page_policy(data))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _events(self) -> None:
        if self.command == "HEAD":
            self._plain(HTTPStatus.METHOD_NOT_ALLOWED, extra={"Allow": "GET"})
            return
        query = parse_qs(urlsplit(self.path).query)
        page = (query.get("page") or [""])[0]
        site = self.server.site
        q = site.events.subscribe()
        try:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            self.wfile.write(b"retry: 1000\n\n")
            current = site.page_payload(page)
            if current is not None:
                self.wfile.write(Event("page", current).encode())
            self.wfile.flush()
            while not self.server.stopping.is_set():
                try:
                    event = q.get(timeout=KEEPALIVE_SECONDS)
                except queue.Empty:
                    self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
                    continue
                if event is CLOSED:
                    break
                if event.data.get("page") != page:
                    continue
                self.wfile.write(event.encode())
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, TimeoutError, OSError):
            pass
        finally:
            site.events.unsubscribe(q)


def _page_policy(data: bytes) -> str:
    """The policy a served page declares in its meta tag, repeated as a header."""
    found = re.search(rb'http-equiv="Content-Security-Policy"\s+content="([^"]*)"', data)
    if not found:
        return DEFAULT_POLICY
    return live_policy(html.unescape(found.group(1).decode("utf-8", "replace")))
