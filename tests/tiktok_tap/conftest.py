"""Fixtures of the tap-tiktok-ads tests: real TikTok payloads and a small sandbox of our own."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from ads_kit.sandbox.client import SandboxClient
from ads_kit.sandbox.pytest_plugin import running_sandbox
from tests.meta_tap import conftest as meta_conftest
from tests.meta_tap.conftest import TapRun, landed, parse_output, pin_tap_clock, select

__all__ = ["TapRun", "landed", "parse_output", "pin_tap_clock", "select"]

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "tiktok"
# 20:30 UTC: Asia/Tokyo is already on 2026-11-26 (its first hours reported), Berlin and Los Angeles on
# the 25th; tap processes read the same instant through ADS_NOW (``pin_tap_clock``).
NOW = datetime(2026, 11, 25, 20, 30, tzinfo=UTC)
# A small world keeps a full sync (entities, reports by day and hour, audience reports, unified) to seconds.
WORLD = {"seed": 11, "ads_per_account": 4, "accounts_per_platform": 3, "history_days": 60, "now": NOW}
FAST_SANDBOX = {
    "tiktok_task_seconds": 0.05,
    "tiktok_qpm_lockout_seconds": 1,
    "limits": {"tiktok": {"app": ["10000/second"], "account": ["10000/second"]}},
}


def payload(name: str) -> Any:
    """A real TikTok payload copied from the fixture corpus (provenance in <name>.source.txt)."""
    return json.loads((FIXTURES / name).read_text(), parse_float=Decimal)


@pytest.fixture(scope="package")
def tiktok_sandbox() -> Iterator[SandboxClient]:
    with running_sandbox(settings=FAST_SANDBOX, **WORLD) as client:
        yield client


@pytest.fixture
def sandbox_tiktok(tiktok_sandbox: SandboxClient, monkeypatch: pytest.MonkeyPatch) -> SandboxClient:
    """The package sandbox with faults, counters, log, settings and the world's clock reset; tap
    processes read the world's instant."""
    tiktok_sandbox.reset()
    pin_tap_clock(tiktok_sandbox, monkeypatch)
    return tiktok_sandbox


def tap_config(sandbox: SandboxClient, tmp_path: Path, **overrides: Any) -> dict[str, Any]:
    tiktok = sandbox.platform("tiktok")
    config = {
        "access_token": tiktok["access_token"],
        "app_id": tiktok["client_id"],
        "secret": tiktok["client_secret"],
        "api_base_url": tiktok["base_url"],
        "date_range": {"type": "last_n_days", "days": 20},
        "dead_letter_path": str(tmp_path / "dead-letters.jsonl"),
        "qpm_lockout_seconds": 1,
        # The sandbox's own limits are lifted too; client-side limits are tested in ads_kit.
        "rate_limiting": {
            "max_retries": 4,
            "backoff_multiplier": 0.05,
            "burst": 10000,
            "requests_per_minute": 100000,
            "requests_per_hour": 1000000,
        },
    }
    config.update(overrides)
    return config


# The tap process and its discovery, as the Meta tests run them.
run_tap = partial(meta_conftest.run_tap, module="tap_tiktok_ads")
discover = partial(meta_conftest.discover, module="tap_tiktok_ads")
