"""Dagster definitions for econ-indicators: a thin layer over the `econ_indicators` library."""

import pyarrow as pa

# A run builds and drops tables of millions of rows stage after stage. Arrow's default allocator
# (mimalloc) keeps freed pages, so the resident size climbs with each stage (1.05 GB against
# 0.75 GB with the system allocator, on a refresh of 10,000 documents; benchmarks/RESULTS.md).
pa.set_memory_pool(pa.system_memory_pool())
