"""Collectors fetch evidence from the outside world: processes, Prometheus, HTTP, git, files."""
