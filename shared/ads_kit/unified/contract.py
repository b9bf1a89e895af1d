"""Contract checks a tap's tests call: its unified catalog entries equal the shared definitions."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from singer_sdk import Tap

from ads_kit.unified.schemas import UNIFIED_STREAMS


def unified_contract_problems(catalog: Mapping[str, Any], *, exclude: Collection[str] = ()) -> list[str]:
    """Every way the catalog's unified streams differ from UNIFIED_STREAMS, one line each."""
    entries = {entry["tap_stream_id"]: entry for entry in catalog.get("streams", [])}
    problems = []
    for name, (schema, keys, replication_key) in UNIFIED_STREAMS.items():
        if name in exclude:
            continue
        entry = entries.get(name)
        if entry is None:
            problems.append(f"{name}: missing from the catalog")
            continue
        expected = schema.to_dict()
        actual_properties = entry["schema"].get("properties", {})
        for column in expected["properties"].keys() - actual_properties.keys():
            problems.append(f"{name}.{column}: missing")
        for column in actual_properties.keys() - expected["properties"].keys():
            problems.append(f"{name}.{column}: not in the unified schema")
        for column in expected["properties"].keys() & actual_properties.keys():
            if actual_properties[column] != expected["properties"][column]:
                problems.append(
                    f"{name}.{column}: type {actual_properties[column]} != {expected['properties'][column]}"
                )
        if sorted(entry["schema"].get("required", [])) != sorted(expected.get("required", [])):
            problems.append(
                f"{name}: required columns {entry['schema'].get('required')} != {expected.get('required')}"
            )
        if list(entry.get("key_properties") or []) != keys:
            problems.append(f"{name}: key_properties {entry.get('key_properties')} != {keys}")
        if entry.get("replication_key") != replication_key:
            problems.append(
                f"{name}: replication_key {entry.get('replication_key')!r} != {replication_key!r}"
            )
        method = "INCREMENTAL" if replication_key else "FULL_TABLE"
        if entry.get("replication_method") != method:
            problems.append(f"{name}: replication_method {entry.get('replication_method')!r} != {method!r}")
    return problems


def assert_unified_contract(
    tap_class: type[Tap], config: Mapping[str, Any], *, exclude: Collection[str] = ()
) -> None:
    """Fail with every difference between ``tap_class``'s unified catalog and the shared definitions."""
    tap = tap_class(config=dict(config), parse_env_config=False)
    problems = unified_contract_problems(tap.catalog_dict, exclude=exclude)
    if problems:
        raise AssertionError(f"{tap_class.__name__} breaks the unified contract:\n" + "\n".join(problems))
