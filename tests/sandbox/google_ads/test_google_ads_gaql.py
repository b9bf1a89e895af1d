"""GAQL as documented (reference §2.1): the grammar, the operators on real rows, PARAMETERS, the
field mask, and Google's QueryErrors for bad queries (real wording where a fixture has it)."""

from __future__ import annotations

import re
from datetime import timedelta

import grpc
import pytest
from google.ads.googleads.errors import GoogleAdsException
from google_ads_client import Ads, codes, failure_of, fixture, fixture_text

from ads_kit.sandbox.google_ads import gaql
from ads_kit.sandbox.world import World

CAMPAIGN_FIELDS = "campaign.id, campaign.name, campaign.status"


def _error(ads: Ads, query: str, customer: str | None = None) -> tuple[str, str]:
    """The (QueryError value, message) a query is refused with."""
    with pytest.raises(GoogleAdsException) as caught:
        ads.search(query, customer=customer)
    assert caught.value.error.code() == grpc.StatusCode.INVALID_ARGUMENT
    ((member, code),) = codes(caught.value)
    assert member == "query_error"
    return code, failure_of(caught.value).errors[0].message


def test_the_grammar_parses_every_clause() -> None:
    query = gaql.parse(
        "select campaign.id, segments.date FROM campaign WHERE segments.date BETWEEN '2026-11-01' AND "
        "'20261107' AND campaign.status IN (ENABLED, 'PAUSED') AND campaign.name LIKE '%[%]%' AND "
        "campaign.end_date_time IS NULL AND metrics.clicks >= 3 ORDER BY segments.date DESC, campaign.id "
        "LIMIT 5 PARAMETERS include_drafts=true, omit_unselected_resource_names=false"
    )
    assert query.select == ("campaign.id", "segments.date") and query.resource == "campaign"
    assert [(c.field, c.operator, [v.text for v in c.values]) for c in query.where] == [
        ("segments.date", "BETWEEN", ["2026-11-01", "20261107"]),
        ("campaign.status", "IN", ["ENABLED", "PAUSED"]),
        ("campaign.name", "LIKE", ["%[%]%"]),
        ("campaign.end_date_time", "IS NULL", []),
        ("metrics.clicks", ">=", ["3"]),
    ]
    assert [(o.field, o.descending) for o in query.order_by] == [
        ("segments.date", True),
        ("campaign.id", False),
    ]
    assert query.limit == 5
    assert query.parameters == {"include_drafts": "true", "omit_unselected_resource_names": "false"}


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("campaign.id FROM campaign", "EXPECTED_SELECT"),
        ("SELECT campaign.id", "EXPECTED_FROM"),
        ("SELECT campaign.id FROM campaign WHERE campaign.name = 'open", "STRING_NOT_TERMINATED"),
        ("SELECT campaign.id FROM campaign WHERE campaign.name = 'a\\qb'", "BAD_ESCAPE_SEQUENCE"),
        ("SELECT campaign.id FROM campaign WHERE campaign.name = 'a\nb'", "PROHIBITED_NEWLINE_IN_STRING"),
        ("SELECT campaign.id FROM campaign WHERE campaign.name ~ 'a'", "BAD_OPERATOR"),
        ("SELECT campaign.id FROM campaign LIMIT 0", "LIMIT_VALUE_TOO_LOW"),
        ("SELECT campaign.id FROM campaign LIMIT ten", "BAD_LIMIT_VALUE"),
        ("SELECT campaign.id FROM campaign ORDER campaign.id", "EXPECTED_BY"),
        ("SELECT campaign.id FROM campaign WHERE segments.date BETWEEN '2026-11-01'", "EXPECTED_AND"),
        ("SELECT campaign.id FROM campaign GROUP BY campaign.id", "UNEXPECTED_INPUT"),
        ("SELECT campaign.id FROM campaign WHERE", "UNEXPECTED_END_OF_QUERY"),
        ("SELECT campaign.id FROM campaign WHERE campaign.name = 'é' AND ü", "BAD_SYMBOL"),
        ("SELECT Campaign.id FROM campaign", "BAD_FIELD_NAME"),
    ],
)
def test_syntax_errors(query: str, code: str) -> None:
    with pytest.raises(Exception) as caught:
        gaql.parse(query, from_clause="required")
    (error,) = caught.value.errors
    assert (error.kind, error.code) == ("query_error", code)


