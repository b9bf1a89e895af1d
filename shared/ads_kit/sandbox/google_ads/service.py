"""The API's operations on request messages, for both transports: Search, SearchStream,
ListAccessibleCustomers, SearchGoogleAdsFields and GetGoogleAdsField.

Each takes the version's request message (raw protobuf), the call's metadata and a `Caller`, and
returns the version's response messages or raises `ApiFailure`. Checks run in this order: developer
token, headers, customer id and access (billing the call), the request's own fields, the query.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from google.protobuf.message import Message

from ads_kit.sandbox.google_ads import engine, fields_service, gaql, validate
from ads_kit.sandbox.google_ads.access import Access, Caller, bill
from ads_kit.sandbox.google_ads.catalog import catalog
from ads_kit.sandbox.google_ads.engine import Result
from ads_kit.sandbox.google_ads.failures import request_error
from ads_kit.sandbox.google_ads.paging import PAGE_SIZE, PageToken, PageTokens
from ads_kit.sandbox.google_ads.protos import protos
from ads_kit.sandbox.google_ads.resources import Customer
from ads_kit.sandbox.google_ads.rows import RowWriter
from ads_kit.sandbox.world import World

# SummaryRowSettingEnum (reference §3.1): NO_SUMMARY_ROW=2, SUMMARY_ROW_WITH_RESULTS=3, SUMMARY_ROW_ONLY=4.
_SUMMARY_SETTINGS = {0: (True, False), 2: (True, False), 3: (True, True), 4: (False, True)}
STREAM_BATCH = 10_000  # rows per SearchStream message, as real batches hold (reference §3.2)


def _missing(field: str) -> Exception:
    return request_error("REQUIRED_FIELD_MISSING", "Required field is missing", location=((field, None),))


@dataclass
class _Query:
    customer: Customer
    plan: validate.Plan
    writer: RowWriter


class GoogleAdsApi:
    def __init__(self, world: World, access: Access, tokens: PageTokens) -> None:
        self.world = world
        self.access = access
        self.tokens = tokens

    def _query(self, version: str, request: Message, metadata: Mapping[str, Any], caller: Caller) -> _Query:
        customer = self.access.customer(request.customer_id, metadata, caller)
        if not request.query:
            raise _missing("query")
        plan = validate.plan(gaql.parse(request.query, from_clause="required"), catalog(version))
        engine.check_customer(plan, customer)
        return _Query(customer, plan, RowWriter(protos(version), catalog(version), plan))

    def _run(self, query: _Query) -> Result:
        return engine.run(query.plan, query.customer, self.world)

    # -- GoogleAdsService ------------------------------------------------------------------------
    def search(self, version: str, request: Message, metadata: Mapping[str, Any], caller: Caller) -> Message:
        query = self._query(version, request, metadata, caller)
        if request.page_size:
            # Deprecated since v17: "Google Ads API returns a PAGE_SIZE_NOT_SUPPORTED error if this
            # field is set" (the field's documentation in every served version, reference §3.1).
            raise request_error(
                "PAGE_SIZE_NOT_SUPPORTED",
                "Setting the page size is not supported, and will be unavailable in a future version.",
                location=(("page_size", None),),
            )
        settings = request.search_settings
        summary, total = settings.return_summary_row, settings.return_total_results_count
        response = protos(version).search_response(field_mask=query.writer.mask)
        if request.validate_only:
            if request.page_token:
                raise request_error(
                    "VALIDATE_ONLY_REQUEST_HAS_PAGE_TOKEN", "page_token is set in the validate only request"
                )
            if summary:
                raise request_error(
                    "CANNOT_RETURN_SUMMARY_ROW_FOR_VALIDATE_ONLY_REQUESTS",
                    "return_summary_row should not be enabled for validate only requests.",
                )
            return response
        if summary and not query.plan.metrics:
            raise _summary_without_metrics()
        scope = self.tokens.scope(version, request.customer_id, self._login(metadata), request.query)
        page = PageToken(0, summary, total)
        if request.page_token:
            page = self.tokens.read(scope, request.page_token)
            if page.summary != summary:
                raise request_error(
                    "INCONSISTENT_RETURN_SUMMARY_ROW_VALUE",
                    "return_summary_row parameter value should be the same between requests with page_token "
                    "field set and their original request.",
                )
            if total and not page.total:
                raise request_error(
                    "TOTAL_RESULTS_COUNT_NOT_ORIGINALLY_REQUESTED",
                    "The total results count cannot be returned if it was not requested in the original "
                    "request.",
                )
        result = self._run(query)
        response.query_resource_consumption = result.consumption
        if total:
            response.total_results_count = result.total
        rows = [] if settings.omit_results else result.rows
        if page.summary_page:
            response.summary_row.CopyFrom(query.writer.summary(result.rows, query.customer.account))
            return response
        response.results.extend(query.writer.rows(rows[page.offset : page.offset + PAGE_SIZE]))
        following = page.offset + PAGE_SIZE
        if following < len(rows):
            response.next_page_token = self.tokens.issue(scope, PageToken(following, summary, page.total))
        elif summary and rows:
            # "sent in a response by itself after all other query results are returned" (SearchSettings).
            next_page = PageToken(following, summary, page.total, summary_page=True)
            response.next_page_token = self.tokens.issue(scope, next_page)
        elif summary:
            response.summary_row.CopyFrom(query.writer.summary(result.rows, query.customer.account))
        return response

    def search_stream(
        self, version: str, request: Message, metadata: Mapping[str, Any], caller: Caller, request_id: str
    ) -> list[Message]:
        """Every message of the stream, computed before the first is sent, so a failing query fails
        before any row (reference §3.2: errors before the first batch come from the call itself)."""
        query = self._query(version, request, metadata, caller)
        setting = request.summary_row_setting
        if setting not in _SUMMARY_SETTINGS:
            raise request_error(
                "INVALID_ENUM_VALUE",
                "Enum value is not permitted.",
                location=(("summary_row_setting", None),),
            )
        with_results, with_summary = _SUMMARY_SETTINGS[setting]
        if with_summary and not query.plan.metrics:
            raise _summary_without_metrics()
        result = self._run(query)
        make = protos(version).stream_response
        messages: list[Message] = []
        if with_results:
            for start in range(0, max(len(result.rows), 1), STREAM_BATCH):
                batch = make(field_mask=query.writer.mask, request_id=request_id)
                batch.results.extend(query.writer.rows(result.rows[start : start + STREAM_BATCH]))
                messages.append(batch)
            # "query_resource_consumption for non-Summary responses is returned in the final batch".
            messages[-1].query_resource_consumption = result.consumption
        if with_summary:
            last = make(field_mask=query.writer.mask, request_id=request_id)
            last.summary_row.CopyFrom(query.writer.summary(result.rows, query.customer.account))
            last.query_resource_consumption = result.consumption
            messages.append(last)
        return messages

    @staticmethod
    def _login(metadata: Mapping[str, Any]) -> str:
        value = metadata.get("login-customer-id") or ""
        return value.decode() if isinstance(value, bytes) else str(value)

    # -- CustomerService, GoogleAdsFieldService --------------------------------------------------
    def list_accessible_customers(self, version: str, metadata: Mapping[str, Any], caller: Caller) -> Message:
        names = self.access.accessible(metadata, caller)
        return protos(version).customers_response(resource_names=names)

    def search_fields(
        self, version: str, request: Message, metadata: Mapping[str, Any], caller: Caller
    ) -> Message:
        self.access.developer(metadata)
        bill(caller, None)
        return fields_service.search(version, request.query, request.page_token, request.page_size)

    def get_field(
        self, version: str, request: Message, metadata: Mapping[str, Any], caller: Caller
    ) -> Message:
        self.access.developer(metadata)
        bill(caller, None)
        return fields_service.get(version, request.resource_name)


def _summary_without_metrics() -> Exception:
    return request_error(
        "CANNOT_RETURN_SUMMARY_ROW_FOR_REQUEST_WITHOUT_METRICS",
        "return_summary_row cannot be enabled if request did not select any metrics field.",
    )


__all__ = ["STREAM_BATCH", "GoogleAdsApi"]
