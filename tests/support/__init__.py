"""What the test folders share: fixtures (registered for every test through ``pytest_plugins``
in ``tests/conftest.py``) and plain helpers that tests import as ``tests.support.<module>``.

- ``environment``: autouse fixtures (no CI variables, a private cache dir, every audit
  checked against the JSON Schema);
- ``cli``: ``run_cli`` (the CLI in-process) and ``write_config``;
- ``gates``: ``repo`` and ``run_gate`` (one gate evaluated in-process, as ``gacheck evaluate``
  does);
- ``clock``: instants relative to the real clock (a future ``--at`` is refused);
- ``ports``: free loopback ports;
- ``facade_server``: a small OpenAI-compatible façade for the smoke tests;
- ``build_cache``: wheels, venvs and hook environments kept between runs, keyed by a hash of
  what goes into them.
"""
