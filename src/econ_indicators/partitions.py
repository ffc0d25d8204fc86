"""Partitions: a fixed, small set of buckets that the raw files fall into by a hash of their path.

Sixteen buckets keep the Dagster UI and instance light at any corpus size (10,000 documents are
about 600 a bucket), and a file stays in its bucket when its content changes, so a changed
file makes exactly one partition out of date. Content hashes decide what changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

PARTITION_KEYS: tuple[str, ...] = tuple(f"{i:x}" for i in range(16))
_EMPTY = hashlib.sha256(b"").hexdigest()


def partition_of(rel_path: str) -> str:
    """The partition of a raw file: the first hex digit of the SHA-256 of its path under the raw root
    (its bytes as the OS names it: a name that is not UTF-8 has a partition too)."""
    return hashlib.sha256(rel_path.encode("utf-8", "surrogateescape")).hexdigest()[0]


def by_partition(rel_paths: Iterable[str]) -> dict[str, list[str]]:
    """Raw files grouped by partition (every partition present, each list sorted)."""
    groups: dict[str, list[str]] = {key: [] for key in PARTITION_KEYS}
    for rel in rel_paths:
        groups[partition_of(rel)].append(rel)
    return {key: sorted(files) for key, files in groups.items()}


def partition_digests(content_hashes: Mapping[str, str | None]) -> dict[str, str]:
    """One digest per partition over its files' paths and content hashes: it changes exactly when
    a file of the partition is added, removed, renamed or edited."""
    digests = {}
    for key, files in by_partition(content_hashes).items():
        digest = hashlib.sha256()
        for rel in files:
            digest.update(f"{rel}\x1f{content_hashes[rel]}\n".encode("utf-8", "surrogateescape"))
        digests[key] = digest.hexdigest()
    return digests


def changed_partitions(previous: Mapping[str, str], current: Mapping[str, str]) -> list[str]:
    """Partitions whose digest differs; a partition absent from `previous` counts as empty."""
    return [key for key in PARTITION_KEYS if current.get(key, _EMPTY) != previous.get(key, _EMPTY)]


def key_span(keys: Iterable[str]) -> tuple[str, str]:
    """The first and last of `keys` in partition order (the range one run covers)."""
    ordered = sorted(keys, key=PARTITION_KEYS.index)
    if not ordered:
        raise ValueError("no partition keys")
    return ordered[0], ordered[-1]
