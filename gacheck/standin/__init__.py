"""A local OpenAI-compatible stand-in façade, for ``gacheck demo`` and the tests."""
