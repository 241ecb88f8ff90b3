"""Subcommands. Each module has ``NAME``, ``HELP``, ``add_arguments(parser)`` and
``run(args) -> int``; it imports only the standard library at module level, so that building
the parser (and ``gacheck --help``) stays fast.
"""
