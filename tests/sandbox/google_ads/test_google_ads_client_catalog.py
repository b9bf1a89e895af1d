"""Every request field and every GAQL field the official client (google-ads 34) can send, against the
emulator through the unmodified GoogleAdsClient.

The catalog is the client's: its names are walked here from the proto-plus classes (not the
descriptors the emulator reads), so a field a new client adds, renames or drops fails here first.
Each request field and each resource, attribute, segment and metric gets a correct answer
(compared with the world) or Google's real error; the request-field table is checked to cover
every field of the client's request messages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import proto
import pytest
from google.ads.googleads.errors import GoogleAdsException
from google.ads.googleads.v26.services.types import customer_service, google_ads_field_service
from google.ads.googleads.v26.services.types import google_ads_service as gas
from google.protobuf.message import Message
from google_ads_client import Ads, codes
from google_ads_truth import between, days, enum, micros, nonzero

from ads_kit.sandbox.client import SandboxClient
from ads_kit.sandbox.google_ads.catalog import catalog
from ads_kit.sandbox.google_ads.protos import SERVED_VERSIONS
from ads_kit.sandbox.limits import DEFAULT_RULES
from ads_kit.sandbox.world import DIMENSIONS, World, sum_metrics

SERVED = catalog("v26")
RESOURCES = SERVED.resources
# The resources the world models, with their rows for one account (no metric, no segment named).
WORLD_ROWS: dict[str, Callable[[World, str], int]] = {
    "customer": lambda w, a: 1,
    "customer_client": lambda w, a: 1,  # a client account reaches itself alone (level 0)
    "campaign": lambda w, a: len(w.campaigns(a)),
    "campaign_budget": lambda w, a: len(w.campaigns(a)),
    "ad_group": lambda w, a: len(w.ad_groups(a)),
    "ad_group_ad": lambda w, a: len(w.ads(a)),
    "ad_group_criterion": lambda w, a: (
        len(w.ad_groups(a)) * (len(DIMENSIONS["age"]) + len(DIMENSIONS["gender"]))
    ),
    "age_range_view": lambda w, a: len(w.ad_groups(a)) * len(DIMENSIONS["age"]),
    "gender_view": lambda w, a: len(w.ad_groups(a)) * len(DIMENSIONS["gender"]),
    "geographic_view": lambda w, a: len(w.account(a).countries),
    "user_location_view": lambda w, a: len(w.account(a).countries),
    "user_list": lambda w, a: len(w.audiences(a)),
    "conversion_action": lambda w, a: len(w.conversion_events(a)),
}


# Resources read one day per query (reference §8: click_view), with a day's filter.
ONE_DAY = {"click_view": "segments.date DURING YESTERDAY"}


def _client_names(message: type[proto.Message], prefix: str, seen: frozenset[str]) -> Iterator[str]:
    """GAQL names under a proto-plus message: each field, and a singular message's fields too."""
    for name, field in message.meta.fields.items():
        gaql = name.removesuffix("_")
        yield f"{prefix}.{gaql}"
        nested = field.message
        proto_plus = isinstance(nested, type) and issubclass(nested, proto.Message)  # not a FieldMask
        if proto_plus and not field.repeated and nested.__qualname__ not in seen:
            yield from _client_names(nested, f"{prefix}.{gaql}", seen | {message.__qualname__})


def client_catalog(version: str) -> set[str]:
    module = __import__(f"google.ads.googleads.{version}.services.types.google_ads_service", fromlist=["x"])
    names: set[str] = set()
    for top, field in module.GoogleAdsRow.meta.fields.items():
        if top not in ("segments", "metrics"):
            names.add(top)
        names.update(_client_names(field.message, top, frozenset()))
    return names


@pytest.mark.parametrize("version", SERVED_VERSIONS)
def test_the_catalog_is_the_installed_clients(version: str) -> None:
    assert set(catalog(version).fields) == client_catalog(version)


def test_the_field_service_serves_the_whole_catalog(module_ads: Ads) -> None:
    service = module_ads.service("GoogleAdsFieldService")
    names = [f.name for f in service.search_google_ads_fields(query="SELECT name")]
    assert sorted(names) == sorted(client_catalog("v26"))


# -- request fields --------------------------------------------------------------------------------
def _request_fields() -> set[str]:
    messages = (
        gas.SearchGoogleAdsRequest,
        gas.SearchGoogleAdsStreamRequest,
        gas.SearchSettings,
        google_ads_field_service.SearchGoogleAdsFieldsRequest,
        google_ads_field_service.GetGoogleAdsFieldRequest,
        customer_service.ListAccessibleCustomersRequest,
    )
    return {f"{m.__name__}.{name}" for m in messages for name in m.meta.fields} | {
        "ListAccessibleCustomersRequest"  # it has no field: sent as is
    }


