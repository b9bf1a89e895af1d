"""pytest fixtures for the sandbox (entry point `ads_sandbox`).

* ``sandbox`` (session): a sandbox with seed 7 started as a subprocess, as its SandboxClient;
* ``sandbox_clean`` (function): the same sandbox with faults, counters, the log and limit windows reset;
* ``running_sandbox(seed=..., **options)``: a context manager for a sandbox of one's own.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ads_kit.sandbox.client import SandboxClient
from ads_kit.sandbox.process import DEFAULT_SEED, SandboxStartError, running_sandbox

__all__ = ["SandboxStartError", "running_sandbox", "sandbox", "sandbox_clean"]


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxClient]:
    with running_sandbox(DEFAULT_SEED) as client:
        yield client


@pytest.fixture
def sandbox_clean(sandbox: SandboxClient) -> SandboxClient:
    sandbox.reset()
    return sandbox
