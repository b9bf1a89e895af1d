"""The Marketing API's names as TikTok's sources list them (`catalog.json`).

Parameters, their enums and bounds come from TikTok's request specs and its Python client
(tiktok-business-api-sdk); dimensions, metrics, report filters and entity fields from the
reference's lists. `tests/sandbox/tiktok/test_tiktok_catalog.py` keeps the file equal to its sources
(`tests/sandbox/tiktok/tiktok_sdk_catalog.py` writes it); the emulator takes every such name from here.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def catalog() -> dict[str, Any]:
    return json.loads(resources.files(__package__).joinpath("catalog.json").read_text(encoding="utf-8"))


def params(endpoint: str) -> frozenset[str]:
    """The parameters an endpoint (its route name) takes."""
    return frozenset(catalog()["endpoints"][endpoint])


def enum(endpoint: str, param: str) -> tuple[str, ...]:
    return tuple(catalog()["endpoints"][endpoint][param]["enum"])


def maximum(endpoint: str, param: str) -> int:
    return int(catalog()["endpoints"][endpoint][param]["maximum"])


def entity_filtering(endpoint: str) -> frozenset[str]:
    return frozenset(catalog()["entity_filtering"][endpoint])


def fields(endpoint: str) -> tuple[str, ...]:
    return tuple(catalog()["fields"][endpoint])


def dimensions(kind: str) -> tuple[str, ...]:
    """``id``, ``time``, or a report type's breakdowns (``BASIC``, ``AUDIENCE``)."""
    return tuple(catalog()["dimensions"][kind])


def metrics() -> frozenset[str]:
    return frozenset(name for family in catalog()["metrics"].values() for name in family)


def report_filters() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The report `filtering` field names and filter types."""
    spec = catalog()["report_filters"]
    return tuple(spec["fields"]), tuple(spec["types"])
