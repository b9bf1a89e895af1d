"""Per-account isolation: a refusal of one account skips all its streams, a refusal of one stream
(an endpoint's scope) that stream only, and an account whose own node cannot be read is skipped whole."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from ads_kit.resilience.deadletters import DeadLetterBox
from ads_kit.resilience.errors import AccountSkipped, ConfigError
from ads_kit.tap.isolation import AccountIsolation
from ads_kit.tap.progress import Progress
from ads_kit.tap.sources import AccountDirectory

LOG = logging.getLogger("isolation-test")


def isolation(tmp_path: Path) -> tuple[AccountIsolation, DeadLetterBox]:
    box = DeadLetterBox("tiktok_ads", tmp_path / "dead-letters.jsonl")
    return AccountIsolation(box, LOG, Progress(LOG)), box


def test_a_stream_refusal_skips_that_stream_only(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    accounts, box = isolation(tmp_path)
    with accounts.isolated("7", "pixels"):
        raise AccountSkipped("7", "40001: lacks the required scope", stream_only=True)
    assert not accounts.is_skipped("7")
    assert "account 7 stream pixels skipped: 40001: lacks the required scope" in caplog.text
    assert [(r["stream"], r["account_id"]) for r in box.records()] == [("pixels", "7")]
    with accounts.isolated("7", "campaigns"):
        raise AccountSkipped("7", "40001: advertiser 7 doesn't exist")
    assert accounts.is_skipped("7")


class Directory(AccountDirectory):
    def read(self, account_id: str) -> dict[str, Any]:
        raise AccountSkipped(account_id, "40001: lacks the required scope", stream_only=True)


def test_an_account_whose_node_is_refused_is_skipped_whole() -> None:
    with pytest.raises(AccountSkipped) as skipped:
        Directory(["7"]).raw("7")
    assert not skipped.value.stream_only and skipped.value.account == "7"


def test_a_run_fails_naming_the_account_setting_only_when_every_account_was_skipped(tmp_path: Path) -> None:
    accounts, _ = isolation(tmp_path)
    with accounts.isolated("7", "pixels"):  # one stream refused: the account is still read
        raise AccountSkipped("7", "40001: lacks the required scope", stream_only=True)
    with accounts.isolated("8", "campaigns"):
        raise AccountSkipped("8", "40001: advertiser 8 doesn't exist " + "x" * 200)
    accounts.check_some_account_read(["7", "8"], "advertiser_ids")  # 7 was read: no failure

    with accounts.isolated("7", "campaigns"):
        raise AccountSkipped("7", "40001: lacks\nthe required scope")
    with pytest.raises(ConfigError) as failed:
        accounts.check_some_account_read(["7", "8"], "advertiser_ids")
    assert failed.value.setting == "advertiser_ids"
    message = str(failed.value)
    assert message.startswith("advertiser_ids: no account could be read, every one was skipped: ")
    assert "7 (40001: lacks the required scope), 8 (40001: advertiser 8 doesn't exist x" in message
    assert len(message) < 250 and message.endswith("...)")
    accounts.check_some_account_read([], "advertiser_ids")  # no account (an empty shard): nothing to fail
