"""Google's raw streams, in Google's vocabulary: each is a ``Query`` (``queries.py``) of one customer.

Entity tables are read whole each run (Google keeps no change time on them); report streams are
incremental on ``date``: each customer's days (the configured range, or the bookmark minus
``lookback_days``) are read window by window through the shared report layer, STATE after each.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, cast

from singer_sdk import typing as th
from singer_sdk.helpers.conform import TypeConformanceLevel

from ads_kit.tap import streams as core
from ads_kit.tap.streams import AccountStream, RunStream
from ads_kit.unified.adapter import AccountInfo
from tap_google_ads_unified.queries import (
    ACCOUNT_ID,
    CUSTOMER_CLIENTS,
    CUSTOMER_FIELDS,
    SCHEMA_VERSION,
    Query,
)
from tap_google_ads_unified.rows import column, json_type

if TYPE_CHECKING:
    from tap_google_ads_unified.tap import TapGoogleAdsUnified


class GoogleStream(AccountStream):
    # Rows leave ``rows.py`` with exactly their schema's columns and types (ints, Decimals, names):
    # the SDK's recursive conformance pass would return each record unchanged.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE

    def __init__(self, tap: Any, query: Query) -> None:
        self.query = query
        super().__init__(tap, schema=query.schema(), name=query.name)
        self.primary_keys = list(query.key_fields)

    @property
    def tap(self) -> TapGoogleAdsUnified:
        return cast("TapGoogleAdsUnified", super().tap)


class EntityStream(GoogleStream):
    def account_records(self, account_id: str, context: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        yield from self.tap.source.rows(self.query, account_id)


class ReportStream(GoogleStream, core.ReportStream):
    replication_key = "date"

    def __init__(self, tap: Any, query: Query) -> None:
        self.report = query
        super().__init__(tap, query)

    def shape(self, row: dict[str, Any], account: AccountInfo) -> dict[str, Any]:
        return row  # ``rows.py`` reads each row straight into its schema's columns and types


class CustomersStream(AccountStream):
    """The customers read (``customer``), from the node every stream shares: no request of its own."""

    name = "google_ads_customers"
    primary_keys = ("customer_id",)
    schema = th.PropertiesList(
        th.Property("customer_id", th.StringType, required=True),
        ACCOUNT_ID,
        *(th.Property(column(f), json_type(SCHEMA_VERSION, f)) for f in CUSTOMER_FIELDS[1:]),  # after id
    ).to_dict()

    def account_records(self, account_id: str, context: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        tap = cast("TapGoogleAdsUnified", self.tap)
        yield {**tap.accounts.raw(account_id), "customer_id": account_id}


class CustomerClientsStream(RunStream):
    """The manager hierarchy: every ``customer_client`` of each manager the run reads through."""

    name = CUSTOMER_CLIENTS.name
    primary_keys = CUSTOMER_CLIENTS.key_fields
    schema = CUSTOMER_CLIENTS.schema()

    @property
    def partitions(self) -> list[dict[str, Any]]:
        tap = cast("TapGoogleAdsUnified", self.tap)
        return [{"customer_id": manager} for manager in tap.accounts.managers()]

    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[dict[str, Any]]:
        tap = cast("TapGoogleAdsUnified", self.tap)
        manager = str((context or {})["customer_id"])
        for row in tap.accounts.clients_of(manager):
            yield {**row, "customer_id": manager}
