"""pytest fixtures for the sandbox (entry point `ads_sandbox`).

* ``sandbox`` (session): a sandbox with seed 7 started as a subprocess, its world pinned at
  ``PINNED_NOW`` (tests pin the clock rather than hope for a convenient hour), as its SandboxClient;
* ``sandbox_clean`` (function): the same sandbox with faults, counters, the log and limit windows reset;
* ``running_sandbox(seed=..., **options)``: a context manager for a sandbox of one's own.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ads_kit.sandbox.client import SandboxClient
from ads_kit.sandbox.process import DEFAULT_SEED, SandboxStartError, running_sandbox

__all__ = ["PINNED_NOW", "SandboxStartError", "running_sandbox", "sandbox", "sandbox_clean"]

# 15:30 UTC: Asia/Tokyo is already on the next day, the Americas still on this one.
PINNED_NOW = "2026-11-25T15:30:00+00:00"


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxClient]:
    with running_sandbox(DEFAULT_SEED, now=PINNED_NOW) as client:
        yield client


@pytest.fixture
def sandbox_clean(sandbox: SandboxClient) -> SandboxClient:
    sandbox.reset()
    return sandbox
