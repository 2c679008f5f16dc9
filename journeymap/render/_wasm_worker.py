"""The embedded Graphviz's WebAssembly plumbing, and a worker process that runs it.

This file imports only the standard library and ``wasmtime`` at the start (``journeymap``'s
atomic writer only to cache a freshly compiled module, after a compile of seconds), so a worker
whose module is cached starts as fast as ``import wasmtime`` allows. The parent runs it as a
script (``python -I _wasm_worker.py CACHE_DIR WASM_PATH``) and kills it when a layout runs over
its time limit; the module it runs is compiled *without* epoch interruption, which makes
Graphviz ~15 % faster than the interruptible in-process module.

Protocol over stdin/stdout, all integers little-endian:

- request: ``<I`` length + format (UTF-8), ``<Q`` length + DOT (UTF-8);
- reply: one status byte and ``<Q`` length + payload: ``R`` ready (payload ``1`` when the
  compiled module came from the cache, else ``0``), ``O`` the output, ``E`` a Graphviz error
  message (UTF-8), ``M`` out of memory / crash, ``T`` another wasmtime failure.

A fresh instance serves every request (no Graphviz state carries over); the next one is made
while the worker waits, so instantiation costs no time on the request path.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import struct
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

MEMORY_LIMIT = 1 << 30  # 1 GiB of guest memory


def load_module(
    wasmtime: Any, engine: Any, data: bytes, directory: Path, tag: str
) -> tuple[Any, bool]:
    """The compiled module from the cache (keyed by the wasm's hash, the wasmtime version and
    ``tag``, the engine settings), else compiled and cached. Returns ``(module, cache_hit)``."""
    try:
        version = metadata.version("wasmtime")
    except metadata.PackageNotFoundError:  # pragma: no cover - vendored wasmtime
        version = "unknown"
    key = hashlib.sha256(data + f"|wasmtime {version}|{tag}".encode()).hexdigest()[:24]
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
            return wasmtime.Module.deserialize(engine, path.read_bytes()), True
        except Exception:  # stale or damaged: compile again and overwrite
            pass
    module = wasmtime.Module(engine, data)
    _store(path, module.serialize())
    return module, False


def _store(path: Path, data: bytes) -> None:
    """Cache a compiled module at ``path``, readable by its owner only, through the one atomic
    writer (journeymap/atomic.py; not flushed to disk: a lost cache file is compiled again).

    No writable cache is no error: this process still works, the next one compiles again.
    """
    from journeymap.atomic import write_bytes_atomic  # ~50 ms, paid on a cache miss only
    from journeymap.errors import JourneymapError

    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_bytes_atomic(path, data, mode=0o600, durable=False)
    except (OSError, JourneymapError):
        pass


class Instance:
    """One instantiated Graphviz: no files, no environment, no output streams."""

    def __init__(self, wasmtime: Any, engine: Any, module: Any, epoch: bool) -> None:
        store = wasmtime.Store(engine)
        store.set_limits(memory_size=MEMORY_LIMIT)
        store.set_wasi(wasmtime.WasiConfig())  # no files, no env, no stdio
        if epoch:
            store.set_epoch_deadline(1)
        linker = wasmtime.Linker(engine)
        linker.define_wasi()
        exports = linker.instantiate(store, module).exports(store)
        self.store = store
        self.memory = exports["memory"]
        self._render = exports["graphviz_render"]
        self._release = exports["graphviz_free"]
        self._malloc = exports["malloc"]
        self._free = exports["free"]
        self._last_error = exports["graphviz_last_error"]

    def render(self, dot: bytes, fmt: bytes) -> bytes | None:
        """The output, or ``None`` when Graphviz refused (see :meth:`last_error`)."""
        store = self.store
        pointers = []
        try:
            for data in (dot, fmt, b"dot"):
                data += b"\x00"
                ptr = self._malloc(store, len(data))
                if not ptr:
                    raise MemoryError("guest malloc failed")
                self.memory.write(store, data, ptr)
                pointers.append(ptr)
            length_ptr = self._malloc(store, 4)
            if not length_ptr:
                raise MemoryError("guest malloc failed")
            pointers.append(length_ptr)
            out = self._render(store, pointers[0], pointers[1], pointers[2], length_ptr)
            if not out:
                return None
            (length,) = struct.unpack("<I", self.memory.read(store, length_ptr, length_ptr + 4))
            try:
                return bytes(self.memory.read(store, out, out + length))
            finally:
                self._release(store, out)
        finally:
            for ptr in pointers:
                self._free(store, ptr)

    def last_error(self) -> str:
        """Graphviz's message for the last refused render ('' when it gave none)."""
        ptr = self._last_error(self.store)
        if not ptr:
            return ""
        raw = bytes(self.memory.read(self.store, ptr, ptr + 2048))
        return raw.split(b"\x00", 1)[0].decode("utf-8", "replace").strip()

    def close(self) -> None:
        """Free the store now."""
        close = getattr(self.store, "close", None)
        if close is not None:
            close()


def _read_exact(stream: Any, size: int) -> bytes | None:
    chunks = []
    while size:
        chunk = stream.read(size)
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _reply(out: Any, status: bytes, payload: bytes) -> None:
    out.write(status + struct.pack("<Q", len(payload)))
    out.write(payload)
    out.flush()


def serve(cache: Path, wasm_path: Path) -> int:
    """The worker loop: answer requests on stdin until it closes."""
    import wasmtime

    inp, out = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write to the reply stream
    engine = wasmtime.Engine(wasmtime.Config())  # no epoch interruption: we are killed instead
    module, hit = load_module(wasmtime, engine, wasm_path.read_bytes(), cache, "plain")
    instance = Instance(wasmtime, engine, module, epoch=False)
    _reply(out, b"R", b"1" if hit else b"0")
    while True:
        head = _read_exact(inp, 4)
        if head is None:
            return 0
        fmt = _read_exact(inp, struct.unpack("<I", head)[0])
        size = _read_exact(inp, 8)
        dot = _read_exact(inp, struct.unpack("<Q", size)[0]) if size is not None else None
        if fmt is None or dot is None:
            return 0
        try:
            result = instance.render(dot, fmt)
            if result is None:
                _reply(out, b"E", instance.last_error().encode("utf-8"))
            else:
                _reply(out, b"O", result)
        except (MemoryError, wasmtime.Trap) as err:
            text = str(err)
            memory = isinstance(err, MemoryError) or "memory" in text or "unreachable" in text
            _reply(out, b"M" if memory else b"T", text.encode("utf-8", "replace"))
        except wasmtime.WasmtimeError as err:
            _reply(out, b"T", str(err).encode("utf-8", "replace"))
        with contextlib.suppress(Exception):
            instance.close()
        instance = Instance(wasmtime, engine, module, epoch=False)  # ready for the next one


if __name__ == "__main__":
    # run as a script under ``python -I``: the folder holding this package, for _store's import
    # when journeymap is not installed (an installed one is found first)
    sys.path.append(str(Path(__file__).resolve().parents[2]))
    sys.exit(serve(Path(sys.argv[1]), Path(sys.argv[2])))
