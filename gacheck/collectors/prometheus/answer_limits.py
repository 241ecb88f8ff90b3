"""How much of an answer is read: the errors past ``[prometheus].max_body`` and
``max_series``, and the series counted in an answer's bytes while they arrive."""

from __future__ import annotations

from gacheck.core.errors import CollectorError


class BodyTooLarge(CollectorError):
    """An answer bigger than ``[prometheus].max_body`` once decompressed; not read further."""


class TooManySeries(BodyTooLarge):
    """An answer with more series than ``[prometheus].max_series``."""

    def __init__(self, count: int | None, limit: int) -> None:
        found = (f"{count:,} series, more than [prometheus].max_series ({limit:,})"
                 if count is not None else
                 f"more than {limit:,} series ([prometheus].max_series)")
        super().__init__(f"the answer has {found}: aggregate the query (sum by ...) or raise "
                         "max_series")


class SeriesCounter:
    """An upper bound of the series in an answer, counted in its bytes as they arrive, so a
    flood of series stops after ``max_series`` of them instead of being read and decoded
    whole. Each series has one ``"metric"`` key and one ``"value"``/``"values"`` key; inside
    a JSON string a quote is escaped, so each count is at least the number of series (a
    label named or valued like them adds to one count, hence the smaller of the two)."""

    KEYS = (b'"metric"', b'"value')
    KEEP = max(len(k) for k in KEYS) - 1
    """Bytes of the previous piece kept, so that a key split between two pieces is counted."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.counts = [0] * len(self.KEYS)
        self.tail = b""

    def feed(self, piece: bytes) -> None:
        head, tail = piece[:self.KEEP], self.tail
        joint = tail + head
        for index, key in enumerate(self.KEYS):
            # keys wholly in the tail were counted before, keys wholly in the head are in the
            # piece's own count: what the joint adds is the keys that straddle the two
            straddling = joint.count(key) - tail.count(key) - head.count(key)
            self.counts[index] += piece.count(key) + straddling
        self.tail = (tail + piece[-self.KEEP:])[-self.KEEP:]
        if min(self.counts) > self.limit:
            raise TooManySeries(None, self.limit)


def size_text(size: int) -> str:
    for unit, factor in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= factor:
            return f"{size / factor:g} {unit}"
    return f"{size} bytes"
