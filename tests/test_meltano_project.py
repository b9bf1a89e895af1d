"""meltano.yml stays in step with the taps: every setting declared, typed, and secrets marked sensitive."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tap_google_ads_unified.tap import TapGoogleAdsUnified
from tap_meta_ads.tap import TapMetaAds
from tap_tiktok_ads.tap import TapTikTokAds

ROOT = Path(__file__).resolve().parents[1]
PROJECT = yaml.safe_load((ROOT / "meltano.yml").read_text())
TAPS = {
    "tap-meta-ads": TapMetaAds,
    "tap-google-ads-unified": TapGoogleAdsUnified,
    "tap-tiktok-ads": TapTikTokAds,
}

# JSON-schema types of a tap setting -> the meltano `kind` that carries it.
KINDS = {
    "string": {"string", "options"},
    "integer": {"integer"},
    "number": {"decimal"},
    "boolean": {"boolean"},
    "array": {"array"},
    "object": {"object"},
}


def extractor(name: str) -> dict:
    [plugin] = [p for p in PROJECT["plugins"]["extractors"] if p["name"] == name]
    return plugin


@pytest.mark.parametrize("name", sorted(TAPS))
def test_every_tap_setting_is_declared_with_its_kind_and_secrets_are_sensitive(name: str) -> None:
    declared = {s["name"]: s for s in extractor(name)["settings"]}
    # singer-sdk appends its built-in settings (stream maps, flattening, batch) to the class schema
    # once a tap is instantiated; Meltano declares those through the plugin's capabilities instead.
    builtin: dict = {"type": "object", "properties": {}}
    TAPS[name].append_builtin_config(builtin)
    schema = {
        k: v for k, v in TAPS[name].config_jsonschema["properties"].items() if k not in builtin["properties"]
    }
    assert set(declared) == set(schema), "meltano.yml and the tap's config schema list different settings"
    for setting, spec in schema.items():
        types = [t for t in spec.get("type", []) if t != "null"]
        assert declared[setting]["kind"] in set().union(*(KINDS[t] for t in types)), setting
        assert bool(declared[setting].get("sensitive")) == bool(spec.get("secret")), setting


def test_plugins_are_custom_so_meltano_never_asks_the_hub() -> None:
    for plugin in PROJECT["plugins"]["extractors"] + PROJECT["plugins"]["loaders"]:
        assert {"namespace", "pip_url", "executable"} <= set(plugin), plugin["name"]
        assert "variant" not in plugin and "inherit_from" not in plugin, plugin["name"]
    assert PROJECT["send_anonymous_usage_stats"] is False
    duckdb = next(p for p in PROJECT["plugins"]["loaders"] if p["name"] == "target-duckdb")
    assert "duckdb==1.2.2" in duckdb["pip_url"], "target-duckdb 0.8.0 drops rows with newer duckdb"


@pytest.mark.parametrize("name", sorted(TAPS))
def test_a_tap_plugin_installs_the_ads_kit_core_and_the_tap_only(name: str) -> None:
    # The sandbox and the report run from .venv (make demo), never from a tap's plugin venv.
    folder = f"./{name}"
    assert extractor(name)["pip_url"].split() == ["-e", "./shared", "-e", folder]
