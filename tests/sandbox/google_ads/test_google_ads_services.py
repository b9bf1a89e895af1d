"""The gRPC services through the unmodified GoogleAdsClient: customers, the manager and
login-customer-id, the developer token, Search pages, SearchStream batches, versions."""

from __future__ import annotations

from datetime import timedelta

import grpc
import pytest
from google.ads.googleads.errors import GoogleAdsException
from google.ads.googleads.v26.services.types import google_ads_service
from google_ads_client import Ads, codes, failure_of, fixture_text

from ads_kit.sandbox.world import World

USER_PERMISSION_DENIED = ("authorization_error", "USER_PERMISSION_DENIED")
CAMPAIGNS = "SELECT campaign.id, campaign.name FROM campaign ORDER BY campaign.id"


def _refused(call, *args, **kwargs) -> GoogleAdsException:
    with pytest.raises(GoogleAdsException) as caught:
        result = call(*args, **kwargs)
        list(result) if result is not None else None
    return caught.value


def test_connection_file_names_the_manager_and_both_developer_tokens(ads: Ads, world: World) -> None:
    entry = ads.entry
    assert entry["login_customer_id"] == entry["manager_customer_id"] == ads.manager
    assert len(ads.manager) == 10 and ads.manager.isdigit()
    assert ads.manager not in {a.id for a in world.accounts()}
    assert entry["developer_token"] != entry["developer_token_test_only"]


def test_the_user_reaches_the_manager_alone(ads: Ads) -> None:
    response = ads.service("CustomerService").list_accessible_customers()
    assert list(response.resource_names) == [f"customers/{ads.manager}"]
    assert ads.log("CustomerService/ListAccessibleCustomers")[-1]["status"] == "OK"


def test_the_managers_customer_clients_are_the_worlds_three_customers(ads: Ads, world: World) -> None:
    query = (
        "SELECT customer_client.client_customer, customer_client.level, customer_client.manager, "
        "customer_client.id, customer_client.currency_code, customer_client.time_zone, "
        "customer_client.descriptive_name, customer_client.status FROM customer_client"
    )
    rows = [r.customer_client for r in ads.search(query, customer=ads.manager)]
    assert [(r.client_customer, r.level, r.manager) for r in rows] == [
        (f"customers/{ads.manager}", 0, True),
        *((f"customers/{a}", 1, False) for a in ads.accounts),
    ]
    clients = {r.id: r for r in rows[1:]}
    for account in world.accounts("google_ads"):
        client = clients[int(account.id)]
        assert (client.currency_code, client.time_zone, client.descriptive_name) == (
            account.currency,
            account.timezone,
            account.name,
        )
        assert client.status == 2  # CustomerStatus.ENABLED
    assert rows[0].resource_name == f"customers/{ads.manager}/customerClients/{ads.manager}"
    own = ads.search("SELECT customer_client.id, customer_client.level FROM customer_client")
    assert [(r.customer_client.id, r.customer_client.level) for r in own] == [(int(ads.accounts[0]), 0)]


def test_a_client_is_read_through_the_manager_only(ads: Ads) -> None:
    for login in (None, ads.accounts[1]):
        refused = _refused(ads.search, CAMPAIGNS, login=login)
        assert refused.error.code() == grpc.StatusCode.PERMISSION_DENIED
        assert codes(refused) == [USER_PERMISSION_DENIED]
        # The real message, word for word (google-ads-java#751).
        assert failure_of(refused).errors[0].message in fixture_text(
            "error_user_permission_denied_proto_text.txt"
        )
        assert refused.request_id
    malformed = _refused(ads.search, CAMPAIGNS, login="123-456-7890")
    assert malformed.error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert codes(malformed) == [("header_error", "INVALID_LOGIN_CUSTOMER_ID")]
    assert len(ads.search(CAMPAIGNS)) == 4


def test_the_manager_is_read_without_a_login_and_has_no_metrics(ads: Ads) -> None:
    rows = ads.search("SELECT customer.id, customer.manager FROM customer", customer=ads.manager, login=None)
    assert [(r.customer.id, r.customer.manager) for r in rows] == [(int(ads.manager), True)]
    assert ads.search(CAMPAIGNS, customer=ads.manager) == []
    refused = _refused(
        ads.search, "SELECT customer.id, metrics.clicks FROM customer", customer=ads.manager, login=None
    )
    assert codes(refused) == [("query_error", "REQUESTED_METRICS_FOR_MANAGER")]
    other = _refused(
        ads.search, "SELECT customer.id FROM customer", customer=ads.manager, login=ads.accounts[0]
    )
    assert codes(other) == [USER_PERMISSION_DENIED]


