"""What the dashboard shows, as plain data: per folder of audits its days, its passing streak,
its gates over time, and the pages each lives on. Audits are read as the JSON they are (any
schema version ``store`` accepts), so every field is looked at with care, never trusted."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from gacheck.history.archive import AuditFolder
from gacheck.history.store import PastAudit

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def slug(text: str, taken: set[str] | None = None) -> str:
    """A file name made of ASCII letters, digits, ``-`` and ``_`` for any text (gate ids may
    hold HTML, quotes, slashes, non-ASCII); a short hash tells apart texts that differ only in
    what was replaced. ``taken`` (updated) keeps names unique within one folder."""
    plain = _UNSAFE.sub("-", text).strip("-")[:60] or "x"
    name = plain if plain == text else f"{plain}-{hashlib.sha1(text.encode()).hexdigest()[:8]}"
    if taken is not None:
        base, n = name, 1
        while name.lower() in taken:
            n += 1
            name = f"{base}-{n}"
        taken.add(name.lower())
    return name


@dataclass(frozen=True)
class Page:
    """One audit and the page it gets."""

    audit: PastAudit
    page: str  # relative to the site root
    partial: bool

    @property
    def doc(self) -> dict[str, Any]:
        return self.audit.document

    @property
    def day(self) -> str:
        return self.audit.evaluated_at.date().isoformat()


@dataclass(frozen=True)
class Day:
    """A UTC day: its last full audit speaks for it; a day with partial audits only is shown
    as partial, never as a pass."""

    date: str
    verdict: str  # pass, warn, fail, incomplete, or partial
    page: Page


@dataclass(frozen=True)
class GatePoint:
    page: Page
    gate: dict[str, Any]

    @property
    def status(self) -> str:
        return str(self.gate.get("status", ""))

    @property
    def value(self) -> float | None:
        value = self.gate.get("value")
        return float(value) if isinstance(value, int | float) and not isinstance(
            value, bool) else None

    @property
    def waived(self) -> bool:
        return self.status == "waived" or self.gate.get("measured_status") not in (None, "")

    def level(self, name: str) -> float | None:
        threshold = self.gate.get("threshold")
        bound = threshold.get(name) if isinstance(threshold, dict) else None
        return float(bound) if isinstance(bound, int | float) and not isinstance(
            bound, bool) else None


@dataclass(frozen=True)
class GateView:
    id: str
    page: str
    points: list[GatePoint]  # one per day with a full audit that has the gate, oldest first

    @property
    def latest(self) -> GatePoint:
        return self.points[-1]

    @property
    def title(self) -> str:
        return str(self.latest.gate.get("title") or self.id)


@dataclass(frozen=True)
class FolderView:
    name: str
    slug: str
    pages: list[Page]  # full and partial audits, oldest first
    days: list[Day]
    gates: list[GateView]
    streak: int
    skipped: list[str]

    @property
    def latest(self) -> Page | None:
        """The last full audit; without one, the last partial audit (shown as partial)."""
        full = [d.page for d in self.days if not d.page.partial]
        return full[-1] if full else (self.days[-1].page if self.days else None)

    @property
    def index(self) -> str:
        return f"{self.slug}/audits/index.html"


def _pages(folder: AuditFolder, prefix: str) -> list[Page]:
    taken: set[str] = {"index"}
    pages = []
    marked = [(a, False) for a in folder.audits] + [(a, True) for a in folder.partial]
    for audit, partial in sorted(marked, key=lambda m: m[0].evaluated_at):
        try:
            relative = audit.path.relative_to(folder.directory).with_suffix("").as_posix()
        except ValueError:
            relative = audit.path.stem
        pages.append(Page(audit, f"{prefix}/audits/{slug(relative, taken)}.html", partial))
    return pages


def _days(pages: list[Page]) -> list[Day]:
    by_date: dict[str, Day] = {}
    for page in pages:  # oldest first: a later full audit of the day replaces an earlier one
        current = by_date.get(page.day)
        if page.partial:
            if current is None or current.page.partial:
                by_date[page.day] = Day(page.day, "partial", page)
        else:
            by_date[page.day] = Day(page.day, str(page.doc.get("verdict", "incomplete")), page)
    return [by_date[d] for d in sorted(by_date)]


def _streak(days: list[Day]) -> int:
    """Latest consecutive days whose full audit passed (days with partial audits only are not
    days of the release's audit; they neither count nor break it, as in ``gacheck history``)."""
    count = 0
    for day in reversed([d for d in days if d.verdict != "partial"]):
        if day.verdict != "pass":
            break
        count += 1
    return count


def _gates(days: list[Day], prefix: str) -> list[GateView]:
    """Gates over the days with a full audit; a folder of partial audits only (``gacheck
    demo`` skips the gates it cannot run) shows its partial days, marked so on every page."""
    full = [d for d in days if d.verdict != "partial"]
    points: dict[str, list[GatePoint]] = {}
    for day in full or days:
        for gate in day.page.doc.get("gates", []):
            points.setdefault(gate["id"], []).append(GatePoint(day.page, gate))
    latest = full or days
    order = [g["id"] for g in latest[-1].page.doc.get("gates", [])] if latest else []
    order += [gid for gid in points if gid not in order]  # gates the config no longer has
    taken: set[str] = set()
    return [GateView(gid, f"{prefix}/gates/{slug(gid, taken)}.html", points[gid])
            for gid in order]


def build_folder(folder: AuditFolder, taken: set[str]) -> FolderView:
    prefix = slug(folder.name, taken)
    pages = _pages(folder, prefix)
    days = _days(pages)
    return FolderView(folder.name, prefix, pages, days, _gates(days, prefix), _streak(days),
                      list(folder.skipped))