def test_a_value_that_is_not_one_gets_the_real_bad_value_error(ads: Ads) -> None:
    # n8n-io/n8n#26944 sent "DURING =LAST_7_DAYS" (an expression's leading "=" left in).
    code, message = _error(ads, "SELECT campaign.id FROM campaign WHERE segments.date DURING =LAST_7_DAYS")
    real = fixture("error_400_query_error_bad_value_real.json")["error"]["details"][0]["errors"][0]
    assert (code, message) == ("BAD_VALUE", real["message"])


def test_unknown_fields_get_the_real_unrecognized_field_error(ads: Ads) -> None:
    # v25 renamed metrics.video_views (n8n-io/n8n#36313 has the real message).
    code, message = _error(ads, "SELECT metrics.video_views FROM campaign")
    real = fixture("error_400_query_error_unrecognized_field_real.json")["error"]["details"][0]["errors"][0]
    assert (code, message) == ("UNRECOGNIZED_FIELD", real["message"])
    assert _error(ads, "SELECT campaign.start_date FROM campaign")[0] == "UNRECOGNIZED_FIELD"  # gone in v23
    assert _error(ads, "SELECT campaign.no_such_field FROM campaign")[0] == "UNRECOGNIZED_FIELD"


def test_segment_rules_get_the_real_prohibited_segment_error(ads: Ads) -> None:
    real = re.search(r'message: "(.*)"', fixture_text("error_query_prohibited_segment_proto_text.txt"))[1]
    template = re.escape(real).replace(r"segments\.product_item_id", r"(segments\.\w+)")
    template = template.replace(r"'AD_GROUP_AD',\ 'AD_GROUP_AD'", r"'(\w+)'")
    cases = {
        "SELECT segments.device, metrics.clicks FROM age_range_view WHERE segments.date DURING YESTERDAY": (
            "segments.device",
            "AGE_RANGE_VIEW",
        ),
        "SELECT segments.hour, segments.device, metrics.clicks FROM campaign "
        "WHERE segments.date DURING YESTERDAY": ("segments.device", "CAMPAIGN"),
        "SELECT user_list.id FROM user_list WHERE segments.date DURING YESTERDAY": (
            "segments.date",
            "USER_LIST",
        ),
    }
    for query, (segment, resource) in cases.items():
        code, message = _error(ads, query)
        assert code == "PROHIBITED_SEGMENT_IN_SELECT_OR_WHERE_CLAUSE"
        assert re.fullmatch(template, message).groups() == (segment, resource), message
    code, message = _error(ads, "SELECT segments.conversion_action, metrics.clicks FROM campaign")
    assert code == "PROHIBITED_SEGMENT_WITH_METRIC_IN_SELECT_OR_WHERE_CLAUSE" and "'clicks'" in message
    assert (
        _error(ads, "SELECT metrics.clicks FROM user_list")[0]
        == "PROHIBITED_METRIC_IN_SELECT_OR_WHERE_CLAUSE"
    )


