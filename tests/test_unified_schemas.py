"""The three taps give every target one cross-platform schema: each unified stream is declared the
same way by each tap (its JSON schema, key properties and bookmark), so its SCHEMA message is the same
bytes whichever tap sends it, and any Singer target loads all three into the same tables."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

TAPS = ("tap_meta_ads", "tap_google_ads_unified", "tap_tiktok_ads")
# Discovery reads no credentials; TikTok wants its advertisers named when no app is configured.
CONFIGS = {"tap_tiktok_ads": {"advertiser_ids": ["7000000000000000001"]}}


def unified_declarations(module: str, tmp_path: Path) -> dict[str, bytes]:
    """What the SCHEMA message of each unified stream carries, as the tap's own `--discover` says it
    (no credentials needed), serialised canonically."""
    config = tmp_path / f"{module}.json"
    config.write_text(json.dumps(CONFIGS.get(module, {})))
    command = [sys.executable, "-m", module, "--config", str(config), "--discover"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    declarations = {}
    for entry in json.loads(done.stdout)["streams"]:
        if entry["tap_stream_id"].startswith("unified_"):
            message = {
                "type": "SCHEMA",
                "stream": entry["tap_stream_id"],
                "schema": entry["schema"],
                "key_properties": entry.get("key_properties") or [],
                "bookmark_properties": [entry["replication_key"]] if entry.get("replication_key") else [],
            }
            declarations[entry["tap_stream_id"]] = json.dumps(message, sort_keys=True).encode()
    return declarations


@pytest.fixture(scope="module")
def declarations(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, bytes]]:
    folder = tmp_path_factory.mktemp("discovery")
    return {module: unified_declarations(module, folder) for module in TAPS}


def test_every_tap_offers_the_same_unified_streams(declarations: dict[str, dict[str, bytes]]) -> None:
    meta, google, tiktok = (set(declarations[module]) for module in TAPS)
    assert meta == google == tiktok
    assert {"unified_campaign_performance", "unified_campaigns", "unified_performance_breakdowns"} <= meta


@pytest.mark.parametrize("other", TAPS[1:])
def test_unified_schema_messages_are_the_same_bytes(
    declarations: dict[str, dict[str, bytes]], other: str
) -> None:
    for stream, message in declarations["tap_meta_ads"].items():
        assert declarations[other][stream] == message, stream
