"""Every tap reads exactly the accounts of its shard, from accounts it discovers with its token.

Each tap runs as a process against one sandbox (six accounts per platform, none configured, so each
tap finds them the platform's way), with only ``unified_accounts`` selected, once per shard of two:
the two runs together read every account of the world once. A shard that holds no account ends
with one line, exit 0 and no records.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ads_kit.sandbox.client import SandboxClient
from ads_kit.sandbox.process import running_sandbox
from ads_kit.sharding import shard_of

WORLD = {"seed": 7, "accounts_per_platform": 6, "ads_per_account": 1, "history_days": 10}
NOW = "2026-11-25T15:30:00+00:00"
# The sandbox's limits lifted, and the client's: limits are not what this test is about.
FAST = {"limits": {p: {"app": ["10000/second"], "account": ["10000/second"]} for p in ("meta", "tiktok")}}
RATES = {"max_retries": 2, "backoff_multiplier": 0.05, "burst": 10000, "requests_per_minute": 100000}


def http_settings(secret_key: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Meta's and TikTok's settings: the same four, the app secret under its platform's name."""

    def settings(platform: dict[str, Any]) -> dict[str, Any]:
        return {
            "access_token": platform["access_token"],
            "app_id": platform["client_id"],
            secret_key: platform["client_secret"],
            "api_base_url": platform["base_url"],
        }

    return settings


meta, tiktok = http_settings("app_secret"), http_settings("secret")


def google(platform: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "client_id",
        "client_secret",
        "refresh_token",
        "developer_token",
        "token_url",
        "login_customer_id",
    )
    return {**{key: platform[key] for key in keys}, "api_endpoint": platform["grpc_endpoint"]}


TAPS = {
    "meta": ("tap_meta_ads", meta),
    "tiktok": ("tap_tiktok_ads", tiktok),
    "google_ads": ("tap_google_ads_unified", google),
}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxClient]:
    with running_sandbox(now=NOW, settings=FAST, **WORLD) as client:
        yield client


def run(
    module: str, config: dict[str, Any], tmp_path: Path, sandbox: SandboxClient, *args: str
) -> subprocess.CompletedProcess[str]:
    path = tmp_path / f"{module}.{len(list(tmp_path.iterdir()))}.json"
    path.write_text(json.dumps(config))
    env = {
        **os.environ,
        "ADS_NOW": NOW,
        "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH": sandbox.connection["tls_cert"],
        "GRPC_VERBOSITY": "ERROR",
    }
    return subprocess.run(
        [sys.executable, "-m", module, "--config", str(path), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def accounts_only(catalog: dict[str, Any]) -> dict[str, Any]:
    for entry in catalog["streams"]:
        for item in entry["metadata"]:
            if item["breadcrumb"] == []:
                item["metadata"]["selected"] = entry["tap_stream_id"] == "unified_accounts"
    return catalog


def records(output: str) -> list[dict[str, Any]]:
    messages = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    return [m["record"] for m in messages if m["type"] == "RECORD"]


@pytest.mark.parametrize("platform", sorted(TAPS))
def test_two_shards_read_every_discovered_account_once(platform: str, sandbox, tmp_path: Path) -> None:
    module, settings = TAPS[platform]
    config = {
        **settings(sandbox.platform(platform)),
        "date_range": {"type": "last_n_days", "days": 1},
        "dead_letter_path": str(tmp_path / "dead-letters.jsonl"),
        "rate_limiting": RATES,
    }
    discovered = run(module, config, tmp_path, sandbox, "--discover")
    assert discovered.returncode == 0, discovered.stderr[-2000:]
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps(accounts_only(json.loads(discovered.stdout))))
    world = sorted(account.id for account in sandbox.world().accounts(platform))
    read = {}
    for k in (1, 2):
        done = run(
            module, {**config, "account_shard": f"{k}/2"}, tmp_path, sandbox, "--catalog", str(catalog)
        )
        assert done.returncode == 0, done.stderr[-2000:]
        read[k] = sorted(str(r["account_id"]) for r in records(done.stdout))
    assert sorted(read[1] + read[2]) == world
    assert read == {k: [a for a in world if shard_of(a, 2) == k] for k in (1, 2)}
    assert read[1] and read[2]


def test_a_shard_without_accounts_says_so_in_one_line_and_reads_nothing(sandbox, tmp_path: Path) -> None:
    world = [account.id for account in sandbox.world().accounts("meta")]
    empty = next(k for k in range(1, 20) if all(shard_of(a, 20) != k for a in world))
    config = {
        **meta(sandbox.platform("meta")),
        "dead_letter_path": str(tmp_path / "d.jsonl"),
        "account_shard": f"{empty}/20",
    }
    done = run("tap_meta_ads", config, tmp_path, sandbox)
    assert done.returncode == 0, done.stderr[-2000:]
    assert records(done.stdout) == []
    said = [line for line in done.stderr.splitlines() if "account_shard" in line]
    assert len(said) == 1 and f"account_shard {empty}/20: none of the 6 accounts" in said[0], said
