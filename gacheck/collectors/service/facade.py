"""What the SDK-driven kinds share: where the façade is, its token, the model, one SDK client."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

from pydantic import Field

from gacheck.config.model import Duration
from gacheck.config.params import Params
from gacheck.context import Context
from gacheck.core.deadline import monotonic
from gacheck.core.errors import GateError

INVALID_TOKEN = "gacheck-invalid-token-for-this-check"


@contextlib.contextmanager
def exclusive(ctx: Context) -> Iterator[float]:
    """Gates that drive the façade take turns, so that one's traffic does not skew another's
    timings (the engine runs gates concurrently). Yields the seconds spent waiting."""
    lock = ctx.shared("facade:exclusive", threading.Lock)
    started = monotonic()
    with lock:
        yield monotonic() - started


class FacadeParams(Params):
    base_url: str = Field(default="http://127.0.0.1:8000", pattern=r"^https?://[^\s/]+",
                          description="the façade root; the SDK is given <base_url>/v1")
    token_env: str | None = Field(default=None, description="env variable holding the API key")
    model: str | None = Field(default=None,
                              description="default: the first id models.list returns")
    call_timeout: Duration = Field(default=30.0, description="time limit of one SDK call")
    headers: dict[str, str] = Field(default_factory=dict, description="sent with every call")


class Facade:
    """One SDK client per gate run, with the token read through ``ctx.secrets``."""

    def __init__(self, params: FacadeParams, ctx: Context) -> None:
        from gacheck.collectors.service.openai_calls import build_client

        self.base_url = (ctx.overrides.facade_url or params.base_url).rstrip("/")
        if not self.base_url.startswith(("http://", "https://")):
            raise GateError(f"base URL must start with http:// or https://, got {self.base_url!r}")
        self.notes: list[str] = []
        token = ctx.secrets.from_env(params.token_env)
        if params.token_env and not token:
            self.notes.append(f"env {params.token_env} is not set: calls carry a placeholder key")
        self.token_env = params.token_env
        self.params = params
        try:
            self.client = build_client(self.base_url, token or "gacheck-no-key",
                                       params.call_timeout, dict(params.headers))
        except ImportError:
            raise GateError("the openai SDK is not installed: pip install 'gacheck[openai]'"
                            ) from None
        self._model = params.model

    def with_key(self, key: str) -> Any:
        """The same client with another key."""
        return self.client.with_options(api_key=key)

    def model(self) -> str:
        """The configured model, else the first one the façade lists."""
        if self._model:
            return self._model
        try:
            listed = self.client.models.list()
            first = next(iter(listed.data), None)
        except Exception as exc:
            raise GateError(f"cannot list models at {self.base_url}/v1/models to pick one: "
                            f"{type(exc).__name__}: {exc}") from None
        if first is None:
            raise GateError(f"{self.base_url}/v1/models lists no model; set model = ...")
        self._model = str(first.id)
        self.notes.append(f"model {self._model!r} taken from models.list")
        return self._model

    def client_line(self) -> str:
        """How to build the same client, the key as an env variable reference."""
        key = f'os.environ["{self.token_env}"]' if self.token_env else '"..."'
        return f'client = OpenAI(base_url="{self.base_url}/v1", api_key={key}, max_retries=0)'

    def close(self) -> None:
        self.client.close()
