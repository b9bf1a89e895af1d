"""The REST interface over the same messages: the JSON mapping, pages, headers, the error envelope."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import requests
from google.protobuf import json_format
from google_ads_client import Ads, fixture

from ads_kit.sandbox.world import World

QUERY = (
    "SELECT customer.id, campaign.id, campaign.status, segments.date, metrics.impressions, "
    "metrics.cost_micros, metrics.conversions FROM campaign WHERE segments.date DURING LAST_7_DAYS"
)


def _headers(ads: Ads, **overrides: str | None) -> dict[str, str]:
    headers = {
        "Authorization": f"Bearer {ads.entry['access_token']}",
        "developer-token": ads.entry["developer_token"],
        "login-customer-id": ads.manager,
        **overrides,
    }
    return {k: v for k, v in headers.items() if v is not None}


def _post(ads: Ads, path: str, body: Any, version: str = "v26", **headers: str | None) -> requests.Response:
    return ads.http.post(
        f"{ads.base_url}/{version}/{path}", json=body, headers=_headers(ads, **headers), timeout=30
    )


def _stream(ads: Ads, query: str, customer: str | None = None, **headers: str | None) -> requests.Response:
    return _post(
        ads, f"customers/{customer or ads.accounts[0]}/googleAds:searchStream", {"query": query}, **headers
    )


def _error(response: requests.Response) -> tuple[int, str, list[dict[str, Any]]]:
    error = response.json()["error"]
    assert error["code"] == response.status_code  # the envelope's code is the HTTP status (fixtures)
    errors = error["details"][0].get("errors", []) if error.get("details") else []
    return response.status_code, error["status"], [e["errorCode"] for e in errors]


def test_list_accessible_customers(ads: Ads) -> None:
    response = ads.http.get(f"{ads.base_url}/v26/customers:listAccessibleCustomers", headers=_headers(ads))
    assert (
        response.status_code == 200 and response.headers["Content-Type"] == "application/json; charset=UTF-8"
    )
    assert response.json() == {"resourceNames": [f"customers/{ads.manager}"]}


def test_search_stream_is_a_json_array_of_batches_in_the_json_mapping(ads: Ads) -> None:
    response = _stream(ads, QUERY)
    assert response.status_code == 200
    batches = response.json()
    assert isinstance(batches, list) and len(batches) == 1
    batch = batches[0]
    assert batch["fieldMask"] == (
        "customer.id,campaign.id,campaign.status,segments.date,metrics.impressions,metrics.costMicros,"
        "metrics.conversions"
    )
    assert len(batch["requestId"]) == 22 and isinstance(batch["queryResourceConsumption"], str)
    row = batch["results"][0]
    assert row["customer"] == {"resourceName": f"customers/{ads.accounts[0]}", "id": ads.accounts[0]}
    assert isinstance(row["metrics"]["impressions"], str) and isinstance(row["metrics"]["costMicros"], str)
    assert isinstance(row["metrics"]["conversions"], float) and row["campaign"]["status"] in (
        "ENABLED",
        "PAUSED",
    )
    # The same rows as gRPC, in the proto3 JSON mapping of the same messages.
    grpc_rows = [json_format.MessageToDict(r) for r in ads.stream(QUERY)]
    assert batch["results"] == grpc_rows


def test_search_pages_with_the_token_in_the_body_or_the_url(ads: Ads, world: World) -> None:
    today = ads.today()
    query = (
        "SELECT ad_group_ad.ad.id, segments.date, segments.hour, metrics.impressions FROM ad_group_ad "
        f"WHERE segments.date BETWEEN '{today - timedelta(days=90)}' AND '{today - timedelta(days=1)}'"
    )
    path = f"customers/{ads.accounts[0]}/googleAds:search"
    first = _post(ads, path, {"query": query}).json()
    assert len(first["results"]) == 10_000 and first["nextPageToken"]
    assert first["fieldMask"] == "adGroupAd.ad.id,segments.date,segments.hour,metrics.impressions"
    second = _post(ads, path, {"query": query, "pageToken": first["nextPageToken"]}).json()
    assert "nextPageToken" not in second and second["results"]
    # Matatika sends the token as a URL parameter (reference §3.2).
    by_url = ads.http.post(
        f"{ads.base_url}/v26/{path}",
        params={"pageToken": first["nextPageToken"]},
        json={"query": query},
        headers=_headers(ads),
        timeout=30,
    ).json()
    assert by_url == second
    total = _post(ads, path, {"query": query, "searchSettings": {"returnTotalResultsCount": True}}).json()
    assert total["totalResultsCount"] == str(len(first["results"]) + len(second["results"]))


def test_errors_are_the_rest_envelope(ads: Ads) -> None:
    bad = _stream(ads, "SELECT campaign.nope FROM campaign")
    assert _error(bad) == (400, "INVALID_ARGUMENT", [{"queryError": "UNRECOGNIZED_FIELD"}])
    details = bad.json()["error"]["details"][0]
    assert details["@type"] == "type.googleapis.com/google.ads.googleads.v26.errors.GoogleAdsFailure"
    assert bad.json()["error"]["message"] == "Request contains an invalid argument."
    assert _error(_stream(ads, QUERY, **{"login-customer-id": None})) == (
        403,
        "PERMISSION_DENIED",
        [{"authorizationError": "USER_PERMISSION_DENIED"}],
    )
    unauthenticated = _stream(ads, QUERY, Authorization=None)
    assert _error(unauthenticated)[:2] == (401, "UNAUTHENTICATED")
    real = fixture("error_401_unauthenticated_not_ads_user.json")["error"]["message"]
    assert unauthenticated.json()["error"]["message"] == real
    assert _error(_stream(ads, QUERY, **{"developer-token": None})) == (
        400,
        "INVALID_ARGUMENT",
        [{"requestError": "DEVELOPER_TOKEN_PARAMETER_MISSING"}],
    )
    sized = _post(ads, f"customers/{ads.accounts[0]}/googleAds:search", {"query": QUERY, "pageSize": 10})
    assert _error(sized)[2] == [{"requestError": "PAGE_SIZE_NOT_SUPPORTED"}]


def test_requests_are_strict_json(ads: Ads) -> None:
    path = f"customers/{ads.accounts[0]}/googleAds:searchStream"
    unknown = _post(ads, path, {"query": QUERY, "summaryRow": "SUMMARY_ROW_ONLY"})
    assert unknown.status_code == 400
    error = unknown.json()["error"]
    assert error["message"] == 'Invalid JSON payload received. Unknown name "summaryRow": Cannot find field.'
    assert error["details"][0]["@type"] == "type.googleapis.com/google.rpc.BadRequest"
    not_json = ads.http.post(
        f"{ads.base_url}/v26/{path}", data="query=SELECT", headers=_headers(ads), timeout=30
    )
    assert not_json.status_code == 400 and not_json.json()["error"]["status"] == "INVALID_ARGUMENT"
    parameter = ads.http.post(
        f"{ads.base_url}/v26/{path}",
        params={"quer": "x"},
        json={"query": QUERY},
        headers=_headers(ads),
        timeout=30,
    )
    assert parameter.status_code == 400 and "quer" in parameter.json()["error"]["message"]
    summary = _post(ads, path, {"query": QUERY, "summaryRowSetting": "SUMMARY_ROW_ONLY"}).json()
    assert [set(b) & {"results", "summaryRow"} for b in summary] == [{"summaryRow"}]


def test_versions_over_rest(ads: Ads) -> None:
    path = f"customers/{ads.accounts[0]}/googleAds:searchStream"
    older = _post(ads, path, {"query": QUERY}, version="v23").json()
    assert older[0]["results"] == _stream(ads, QUERY).json()[0]["results"]
    sunset = _post(ads, path, {"query": QUERY}, version="v21")
    assert _error(sunset) == (400, "INVALID_ARGUMENT", [{"requestError": "UNSUPPORTED_VERSION"}])
    assert sunset.json()["error"]["details"][0]["@type"].endswith("googleads.v26.errors.GoogleAdsFailure")
    future = _post(ads, path, {"query": QUERY}, version="v27")
    assert future.status_code == 404 and future.json()["error"]["status"] == "NOT_FOUND"


def test_faults_and_quotas_over_rest(ads: Ads) -> None:
    ads.fault("googleAds:searchStream", "rate_limit", calls=[1])
    limited = _stream(ads, QUERY)
    assert _error(limited) == (429, "RESOURCE_EXHAUSTED", [{"quotaError": "RESOURCE_TEMPORARILY_EXHAUSTED"}])
    quota = limited.json()["error"]["details"][0]["errors"][0]["details"]["quotaErrorDetails"]
    assert quota["rateScope"] == "ACCOUNT" and quota["retryDelay"] == "30s"
    assert _stream(ads, QUERY).status_code == 200
    ads.fault("googleAds:searchStream", kind="truncate", calls=[1])
    with pytest.raises(requests.exceptions.ChunkedEncodingError):  # what Airbyte splits slices on (§7.3)
        _stream(ads, QUERY)
    log = ads.log("googleAds:searchStream")
    assert [(e["status"], e["fault"], e["account"]) for e in log] == [
        (429, "error:rate_limit", ads.accounts[0]),
        (200, None, ads.accounts[0]),
        (None, "truncate", ads.accounts[0]),
    ]


def test_field_service_over_rest(ads: Ads) -> None:
    found = _post(
        ads,
        "googleAdsFields:search",
        {"query": "SELECT name, data_type, selectable WHERE name LIKE 'customer.%'"},
    )
    names = [f["name"] for f in found.json()["results"]]
    assert "customer.currency_code" in names and all(n.startswith("customer.") for n in names)
    assert found.json()["totalResultsCount"] == str(len(names))
    one = ads.http.get(
        f"{ads.base_url}/v26/googleAdsFields/metrics.cost_micros", headers=_headers(ads), timeout=30
    )
    assert one.json()["dataType"] == "INT64" and one.json()["category"] == "METRIC"
