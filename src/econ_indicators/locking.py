"""Locking: one run at a time writes an output root, and a Dagster instance is created once.

An exclusive lock file (`filelock`, an OS lock released when its process dies, kill -9
included) beside the outputs: `<out>/.econ-indicators.lock` for a local root; for an object
store, a lock file in the local temporary folder named after the root's URL (which keeps runs
on one machine apart, not runs on several: a cluster has its own run queue for that).
"""

from __future__ import annotations

import contextlib
import hashlib
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from .storage import Root

LOCK_NAME = ".econ-indicators.lock"
INIT_LOCK_NAME = ".econ-indicators-init.lock"


class Busy(RuntimeError):
    """Another process holds the lock and the caller chose not to wait."""


def lock_path(root: Root) -> Path:
    """Where the lock of an output root lives (the folder is created when needed)."""
    if root.is_local:
        folder = root.local_path()
        folder.mkdir(parents=True, exist_ok=True)
        return folder / LOCK_NAME
    name = hashlib.sha256(root.url.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"econ-indicators-{name}.lock"


def out_lock(root: Root) -> FileLock:
    """The process's one lock object for `root` (re-entrant: the CLI and the assets of its run
    both take it)."""
    return FileLock(lock_path(root), thread_local=False, is_singleton=True)


def acquire(lock: FileLock, wait: bool = True, waiting: Callable[[], None] = lambda: None) -> None:
    """Take `lock`: at once when free (or already held by this process); else call `waiting`
    and block until it is free, or raise Busy when `wait` is false."""
    try:
        lock.acquire(timeout=0)
        return
    except Timeout:
        if not wait:
            raise Busy(f"another run holds {lock.lock_file}") from None
    waiting()
    lock.acquire()


@contextlib.contextmanager
def exclusive(root: Root, wait: bool = True, waiting: Callable[[], None] = lambda: None) -> Iterator[None]:
    """Hold the lock of the output root `root` for the block (see `acquire`)."""
    lock = out_lock(root)
    acquire(lock, wait, waiting)
    try:
        yield
    finally:
        lock.release(force=True)  # and whatever the assets of a failed run left taken


@contextlib.contextmanager
def initialising(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock in `folder` (a DAGSTER_HOME) while its instance is created and its
    storage set up, so that two first runs never build its databases at the same time."""
    folder.mkdir(parents=True, exist_ok=True)
    with FileLock(folder / INIT_LOCK_NAME, thread_local=False):
        yield