def test_customer_ids_are_ten_digits_of_a_readable_customer(ads: Ads) -> None:
    dashed = f"{ads.accounts[0][:3]}-{ads.accounts[0][3:6]}-{ads.accounts[0][6:]}"
    assert codes(_refused(ads.search, CAMPAIGNS, customer=dashed)) == [
        ("request_error", "INVALID_CUSTOMER_ID")
    ]
    assert codes(_refused(ads.search, CAMPAIGNS, customer="1234567890")) == [USER_PERMISSION_DENIED]


def test_the_developer_token_is_checked(ads: Ads) -> None:
    wrong = _refused(ads.search, CAMPAIGNS, developer_token="not-the-token")
    assert wrong.error.code() == grpc.StatusCode.UNAUTHENTICATED
    assert codes(wrong) == [("authentication_error", "DEVELOPER_TOKEN_INVALID")]
    test_only = _refused(ads.search, CAMPAIGNS, developer_token=ads.entry["developer_token_test_only"])
    assert test_only.error.code() == grpc.StatusCode.PERMISSION_DENIED
    assert codes(test_only) == [("authorization_error", "DEVELOPER_TOKEN_NOT_APPROVED")]
    assert failure_of(test_only).errors[0].message in fixture_text("error_developer_token_test_only_log.txt")
    # Without the metadata at all (the library always sends it, so a plain channel).
    channel = ads.channel()
    search = channel.unary_unary(
        "/google.ads.googleads.v26.services.GoogleAdsService/Search",
        request_serializer=lambda m: m.SerializeToString(),
    )
    request = google_ads_service.SearchGoogleAdsRequest.pb()(customer_id=ads.accounts[0], query=CAMPAIGNS)
    metadata = [pair for pair in ads.metadata() if pair[0] != "developer-token"]
    with pytest.raises(grpc.RpcError) as missing:
        search(request, metadata=metadata, timeout=10)
    channel.close()
    assert missing.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert codes(missing.value) == [("request_error", "DEVELOPER_TOKEN_PARAMETER_MISSING")]


def test_a_customer_not_enabled_is_refused(ads: Ads) -> None:
    ads.settings(google_ads_disabled_customers=[ads.accounts[1]])
    refused = _refused(ads.search, CAMPAIGNS, customer=ads.accounts[1])
    assert refused.error.code() == grpc.StatusCode.PERMISSION_DENIED
    assert codes(refused) == [("authorization_error", "CUSTOMER_NOT_ENABLED")]
    assert len(ads.search(CAMPAIGNS)) == 4


def _hourly(ads: Ads, days: int = 90) -> str:
    today = ads.today()
    first, last = today - timedelta(days=days), today - timedelta(days=1)
    return (
        "SELECT ad_group_ad.ad.id, segments.date, segments.hour, metrics.impressions FROM ad_group_ad "
        f"WHERE segments.date BETWEEN '{first}' AND '{last}'"
    )


def test_search_pages_hold_10000_rows_and_stream_batches_too(ads: Ads) -> None:
    query = _hourly(ads)
    service = ads.service()
    pages = list(service.search(customer_id=ads.accounts[0], query=query).pages)
    sizes = [len(page.results) for page in pages]
    assert len(sizes) == 2 and sizes[0] == 10_000 and 0 < sizes[1] <= 10_000
    assert pages[0].next_page_token and not pages[1].next_page_token
    assert list(pages[0].field_mask.paths) == [
        "ad_group_ad.ad.id",
        "segments.date",
        "segments.hour",
        "metrics.impressions",
    ]
    batches = ads.stream_batches(query)
    assert [len(b.results) for b in batches] == sizes
    assert len({b.request_id for b in batches}) == 1
    assert [b.query_resource_consumption > 0 for b in batches] == [False, True]  # the final batch only
    assert [r for p in pages for r in p.results] == [r for b in batches for r in b.results]


