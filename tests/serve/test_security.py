"""The live server serves its site and nothing else, to this machine's names only.

Requests go over raw sockets so the paths reach the server exactly as written (http clients and
browsers would normalise ``..`` away before sending).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from journeymap.serve import LiveServer
from journeymap.serve.http import host_allowed, resolve_site_path
from tests.serve.conftest import raw_request, status_of


def get(
    port: int, path: str, host: str | None = None, method: str = "GET", extra: str = ""
) -> bytes:
    host_line = f"Host: {host if host is not None else f'127.0.0.1:{port}'}\r\n"
    request = f"{method} {path} HTTP/1.1\r\n{host_line}{extra}Connection: close\r\n\r\n"
    return raw_request(port, request.encode("latin-1"))


def test_index_and_page_are_served(server: LiveServer) -> None:
    response = get(server.port, "/")
    assert status_of(response) == 200
    head, _, body = response.partition(b"\r\n\r\n")
    assert b"Content-Security-Policy:" in head
    assert b"connect-src 'self'" in head
    assert b"X-Content-Type-Options: nosniff" in head
    assert b"<html" in body
    assert status_of(get(server.port, "/workshop.html")) == 200
    assert status_of(get(server.port, "/_live/live.js")) == 200


@pytest.mark.parametrize(
    "path",
    [
        "/../etc/passwd",
        "/../../../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2E/%2e%2E/etc/passwd",
        "/_live/%2e%2e/%2e%2e/etc/passwd",
        "/..%2f..%2f..%2fetc%2fpasswd",
        "/%252e%252e/etc/passwd",
        "//evil.com",
        "//evil.com/",
        "/\\..\\..\\etc\\passwd",
        "/./index.html",
        "/_live/../index.html",
        "/index.html%00.js",
        "/.workshop.html.tmp",
        "/etc/passwd",
        "http://evil.com/etc/passwd",
        "/escape",
        "/escape/passwd",
        "/linked-file",
    ],
)
def test_traversal_attempts_get_404(server: LiveServer, path: str) -> None:
    # Symlinks out of the site folder, planted where a request could name them.
    root = server.site.root
    if not (root / "escape").exists():
        os.symlink("/etc", root / "escape")
        os.symlink("/etc/passwd", root / "linked-file")
    response = get(server.port, path)
    assert status_of(response) == 404, response[:200]
    assert b"root:" not in response


def test_foreign_host_is_refused(server: LiveServer) -> None:
    for host in ("evil.com", f"evil.com:{server.port}", "127.0.0.1.evil.com", "localhost:1"):
        assert status_of(get(server.port, "/", host=host)) == 421, host
    assert status_of(get(server.port, "/", host="")) == 421
    for host in (f"localhost:{server.port}", f"127.0.0.1:{server.port}"):
        assert status_of(get(server.port, "/", host=host)) == 200, host


def test_missing_host_is_refused(server: LiveServer) -> None:
    request = b"GET / HTTP/1.0\r\n\r\n"
    assert status_of(raw_request(server.port, request)) == 421


def test_only_get_and_head(server: LiveServer) -> None:
    for method in ("POST", "PUT", "DELETE", "OPTIONS", "PATCH"):
        response = get(server.port, "/", method=method, extra="Content-Length: 0\r\n")
        assert status_of(response) == 405, method
        assert b"Allow: GET, HEAD" in response
    head = get(server.port, "/", method="HEAD")
    assert status_of(head) == 200
    assert head.endswith(b"\r\n\r\n")  # no body


def test_request_sizes_are_bounded(server: LiveServer) -> None:
    assert status_of(get(server.port, "/" + "a" * 5000)) == 414
    response = get(server.port, "/", extra="Content-Length: 10\r\n")
    assert status_of(response) == 413


def test_resolve_site_path_directly(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("x")
    (site / "a.html").write_text("y")
    (tmp_path / "secret.txt").write_text("s")
    os.symlink(tmp_path, site / "up")
    assert resolve_site_path(site, "/") == (site / "index.html").resolve()
    assert resolve_site_path(site, "/a.html?x=1") == (site / "a.html").resolve()
    assert resolve_site_path(site, "/%61.html") == (site / "a.html").resolve()
    for bad in ("/up/secret.txt", "/up", "//a.html", "/a.html/", "/%2e%2e/site/a.html"):
        assert resolve_site_path(site, bad) is None, bad


def test_host_allowed_rules() -> None:
    assert host_allowed("localhost:8000", 8000, "127.0.0.1")
    assert host_allowed("[::1]:8000", 8000, "127.0.0.1")
    assert not host_allowed("localhost:8001", 8000, "127.0.0.1")
    assert not host_allowed("localhost", 8000, "127.0.0.1")  # port 80 implied
    assert not host_allowed("attacker.example:8000", 8000, "127.0.0.1")
    assert host_allowed("workshop.lan:8000", 8000, "workshop.lan")
    assert host_allowed("192.168.1.20:8000", 8000, "0.0.0.0")
    assert not host_allowed("rebind.example:8000", 8000, "0.0.0.0")
    assert not host_allowed("a b:8000", 8000, "127.0.0.1")
    assert not host_allowed(None, 8000, "127.0.0.1")
