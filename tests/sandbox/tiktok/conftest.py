"""The sandbox the TikTok emulator tests share (`tiktok_api.serve`), its world, a fresh client per test."""

from __future__ import annotations

import pytest
from tiktok_api import TikTok, serve

from ads_kit.sandbox.client import SandboxClient
from ads_kit.sandbox.world import World

sandbox = pytest.fixture(scope="session", name="sandbox")(serve)


@pytest.fixture(scope="session")
def world(sandbox: SandboxClient) -> World:
    return sandbox.world()


@pytest.fixture
def tiktok(sandbox: SandboxClient) -> TikTok:
    return TikTok.fresh(sandbox)
