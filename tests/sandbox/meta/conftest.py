"""One sandbox (seed 7, today pinned) shared by the Meta emulator tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from meta_graph import NOW, Graph

from ads_kit.sandbox.client import SandboxClient
from ads_kit.sandbox.pytest_plugin import running_sandbox
from ads_kit.sandbox.world import World


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxClient]:
    with running_sandbox(7, now=NOW, settings={"meta_job_seconds": 0.3}) as client:
        yield client


@pytest.fixture
def meta(sandbox: SandboxClient) -> Graph:
    sandbox.reset()
    return Graph(sandbox)


@pytest.fixture(scope="session")
def world(sandbox: SandboxClient) -> World:
    return sandbox.world()
