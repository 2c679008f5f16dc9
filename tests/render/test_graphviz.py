"""Renderers: timeouts stop runaway layouts, missing renderers and formats say the fix, the
compiled module is cached on disk."""

from __future__ import annotations

import os
import signal
import stat

import pytest

from journeymap.errors import RenderError
from journeymap.render import build_dot, render_dot
from journeymap.render import graphviz as G
from tests.render import factory as F
from tests.render.conftest import needs_dot

# a 60-node complete digraph: dot needs minutes for it (the corpus's dense-graph case)
DENSE = "digraph{" + "".join(f"n{i}->n{j};" for i in range(60) for j in range(60) if i != j) + "}"
SMALL = 'digraph { "a" -> "b" }'


@pytest.mark.parametrize("renderer", ["embedded", pytest.param("system", marks=needs_dot)])
def test_runaway_layout_is_stopped_and_says_how_to_raise_the_limit(renderer: str) -> None:
    with pytest.raises(RenderError, match=r"ran over its 0\.5 s limit.*--timeout SECONDS"):
        render_dot(DENSE, renderer=renderer, timeout=0.5)
    assert b"<svg" in render_dot(SMALL, renderer=renderer)  # the renderer still works


def test_in_process_runaway_layout_is_interrupted_and_the_renderer_still_works() -> None:
    r = G.EmbeddedGraphviz()
    try:
        with pytest.raises(RenderError, match=r"ran over its 0\.3 s limit"):
            r.render(DENSE, timeout=0.3)
        assert b"<svg" in r.render(SMALL)
    finally:
        r.close()


def test_timeout_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(G.TIMEOUT_ENV, "0.4")
    assert G.default_timeout() == 0.4
    with pytest.raises(RenderError, match=r"0\.4 s limit"):
        render_dot(DENSE, renderer="embedded")
    monkeypatch.setenv(G.TIMEOUT_ENV, "soon")
    with pytest.raises(RenderError, match="not a number of seconds"):
        G.default_timeout()


def test_missing_system_dot_names_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(G.shutil, "which", lambda name: None)
    with pytest.raises(RenderError, match="apt-get install graphviz"):
        render_dot(SMALL, fmt="png")


def test_embedded_cannot_make_png_and_says_so() -> None:
    with pytest.raises(RenderError, match="--renderer system"):
        render_dot(SMALL, fmt="png", renderer="embedded")


@needs_dot
def test_system_unknown_format_and_png() -> None:
    with pytest.raises(RenderError, match="cannot write 'nosuch'"):
        render_dot(SMALL, fmt="nosuch", renderer="system")
    assert render_dot(SMALL, fmt="png").startswith(b"\x89PNG")


def test_bad_dot_is_a_render_error() -> None:
    with pytest.raises(RenderError, match="rejected"):
        render_dot("digraph { a -> }", renderer="embedded")
    assert b"<svg" in render_dot(SMALL, renderer="embedded")


def test_unknown_renderer() -> None:
    with pytest.raises(RenderError, match="unknown renderer"):
        render_dot(SMALL, renderer="magic")


def test_module_cache_is_private_reused_and_survives_damage(
    tmp_path: os.PathLike[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(G.CACHE_ENV, str(tmp_path))
    first = G.EmbeddedGraphviz()
    assert not first.cache_hit
    (cached,) = [p for p in os.scandir(tmp_path) if p.name.endswith(".cwasm")]
    assert stat.S_IMODE(os.stat(cached.path).st_mode) == 0o600
    second = G.EmbeddedGraphviz()
    assert second.cache_hit
    assert second.render(SMALL) == first.render(SMALL)
    with open(cached.path, "wb") as handle:
        handle.write(b"not a module" * 50)
    third = G.EmbeddedGraphviz()
    assert not third.cache_hit and b"<svg" in third.render(SMALL)
    for r in (first, second, third):
        r.close()


def test_svg_ids_are_readable_and_handoffs_carry_their_number() -> None:
    dot = 'digraph { "a" [id="tp-a", class="touchpoint"]; "a" -> "b" [id="edge-a--b", class="transition handoff h-7"] }'
    svg = render_dot(dot)
    assert b'<g id="tp-a" class="node touchpoint">' in svg
    assert b'<g id="edge-a--b" class="edge transition handoff h-7" data-handoff="7">' in svg


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.skipif(not G.use_worker(), reason="embedded worker needs POSIX (in-process here)")
def test_worker_is_killed_on_timeout_and_replaced() -> None:
    w = G.WorkerGraphviz()
    try:
        assert b"<svg" in w.render(SMALL)
        first = w.pid
        assert first is not None and _alive(first)
        with pytest.raises(RenderError, match=r"ran over its 0\.3 s limit"):
            w.render(DENSE, timeout=0.3)
        assert w.pid is None and not _alive(first)  # killed and reaped, not left running
        assert b"<svg" in w.render(SMALL)
        assert w.pid not in (None, first)
    finally:
        w.close()


@pytest.mark.skipif(not G.use_worker(), reason="embedded worker needs POSIX (in-process here)")
def test_worker_output_is_byte_identical_to_in_process_and_survives_a_crash() -> None:
    dot = build_dot(F.broadband())
    w, inproc = G.WorkerGraphviz(), G.EmbeddedGraphviz()
    try:
        for fmt in ("svg", "json"):
            assert w.render(dot, fmt) == inproc.render(dot, fmt)
        with pytest.raises(RenderError, match="rejected"):
            w.render("digraph { a -> }")
        pid = w.pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)  # something kills the worker between renders
        assert w._proc is not None
        w._proc.wait(timeout=10)
        assert w.render(dot) == inproc.render(dot)  # a new worker, same bytes
        assert w.pid != pid
    finally:
        w.close()
        inproc.close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork (POSIX)")
def test_forked_child_uses_its_own_worker_not_the_parents() -> None:
    G.warm_up()
    parent_worker = G.worker()
    assert b"<svg" in render_dot(SMALL)
    parent_pid = parent_worker.pid
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # the child reports whether it got a fresh worker and could render
        try:
            fresh = G.worker() is not parent_worker
            ok = fresh and b"<svg" in render_dot(SMALL) and G.worker().pid != parent_pid
            os.write(write_end, b"1" if ok else b"0")
        finally:
            os._exit(0)
    os.close(write_end)
    answer = os.read(read_end, 1)
    os.waitpid(child, 0)
    os.close(read_end)
    assert answer == b"1"
    assert parent_worker.pid == parent_pid and _alive(parent_pid)  # the parent's worker is intact
    assert b"<svg" in render_dot(SMALL)