def test_page_size_is_refused_and_page_tokens_are_bound_to_their_query(ads: Ads) -> None:
    service = ads.service()
    sized = {"customer_id": ads.accounts[0], "query": CAMPAIGNS, "page_size": 100}
    refused = _refused(service.search, request=sized)
    assert codes(refused) == [("request_error", "PAGE_SIZE_NOT_SUPPORTED")]
    query = _hourly(ads)
    first = next(iter(service.search(customer_id=ads.accounts[0], query=query).pages))
    token = first.next_page_token
    for other in (CAMPAIGNS, query.replace("metrics.impressions", "metrics.clicks")):
        request = {"customer_id": ads.accounts[0], "query": other, "page_token": token}
        assert codes(_refused(service.search, request=request)) == [("request_error", "INVALID_PAGE_TOKEN")]
    forged = {"customer_id": ads.accounts[0], "query": query, "page_token": token[:-2] + "AA"}
    assert codes(_refused(service.search, request=forged)) == [("request_error", "INVALID_PAGE_TOKEN")]
    elsewhere = {"customer_id": ads.accounts[1], "query": query, "page_token": token}
    assert codes(_refused(service.search, request=elsewhere)) == [("request_error", "INVALID_PAGE_TOKEN")]


def test_search_settings_total_count_summary_row_and_validate_only(ads: Ads) -> None:
    service = ads.service()
    query = (
        "SELECT campaign.id, metrics.clicks, metrics.impressions FROM campaign "
        "WHERE segments.date DURING LAST_30_DAYS"
    )
    settings = {"return_total_results_count": True, "return_summary_row": True}
    request = {"customer_id": ads.accounts[0], "query": query + " LIMIT 2", "search_settings": settings}
    pages = list(service.search(request=request).pages)
    assert [len(p.results) for p in pages] == [2, 0]  # the summary row comes by itself, after the rows
    assert pages[0].total_results_count == 4 and not pages[0].HasField("summary_row")
    summary = pages[1].summary_row.metrics
    assert summary.clicks == sum(r.metrics.clicks for r in pages[0].results)
    assert summary.impressions == sum(r.metrics.impressions for r in pages[0].results)
    validate = {"customer_id": ads.accounts[0], "query": query, "validate_only": True}
    response = service.search(request=validate)
    assert list(response) == []
    assert next(iter(response.pages)).field_mask.paths[0] == "campaign.id"
    bad = {
        "customer_id": ads.accounts[0],
        "query": "SELECT campaign.start_date FROM campaign",
        "validate_only": True,
    }
    assert codes(_refused(service.search, request=bad)) == [("query_error", "UNRECOGNIZED_FIELD")]
    no_metrics = {
        "customer_id": ads.accounts[0],
        "query": CAMPAIGNS,
        "search_settings": {"return_summary_row": True},
    }
    assert codes(_refused(service.search, request=no_metrics)) == [
        ("request_error", "CANNOT_RETURN_SUMMARY_ROW_FOR_REQUEST_WITHOUT_METRICS")
    ]


def test_search_stream_summary_row_settings(ads: Ads) -> None:
    service = ads.service()
    query = "SELECT campaign.id, metrics.clicks FROM campaign WHERE segments.date DURING LAST_7_DAYS"
    request = {
        "customer_id": ads.accounts[0],
        "query": query,
        "summary_row_setting": "SUMMARY_ROW_WITH_RESULTS",
    }
    batches = list(service.search_stream(request=request))
    assert [len(b.results) for b in batches] == [4, 0]
    assert batches[1].summary_row.metrics.clicks == sum(r.metrics.clicks for r in batches[0].results)
    only = {**request, "summary_row_setting": "SUMMARY_ROW_ONLY"}
    assert [len(b.results) for b in service.search_stream(request=only)] == [0]
    unknown = {**request, "summary_row_setting": "UNKNOWN"}
    assert codes(_refused(service.search_stream, request=unknown)) == [
        ("request_error", "INVALID_ENUM_VALUE")
    ]


@pytest.mark.parametrize("version", ["v23", "v24", "v25"])
def test_older_served_versions_answer_with_their_own_messages(ads: Ads, version: str) -> None:
    assert len(ads.search(CAMPAIGNS, version=version)) == 4
    path = ads.log("GoogleAdsService/Search")[-1]["path"]
    assert path == f"/google.ads.googleads.{version}.services.GoogleAdsService/Search"
    # The failure rides under the version's own trailer key, or that version's library would not find it.
    removed_in_v24 = "SELECT campaign.video_brand_safety_suitability FROM campaign"  # reference §1.3
    if version == "v23":  # a Google field in v23, which the world has no value for: unset
        rows = ads.search(removed_in_v24, version=version)
        assert len(rows) == 4 and not any(r.campaign.video_brand_safety_suitability for r in rows)
        return
    refused = _refused(ads.search, removed_in_v24, version=version)
    assert codes(refused, version) == [("query_error", "UNRECOGNIZED_FIELD")]


