"""Pause Python's cyclic garbage collector around large, cycle-free bursts of allocation.

Loading a journey and analysing it allocate millions of small objects (parse events, nodes, model
objects, findings) and create no reference cycles that need collecting while they run: their
garbage is freed by reference counting. With the collector on, each allocation burst triggers
collections that walk everything alive, which at 100,000 touchpoints costs more than the work
itself (docs/performance.md). :func:`gc_paused` switches the collector off for the duration and
back on afterwards only if it was on before, so a caller that disabled it keeps it disabled.

The collector's switch is process-wide: another thread allocating during the pause is not
collected either until it ends. Nested pauses are harmless; with concurrent ones the collector
comes back on when the pause that found it on ends (a pause still running then simply runs with
the collector on), so it is never left off by a pause.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["gc_paused"]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Disable the cyclic garbage collector inside the block; restore its previous state."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
