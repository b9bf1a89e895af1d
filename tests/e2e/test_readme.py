"""The README's quick start, run as written from a fresh clone: `make demo` installs, loads the three
platforms into DuckDB in one `meltano run`, creates the cross-platform view, prints the summary and
writes the report. One run (module scope) serves every test here, each checked against the
sandbox's world (seed 7, the demo's pinned instant), never against what the code under test says:

* the DuckDB tables, for all three platforms: row counts and money per campaign and UTC day, in the
  account currency and in EUR at the rates of demo/ecb-rates.csv (read here with the csv module);
* the README's one query on the view, per platform, and the printed summary;
* output/report.json against report.schema.json, and output/report.html in headless Chromium: every
  chart has data for all three platforms.

What the test adds around the README's block, and why: no `ADS_NOW` (the demo pins its own instant),
no inherited virtualenv or `.venv` on PATH (the clone builds its own), the machine's uv and pip
caches (`make install` and `meltano install` reuse them).
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import jsonschema
import pytest
from meltano_project import ROOT
from report_chromium import TALL_WINDOW, chromium, coverage, needs_chromium, probe
from report_png import decode, hex_colour

from ads_kit.demo import DEMO_NOW, SEED
from ads_kit.sandbox.world import Metrics, World

pytestmark = pytest.mark.e2e

README = (ROOT / "README.md").read_text()
PLATFORMS = {"meta": "meta_ads", "google_ads": "google_ads", "tiktok": "tiktok_ads"}
DAYS = 30  # the sandbox environment's last_n_days, counted in UTC days
CENT = Decimal("0.01")


def readme_block(after: str, language: str) -> str:
    """The first ```language block of the README after the line containing ``after``."""
    tail = README[README.index(after) :]
    match = re.search(rf"```{language}\n(.*?)```", tail, re.S)
    assert match, f"no {language} block after {after!r}"
    return match.group(1)


@dataclass(frozen=True)
class Demo:
    clone: Path
    output: str

    @property
    def warehouse(self) -> Path:
        return self.clone / "output" / "warehouse.duckdb"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Demo:
    clone = tmp_path_factory.mktemp("readme") / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True, timeout=120)
    steps = readme_block("From a fresh clone", "bash")
    assert steps.strip() == "make demo"
    env = {**os.environ, "MELTANO_HUB_URL": "http://127.0.0.1:9"}  # no network: nothing may need the Hub
    for name in ("VIRTUAL_ENV", "ADS_NOW"):
        env.pop(name, None)
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if not p.startswith(str(ROOT)))
    done = subprocess.run(
        ["bash", "-c", "set -eo pipefail\n" + steps],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    return Demo(clone, output)


def eur_quotes() -> dict[str, list[tuple[date, Decimal]]]:
    """Units per EUR by day from demo/ecb-rates.csv (ECB layout: Date,USD,JPY,...; N/A cells)."""
    with (ROOT / "demo" / "ecb-rates.csv").open(newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    quotes: dict[str, list[tuple[date, Decimal]]] = defaultdict(list)
    for row in rows[1:]:
        for currency, cell in zip(header[1:], row[1:], strict=False):
            if currency and cell != "N/A":
                quotes[currency].append((date.fromisoformat(row[0]), Decimal(cell)))
    return {currency: sorted(series) for currency, series in quotes.items()}


def eur_rate(quotes: dict[str, list[tuple[date, Decimal]]], currency: str, day: date) -> Decimal:
    """EUR per unit of `currency` on `day`: the latest quote on or before it (weekends: Friday's)."""
    if currency == "EUR":
        return Decimal(1)
    quote_day, quote = max((d, q) for d, q in quotes[currency] if d <= day)
    assert (day - quote_day).days <= 7, f"the rates file does not cover {currency} on {day}"
    return 1 / quote


def world_campaign_days() -> dict[tuple[str, str, str, date], tuple[str, int, Metrics]]:
    """(platform, account, campaign, UTC day) -> (currency, exponent, sums of the world's hours).

    The taps count days in UTC (`reporting_timezone`), so each account's hours are summed into UTC
    days; TikTok reports leave out deleted campaigns, ad groups and ads by default."""
    now = datetime.fromisoformat(DEMO_NOW.replace("Z", "+00:00"))
    world = World(seed=SEED, now=now)
    days = {now.date() - timedelta(days=n) for n in range(DAYS)}
    truth: dict[tuple[str, str, str, date], tuple[str, int, Metrics]] = {}
    for account in world.accounts():
        groups = {group.id: group for group in world.ad_groups(account.id)}
        for campaign in world.campaigns(account.id):
            ads = world.ads_under(campaign)
            if account.platform == "tiktok":
                if campaign.status == "deleted":
                    continue
                ads = [a for a in ads if "deleted" not in (a.status, groups[a.ad_group_id].status)]
            for ad in ads:
                for local_day in (min(days) + timedelta(days=n) for n in range(-1, DAYS + 1)):
                    for hour in world.ad_day_hours(ad, local_day):
                        day = hour.utc_start.date()
                        if day not in days:
                            continue
                        key = (PLATFORMS[account.platform], account.id, campaign.id, day)
                        _, _, sums = truth.get(key, (account.currency, account.currency_exponent, Metrics()))
                        truth[key] = (account.currency, account.currency_exponent, sums + hour.metrics)
    return {key: entry for key, entry in truth.items() if entry[2].impressions > 0}


@pytest.fixture(scope="module")
def truth() -> dict[tuple[str, str, str, date], tuple[str, int, Metrics]]:
    return world_campaign_days()


@pytest.fixture(scope="module")
def quotes() -> dict[str, list[tuple[date, Decimal]]]:
    return eur_quotes()


def platform_sums(truth, quotes) -> dict[str, dict[str, Decimal]]:
    """Per platform: EUR spend and conversion value (each campaign-day converted, then rounded to
    cents as the taps round each row), impressions, clicks, conversions."""
    sums: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for (platform, _, _, day), (currency, exponent, t) in truth.items():
        rate = eur_rate(quotes, currency, day)
        entry = sums[platform]
        entry["spend_eur"] += (Decimal(t.spend_minor).scaleb(-exponent) * rate).quantize(CENT)
        entry["value_eur"] += (Decimal(t.conversions_value_minor).scaleb(-exponent) * rate).quantize(CENT)
        entry["impressions"] += t.impressions
        entry["clicks"] += t.clicks
        entry["conversions"] += t.conversions
    return sums


def test_the_demo_loads_every_platform_as_the_world_has_it(demo, truth, quotes):
    with duckdb.connect(str(demo.warehouse), read_only=True) as con:
        rows = con.execute(
            "select platform, account_id, campaign_id, date_day, currency, impressions, clicks, spend, "
            "conversions, reporting_currency, spend_reporting from ads.unified_campaign_performance"
        ).fetchall()
    loaded = {(p, a, c, date.fromisoformat(str(d))): rest for p, a, c, d, *rest in rows}
    assert len(loaded) == len(rows), "one row per campaign and day"
    assert {key[0] for key in loaded} == set(PLATFORMS.values())
    for platform in PLATFORMS.values():  # row counts per platform
        assert sum(k[0] == platform for k in loaded) == sum(k[0] == platform for k in truth), platform
    assert set(loaded) == set(truth)
    for key, (currency, exponent, t) in truth.items():
        got_currency, impressions, clicks, spend, conversions, reporting, spend_eur = loaded[key]
        spend_world = Decimal(t.spend_minor).scaleb(-exponent)
        assert (got_currency, impressions, clicks, conversions) == (
            currency,
            t.impressions,
            t.clicks,
            t.conversions,
        )
        assert round(Decimal(str(spend)), exponent) == spend_world, key
        assert reporting == "EUR"
        expected_eur = spend_world * eur_rate(quotes, currency, key[3])
        assert abs(Decimal(str(spend_eur)) - expected_eur) <= Decimal("0.005"), key  # rounded once, to cents


def test_the_readme_query_on_the_view_gives_each_platform_in_eur(demo, truth, quotes):
    query = readme_block("as this one query does", "sql")
    with duckdb.connect(str(demo.warehouse), read_only=True) as con:
        rows = con.execute(query).fetchall()
    expected = platform_sums(truth, quotes)
    assert [row[0] for row in rows] == sorted(expected)
    for platform, spend_eur, impressions, clicks, conversions, ctr, cpc, roas in rows:
        want = expected[platform]
        assert Decimal(str(spend_eur)).quantize(CENT) == want["spend_eur"], platform
        assert (impressions, clicks, Decimal(str(conversions))) == (
            want["impressions"], want["clicks"], want["conversions"]
        )  # fmt: skip
        # ratios of the sums, never averages of the rows' ratios
        assert Decimal(str(ctr)) == (100 * want["clicks"] / want["impressions"]).quantize(CENT), platform
        assert Decimal(str(cpc)) == (want["spend_eur"] / want["clicks"]).quantize(CENT), platform
        assert Decimal(str(roas)) == (want["value_eur"] / want["spend_eur"]).quantize(CENT), platform


def test_the_demo_prints_the_cross_platform_summary_and_its_warnings(demo, truth, quotes):
    assert "Traceback" not in demo.output
    assert "Stream is assumed to be unsorted" not in demo.output
    assert demo.output.count("$ meltano --environment=sandbox run") == 1, "one meltano run for the three taps"
    expected = platform_sums(truth, quotes)
    first, last = min(k[3] for k in truth), max(k[3] for k in truth)
    total = {
        name: sum(entry[name] for entry in expected.values())
        for name in ("spend_eur", "impressions", "clicks")
    }
    for platform, want in [*sorted(expected.items()), ("total", total)]:
        line = re.search(rf"^{platform} +{first} {last} +([\d,.]+) +([\d,]+) +([\d,]+) ", demo.output, re.M)
        assert line, f"no summary line for {platform}:\n{demo.output[-3000:]}"
        spend, impressions, clicks = (Decimal(v.replace(",", "")) for v in line.groups())
        assert (spend, impressions, clicks) == (want["spend_eur"], want["impressions"], want["clicks"])
    warnings = demo.output[demo.output.index("\nWarnings:\n") :]
    for platform in expected:
        assert re.search(rf"^- {platform}: \d+ campaign-days from \S+ are estimated", warnings, re.M), (
            platform
        )
    assert "- FX rates: every campaign-day has one" in warnings
    assert re.search(r"^- \w+: \d+ \w+ finding\(s\) \((info|warning|error)\), e.g. ", warnings, re.M)


def test_the_report_json_validates_against_the_schema(demo):
    schema = json.loads((ROOT / "shared" / "ads_kit" / "report" / "report.schema.json").read_text())
    documents = json.loads((demo.clone / "output" / "report.json").read_text())
    assert [d["metadata"]["platform"] for d in documents] == sorted(PLATFORMS)
    for document in documents:
        jsonschema.validate(document, schema)
        assert (document["metadata"]["currency"], document["metadata"]["timezone"]) == ("EUR", "UTC")


@needs_chromium
def test_every_chart_of_the_demo_report_has_all_three_platforms(demo, tmp_path):
    probed, panels = probe(tmp_path, demo.clone / "output" / "report.html")
    assert len(panels) == 4  # spend and CPC in EUR, conversions, ROAS
    screenshot = tmp_path / "report.png"
    result = chromium(tmp_path, probed, f"--screenshot={screenshot}", window=TALL_WINDOW)
    assert screenshot.is_file(), result.stderr[-2000:]
    picture = decode(screenshot)
    for panel in panels:
        assert {s["name"] for s in panel["series"]} == set(PLATFORMS), panel["axis"]
        for series in panel["series"]:
            tall, wide = coverage(picture, panel, hex_colour(series["colour"]))
            # drawn across the 30 days (a platform without data would be absent or a dot)
            assert wide >= 0.8 and tall > 0, (panel["axis"], series["name"], tall, wide)
