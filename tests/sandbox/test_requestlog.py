from __future__ import annotations

from ads_kit.sandbox.requestlog import LoggedRequest, RequestLog, redact_query


def _entry(n: int, **overrides) -> LoggedRequest:
    fields = dict(
        at=float(n),
        platform="meta",
        route="insights",
        method="GET",
        path="/x",
        account="1",
        status=200,
        duration_ms=1.0,
        rate_limited=False,
        fault=None,
    )
    return LoggedRequest(**{**fields, **overrides})


def test_credential_values_are_redacted_and_other_values_kept():
    query = "access_token=EAAxyz&fields=id%2Cname&appsecret_proof=abc&code=q&Refresh_Token=1%2F%2F0z&limit=5"
    assert redact_query(query) == (
        "access_token=REDACTED&fields=id%2Cname&appsecret_proof=REDACTED&code=REDACTED"
        "&Refresh_Token=REDACTED&limit=5"
    )


def test_log_is_bounded_but_counters_count_everything():
    log = RequestLog(max_entries=3)
    for n in range(5):
        log.record(_entry(n, status=None if n == 4 else 200, fault="drop" if n == 4 else None))
    assert [e.at for e in log.entries()] == [2.0, 3.0, 4.0]
    stats = log.stats()
    assert stats["calls"]["meta"]["insights"]["statuses"] == {"200": 4, "dropped": 1}
    assert stats["faults"] == {"meta": {"drop": 1}}


def test_entries_filter_and_keep_arrival_order():
    log = RequestLog()
    log.record(_entry(2, route="ads"))
    log.record(_entry(1))  # answered later but arrived first
    log.record(_entry(3, platform="tiktok", rate_limited=True))
    assert [e.at for e in log.entries()] == [1.0, 2.0, 3.0]
    assert [e.at for e in log.entries(platform="meta", route="insights")] == [1.0]
    assert [e.at for e in log.entries(limit=1)] == [3.0]
    assert log.stats()["rate_limited"] == {"tiktok": 1}
    log.clear()
    assert log.entries() == [] and log.stats()["calls"] == {}
