"""Fixtures of the tap-google-ads-unified tests: real Google payloads and a small sandbox of our own.

The tap runs as a subprocess and trusts the sandbox's TLS certificate through
GRPC_DEFAULT_SSL_ROOTS_FILE_PATH (reference §6.2 A): the tap has no test-only code path.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from meta_tap.conftest import TapRun, landed, parse_output, select

from ads_kit import clock
from ads_kit.sandbox.client import SandboxClient
from ads_kit.sandbox.pytest_plugin import running_sandbox
from ads_kit.sandbox.world import Account, World

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "google_ads"
PLATFORM = "google_ads"
# 15:30 UTC: Tokyo is on the 26th, Sao Paulo and Los Angeles on the 25th; Google reports hours three
# hours after they end, so every customer's today holds some hours.
NOW = datetime(2026, 11, 25, 15, 30, tzinfo=UTC)
# A small world (a sync is a few seconds) with paused and removed campaigns and ads.
WORLD = {"seed": 11, "ads_per_account": 8, "accounts_per_platform": 3, "history_days": 60, "now": NOW}
FAST_SANDBOX = {"limits": {"google_ads": {"app": ["10000/second"], "account": ["10000/second"]}}}
RANGE_DAYS = 20

__all__ = ["TapRun", "landed", "select"]


def payload(name: str) -> Any:
    """A real Google payload copied from the fixture corpus (provenance in <name>.source.txt)."""
    return json.loads((FIXTURES / name).read_text(), parse_float=Decimal)


@pytest.fixture(scope="package")
def google_sandbox() -> Iterator[SandboxClient]:
    with running_sandbox(settings=FAST_SANDBOX, **WORLD) as client:
        yield client


@pytest.fixture
def sandbox_google(google_sandbox: SandboxClient, monkeypatch: pytest.MonkeyPatch) -> SandboxClient:
    """The package sandbox with faults, counters, log, settings and the world's clock reset; tap
    processes read the world's instant and trust its certificate."""
    google_sandbox.reset()
    pin_tap_clock(google_sandbox, monkeypatch)
    monkeypatch.setenv("GRPC_DEFAULT_SSL_ROOTS_FILE_PATH", google_sandbox.connection["tls_cert"])
    monkeypatch.setenv("GRPC_VERBOSITY", "ERROR")
    return google_sandbox


def pin_tap_clock(sandbox: SandboxClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(clock.ENV_VAR, sandbox.now().isoformat())


def tap_config(sandbox: SandboxClient, tmp_path: Path, **overrides: Any) -> dict[str, Any]:
    google = sandbox.platform(PLATFORM)
    config = {
        "client_id": google["client_id"],
        "client_secret": google["client_secret"],
        "refresh_token": google["refresh_token"],
        "developer_token": google["developer_token"],
        "token_url": google["token_url"],
        "api_endpoint": google["grpc_endpoint"],
        "login_customer_id": google["login_customer_id"],
        "date_range": {"type": "last_n_days", "days": RANGE_DAYS},
        "report_type": "performance",
        "dead_letter_path": str(tmp_path / "dead-letters.jsonl"),
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


def _write(tmp_path: Path, name: str, content: dict[str, Any]) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(content))
    return str(path)


def tap_command(config: dict[str, Any], tmp_path: Path, *extra: str) -> list[str]:
    config_file = _write(tmp_path, "config.json", config)
    return [sys.executable, "-m", "tap_google_ads_unified", "--config", config_file, *extra]


def run_tap(
    config: dict[str, Any],
    tmp_path: Path,
    *,
    state: dict[str, Any] | None = None,
    catalog: dict[str, Any] | None = None,
    timeout: float = 120,
) -> TapRun:
    args = tap_command(config, tmp_path)
    if state is not None:
        args += ["--state", _write(tmp_path, "state.json", state)]
    if catalog is not None:
        args += ["--catalog", _write(tmp_path, "catalog.json", catalog)]
    done = subprocess.run(args, capture_output=True, timeout=timeout, check=False, env=os.environ.copy())
    return parse_output(done.stdout, done.stderr.decode(errors="replace"), done.returncode)


def discover(config: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    args = tap_command(config, tmp_path, "--discover")
    return json.loads(subprocess.run(args, capture_output=True, timeout=60, check=True).stdout)


def only(*names: str) -> Callable[[str], bool]:
    return lambda stream: stream in names


# -- the world's truth -------------------------------------------------------------------------------


def major(minor: int, account: Account) -> Decimal:
    return Decimal(minor).scaleb(-account.currency_exponent)


def world_ad_days(world: World, since: date | None = None, days: int = RANGE_DAYS) -> dict[tuple, tuple]:
    """(customer, ad, day) -> (impressions, clicks, spend, conversions, value) for each customer's
    last ``days`` days up to its own today, or from ``since``; days without any number are absent, as
    Google leaves out segmented rows whose metrics are all zero."""
    truth = {}
    for account in world.accounts(PLATFORM):
        last = world.account_today(account)
        first = since or last - timedelta(days=days - 1)
        for ad in world.ads(account.id):
            day = first
            while day <= last:
                metrics = world.ad_day(ad, day)
                if metrics is not None:
                    numbers = (
                        metrics.impressions,
                        metrics.clicks,
                        major(metrics.spend_minor, account),
                        Decimal(metrics.conversions),
                        major(metrics.conversions_value_minor, account),
                    )
                    if any(numbers):
                        truth[(account.id, ad.id, day.isoformat())] = numbers
                day += timedelta(days=1)
    return truth
