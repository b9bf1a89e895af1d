from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from ads_kit.sandbox.server import Sandbox
from ads_kit.sandbox.world import World

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
ECHO = "sandbox_echo_plugin:EchoEmulator"


class InProcessSandbox:
    """A Sandbox served from a background event loop, with only the echo plug-in loaded (or the
    plug-ins of `registry`; `workdir` receives the TLS certificate the gRPC plug-ins serve with)."""

    def __init__(
        self,
        seed: int = 7,
        settings: dict[str, Any] | None = None,
        registry: dict[str, list[str]] | None = None,
        workdir: Path | None = None,
    ) -> None:
        self.world = World(seed, now=NOW)
        registry = {"meta": [ECHO], "tiktok": [ECHO]} if registry is None else registry
        self.sandbox = Sandbox(self.world, settings, registry=registry, workdir=workdir)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.connection = asyncio.run_coroutine_threadsafe(self.sandbox.start(), self.loop).result(10)
        self.http = requests.Session()

    def url(self, platform: str, path: str) -> str:
        return self.connection["platforms"][platform]["base_url"] + path

    def control(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.http.request(
            method, self.connection["control_url"] + "/__sandbox" + path, timeout=5, **kwargs
        )

    def close(self) -> None:
        self.http.close()
        asyncio.run_coroutine_threadsafe(self.sandbox.stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture
def echo_sandbox() -> Iterator[InProcessSandbox]:
    server = InProcessSandbox()
    yield server
    server.close()


@pytest.fixture
def make_echo_sandbox() -> Iterator[Any]:
    servers: list[InProcessSandbox] = []

    def make(**kwargs: Any) -> InProcessSandbox:
        servers.append(InProcessSandbox(**kwargs))
        return servers[-1]

    yield make
    for server in servers:
        server.close()
