"""Quotas as TikTok answers them (§4.2): 40100 for the app (with the five-minute lockout after a
per-minute refusal), 40133 for an advertiser, 40016 for the task-creation window; HTTP 200 and no
rate-limit headers throughout."""

from __future__ import annotations

from tiktok_api import TikTok, settings

from ads_kit.sandbox.client import SandboxClient
from ads_kit.sandbox.limits import Charge, Decision, LimitEngine, QuotaExceeded
from ads_kit.sandbox.tiktok.throttle import Throttle

RESTRICTED = "Due to too many requests, requests from App [{}] are temporarily restricted."
GENEROUS = {"tiktok": {"app": ["500/second"], "account": ["100/second"]}}


def _refusal(scope: str, retry_after_s: float) -> QuotaExceeded:
    denied = Decision(False, 100.0, retry_after_s)
    allowed = Decision(True, 10.0, 0.0)
    return QuotaExceeded(Charge(denied) if scope == "app" else Charge(allowed, denied))


def test_a_per_second_refusal_is_the_qps_message_and_no_lockout() -> None:
    now = [1000.0]
    throttle = Throttle("tiktok", LimitEngine(), clock=lambda: now[0])
    error = throttle.refusal(_refusal("app", 0.4), "app1", "7", lockout_s=300, rules={})
    assert (error.code, error.message) == (40100, "App reaches the QPS limit.")
    assert not throttle.locked()


def test_a_per_minute_refusal_locks_the_app_for_the_lockout_or_the_window() -> None:
    now = [1000.0]
    throttle = Throttle("tiktok", LimitEngine(), clock=lambda: now[0])
    error = throttle.refusal(_refusal("app", 42.0), "app1", "7", lockout_s=300, rules={})
    assert (error.code, error.message) == (40100, RESTRICTED.format("app1"))
    now[0] += 299
    assert throttle.locked()
    now[0] += 2
    assert not throttle.locked()
    # A day window that has room only later holds the lockout until then.
    throttle.refusal(_refusal("app", 3600.0), "app1", "7", lockout_s=300, rules={})
    now[0] += 3599
    assert throttle.locked()


def test_an_advertiser_refusal_names_the_advertiser_and_its_window() -> None:
    throttle = Throttle("tiktok", LimitEngine())
    rules = {"tiktok": {"account": ["10/second"]}}
    error = throttle.refusal(_refusal("account", 0.5), "app1", "7002238017842757633", 300, rules)
    assert error.code == 40133
    assert error.message == (
        "Advertiser (7002238017842757633)'s QPS (11) reaches QPS limit 10 for current path, "
        "request is temporarily restricted."
    )
    assert not throttle.locked()


def test_qpm_refusal_locks_every_endpoint_out_until_reset(tiktok: TikTok, sandbox: SandboxClient) -> None:
    account = tiktok.accounts[0]
    with settings(sandbox, limits={"tiktok": {"app": ["2/minute"]}}):
        codes = [tiktok.get("campaign/get/", advertiser_id=account).json()["code"] for _ in range(3)]
        assert codes == [0, 0, 40100]
        locked = tiktok.get("ad/get/", advertiser_id=account)
        assert (locked.json()["code"], locked.json()["message"]) == (40100, RESTRICTED.format(tiktok.app_id))
        assert locked.status_code == 200 and "Retry-After" not in locked.headers  # §4.2: no headers
        assert tiktok.get("user/info/").json()["code"] == 40100
        stats = sandbox.stats()
        # The lockout refuses before the windows: they saw one refusal, the log three rate-limited calls.
        assert stats["limit_rejections"]["tiktok"]["app"] == 1 and stats["rate_limited"]["tiktok"] == 3
        sandbox.reset()  # a reset clears the windows, and the lockout with them
        assert tiktok.get("ad/get/", advertiser_id=account).json()["code"] == 0


def test_the_qpm_fault_starts_the_lockout_too(tiktok: TikTok, sandbox: SandboxClient) -> None:
    account = tiktok.accounts[0]
    sandbox.add_fault(
        platform="tiktok", route="report_integrated_get", kind="error", name="qpm_limit", calls=[1]
    )
    with settings(sandbox, tiktok_qpm_lockout_seconds=600):
        first = tiktok.get("report/integrated/get/", advertiser_id=account).json()
        assert first["message"] == RESTRICTED.format(tiktok.app_id)
        assert tiktok.get("campaign/get/", advertiser_id=account).json()["code"] == 40100
        sandbox.reset()
        assert tiktok.get("campaign/get/", advertiser_id=account).json()["code"] == 0


def test_advertiser_quota_is_40133_for_that_advertiser_only(tiktok: TikTok, sandbox: SandboxClient) -> None:
    busy, other = tiktok.accounts[1], tiktok.accounts[2]
    with settings(sandbox, limits={"tiktok": {"account": ["3/minute"]}}):
        codes = [tiktok.get("adgroup/get/", advertiser_id=busy).json()["code"] for _ in range(4)]
        refused = tiktok.get("campaign/get/", advertiser_id=busy).json()
        assert codes == [0, 0, 0, 40133] and refused["code"] == 40133
        assert refused["message"].startswith(f"Advertiser ({busy})'s QPS")
        assert tiktok.get("adgroup/get/", advertiser_id=other).json()["code"] == 0  # no app lockout
    assert sandbox.stats()["limit_rejections"]["tiktok"]["account"] == 2


def test_task_creation_has_its_own_window(tiktok: TikTok, sandbox: SandboxClient) -> None:
    account = tiktok.accounts[0]
    body = {
        "advertiser_id": account,
        "report_type": "BASIC",
        "data_level": "AUCTION_ADVERTISER",
        "dimensions": ["advertiser_id"],
        "start_date": "2026-11-01",
        "end_date": "2026-11-02",
    }
    with settings(sandbox, limits={"tiktok": {"task_create": ["1/minute"]}}):
        assert tiktok.post("report/task/create/", body).json()["code"] == 0
        assert tiktok.post("report/task/create/", body).json()["code"] == 40016
        assert tiktok.get("campaign/get/", advertiser_id=account).json()["code"] == 0
