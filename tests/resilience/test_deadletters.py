"""Dead letters: recorded without secrets, retried first on the next run, resolved on success."""

from __future__ import annotations

import json

import jsonschema
import pytest

from ads_kit.resilience import (
    AccountSkipped,
    Classified,
    ConfigError,
    DeadLetterBox,
    ErrorClass,
    RequestFailed,
    dead_letter_id,
    describe_request,
)
from ads_kit.unified.schemas import UNIFIED_DEAD_LETTERS

TOKEN = "EAABwzLixnjYBOZCZBsecretsecretsecret"
SLICE = {"since": "2026-11-01", "until": "2026-11-01", "level": "ad"}


def failure(attempts: int = 6) -> RequestFailed:
    verdict = Classified(ErrorClass.RETRYABLE, "1/99", "An unknown error occurred")
    return RequestFailed("meta_ads account 1 (insights)", verdict, attempts, "retries exhausted")


def test_a_failure_is_recorded_without_secrets_and_matches_the_schema(tmp_path):
    box = DeadLetterBox("meta", tmp_path / "dl.jsonl")
    request = describe_request(
        "get",
        "/v26.0/act_1/insights",
        {"access_token": TOKEN, "appsecret_proof": "abcdef123456", "level": "ad"},
    )
    record = box.record("unified_ad_performance", "1", SLICE, failure(), request)

    assert record["platform"] == "meta_ads" and record["status"] == "open"
    assert record["error_class"] == "retryable" and record["error_code"] == "1/99" and record["attempts"] == 6
    assert record["request"] == 'GET /v26.0/act_1/insights {"level": "ad"}'
    assert json.loads(record["slice"]) == SLICE
    text = (tmp_path / "dl.jsonl").read_text()
    assert TOKEN not in text and "abcdef123456" not in text
    jsonschema.validate(record, UNIFIED_DEAD_LETTERS.to_dict())


def test_dead_letter_id_is_stable_and_distinguishes_slices():
    first = dead_letter_id("meta_ads", "1", "s", {"a": 1, "b": 2})
    assert first == dead_letter_id("meta_ads", "1", "s", {"b": 2, "a": 1})
    assert first != dead_letter_id("meta_ads", "1", "s", {"a": 1, "b": 3})
    assert first != dead_letter_id("meta_ads", "2", "s", {"a": 1, "b": 2})


def test_open_slices_are_offered_next_run_and_resolved_after_success(tmp_path):
    path = tmp_path / "dl.jsonl"
    first_run = DeadLetterBox("meta_ads", path)
    first_run.record("unified_ad_performance", "1", SLICE, failure(attempts=6))
    first_run.record("unified_ad_performance", "1", SLICE, failure(attempts=6))  # failed again later that run
    first_run.record("unified_ad_performance", "2", SLICE, failure())

    next_run = DeadLetterBox("meta_ads", path)
    assert next_run.pending("unified_ad_performance", "1") == [SLICE]
    assert next_run.pending("unified_campaigns", "1") == []
    resolved = next_run.resolve("unified_ad_performance", "1", SLICE)
    assert resolved is not None and resolved["status"] == "resolved" and resolved["attempts"] == 12
    assert next_run.pending("unified_ad_performance", "1") == []
    assert next_run.resolve("unified_ad_performance", "1", SLICE) is None  # nothing open any more
    statuses = {(r["account_id"], r["status"]) for r in next_run.records()}
    assert statuses == {("1", "resolved"), ("2", "open")}


def test_guard_records_one_account_and_lets_the_others_run(tmp_path, caplog):
    box = DeadLetterBox("google_ads", tmp_path / "dl.jsonl")
    synced = []
    for account in ("111", "222", "333"):
        with box.guard("unified_campaigns", account) as outcome:
            if account == "222":
                raise AccountSkipped(account, "USER_PERMISSION_DENIED: User doesn't have permission")
            synced.append(account)
        if account == "222":
            assert isinstance(outcome.error, AccountSkipped)
    assert synced == ["111", "333"]
    assert box.pending("unified_campaigns", "222") == [None]
    [record] = box.records()
    assert record["error_class"] == "skip_account" and record["account_id"] == "222"
    warnings = [r.getMessage() for r in caplog.records if "dead letter" in r.getMessage()]
    assert len(warnings) == 1 and "account 222 skipped" in warnings[0]


def test_guard_resolves_a_previously_failed_slice_on_success(tmp_path):
    box = DeadLetterBox("tiktok", tmp_path / "dl.jsonl")
    box.record("unified_ad_performance", "7000", SLICE, failure())
    for slice_ in box.pending("unified_ad_performance", "7000"):
        with box.guard("unified_ad_performance", "7000", slice_):
            pass
    assert box.pending("unified_ad_performance", "7000") == []


def test_guard_lets_config_errors_stop_the_run(tmp_path):
    box = DeadLetterBox("meta_ads", tmp_path / "dl.jsonl")
    with pytest.raises(ConfigError), box.guard("unified_ads", "1"):
        raise ConfigError("insights_fields", "unknown field spend_x")
    assert box.records() == []


def test_a_half_written_line_does_not_lose_the_others(tmp_path):
    path = tmp_path / "dl.jsonl"
    box = DeadLetterBox("meta_ads", path)
    box.record("unified_ads", "1", SLICE, failure())
    with path.open("a") as out:
        out.write('{"dead_letter_id": "abc", "platf')  # a run killed mid-write
    assert DeadLetterBox("meta_ads", path).pending("unified_ads", "1") == [SLICE]


def test_default_path_is_under_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    box = DeadLetterBox("tiktok")
    box.record("unified_ads", "1", None, failure())
    assert (tmp_path / ".ads-dead-letters" / "tiktok_ads.jsonl").exists()