def test_core_date_segments_need_a_finite_range(ads: Ads) -> None:
    real = re.search(r'message: "(.*)"', fixture_text("error_finite_date_range_required_node_repr.txt"))[1]
    for where in ("", "WHERE segments.date >= '2026-11-01'", "WHERE segments.date != '2026-11-01'"):
        code, message = _error(ads, f"SELECT segments.date, metrics.clicks FROM campaign {where}")
        assert (code, message) == ("EXPECTED_FILTERS_ON_DATE_RANGE", real)
    code, message = _error(ads, "SELECT segments.week, metrics.clicks FROM campaign")
    assert message == real.replace("segments.date", "segments.week")
    bounded = "WHERE segments.date >= '2026-11-01' AND segments.date <= '2026-11-03'"
    assert ads.search(f"SELECT segments.date, metrics.clicks FROM customer {bounded}")
    # A date filter without a date segment sums the range (reference §2.1): no range needed.
    assert len(ads.search("SELECT campaign.id, metrics.clicks FROM campaign")) == 4


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("SELECT campaign_budget FROM campaign", "PROHIBITED_FIELD_IN_SELECT_CLAUSE"),
        ("SELECT ad_group.id FROM campaign", "PROHIBITED_RESOURCE_TYPE_IN_SELECT_CLAUSE"),
        (
            "SELECT campaign.id FROM campaign WHERE ad_group.id = 1",
            "PROHIBITED_RESOURCE_TYPE_IN_WHERE_CLAUSE",
        ),
        ("SELECT user_list.id FROM keyword_view", "PROHIBITED_RESOURCE_TYPE_IN_SELECT_CLAUSE"),
        ("SELECT campaign.id FROM campaigns", "BAD_RESOURCE_TYPE_IN_FROM_CLAUSE"),
        (
            "SELECT campaign.id FROM campaign ORDER BY campaign.name",
            "EXPECTED_REFERENCED_FIELD_IN_SELECT_CLAUSE",
        ),
        (
            "SELECT campaign.resource_name FROM campaign ORDER BY campaign.resource_name",
            "PROHIBITED_FIELD_IN_ORDER_BY_CLAUSE",
        ),
        ("SELECT campaign.id FROM campaign WHERE campaign.status = ACTIVE", "BAD_ENUM_CONSTANT"),
        ("SELECT campaign.id FROM campaign WHERE campaign.status = UNKNOWN", "PROHIBITED_ENUM_CONSTANT"),
        ("SELECT campaign.id FROM campaign WHERE campaign.status > ENABLED", "OPERATOR_FIELD_MISMATCH"),
        ("SELECT campaign.id FROM campaign WHERE campaign.id LIKE '1%'", "OPERATOR_FIELD_MISMATCH"),
        ("SELECT campaign.id FROM campaign WHERE campaign.id IN 1", "EXPECTED_LIST"),
        ("SELECT campaign.id FROM campaign WHERE campaign.id = (1, 2)", "EXPECTED_SINGLE_VALUE"),
        ("SELECT campaign.id FROM campaign WHERE campaign.id IN ()", "PROHIBITED_EMPTY_LIST_IN_CONDITION"),
        (
            "SELECT campaign.id FROM campaign WHERE campaign.name IN ('a', 1)",
            "PROHIBITED_VALUE_COMBINATION_IN_LIST",
        ),
        ("SELECT campaign.id FROM campaign WHERE campaign.name = unquoted", "INVALID_STRING_VALUE"),
        ("SELECT campaign.id FROM campaign WHERE campaign.id = '1'", "BAD_VALUE"),
        ("SELECT campaign.id FROM campaign WHERE campaign.id = 1.5", "BAD_NUMBER"),
        ("SELECT campaign.id FROM campaign WHERE segments.date = '2026/11/01'", "INVALID_DATE_FORMAT"),
        ("SELECT campaign.id FROM campaign WHERE segments.week = '2026-11-04'", "MISALIGNED_DATE_FOR_FILTER"),
        (
            "SELECT campaign.id FROM campaign WHERE segments.date DURING LAST_9_DAYS",
            "INVALID_VALUE_WITH_DURING_OPERATOR",
        ),
        (
            "SELECT campaign.id FROM campaign WHERE segments.date BETWEEN '2026-11-05' AND '2026-11-01'",
            "DATE_RANGE_TOO_NARROW",
        ),
        ("SELECT campaign.id FROM campaign WHERE campaign.label CONTAINS ANY ('x')", "UNRECOGNIZED_FIELD"),
        (
            "SELECT customer_client.id FROM customer_client WHERE customer_client.applied_labels = 'x'",
            "OPERATOR_FIELD_MISMATCH",
        ),
        ("SELECT campaign.id FROM campaign PARAMETERS omit_everything=true", "BAD_PARAMETER_NAME"),
        ("SELECT campaign.id FROM campaign PARAMETERS include_drafts=maybe", "BAD_PARAMETER_VALUE"),
        ("SELECT campaign.id, campaign.id FROM campaign", "QUERY_ERROR"),
        # Rules the reference records beyond the catalog (§2.3, §8).
        (
            "SELECT metrics.top_impression_percentage FROM customer",
            "PROHIBITED_METRIC_IN_SELECT_OR_WHERE_CLAUSE",
        ),
        (
            "SELECT segments.conversion_lag_bucket, metrics.clicks FROM keyword_view "
            "WHERE segments.date DURING TODAY",
            "PROHIBITED_SEGMENT_WITH_METRIC_IN_SELECT_OR_WHERE_CLAUSE",
        ),
        ("SELECT click_view.gclid FROM click_view", "EXPECTED_FILTERS_ON_DATE_RANGE"),
        (
            "SELECT click_view.gclid FROM click_view WHERE segments.date DURING LAST_7_DAYS",
            "DATE_RANGE_TOO_WIDE",
        ),
    ],
)
def test_meaning_errors(ads: Ads, query: str, code: str) -> None:
    assert _error(ads, query)[0] == code


