"""Fixtures of the tap-meta-ads tests: real Meta payloads and a small sandbox of our own."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ads_kit import clock
from ads_kit.sandbox.client import SandboxClient
from ads_kit.sandbox.pytest_plugin import running_sandbox

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "meta"
# 20:30 UTC: Asia/Tokyo is already on 2026-11-26 (05:30, its first hours reported), Berlin (21:30) and
# Los Angeles (12:30) on the 25th. Tap processes read the same instant through ADS_NOW
# (``pin_tap_clock``).
NOW = datetime(2026, 11, 25, 20, 30, tzinfo=UTC)
# A small world keeps a full sync (objects, insights, breakdowns, unified) to a few seconds.
WORLD = {"seed": 11, "ads_per_account": 4, "accounts_per_platform": 3, "history_days": 60, "now": NOW}
FAST_SANDBOX = {
    "meta_job_seconds": 0.05,
    # Quota faults announce no regain wait; test_quota checks the announced wait is honoured.
    "meta_quota_regain_minutes": 0,
    "limits": {"meta": {"app": ["10000/second"], "account": ["10000/second"]}},
}


def payload(name: str) -> Any:
    """A real Meta payload copied from the fixture corpus (provenance in <name>.source.txt)."""
    return json.loads((FIXTURES / name).read_text(), parse_float=Decimal)


@pytest.fixture(scope="package")
def meta_sandbox() -> Iterator[SandboxClient]:
    with running_sandbox(settings=FAST_SANDBOX, **WORLD) as client:
        yield client


@pytest.fixture
def sandbox_meta(meta_sandbox: SandboxClient, monkeypatch: pytest.MonkeyPatch) -> SandboxClient:
    """The package sandbox with faults, counters, log, settings and the world's clock reset; tap
    processes read the world's instant."""
    meta_sandbox.reset()
    pin_tap_clock(meta_sandbox, monkeypatch)
    return meta_sandbox


def pin_tap_clock(sandbox: SandboxClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tap processes started from here on read the sandbox's current instant; call again after
    moving the world."""
    monkeypatch.setenv(clock.ENV_VAR, sandbox.now().isoformat())


def tap_config(sandbox: SandboxClient, tmp_path: Path, **overrides: Any) -> dict[str, Any]:
    meta = sandbox.platform("meta")
    config = {
        "access_token": meta["access_token"],
        "app_id": meta["client_id"],
        "app_secret": meta["client_secret"],
        "api_base_url": meta["base_url"],
        "date_range": {"type": "last_n_days", "days": 20},
        "breakdowns": ["age"],
        "dead_letter_path": str(tmp_path / "dead-letters.jsonl"),
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


@dataclass
class TapRun:
    """What one tap process wrote: records per stream, STATE values, stderr and its exit code."""

    records: dict[str, list[dict[str, Any]]]
    keys: dict[str, list[str]]
    states: list[dict[str, Any]]
    stdout: bytes
    stderr: str
    returncode: int

    @property
    def final_state(self) -> dict[str, Any]:
        return self.states[-1] if self.states else {}


def parse_output(stdout: bytes, stderr: str, returncode: int) -> TapRun:
    records: dict[str, list[dict[str, Any]]] = {}
    keys: dict[str, list[str]] = {}
    states = []
    for line in stdout.splitlines():
        try:
            message = json.loads(line, parse_float=Decimal)
        except ValueError:
            continue  # the last line of a killed tap may be cut short
        if message["type"] == "RECORD":
            records.setdefault(message["stream"], []).append(message["record"])
        elif message["type"] == "SCHEMA":
            keys[message["stream"]] = message["key_properties"]
        elif message["type"] == "STATE":
            states.append(message["value"])
    return TapRun(records, keys, states, stdout, stderr, returncode)


def run_tap(
    config: dict[str, Any],
    tmp_path: Path,
    *,
    state: dict[str, Any] | None = None,
    catalog: dict[str, Any] | None = None,
    timeout: float = 120,
    module: str = "tap_meta_ads",
) -> TapRun:
    """One tap process (``module``: any of the suite's taps) on ``config``: what it wrote."""
    args = [sys.executable, "-m", module, "--config", _write(tmp_path, "config.json", config)]
    if state is not None:
        args += ["--state", _write(tmp_path, "state.json", state)]
    if catalog is not None:
        args += ["--catalog", _write(tmp_path, "catalog.json", catalog)]
    done = subprocess.run(args, capture_output=True, timeout=timeout, check=False)
    return parse_output(done.stdout, done.stderr.decode(errors="replace"), done.returncode)


def discover(config: dict[str, Any], tmp_path: Path, module: str = "tap_meta_ads") -> dict[str, Any]:
    args = [
        sys.executable,
        "-m",
        module,
        "--config",
        _write(tmp_path, "config.json", config),
        "--discover",
    ]
    return json.loads(subprocess.run(args, capture_output=True, timeout=60, check=True).stdout)


def select(catalog: dict[str, Any], wanted: Callable[[str], bool]) -> dict[str, Any]:
    """The catalog with exactly the streams ``wanted`` accepts selected."""
    for entry in catalog["streams"]:
        for item in entry["metadata"]:
            if item["breadcrumb"] == []:
                item["metadata"]["selected"] = wanted(entry["tap_stream_id"])
    return catalog


def _write(tmp_path: Path, name: str, content: dict[str, Any]) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(content))
    return str(path)


# Streams whose records depend on the run itself (findings, failures, extraction time).
RUN_SPECIFIC = {"unified_data_quality", "unified_dead_letters"}
VOLATILE_FIELDS = {"extracted_at", "is_final"}


def landed(run: TapRun, *earlier: TapRun) -> dict[str, dict[str, dict[str, Any]]]:
    """What a target would hold after these runs: records upserted by primary key, per stream."""
    tables: dict[str, dict[str, dict[str, Any]]] = {}
    for part in (*earlier, run):
        for stream, records in part.records.items():
            if stream in RUN_SPECIFIC:
                continue
            table = tables.setdefault(stream, {})
            for record in records:
                key = json.dumps([record[name] for name in part.keys[stream]], default=str)
                table[key] = {k: v for k, v in record.items() if k not in VOLATILE_FIELDS}
    return tables
