"""Building many originals on all cores: a process pool with a bounded window, results recorded as they come."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any, Callable, Iterable

from .errors import BadImage
from .ingest import missing_formats, record
from .originals import content_id
from .pipeline import process_original
from .variants import FORMATS

Outcome = str | ValueError  # an image id, or why the file was refused


class _Inline(Executor):
    """One worker: run in this process (no start-up cost; what tests and tiny imports use)."""

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[override]
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller through the future
            future.set_exception(exc)
        return future


def worker_count(configured: int) -> int:
    """Processes to use: the configured number, or one per CPU core for 0."""
    return configured or os.cpu_count() or 1


def build_images(
    database: Any,
    data_dir: Path,
    names: Iterable[str],
    load: Callable[[str], bytes],
    *,
    max_bytes: int,
    max_pixels: int,
    workers: int = 0,
    force: bool = False,
    on_done: Callable[[], None] | None = None,
) -> dict[str, Outcome]:
    """Each name's image id (variants built and recorded) or the ValueError that refused it.

    ``load`` reads a name's bytes in this process (ValueError if it cannot); images already complete are
    skipped unless ``force``. At most two images per worker are in flight, so memory stays bounded.
    """
    workers = worker_count(workers)
    results: dict[str, Outcome] = {}
    inflight: dict[str, tuple[Future, list[str]]] = {}  # by content id; duplicates share one build
    threads = 1 if workers > 1 else 0  # one AVIF thread per process when the processes already fill the cores
    executor: Executor
    if workers == 1:
        executor = _Inline()
    else:
        executor = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("forkserver"))

    def settle(block_until: int) -> None:
        while len(inflight) > block_until:
            done, _ = wait([f for f, _ in inflight.values()], return_when=FIRST_COMPLETED)
            for digest in [d for d, (f, _) in inflight.items() if f in done]:
                future, waiting = inflight.pop(digest)
                try:
                    processed = future.result()
                    record(database, processed)
                    outcome: Outcome = processed.id
                except BadImage as exc:
                    outcome = exc
                for name in waiting:
                    results[name] = outcome
                    if on_done:
                        on_done()

    try:
        for name in names:
            if name in results or any(name in waiting for _, waiting in inflight.values()):
                continue
            try:
                data = load(name)
            except ValueError as exc:
                results[name] = exc
                if on_done:
                    on_done()
                continue
            digest = content_id(data)
            if digest in inflight:
                inflight[digest][1].append(name)
                continue
            todo = list(FORMATS) if force else missing_formats(database.read(), digest)
            if not todo:
                results[name] = digest  # already built: no decoding, no encoding, no writing
                if on_done:
                    on_done()
                continue
            future = executor.submit(
                process_original, data, name=name, data_dir=data_dir, max_bytes=max_bytes, max_pixels=max_pixels,
                formats=todo, threads=threads,
            )
            del data
            inflight[digest] = (future, [name])
            settle(2 * workers - 1)
        settle(0)
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
    return results
