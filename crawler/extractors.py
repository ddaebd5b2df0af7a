"""Extraction in worker processes, so that a crawl uses more than one core.

Extracting a page (decoding, parsing, trafilatura, cleaning, the fingerprint:
:func:`archive.prepare.prepare_page`) is pure CPU work and most of what a page costs. The
crawl's own process downloads, parses sitemaps and writes to the database; with
``ARSHIF_EXTRACT_PROCESSES = N`` (default 1) pages are extracted by N worker processes in
parallel with it. 0 extracts on the writer thread instead.

Workers also do the page's other pure work for the writer (:class:`archive.prepare.Derived`:
the raw body's hash and compression, the change hash, the folded search document). The
learned boilerplate lines a worker removes are the pipeline's cached set, read again when a
stored page made a line learned and otherwise at most every few seconds (they change
slowly). A worker that dies
(killed, out of memory) is not fatal: the pages it had are extracted in the crawl's process,
and so is every page after it.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import logging
import multiprocessing
import os
import signal
from collections.abc import Collection
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from archive.pagekind import not_text_reason
from archive.prepare import FetchedPage, Prepared, prepare_fetched, warm_up
from archive.sources import Source

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1


def _init_worker(parent: int) -> None:
    # Ctrl-C reaches the whole process group: the crawl's process decides how to stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A crawl killed outright (SIGKILL) must not leave its workers behind (Linux).
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: workers end when their queue closes
        pass
    if os.getppid() != parent:  # the crawl died before prctl took effect
        os._exit(1)


class Extractors:
    """A pool of ``processes`` extraction workers (spawned, not forked: the crawl's process
    has threads and open database connections)."""

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self._pool: ProcessPoolExecutor | None = None
        if processes > 0:
            self._pool = ProcessPoolExecutor(
                processes,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker,
                initargs=(os.getpid(),),
            )
            for _ in range(processes):  # start them now, while the crawl fetches sitemaps
                self._pool.submit(warm_up)

    @property
    def running(self) -> bool:
        return self._pool is not None

    async def prepare(
        self, page: FetchedPage, source: Source, learned: Collection[str]
    ) -> Prepared | None:
        """The page's extraction from a worker; None when the caller must extract it itself
        (no workers, not a text document, or the worker failed)."""
        pool = self._pool
        if pool is None or not_text_reason(page.headers.get("content-type")):
            return None
        try:
            future = pool.submit(prepare_fetched, page, source, learned)
            return await asyncio.wrap_future(future)
        except (BrokenProcessPool, RuntimeError) as exc:  # RuntimeError: pool shut down
            if self._pool is pool:
                log.warning("extraction worker lost (%s): extracting in this process", exc)
                self.stop()
            return None
        except Exception:  # a bug in a worker: the crawl's process tries again, and records
            log.exception("%s: extraction in a worker failed", page.final_url)
            return None

    def stop(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