Q = "SELECT campaign.id, metrics.clicks FROM campaign WHERE segments.date DURING LAST_7_DAYS"


def _search(ads: Ads, **request: Any) -> Any:
    service = ads.service()
    return service.search(request={"customer_id": ads.accounts[0], "query": Q, **request}).pages


def _first_page(ads: Ads, **request: Any) -> Message:
    return next(iter(_search(ads, **request)))


def _stream(ads: Ads, **request: Any) -> list[Message]:
    service = ads.service()
    return list(service.search_stream(request={"customer_id": ads.accounts[0], "query": Q, **request}))


def _refused_codes(call: Callable[[], Any]) -> list[tuple[str, str]]:
    with pytest.raises(GoogleAdsException) as caught:
        result = call()
        list(result) if result is not None else None
    return codes(caught.value)


def _customer_id(ads: Ads) -> None:
    assert _first_page(ads).results  # the account itself; a malformed one is refused
    assert _refused_codes(lambda: _search(ads, customer_id="123-456-7890")) == [
        ("request_error", "INVALID_CUSTOMER_ID")
    ]


def _query(ads: Ads) -> None:
    assert _refused_codes(lambda: _search(ads, query="")) == [("request_error", "REQUIRED_FIELD_MISSING")]


def _page_token(ads: Ads) -> None:
    assert _refused_codes(lambda: _search(ads, page_token="forged")) == [
        ("request_error", "INVALID_PAGE_TOKEN")
    ]


def _page_size(ads: Ads) -> None:
    # Deprecated since v17: "returns a PAGE_SIZE_NOT_SUPPORTED error if this field is set" (§3.1).
    assert _refused_codes(lambda: _search(ads, page_size=100)) == [
        ("request_error", "PAGE_SIZE_NOT_SUPPORTED")
    ]


def _validate_only(ads: Ads) -> None:
    page = _first_page(ads, validate_only=True)
    assert not page.results and list(page.field_mask.paths) == ["campaign.id", "metrics.clicks"]


def _omit_results(ads: Ads) -> None:
    page = _first_page(ads, search_settings={"omit_results": True, "return_total_results_count": True})
    assert not page.results and page.total_results_count == len(_first_page(ads).results) > 0


def _return_summary_row(ads: Ads) -> None:
    rows = list(_first_page(ads).results)
    # "sent in a response by itself after all other query results are returned" (SearchSettings).
    *pages, last = list(_search(ads, search_settings={"return_summary_row": True}))
    assert [list(p.results) for p in pages] == [rows] and not last.results
    assert last.summary_row.metrics.clicks == sum(r.metrics.clicks for r in rows) > 0


def _return_total_results_count(ads: Ads) -> None:
    page = _first_page(ads, search_settings={"return_total_results_count": True})
    assert page.total_results_count == len(page.results) > 0


def _search_settings(ads: Ads) -> None:
    page = _first_page(ads, search_settings={})
    assert page.results and not page.total_results_count and not page.HasField("summary_row")


def _summary_row_setting(ads: Ads) -> None:
    with_results = _stream(ads, summary_row_setting="SUMMARY_ROW_WITH_RESULTS")
    assert with_results[-1].summary_row.metrics.clicks == sum(
        r.metrics.clicks for b in with_results[:-1] for r in b.results
    )
    assert [len(b.results) for b in _stream(ads, summary_row_setting="SUMMARY_ROW_ONLY")] == [0]
    assert _refused_codes(lambda: _stream(ads, summary_row_setting="UNKNOWN")) == [
        ("request_error", "INVALID_ENUM_VALUE")
    ]


def _fields_query(ads: Ads) -> None:
    service = ads.service("GoogleAdsFieldService")
    found = service.search_google_ads_fields(query="SELECT name, data_type WHERE name = 'metrics.clicks'")
    assert [(f.name, enum(f, "data_type")) for f in found] == [("metrics.clicks", "INT64")]
    assert _refused_codes(lambda: service.search_google_ads_fields(query="SELECT nonsense")) == [
        ("query_error", "UNRECOGNIZED_FIELD")
    ]


def _fields_paging(ads: Ads) -> None:
    service = ads.service("GoogleAdsFieldService")
    request = {"query": "SELECT name WHERE name LIKE 'metrics.%'", "page_size": 50}
    pages = list(service.search_google_ads_fields(request=request).pages)
    metrics = sorted(n for n in client_catalog("v26") if n.startswith("metrics."))
    assert len(pages[0].results) == 50 and sorted(f.name for p in pages for f in p.results) == metrics
    forged = {**request, "page_token": "50:forged"}
    assert _refused_codes(lambda: service.search_google_ads_fields(request=forged)) == [
        ("request_error", "INVALID_PAGE_TOKEN")
    ]


