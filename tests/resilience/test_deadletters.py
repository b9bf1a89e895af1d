"""Dead letters: recorded without secrets, still open on the next run, resolved on success."""

from __future__ import annotations

import json

import jsonschema

from ads_kit.resilience import (
    Classified,
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


def still_open(box: DeadLetterBox, stream: str, account: str) -> list:
    """The slices of this stream and account whose dead letters are still open."""
    return [
        json.loads(r["slice"]) if r["slice"] is not None else None
        for r in box.records()
        if r["status"] == "open" and r["stream"] == stream and r["account_id"] == account
    ]


def test_a_failure_is_recorded_without_secrets_and_matches_the_schema(tmp_path):
    box = DeadLetterBox("meta_ads", tmp_path / "dl.jsonl")
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
    assert still_open(next_run, "unified_ad_performance", "1") == [SLICE]
    assert still_open(next_run, "unified_campaigns", "1") == []
    resolved = next_run.resolve("unified_ad_performance", "1", SLICE)
    assert resolved is not None and resolved["status"] == "resolved" and resolved["attempts"] == 12
    assert still_open(next_run, "unified_ad_performance", "1") == []
    assert next_run.resolve("unified_ad_performance", "1", SLICE) is None  # nothing open any more
    statuses = {(r["account_id"], r["status"]) for r in next_run.records()}
    assert statuses == {("1", "resolved"), ("2", "open")}


def test_a_half_written_line_does_not_lose_the_others(tmp_path):
    path = tmp_path / "dl.jsonl"
    box = DeadLetterBox("meta_ads", path)
    box.record("unified_ads", "1", SLICE, failure())
    with path.open("a") as out:
        out.write('{"dead_letter_id": "abc", "platf')  # a run killed mid-write
    assert still_open(DeadLetterBox("meta_ads", path), "unified_ads", "1") == [SLICE]


def test_default_path_is_under_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    box = DeadLetterBox("tiktok_ads")
    box.record("unified_ads", "1", None, failure())
    assert (tmp_path / ".ads-dead-letters" / "tiktok_ads.jsonl").exists()