def test_what_the_reference_allows_next_to_its_rules_runs(ads: Ads) -> None:
    assert ads.search(
        "SELECT metrics.top_impression_percentage FROM campaign WHERE segments.date DURING TODAY"
    )
    lag = (
        "SELECT segments.conversion_lag_bucket, metrics.conversions FROM keyword_view "
        "WHERE segments.date DURING TODAY"
    )
    assert ads.search(lag) == []  # the world has no keywords
    assert ads.search("SELECT click_view.gclid FROM click_view WHERE segments.date DURING YESTERDAY") == []


def test_operators_on_the_worlds_rows(ads: Ads, world: World) -> None:
    campaigns = world.campaigns(ads.accounts[0])
    first, second = campaigns[0], campaigns[1]

    def ids(where: str) -> list[int]:
        return [r.campaign.id for r in ads.search(f"SELECT campaign.id FROM campaign WHERE {where}")]

    assert ids(f"campaign.id = {first.id}") == [int(first.id)]
    assert ids(f"campaign.id != {first.id}") == [int(c.id) for c in campaigns[1:]]
    assert ids(f"campaign.id > {first.id}") == [int(c.id) for c in campaigns if int(c.id) > int(first.id)]
    assert ids(f"campaign.id < {second.id}") == [int(c.id) for c in campaigns if int(c.id) < int(second.id)]
    assert ids(f"campaign.id IN ({first.id}, {second.id})") == [int(first.id), int(second.id)]
    assert ids(f"campaign.id NOT IN ({first.id})") == [int(c.id) for c in campaigns[1:]]
    assert ids(f"campaign.id BETWEEN {first.id} AND {first.id}") == [int(first.id)]
    assert ids(f"campaign.name = '{first.name}'") == [int(first.id)]
    word = first.name.split()[0]
    assert ids(f"campaign.name LIKE '{word}%'") == [int(c.id) for c in campaigns if c.name.startswith(word)]
    assert ids(f"campaign.name NOT LIKE '%{first.name[-3:]}'") == [int(c.id) for c in campaigns[1:]]
    assert ids(f"campaign.name REGEXP_MATCH '{word}.*'") == ids(f"campaign.name LIKE '{word}%'")
    enabled = [int(c.id) for c in campaigns if c.status == "active"]
    assert ids("campaign.status = 'ENABLED'") == ids("campaign.status = ENABLED") == enabled
    open_ended = [int(c.id) for c in campaigns if c.end_date is None]
    assert ids("campaign.end_date_time IS NULL") == open_ended
    assert ids("campaign.end_date_time IS NOT NULL") == [
        int(c.id) for c in campaigns if c.end_date is not None
    ]
    started = f"campaign.start_date_time <= '{first.start_date.isoformat()} 00:00:00'"
    assert ids(started) == [int(c.id) for c in campaigns if c.start_date <= first.start_date]
    lookalikes = [a for a in world.audiences(ads.accounts[0]) if a.source_audience_id]
    seeds = ", ".join(a.source_audience_id for a in lookalikes[:1])
    rows = ads.search(
        "SELECT user_list.id FROM user_list WHERE "
        f"user_list.lookalike_user_list.seed_user_list_ids CONTAINS ANY ({seeds})"
    )
    assert [r.user_list.id for r in rows] == [int(lookalikes[0].id)]