def _get_field(ads: Ads) -> None:
    service = ads.service("GoogleAdsFieldService")
    field = service.get_google_ads_field(resource_name="googleAdsFields/campaign.network_settings")
    assert (field.name, field.selectable, field.filterable) == ("campaign.network_settings", True, False)
    missing = "googleAdsFields/campaign.nonsense"
    assert _refused_codes(lambda: service.get_google_ads_field(resource_name=missing)) == [
        ("request_error", "RESOURCE_NOT_FOUND")
    ]


def _list_accessible(ads: Ads) -> None:
    response = ads.service("CustomerService").list_accessible_customers()
    assert list(response.resource_names) == [f"customers/{ads.manager}"]


REQUEST_FIELDS: dict[str, Callable[[Ads], None]] = {
    "SearchGoogleAdsRequest.customer_id": _customer_id,
    "SearchGoogleAdsRequest.query": _query,
    "SearchGoogleAdsRequest.page_token": _page_token,
    "SearchGoogleAdsRequest.page_size": _page_size,
    "SearchGoogleAdsRequest.validate_only": _validate_only,
    "SearchGoogleAdsRequest.search_settings": _search_settings,
    "SearchSettings.omit_results": _omit_results,
    "SearchSettings.return_summary_row": _return_summary_row,
    "SearchSettings.return_total_results_count": _return_total_results_count,
    "SearchGoogleAdsStreamRequest.customer_id": lambda ads: _customer_id(ads),
    "SearchGoogleAdsStreamRequest.query": lambda ads: _query(ads),
    "SearchGoogleAdsStreamRequest.summary_row_setting": _summary_row_setting,
    "SearchGoogleAdsFieldsRequest.query": _fields_query,
    "SearchGoogleAdsFieldsRequest.page_token": _fields_paging,
    "SearchGoogleAdsFieldsRequest.page_size": _fields_paging,
    "GetGoogleAdsFieldRequest.resource_name": _get_field,
    "ListAccessibleCustomersRequest": _list_accessible,
}


def test_the_request_table_covers_every_field_the_client_can_send() -> None:
    assert set(REQUEST_FIELDS) == _request_fields()


@pytest.mark.parametrize("field", sorted(REQUEST_FIELDS))
def test_every_request_field_is_understood_or_refused(module_ads: Ads, field: str) -> None:
    REQUEST_FIELDS[field](module_ads)


# -- GAQL fields -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def module_ads(sandbox: SandboxClient) -> Iterator[Ads]:
    sandbox.reset()
    client = Ads(sandbox)
    # Hundreds of queries in seconds: the sandbox's per-second windows (its assumption) are lifted.
    client.settings(
        limits={"google_ads": {"app": [], "account": []}},
        restore={"limits": {"google_ads": DEFAULT_RULES["google_ads"]}},
    )
    yield client
    client.restore_settings()


def _own_fields(resource: str) -> list[str]:
    return [
        n
        for n, f in SERVED.fields.items()
        if f.category == "ATTRIBUTE" and f.resource == resource and f.selectable
    ]


def _set_paths(message: Message, prefix: str = "") -> set[str]:
    """The GAQL paths a row message has values at."""
    found: set[str] = set()
    for field, value in message.ListFields():
        path = f"{prefix}{field.name.removesuffix('_')}"
        if field.message_type is not None and not field.is_repeated:
            found |= _set_paths(value, path + ".") or {path}
        else:
            found.add(path)
    return found


@pytest.mark.parametrize("resource", RESOURCES)
def test_every_resource_answers_all_its_fields(module_ads: Ads, world: World, resource: str) -> None:
    """All of a resource's own fields in one query: the world's rows, its fields set where the world
    models them and unset elsewhere (never a made-up default); WHERE on every filterable field and
    ORDER BY every sortable one are understood."""
    account = module_ads.accounts[0]
    fields = _own_fields(resource)
    day = ONE_DAY.get(resource, "")
    rows = module_ads.search(f"SELECT {', '.join(fields)} FROM {resource}{day and ' WHERE ' + day}")
    assert len(rows) == WORLD_ROWS.get(resource, lambda w, a: 0)(world, account)
    modelled = {n for n in fields if SERVED.fields[n].modelled}
    for row in rows:
        assert _set_paths(row) <= modelled and f"{resource}.resource_name" in _set_paths(row)
    unset = [n for n in fields if n not in modelled and SERVED.fields[n].filterable]
    sortable = [n for n in fields if SERVED.fields[n].sortable]
    where = " AND ".join([*(f"{n} IS NULL" for n in unset), *filter(None, [day])])
    query = f"SELECT {', '.join(fields)} FROM {resource}"
    if where:
        query += f" WHERE {where}"
    if sortable:
        query += f" ORDER BY {', '.join(sortable)}"
    assert len(module_ads.search(query)) == len(rows)