def test_sunset_versions_answer_unsupported_version_and_unknown_ones_unimplemented(ads: Ads) -> None:
    channel = ads.channel()
    request = google_ads_service.SearchGoogleAdsRequest.pb()(customer_id=ads.accounts[0], query=CAMPAIGNS)
    outcomes = {}
    for version in ("v22", "v17", "v27"):
        search = channel.unary_unary(
            f"/google.ads.googleads.{version}.services.GoogleAdsService/Search",
            request_serializer=lambda m: m.SerializeToString(),
        )
        with pytest.raises(grpc.RpcError) as refused:
            search(request, metadata=ads.metadata(), timeout=10)
        outcomes[version] = refused.value
    channel.close()
    for version in ("v22", "v17"):
        assert outcomes[version].code() == grpc.StatusCode.INVALID_ARGUMENT
        assert codes(outcomes[version], version) == [("request_error", "UNSUPPORTED_VERSION")]
        assert f"Version {version} is deprecated" in failure_of(outcomes[version], version).errors[0].message
    assert outcomes["v27"].code() == grpc.StatusCode.UNIMPLEMENTED


def test_field_service_describes_what_a_query_may_name(ads: Ads) -> None:
    service = ads.service("GoogleAdsFieldService")
    query = (
        "SELECT name, category, selectable, filterable, sortable, selectable_with, attribute_resources, "
        "metrics, segments, data_type, is_repeated, enum_values WHERE name IN ('campaign', "
        "'campaign.status', 'segments.date', 'segments.conversion_action', 'metrics.clicks', "
        "'campaign.start_date') ORDER BY name"
    )
    fields = {f.name: f for f in service.search_google_ads_fields(query=query)}
    assert sorted(fields) == [
        "campaign",
        "campaign.status",
        "metrics.clicks",
        "segments.conversion_action",
        "segments.date",
    ]
    campaign = fields["campaign"]
    assert (campaign.selectable, campaign.filterable) == (False, False)
    assert "campaign_budget" in campaign.attribute_resources and "metrics.clicks" in campaign.metrics
    assert "segments.date" in campaign.segments
    assert fields["campaign.status"].resource_name == "googleAdsFields/campaign.status"
    assert "ENABLED" in fields["campaign.status"].enum_values
    assert "metrics.clicks" not in fields["segments.conversion_action"].selectable_with
    assert "metrics.conversions" in fields["segments.conversion_action"].selectable_with
    assert "segments.date" in fields["metrics.clicks"].selectable_with
    one = service.get_google_ads_field(resource_name="googleAdsFields/segments.date")
    assert one.name == "segments.date" and one.selectable and one.filterable and one.sortable
    missing = _refused(service.get_google_ads_field, resource_name="googleAdsFields/campaign.start_date")
    # A RequestError, so INVALID_ARGUMENT (reference §4.2's mapping).
    assert codes(missing) == [("request_error", "RESOURCE_NOT_FOUND")]
    bad = _refused(service.search_google_ads_fields, query="SELECT name FROM campaign")
    assert codes(bad) == [("query_error", "UNEXPECTED_FROM_CLAUSE")]


def test_the_whole_field_catalog_comes_in_one_page_and_attributes_list_nothing_selectable_with(
    ads: Ads,
) -> None:
    # singer-io's discovery asks for every field with no WHERE (reference §7.1). Google fills
    # `selectable_with` on resources, segments and metrics only; listing it on each attribute made the
    # answer 181 MB, which gRPC refused (RESOURCE_EXHAUSTED) instead of answering.
    query = (
        "SELECT name, category, data_type, selectable, filterable, sortable, selectable_with, metrics, "
        "segments, is_repeated, type_url, enum_values, attribute_resources"
    )
    pages = list(ads.service("GoogleAdsFieldService").search_google_ads_fields(query=query).pages)
    fields = {f.name: f for page in pages for f in page.results}
    assert len(pages) == 1 and pages[0].total_results_count == len(fields) > 8000
    assert list(fields["campaign.name"].selectable_with) == []
    assert "metrics.clicks" in fields["segments.date"].selectable_with
    assert "segments.date" in fields["metrics.clicks"].selectable_with
    assert "metrics.clicks" in fields["campaign"].metrics
