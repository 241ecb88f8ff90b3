"""Reports: the audit as JSON, Markdown and terminal text, and where they are written."""
