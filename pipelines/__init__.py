"""Dagster definitions for econ-indicators: a thin layer over the `econ_indicators` library."""

import os

# A run builds and drops tables of millions of rows stage after stage. Arrow's default allocator
# (mimalloc) keeps freed pages, so the resident size climbs with each stage (peak 952 MB against
# 662 MB with the system allocator, on a refresh of 10,000 documents; benchmarks/RESULTS.md).
# The variable is read when Arrow first allocates; set_memory_pool covers an earlier import.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")

import pyarrow as pa  # noqa: E402

pa.set_memory_pool(pa.system_memory_pool())
