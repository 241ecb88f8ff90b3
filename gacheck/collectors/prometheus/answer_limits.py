"""How much of an answer is read: the errors past ``[prometheus].max_body`` and
``max_series``, and the series (and a range answer's samples per series) counted in an
answer's bytes while they arrive."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

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


class MoreSamplesThanAsked(CollectorError):
    """A range answer with a series of more samples than the query has instants, seen while
    it is read: no Prometheus answers that (one sample per instant at most)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"a series has more samples than the query's {limit:,} "
                         f"instant{'s' if limit != 1 else ''}")


class SampleCounter:
    """The samples of each series of a range answer, counted in its bytes as they arrive, so
    that one series of millions of samples (a broken or hostile server) stops when it passes
    the query's instants instead of being read whole; ``decode_points`` checks it exactly.

    Counted: the ``[`` from a ``"values":[`` key to the next key (the next ``":``). Outside a
    string those bytes are a key; inside one a quote is escaped (``\\"``), so a label value
    never starts a count, and a well-formed values list has no key and no ``[`` in its strings
    (they are numbers): its count is its samples plus one, exactly. Anything else can only
    stop a count early, never raise it: written with blanks (``"values": [``), it is not
    counted here at all."""

    KEY = b'"values'
    KEEP = len(KEY) + 1
    """Bytes of the previous piece kept, so that a key split between two pieces is found."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.count: int | None = None
        """``[`` counted since the last ``"values":[``; ``None`` outside a values list."""
        self.tail = b""
        self.pending = False
        """A ``"values":`` key ended the previous piece: whether a list follows is in this one."""

    def feed(self, piece: bytes) -> None:
        if not piece:
            return
        if self.pending:
            self.pending = False
            self.count = 0 if piece[:1] == b"[" else None
        data, new = self.tail + piece, len(self.tail)
        counted, search = new, max(0, new - 1)  # a '":' whose '"' ended the previous piece
        while True:
            key = data.find(b'":', search)
            end = len(data) if key < 0 else max(key, counted)
            if self.count is not None:
                self.count += data.count(b"[", counted, end)
                if self.count - 1 > self.limit:  # the list's own '[' is not a sample
                    raise MoreSamplesThanAsked(self.limit)
            if key < 0:
                break
            counted = search = key + 2
            self.count = None
            if key >= len(self.KEY) and data[key - len(self.KEY):key] == self.KEY:
                if key + 2 == len(data):
                    self.pending = True
                elif data[key + 2:key + 3] == b"[":
                    self.count = 0
        self.tail = data[-self.KEEP:]


def instants_asked(url: str) -> int | None:
    """The instants of a ``query_range`` request (from its ``start``, ``end`` and ``step``,
    in whole milliseconds as Prometheus counts them); ``None`` for any other request."""
    parts = urlsplit(url)
    if not parts.path.endswith("/api/v1/query_range"):
        return None
    params = dict(parse_qsl(parts.query))
    try:
        start, end, step = (round(float(params[name]) * 1000) for name in ("start", "end", "step"))
    except (KeyError, ValueError, OverflowError):  # a step like "1m": not ours, not counted
        return None
    if step <= 0 or end < start:
        return None
    return (end - start) // step + 1


AnswerCounter = SeriesCounter | SampleCounter


def answer_counters(max_series: int | None, instants: int | None) -> list[AnswerCounter]:
    """What an answer's bytes are counted for while they arrive: its series (at most
    ``max_series``), and for a range query its samples per series (at most ``instants``)."""
    counters: list[AnswerCounter] = []
    if max_series is not None:
        counters.append(SeriesCounter(max_series))
    if instants is not None:
        counters.append(SampleCounter(instants))
    return counters


def size_text(size: int) -> str:
    for unit, factor in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= factor:
            return f"{size / factor:g} {unit}"
    return f"{size} bytes"
