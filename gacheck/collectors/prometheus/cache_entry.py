"""One cache entry on disk: its format, checked when read back, and the index of entries.

A file is ``MAGIC``, the header's length, a JSON header (key, span, each series' labels and
sample count, a SHA-256 of what follows) and the arrays, little-endian. Everything is
validated before use (``decode_entry``): an entry is untrusted input like any server answer.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import struct
import threading
from pathlib import Path
from typing import Any

from gacheck.collectors.prometheus.chunks import Chunk, Span
from gacheck.collectors.prometheus.fetch import Block, Key

MAGIC = b"GACHECK-CHUNK-1\n"
MAX_HEADER_BYTES = 64 * 2**20
_LENGTH = struct.Struct("<Q")


class EntryIndex:
    """The names of the entries under ``root``, listed on first use (one ``scandir`` per
    folder) and added to as entries are written; an entry written by another evaluation
    meanwhile is only missed, never misread: it is fetched again."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._known: set[str] | None = None
        self._lock = threading.Lock()

    def has(self, key: str) -> bool:
        with self._lock:
            if self._known is None:
                self._known = self._listed()
            return key in self._known

    def add(self, key: str) -> None:
        with self._lock:
            if self._known is not None:
                self._known.add(key)

    def _listed(self) -> set[str]:
        known: set[str] = set()
        try:
            folders = [f.path for f in os.scandir(self.root) if f.is_dir(follow_symlinks=False)]
        except OSError:
            return known
        for folder in folders:
            with contextlib.suppress(OSError), os.scandir(folder) as entries:
                known.update(e.name[:-6] for e in entries if e.name.endswith(".chunk"))
        return known


def encode_entry(key: str, block: Block) -> tuple[bytes, list[Any]]:
    """The entry's magic and header, and the arrays that follow it in the file (little-endian,
    contiguous; views of the block's own arrays where they already are)."""
    import numpy as np
    import orjson

    arrays = []
    digest = hashlib.sha256()
    for times, values in block.series.values():
        for array in (np.ascontiguousarray(times, dtype="<i8"),
                      np.ascontiguousarray(values, dtype="<f8")):
            digest.update(array.data.cast("B"))
            arrays.append(array)
    header = {
        "key": key, "first_ms": block.span.first_ms, "last_ms": block.span.last_ms,
        "series": [{"labels": dict(k), "n": int(len(t))} for k, (t, _) in block.series.items()],
        "sha256": digest.hexdigest(),  # a flipped value is caught too
    }
    head = orjson.dumps(header)
    return b"".join([MAGIC, _LENGTH.pack(len(head)), head]), arrays


def decode_entry(raw: bytes, key: str, chunk: Chunk, step_ms: int) -> Block:
    import numpy as np
    import orjson

    if not raw.startswith(MAGIC):
        raise ValueError("bad magic")
    offset = len(MAGIC)
    (head_len,) = _LENGTH.unpack_from(raw, offset)
    offset += _LENGTH.size
    if head_len > min(MAX_HEADER_BYTES, len(raw) - offset):
        raise ValueError("bad header length")
    header = orjson.loads(raw[offset:offset + head_len])
    offset += head_len
    if not isinstance(header, dict) or header.get("key") != key:
        raise ValueError("not this chunk's entry")
    first, last = header["first_ms"], header["last_ms"]
    if not (isinstance(first, int) and isinstance(last, int)):
        raise TypeError("bad span")
    if not chunk.start_ms <= first <= last <= chunk.last_ms or (first - chunk.start_ms) % step_ms:
        raise ValueError("span outside the chunk")
    entries = header["series"]
    if not isinstance(entries, list):
        raise TypeError("bad series list")
    if header.get("sha256") != hashlib.sha256(memoryview(raw)[offset:]).hexdigest():
        raise ValueError("checksum mismatch")
    series: dict[Key, tuple[Any, Any]] = {}
    for entry in entries:
        labels, count = entry["labels"], entry["n"]
        if not isinstance(labels, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in labels.items()):
            raise TypeError("bad labels")
        if not isinstance(count, int) or count < 0 or offset + 16 * count > len(raw):
            raise ValueError("bad sample count")
        times = np.frombuffer(raw, dtype="<i8", count=count, offset=offset).astype(np.int64)
        offset += 8 * count
        values = np.frombuffer(raw, dtype="<f8", count=count, offset=offset).astype(np.float64)
        offset += 8 * count
        if count and (times[0] < first or times[-1] > last or np.any(np.diff(times) <= 0)
                      or np.any((times - first) % step_ms)):
            raise ValueError("instants off the chunk's grid")
        key_of = tuple(sorted(labels.items()))
        if key_of in series:
            raise ValueError("one label set twice")
        series[key_of] = (times, values)
    if offset != len(raw):
        raise ValueError("trailing bytes")
    return Block(Span(first, last), series, cached=True)
