from __future__ import annotations

import time

import pytest
import requests

from ads_kit.sandbox.faults import FaultEngine, FaultRule, FaultRuleError


def _get(server, path: str, platform: str = "meta", timeout: float = 5) -> requests.Response:
    return server.http.get(server.url(platform, path), timeout=timeout)


def test_scripted_sequence_happens_exactly_as_scripted(echo_sandbox):
    added = echo_sandbox.control(
        "POST",
        "/faults",
        json=[
            {"platform": "meta", "route": "insights", "kind": "error", "name": "rate_limit", "calls": [3]},
            {"platform": "meta", "route": "insights", "kind": "timeout", "seconds": 1.5, "calls": [4]},
        ],
    )
    assert added.status_code == 200

    outcomes = []
    for _ in range(6):
        try:
            response = _get(echo_sandbox, "/v1/insights", timeout=0.5)
            outcomes.append((response.status_code, response.json()))
        except requests.exceptions.ReadTimeout:
            outcomes.append("timeout")

    ok = (200, {"ok": True, "greeting": None})
    assert outcomes == [ok, ok, (400, {"error": {"name": "rate_limit"}}), "timeout", ok, ok]
    # Other routes are untouched by rules naming "insights".
    assert _get(echo_sandbox, "/v1/accounts/1/items").status_code == 200
    log = _wait_for_log(echo_sandbox, "insights", 6)
    assert [entry["fault"] for entry in log] == [None, None, "error:rate_limit", "timeout", None, None]
    stats = echo_sandbox.control("GET", "/stats").json()
    assert stats["faults_applied"] == {"meta": {"error:rate_limit": 1, "timeout": 1}}
    assert stats["faults"] == {"meta": {"error": 1, "timeout": 1}}


def _wait_for_log(server, route: str, count: int) -> list[dict]:
    """The log once `count` calls completed (a held call is logged when it is finally answered)."""
    deadline = time.monotonic() + 10
    while True:
        log = server.control("GET", "/log", params={"route": route}).json()
        if len(log) >= count or time.monotonic() > deadline:
            return log
        time.sleep(0.05)


def test_account_scoped_rule_only_hits_that_account(echo_sandbox):
    echo_sandbox.control(
        "POST", "/faults", json={"platform": "meta", "account": "222", "kind": "error", "name": "x"}
    )
    assert _get(echo_sandbox, "/v1/accounts/111/items").status_code == 200
    assert _get(echo_sandbox, "/v1/accounts/222/items").status_code == 400
    assert _get(echo_sandbox, "/v1/accounts/111/items", platform="tiktok").status_code == 200


def test_drop_is_seen_by_the_client_as_a_connection_error(echo_sandbox):
    echo_sandbox.control(
        "POST", "/faults", json={"platform": "meta", "route": "items", "kind": "drop", "calls": [1]}
    )
    with pytest.raises(requests.exceptions.ConnectionError):
        _get(echo_sandbox, "/v1/accounts/1/items")
    assert _get(echo_sandbox, "/v1/accounts/1/items").status_code == 200
    entry = echo_sandbox.control("GET", "/log", params={"route": "items"}).json()[0]
    assert (entry["fault"], entry["status"]) == ("drop", None)


def test_truncate_sends_an_incomplete_body(echo_sandbox):
    echo_sandbox.control(
        "POST", "/faults", json={"platform": "meta", "route": "items", "kind": "truncate", "bytes": 100}
    )
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        _get(echo_sandbox, "/v1/accounts/1/items")
    echo_sandbox.control("DELETE", "/faults")
    assert len(_get(echo_sandbox, "/v1/accounts/1/items").json()["items"]) == 200


def test_latency_delays_but_answers(echo_sandbox):
    echo_sandbox.control("POST", "/faults", json={"platform": "meta", "kind": "latency", "seconds": 0.05})
    assert _get(echo_sandbox, "/v1/insights").json()["ok"] is True
    assert echo_sandbox.control("GET", "/stats").json()["faults_applied"] == {"meta": {"latency": 1}}


def _pattern(seed: int, calls: int = 40) -> list[bool]:
    engine = FaultEngine(seed)
    engine.add({"platform": "meta", "route": "insights", "kind": "error", "name": "x", "probability": 0.5})
    return [engine.decide("meta", "insights", None).fault is not None for _ in range(calls)]


def test_probabilistic_faults_are_deterministic_from_the_seed():
    assert _pattern(7) == _pattern(7)
    assert _pattern(7) != _pattern(8)
    assert 5 < sum(_pattern(7)) < 35


def test_probabilistic_faults_over_http_repeat_with_the_same_seed(make_echo_sandbox):
    patterns = []
    for _ in range(2):
        server = make_echo_sandbox(seed=11)
        rule = {"platform": "meta", "route": "insights", "kind": "error", "name": "x", "probability": 0.4}
        server.control("POST", "/faults", json=rule)
        patterns.append([_get(server, "/v1/insights").status_code for _ in range(15)])
    assert patterns[0] == patterns[1]
    assert set(patterns[0]) == {200, 400}


def test_job_failure_is_taken_by_the_emulator_not_applied_to_calls(echo_sandbox):
    engine = echo_sandbox.sandbox.ctx.faults
    engine.add({"platform": "meta", "account": "5", "kind": "job_failure", "calls": [2]})
    assert _get(echo_sandbox, "/v1/accounts/5/items").status_code == 200
    assert [engine.take_job_failure("meta", "5") for _ in range(3)] == [False, True, False]
    assert engine.take_job_failure("meta", "6") is False


@pytest.mark.parametrize(
    ("rule", "named"),
    [
        ({"platform": "meta", "kind": "explode"}, "'kind'"),
        ({"platform": "meta", "kind": "error"}, "'name'"),
        ({"platform": "meta", "kind": "drop", "calls": [0]}, "'calls'"),
        ({"platform": "meta", "kind": "drop", "probability": 2}, "'probability'"),
        ({"platform": "meta", "kind": "drop", "colour": "red"}, "'colour'"),
        ({"kind": "drop"}, "'platform'"),
        ({"platform": "myspace", "kind": "drop"}, "'platform'"),
    ],
)
def test_bad_rules_are_refused_with_one_line_naming_the_field(echo_sandbox, rule, named):
    response = echo_sandbox.control("POST", "/faults", json=rule)
    assert response.status_code == 400
    message = response.json()["error"]
    assert named in message and "\n" not in message
    assert echo_sandbox.control("GET", "/faults").json() == []


def test_rule_round_trips_through_its_dict():
    rule = FaultRule.from_dict({"platform": "tiktok", "kind": "truncate", "bytes": 10, "calls": [1, 3]})
    assert FaultRule.from_dict(rule.to_dict()) == rule
    with pytest.raises(FaultRuleError):
        FaultRule.from_dict({"platform": "tiktok", "kind": "drop", "calls": [1], "probability": 0.1})