@pytest.mark.parametrize("resource", RESOURCES)
def test_every_attribute_resource_is_selectable_and_no_other(module_ads: Ads, resource: str) -> None:
    others = SERVED.attribute_resources(resource)
    where = f" WHERE {ONE_DAY[resource]}" if resource in ONE_DAY else ""
    if others:
        fields = [f"{other}.resource_name" for other in others]
        module_ads.search(f"SELECT {', '.join(fields)} FROM {resource}{where}")
    stranger = next(r for r in RESOURCES if r != resource and r not in others)
    query = f"SELECT {stranger}.resource_name FROM {resource}{where}"
    assert _refused_codes(lambda: module_ads.search(query)) == [
        ("query_error", "PROHIBITED_RESOURCE_TYPE_IN_SELECT_CLAUSE")
    ]


SEGMENTS = sorted(n for n, f in SERVED.fields.items() if f.category == "SEGMENT")
METRICS = sorted(n for n, f in SERVED.fields.items() if f.category == "METRIC")


@pytest.mark.parametrize("segment", SEGMENTS)
def test_every_segment_splits_the_worlds_rows_or_is_refused(module_ads: Ads, segment: str) -> None:
    """A segment the world splits by answers rows on a world report resource; one it cannot split by
    is refused there (PROHIBITED_SEGMENT_…, the strict reading), and answers no rows on a resource the
    world does not model (keyword_view)."""
    end = module_ads.today() - timedelta(days=1)
    dates = between(end - timedelta(days=6), end)
    query = f"SELECT campaign.id, {segment}, metrics.conversions FROM campaign WHERE {dates}"
    if SERVED.fields[segment].modelled:
        assert module_ads.search(query)
    else:
        assert _refused_codes(lambda: module_ads.search(query)) == [
            ("query_error", "PROHIBITED_SEGMENT_IN_SELECT_OR_WHERE_CLAUSE")
        ]
    elsewhere = f"SELECT {segment}, metrics.conversions FROM keyword_view WHERE {dates}"
    assert module_ads.search(elsewhere) == []


def test_every_metric_answers_the_world_or_zero(module_ads: Ads, world: World) -> None:
    """Every metric of the client in one query per campaign and day: the world's numbers where it
    models the metric, zero where the world has no such activity (video views, calls, …)."""
    account_id = module_ads.accounts[0]
    account = world.account(account_id)
    end = module_ads.today() - timedelta(days=1)
    first = end - timedelta(days=2)
    query = (
        f"SELECT campaign.id, segments.date, {', '.join(METRICS)} FROM campaign WHERE {between(first, end)}"
    )
    rows = module_ads.search(query)
    expected = {}
    for campaign in world.campaigns(account_id):
        for day in days(first, end):
            parts = [world.ad_day(ad, day) for ad in world.ads_under(campaign)]
            metrics = sum_metrics([p for p in parts if p is not None])
            if nonzero(account, metrics):
                expected[(int(campaign.id), day.isoformat())] = (
                    metrics.impressions, metrics.clicks, micros(account, metrics.spend_minor)
                )  # fmt: skip
    got = {
        (r.campaign.id, r.segments.date): (r.metrics.impressions, r.metrics.clicks, r.metrics.cost_micros)
        for r in rows
    }
    assert got == expected and rows
    modelled = {n.removeprefix("metrics.") for n in METRICS if SERVED.fields[n].modelled}
    for row in rows:
        for field, value in row.metrics.ListFields():
            numbers = [v for _, v in value.ListFields()] if isinstance(value, Message) else [value]
            assert field.name in modelled or not any(numbers), field.name


def test_metrics_and_segments_on_a_resource_without_them_are_refused(module_ads: Ads) -> None:
    query = f"SELECT user_list.id, {', '.join(METRICS)} FROM user_list"
    assert _refused_codes(lambda: module_ads.search(query)) == [
        ("query_error", "PROHIBITED_METRIC_IN_SELECT_OR_WHERE_CLAUSE")
    ]
    conversions = f"SELECT campaign.id, segments.conversion_action, {', '.join(METRICS)} FROM campaign"
    refused = _refused_codes(lambda: module_ads.search(conversions + " WHERE segments.date DURING YESTERDAY"))
    assert refused == [("query_error", "PROHIBITED_SEGMENT_WITH_METRIC_IN_SELECT_OR_WHERE_CLAUSE")]
