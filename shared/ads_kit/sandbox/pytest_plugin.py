"""pytest fixtures for the sandbox (entry point `ads_sandbox`).

* ``sandbox`` (session): a sandbox with seed 7 started as a subprocess, its world pinned at
  ``PINNED_NOW`` (tests pin the clock rather than hope for a convenient hour), as its SandboxClient;
* ``sandbox_clean`` (function): the same sandbox with faults, counters, the log and limit windows reset;
* ``running_sandbox(seed=..., **options)``: a context manager for a sandbox of one's own.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ads_kit.sandbox.client import SandboxClient
    from ads_kit.sandbox.process import SandboxStartError, running_sandbox

__all__ = ["PINNED_NOW", "SandboxStartError", "running_sandbox", "sandbox", "sandbox_clean"]

# 15:30 UTC: Asia/Tokyo is already on the next day, the Americas still on this one.
PINNED_NOW = "2026-11-25T15:30:00+00:00"

# pytest loads this module in every run wherever ads-kit is installed (the pytest11 entry point), with
# or without the sandbox extra: the sandbox modules are imported when a fixture or a name is used.
_LAZY = {"SandboxStartError", "running_sandbox", "DEFAULT_SEED"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from ads_kit.sandbox import process

        return getattr(process, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxClient]:
    from ads_kit.sandbox.process import DEFAULT_SEED, running_sandbox

    with running_sandbox(DEFAULT_SEED, now=PINNED_NOW) as client:
        yield client


@pytest.fixture
def sandbox_clean(sandbox: SandboxClient) -> SandboxClient:
    sandbox.reset()
    return sandbox
