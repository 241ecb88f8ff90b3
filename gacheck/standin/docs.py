"""Where the stand-in's own documentation lives: Markdown with examples that run against it
(two broken on purpose), for the ``examples`` gate in the demo."""

from pathlib import Path

DOCS_DIR = Path(__file__).with_name("docs")
