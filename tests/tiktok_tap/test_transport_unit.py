"""TikTokClient and the report reads on the wire, with ``responses`` standing in for the API: HTTP 200
error bodies, the gateway's HTML 504, a cut body, 40067 halving a report window, a task's CSV file.
Waits go through an injected ``sleep``; the sandbox tests stay the integration layer."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import redis
import responses

from ads_kit.auth.provider import TokenProvider
from ads_kit.resilience.errors import RequestFailed, Scope
from ads_kit.resilience.ratelimit import RateLimiter, RateLimitSettings
from ads_kit.resilience.retry import RetryPolicy
from ads_kit.resilience.versions import VersionPolicy
from ads_kit.tap.reports.slices import window_slice
from tap_tiktok_ads.client import TikTokClient
from tap_tiktok_ads.report_tasks import TikTokTaskReads
from tap_tiktok_ads.reports import ReportSpec
from tests.meta_tap.test_quota import RecordingLimiter

from .conftest import payload

pytestmark = pytest.mark.timeout(5)

HOST = "https://tiktok.unit.test"
API = f"{HOST}/open_api/v1.3"
ADVERTISER = "7002238017842757633"
TOKEN = "unit-tiktok-token-0123456789abcdef"
OK_INFO = {"code": 0, "message": "OK", "request_id": "1", "data": {"list": [{"advertiser_id": ADVERTISER}]}}


@pytest.fixture
def api() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def client(waits: list[float], limiter: RecordingLimiter) -> TikTokClient:
    return TikTokClient(
        tokens=TokenProvider.from_config("tiktok_ads", {"access_token": TOKEN}),
        versions=VersionPolicy("tiktok_ads", None, date(2026, 11, 25)),
        base_url=HOST,
        policy=RetryPolicy(max_retries=3),
        limiter=limiter,  # type: ignore[arg-type]
        sleep=waits.append,
        qpm_lockout_s=300,
    )


def info(tiktok: TikTokClient) -> dict[str, Any]:
    return tiktok.data("GET", "advertiser/info", {"advertiser_ids": [ADVERTISER]}, account=ADVERTISER)


def test_json_parameters_and_the_token_header(api: responses.RequestsMock) -> None:
    api.get(f"{API}/advertiser/info/", json=OK_INFO)
    assert info(client([], RecordingLimiter()))["list"][0]["advertiser_id"] == ADVERTISER
    sent = api.calls[0].request
    assert sent.headers["Access-Token"] == TOKEN
    assert parse_qs(urlsplit(sent.url).query)["advertiser_ids"] == [f'["{ADVERTISER}"]']


def test_a_40100_in_a_200_body_waits_a_second_and_a_restriction_pauses_the_app(
    api: responses.RequestsMock,
) -> None:
    restricted = {
        "code": 40100,
        "message": "Due to too many requests, requests from App [7] are temporarily restricted.",
    }
    for body in (payload("error_40100_qps_limit.json"), restricted, OK_INFO):
        api.get(f"{API}/advertiser/info/", json=body)
    waits: list[float] = []
    limiter = RecordingLimiter()
    assert info(client(waits, limiter))["list"]
    assert waits == [1.0, 300.0]
    assert [(s.retry_after_s, s.scope) for _, s in limiter.signals] == [(1.0, Scope.APP), (300.0, Scope.APP)]


@pytest.mark.parametrize(
    ("status", "body", "content_type"),
    [
        (504, "<html><head><title>504 Gateway Time-out</title></head></html>", "text/html"),
        (200, '{"code": 0, "message": "OK", "data": {"li', "application/json"),
        (200, json.dumps(payload("error_50000_system_error_with_data.json")), "application/json"),
    ],
    ids=["html-504", "cut-json", "50000"],
)
def test_gateway_pages_cut_bodies_and_system_errors_are_retried(
    api: responses.RequestsMock, status: int, body: str, content_type: str
) -> None:
    api.get(f"{API}/advertiser/info/", body=body, status=status, content_type=content_type)
    api.get(f"{API}/advertiser/info/", json=OK_INFO)
    waits: list[float] = []
    assert info(client(waits, RecordingLimiter()))["list"]
    assert len(waits) == 1 and len(api.calls) == 2


def test_a_revoked_token_is_not_retried_without_a_way_to_renew_it(api: responses.RequestsMock) -> None:
    api.get(f"{API}/advertiser/info/", json=payload("error_40105_access_token_revoked.json"))
    with pytest.raises(Exception, match="revoked"):
        info(client([], RecordingLimiter()))
    assert len(api.calls) <= 2


def test_40067_halves_the_report_window_down_to_the_days_that_fit(api: responses.RequestsMock) -> None:
    def answer(request: Any) -> tuple[int, dict[str, str], str]:
        query = {k: v[0] for k, v in parse_qs(urlsplit(request.url).query).items()}
        start, end = date.fromisoformat(query["start_date"]), date.fromisoformat(query["end_date"])
        if (end - start).days + 1 > 4:
            return 200, {}, json.dumps({"code": 40067, "message": "Query too large.", "data": {}})
        rows = [
            {"dimensions": {"ad_id": "1", "stat_time_day": f"{day} 00:00:00"}, "metrics": {"spend": "1.000"}}
            for day in (start, end)
        ]
        page = {"page": 1, "page_size": 1000, "total_number": 2, "total_page": 1}
        return 200, {}, json.dumps({"code": 0, "message": "OK", "data": {"list": rows, "page_info": page}})

    api.add_callback(responses.GET, f"{API}/report/integrated/get/", callback=answer)
    reads = TikTokTaskReads(
        client([], RecordingLimiter()), ReportSpec("r", metrics=("spend",)), ADVERTISER, include_deleted=False
    )
    rows = reads.read(window_slice(date(2026, 11, 1), date(2026, 11, 16)))
    spans = [parse_qs(urlsplit(c.request.url).query) for c in api.calls]
    assert [(s["start_date"][0], s["end_date"][0]) for s in spans][:2] == [
        ("2026-11-01", "2026-11-16"),
        ("2026-11-01", "2026-11-08"),
    ]
    assert {row["stat_time_day"] for row in rows} >= {"2026-11-01 00:00:00", "2026-11-16 00:00:00"}


def test_a_task_file_is_read_as_rows_and_a_failed_check_names_the_reason(api: responses.RequestsMock) -> None:
    csv_text = (
        "ad_id,stat_time_day,spend,secondary_goal_result\n1714125051115569,2021-10-25 00:00:00,20.000,-\n"
    )
    api.get(f"{API}/report/task/download/", body=csv_text, content_type="text/csv")
    failed = {"code": 0, "message": "OK", "data": {"status": "FAILED", "message": "Report too large"}}
    api.get(f"{API}/report/task/check/", json=failed)
    reads = TikTokTaskReads(
        client([], RecordingLimiter()), ReportSpec("r"), ADVERTISER, include_deleted=False
    )
    assert list(reads.fetch("7000000000000000001")) == [
        {
            "ad_id": "1714125051115569",
            "stat_time_day": "2021-10-25 00:00:00",
            "spend": "20.000",
            "secondary_goal_result": "-",
        }
    ]
    status = reads.poll("7000000000000000001")
    assert status.error == "FAILED: Report too large"


def test_the_qpm_lockout_pauses_every_worker_sharing_redis(api: responses.RequestsMock) -> None:
    """One worker hears "temporarily restricted"; another worker of the same app, on the same Redis,
    is paused for the lockout without having asked TikTok anything."""
    url = "redis://127.0.0.1:6379/0"
    namespace = f"test-tiktok-{uuid.uuid4().hex[:12]}"
    settings = RateLimitSettings.from_config("tiktok_ads", {"redis_url": url})
    first, second = (RateLimiter("tiktok_ads", "7", settings, namespace=namespace) for _ in range(2))
    restricted = {
        "code": 40100,
        "message": "Due to too many requests, requests from App [7] are temporarily restricted.",
    }
    api.get(f"{API}/advertiser/info/", json=restricted)
    worker = TikTokClient(
        tokens=TokenProvider.from_config("tiktok_ads", {"access_token": TOKEN}),
        versions=VersionPolicy("tiktok_ads", None, date(2026, 11, 25)),
        base_url=HOST,
        policy=RetryPolicy(max_retries=0),  # the retry itself would wait out the pause
        limiter=first,
        sleep=lambda seconds: None,
        qpm_lockout_s=300,
    )
    try:
        with pytest.raises(RequestFailed, match="40100"):
            info(worker)
        assert 250 < second.paused_for("any-advertiser") <= 300
    finally:
        client = redis.Redis.from_url(url)
        keys = list(client.scan_iter(match=f"*{namespace}*", count=1000))
        if keys:
            client.delete(*keys)
