"""Which headers a response must declare: classes, per-status and per-path rules, exemptions.

Status codes arrive as YAML ints (``200``), strings (``"200"``), ranges (``"2XX"``, ``"4xx"``)
or ``default``; they are normalised once so that every comparison is between equals.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

_CODE = re.compile(r"^[1-5](?:\d\d|XX)$")


def normalize_code(key: Any) -> str | None:
    """``"200"``, ``"2XX"`` or ``"default"``; ``None`` for keys that are not response codes."""
    if isinstance(key, bool):
        return None
    text = str(key).strip()
    if text.lower() == "default":
        return "default"
    text = text.upper()
    return text if _CODE.match(text) else None


def code_matches(code: str, selector: str) -> bool:
    """``"2XX"`` selects ``"200"`` and ``"2XX"``; ``"429"`` selects only ``"429"``."""
    if selector == "default" or code == "default":
        return selector == code
    if selector.endswith("XX"):
        return code[0] == selector[0]
    return code == selector


@dataclass(frozen=True)
class Rule:
    """Extra (or fewer) headers for the responses it selects; empty selectors select all."""

    require: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()

    def selects(self, path: str, method: str, code: str) -> bool:
        return (
            (not self.status or any(code_matches(code, s) for s in self.status))
            and (not self.paths or any(fnmatchcase(path, p) for p in self.paths))
            and (not self.methods or method in self.methods)
        )


@dataclass(frozen=True)
class Exemption:
    path: str
    """An fnmatch pattern over the path template, e.g. ``/healthz`` or ``/internal/*``."""
    reason: str
    methods: tuple[str, ...] = ()

    def covers(self, path: str, method: str) -> bool:
        return fnmatchcase(path, self.path) and (not self.methods or method in self.methods)


def _unique(names: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(name.lower(), name)
    return list(seen.values())


@dataclass(frozen=True)
class Policy:
    classes: tuple[str, ...]
    """Which responses are checked: ranges, exact codes or ``default``."""
    require: tuple[str, ...]
    rules: tuple[Rule, ...] = ()
    exempt: tuple[Exemption, ...] = ()

    @classmethod
    def build(
        cls,
        classes: Sequence[str],
        require: Sequence[str],
        rules: Sequence[Rule] = (),
        exempt: Sequence[Exemption] = (),
    ) -> Policy:
        return cls(
            classes=tuple(normalize_code(c) or c for c in classes),
            require=tuple(require),
            rules=tuple(
                Rule(
                    require=r.require,
                    ignore=r.ignore,
                    status=tuple(normalize_code(s) or s for s in r.status),
                    paths=r.paths,
                    methods=tuple(m.lower() for m in r.methods),
                )
                for r in rules
            ),
            exempt=tuple(
                Exemption(e.path, e.reason, tuple(m.lower() for m in e.methods)) for e in exempt
            ),
        )

    def exemption(self, path: str, method: str) -> Exemption | None:
        return next((e for e in self.exempt if e.covers(path, method)), None)

    def required(self, path: str, method: str, code: str) -> list[str] | None:
        """Header names this response must declare, or ``None`` when it is not checked."""
        if not any(code_matches(code, c) for c in self.classes):
            return None
        names = list(self.require)
        for rule in self.rules:
            if rule.selects(path, method, code):
                names.extend(rule.require)
                dropped = {name.lower() for name in rule.ignore}
                names = [n for n in names if n.lower() not in dropped]
        return _unique(names)
