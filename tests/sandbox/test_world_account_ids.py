"""A world names the accounts a configuration was written for (``account_ids``)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ads_kit.sandbox.cli import main
from ads_kit.sandbox.world import World

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def test_named_accounts_replace_the_generated_ones_of_their_platform():
    plain = World(7, now=NOW)
    named = World(7, now=NOW, account_ids={"meta": ["123456", "789012"], "google_ads": ["1234567890"]})
    assert [a.id for a in named.accounts("meta")] == ["123456", "789012"]
    assert [a.id for a in named.accounts("google_ads")] == ["1234567890"]
    # the same templates, in order; the platforms not named keep their generated accounts
    assert [(a.timezone, a.currency) for a in named.accounts("meta")] == [
        (a.timezone, a.currency) for a in plain.accounts("meta")[:2]
    ]
    assert named.accounts("tiktok") == plain.accounts("tiktok")
    assert (
        named.campaigns("123456") and named.campaign_day(named.campaigns("123456")[0], NOW.date()) is not None
    )


@pytest.mark.parametrize(
    ("account_ids", "message"),
    [
        ({"snapchat": ["1"]}, "account_ids: unknown platform 'snapchat'"),
        ({"meta": []}, "account_ids.meta: must be a non-empty list of ids"),
        ({"meta": ["act_1"]}, "account_ids.meta[0]: 'act_1' is not a string of digits"),
        # Google's and TikTok's ids may coincide on the real platforms, not in one world.
        ({"google_ads": ["1234567890"], "tiktok": ["1234567890"]}, "account_ids.tiktok[0]: 1234567890 names"),
    ],
)
def test_bad_account_ids_are_refused_naming_the_entry(account_ids, message):
    with pytest.raises(ValueError, match=r"^" + message.replace("[", r"\[").replace("]", r"\]")):
        World(7, now=NOW, account_ids=account_ids)


def test_the_command_line_refuses_account_ids_in_one_line(capsys):
    assert main(["world", "--seed", "7", "--account-ids", '{"meta": ["1", "1"]}']) == 2
    assert capsys.readouterr().err == "ads-sandbox: error: account_ids.meta[1]: 1 names another account too\n"
