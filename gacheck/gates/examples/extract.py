"""Fenced code examples in Markdown: language, file, the line of the opening fence, the code.

Fences are CommonMark's (three or more backticks or tildes, closed by the same character at
least as long). Only ``python`` (``py``, ``python3``) and shell (``sh``, ``bash``, ``shell``,
``curl``) blocks are examples; a block whose preceding line is ``<!-- examples: skip -->`` is
left out. The hosts an example names are the hosts of the ``http(s)://`` URLs in its code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LANGUAGES = {"python": "python", "py": "python", "python3": "python",
             "sh": "sh", "bash": "sh", "shell": "sh", "curl": "sh"}
SKIP_MARK = "<!-- examples: skip -->"
_OPEN = re.compile(r"^( {0,3})(`{3,}|~{3,})\s*([^\s`{]*)")
_URL_HOST = re.compile(r"\bhttps?://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)")


@dataclass(frozen=True)
class Example:
    file: str
    line: int
    language: str
    code: str

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    def hosts(self) -> list[str]:
        return sorted({h.strip("[]").lower() for h in _URL_HOST.findall(self.code)})


def extract(text: str, file: str) -> list[Example]:
    lines = text.splitlines()
    found: list[Example] = []
    number = 0
    while number < len(lines):
        match = _OPEN.match(lines[number])
        if match is None:
            number += 1
            continue
        fence, language = match.group(2), match.group(3).lower()
        start = number
        body: list[str] = []
        number += 1
        while number < len(lines):
            stripped = lines[number].strip()
            if stripped.startswith(fence[0] * len(fence)) and not stripped.strip(fence[0]):
                break
            body.append(lines[number])
            number += 1
        number += 1
        previous = next((lines[i].strip() for i in range(start - 1, -1, -1)
                         if lines[i].strip()), "")
        if language in LANGUAGES and previous != SKIP_MARK:
            found.append(Example(file, start + 1, LANGUAGES[language], "\n".join(body) + "\n"))
    return found
