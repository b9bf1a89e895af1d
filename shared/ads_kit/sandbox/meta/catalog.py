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

# What versions before v26.0 still serve: facebook-business 25.0.1 lists these, 26.0.3 no longer does.
BEFORE_V26: dict[str, frozenset[str]] = {
    "AdsInsights": frozenset(
        {
            "marketing_messages_website_add_to_cart",
            "marketing_messages_website_initiate_checkout",
            "marketing_messages_website_purchase",
            "marketing_messages_website_purchase_values",
        }
    ),
    "AdSet": frozenset(
        [
            "budget_schedule_specs",
            "budget_source",
            "budget_split_set_id",
            "campaign_spec",
            "daily_imps",
            "date_format",
            "execution_options",
            "is_sac_cfca_terms_certified",
            "line_number",
            "rb_prediction_id",
            "time_start",
            "time_stop",
            "topline_id",
            "tune_for_category",
        ]
    ),
}


def older_than_v26(version: str) -> bool:
    return bool(version) and float(version.removeprefix("v")) < 26


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


def node_fields(node_type: str, version: str = "") -> frozenset[str]:
    """A node type's fields in the client's catalogue, and those an older `version` still serves."""
    fields = frozenset(catalog()["node_fields"][node_type])
    return fields | BEFORE_V26.get(node_type, frozenset()) if older_than_v26(version) else fields


def edge_params(edge: str) -> dict[str, str]:
    return catalog()["edge_params"][edge]
