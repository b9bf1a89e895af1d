"""One sandbox (seed 7, pinned) for the Google Ads emulator tests, read with the real GoogleAdsClient.

GRPC_DEFAULT_SSL_ROOTS_FILE_PATH is read once per process, when the first TLS channel is made
(reference §6.2 A''), so it is set here, from the session sandbox's certificate, before any client
exists; every test of this folder then trusts that one sandbox.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from google_ads_client import NOW, Ads

from ads_kit.sandbox.client import SandboxClient
from ads_kit.sandbox.pytest_plugin import running_sandbox
from ads_kit.sandbox.world import World


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxClient]:
    with running_sandbox(7, now=NOW) as client:
        os.environ["GRPC_DEFAULT_SSL_ROOTS_FILE_PATH"] = client.connection["tls_cert"]
        os.environ.setdefault("GRPC_VERBOSITY", "ERROR")
        yield client


@pytest.fixture
def ads(sandbox: SandboxClient) -> Iterator[Ads]:
    sandbox.reset()
    client = Ads(sandbox)
    yield client
    client.restore_settings()


@pytest.fixture(scope="session")
def world(sandbox: SandboxClient) -> World:
    return sandbox.world()