@pytest.mark.parametrize("index", [0, 1])
def test_during_is_in_the_customers_zone_and_last_n_days_end_yesterday(
    ads: Ads, world: World, index: int
) -> None:
    # At 15:30 UTC Sao Paulo (index 0) is at 12:30 on the 25th, its today partly reported; Tokyo
    # (index 1) is at 00:30 on the 26th, its today not reported yet.
    customer = ads.accounts[index]
    account = world.account(customer)
    today = world.account_today(account)
    assert today.day == (25, 26)[index]
    monday = today - timedelta(days=today.weekday())
    expected = {
        "TODAY": (today, today),
        "YESTERDAY": (today - timedelta(days=1), today - timedelta(days=1)),
        "LAST_7_DAYS": (today - timedelta(days=7), today - timedelta(days=1)),
        "LAST_14_DAYS": (today - timedelta(days=14), today - timedelta(days=1)),
        "LAST_30_DAYS": (today - timedelta(days=30), today - timedelta(days=1)),
        "THIS_MONTH": (today.replace(day=1), today),
        "LAST_MONTH": (today.replace(day=1, month=today.month - 1), today.replace(day=1) - timedelta(days=1)),
        "THIS_WEEK_MON_TODAY": (monday, today),
        "LAST_WEEK_MON_SUN": (monday - timedelta(days=7), monday - timedelta(days=1)),
        "LAST_BUSINESS_WEEK": (monday - timedelta(days=7), monday - timedelta(days=3)),
    }
    for function, (first, last) in expected.items():
        query = (
            f"SELECT segments.date, metrics.impressions FROM customer WHERE segments.date DURING {function}"
        )
        days = [r.segments.date for r in ads.search(query, customer=customer)]
        span = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        assert days == [d.isoformat() for d in span if world.account_day(account, d)], function


def test_parameters_and_the_field_mask(ads: Ads) -> None:
    query = (
        "SELECT campaign.id, customer.id, metrics.clicks FROM campaign WHERE segments.date DURING YESTERDAY"
    )
    rows = ads.stream_batches(query)
    assert list(rows[0].field_mask.paths) == ["campaign.id", "customer.id", "metrics.clicks"]
    row = rows[0].results[0]
    # The FROM resource's resource name, and the customer's for the selected customer.id (§2.1, §3.2).
    assert row.campaign.resource_name.startswith(f"customers/{ads.accounts[0]}/campaigns/")
    assert row.customer.resource_name == f"customers/{ads.accounts[0]}"
    omitted = ads.stream_batches(query + " PARAMETERS omit_unselected_resource_names=true")
    assert omitted[0].results[0].campaign.resource_name == ""
    assert omitted[0].results[0].customer.resource_name == ""
    assert omitted[0].results[0].campaign.id == row.campaign.id
    drafts = ads.search(f"SELECT {CAMPAIGN_FIELDS} FROM campaign PARAMETERS include_drafts=true")
    assert len(drafts) == 4  # the world has no drafts


def test_order_by_and_limit(ads: Ads, world: World) -> None:
    campaigns = world.campaigns(ads.accounts[0])
    rows = ads.search("SELECT campaign.id, campaign.name FROM campaign ORDER BY campaign.name DESC LIMIT 3")
    assert [r.campaign.name for r in rows] == sorted((c.name for c in campaigns), reverse=True)[:3]
    by_status = ads.search(
        "SELECT campaign.id, campaign.status FROM campaign ORDER BY campaign.status, campaign.id"
    )
    assert [r.campaign.status for r in by_status] == sorted(r.campaign.status for r in by_status)


def _examples() -> list[tuple[str, str]]:
    text = fixture_text("gaql_examples_official_python_examples.txt")
    parts = re.split(r"^### (\S+)\n", text, flags=re.M)[1:]
    return [(parts[i], parts[i + 1].strip()) for i in range(0, len(parts), 2)]


def test_googles_example_queries_all_run(ads: Ads, world: World) -> None:
    """Every official example (google-ads-python's examples/) is valid GAQL on fields of the client's
    catalog, so each runs (rows where the world has them), but one written for an older version:
    v26 renamed the hotel bid modifiers (reference §1.3)."""
    account = ads.accounts[0]
    group = world.ad_groups(account)[0]
    lists = world.audiences(account)
    values = {
        "campaign_id": group.campaign_id,
        "ad_group_id": group.id,
        "user_list_resource_name": f"customers/{account}/userLists/{lists[0].id}",
        "ids": "0",
        "tomorrow": "2026-11-26",
        "two_weeks_ago": "2026-11-11",
    }
    refused: dict[str, str] = {}
    examples = _examples()
    for path, query in examples:
        text = re.sub(r"\{(\w+)\}", lambda m: values.get(m[1], "0" if m[1].endswith("id") else "x"), query)
        try:
            ads.search(text)
        except GoogleAdsException as error:
            refused[path] = failure_of(error).errors[0].message
    assert len(examples) == 37 and refused == {
        "examples/advanced_operations/get_ad_group_bid_modifiers.py": (
            "Unrecognized field in the query: 'ad_group_bid_modifier.hotel_date_selection_type.type'."
        )
    }
