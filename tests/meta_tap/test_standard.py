"""The singer-sdk standard tap tests against the sandbox."""

from __future__ import annotations

import atexit
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from singer_sdk.testing import SuiteConfig, get_tap_test_class

from ads_kit import clock
from ads_kit.sandbox.pytest_plugin import running_sandbox
from tap_meta_ads.tap import TapMetaAds

from .conftest import FAST_SANDBOX, WORLD, tap_config

# The class is built at import time, so the sandbox it reads from starts here and stops at exit
# (also when the tests are collected but deselected).
_sandbox = running_sandbox(settings=FAST_SANDBOX, **WORLD)
_client = _sandbox.__enter__()
atexit.register(_sandbox.__exit__, None, None, None)
_workdir = Path(tempfile.mkdtemp(prefix="tap-meta-ads-standard-"))
CONFIG = tap_config(_client, _workdir, date_range={"type": "last_n_days", "days": 7})


@pytest.fixture(autouse=True, scope="class")
def _tap_reads_the_sandbox_instant() -> Iterator[None]:
    """Class-scoped: the suite's class-scoped runner syncs once, before any function fixture."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv(clock.ENV_VAR, _client.now().isoformat())
        yield


TestTapMetaAds = get_tap_test_class(
    TapMetaAds,
    config=json.loads(json.dumps(CONFIG)),
    suite_config=SuiteConfig(
        max_records_limit=50,
        # Findings and failures exist only when something is off; a clean sandbox run has none.
        ignore_no_records_for_streams=["unified_dead_letters", "unified_data_quality"],
    ),
)
