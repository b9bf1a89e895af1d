"""The Marketing API's names as the official client lists them (facebook-business, `catalog.json`).

Fields, insights params and their enums, node fields and edge params come from the client, not from
what a tap happens to use; `tests/sandbox/meta/test_catalog.py` keeps the file equal to the
installed client's (`python -m tests.sandbox.meta.sdk_catalog` rewrites it).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def catalog() -> dict[str, Any]:
    return json.loads(resources.files(__package__).joinpath("catalog.json").read_text(encoding="utf-8"))


def insights_fields() -> dict[str, str]:
    """Field name -> the client's type (`string`, `list<AdsActionStats>`, …)."""
    return catalog()["insights_fields"]


def insights_params() -> dict[str, str]:
    return catalog()["insights_params"]


def insights_enum(param: str) -> frozenset[str]:
    return frozenset(catalog()["insights_enums"][param])


def node_fields(node_type: str) -> frozenset[str]:
    return frozenset(catalog()["node_fields"][node_type])


def edge_params(edge: str) -> dict[str, str]:
    return catalog()["edge_params"][edge]
