"""The garbage collector while an import builds and holds a large archive (pure: no Flask, no database).

Parsing a 45 MB file makes a few million objects. CPython's full collection scans every tracked
object and runs each time the long-lived ones grow by a quarter, holding the GIL throughout; even
from gevent's thread pool, one such pass froze the worker's event loop for about a second
(bench/import_healthz.py). So the collector is off while the file is parsed (parsing makes no
cycles: it only adds to the heap), what was built is then frozen (`gc.freeze`: never scanned, freed
as usual by reference counting), and everything is handed back to the collector when the last
import of this process ends.
"""
from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_imports_running = 0  # in this process; changed only from greenlets of the event loop


@contextmanager
def archive_held() -> Iterator[Callable[[], None]]:
    """Around one import: the collector is off until the caller calls the function it is given
    (once the archive is built), then on again with the archive frozen."""
    global _imports_running
    _imports_running += 1
    gc.disable()
    try:
        yield _freeze_what_was_built
    finally:
        _imports_running -= 1
        if _imports_running == 0:
            gc.unfreeze()
            gc.enable()


def _freeze_what_was_built() -> None:
    gc.freeze()
    gc.enable()
