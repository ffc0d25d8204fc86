"""Giving freed memory back to the operating system between the stages of a run.

A run holds one partition's texts, or one window of a table, at a time; but the C heap keeps
what Python objects and Arrow buffers freed, so without this the resident size of a run over
10,000 documents climbed from about 350 MB to 800 MB stage after stage (benchmarks/RESULTS.md).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

import pyarrow as pa


def _libc_trim():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, say): nothing to trim
        return None


_MALLOC_TRIM = _libc_trim()


def release_memory() -> None:
    """Return the unused memory of Arrow's pool and of the C heap to the operating system."""
    pa.default_memory_pool().release_unused()
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)
