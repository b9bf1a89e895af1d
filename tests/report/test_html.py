"""The HTML report opens offline and really draws its charts (checked in headless Chromium)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import report_dataset as data
from report_chromium import TALL_WINDOW, chromium, coverage, needs_chromium, probe
from report_loaders import singer_lines
from report_png import decode, distinct_colours, hex_colour

from ads_kit.report import SingerSource, build_reports, render_html
from ads_kit.report.html import _series


@pytest.fixture
def page(tmp_path) -> tuple[Path, dict]:
    records = data.streams()
    records["unified_campaigns"][0]["campaign_name"] = "<script>alert(1)</script> Sales"
    reports = build_reports(SingerSource(singer_lines(records)))
    return render_html(reports, tmp_path / "report.html"), [r.document for r in reports]


def test_html_needs_no_network(page):
    path, _ = page
    text = path.read_text()
    assert not re.search(r"""<(script|link|img)[^>]+(src|href)=["']?(https?:)?//""", text)
    assert "Plotly" in text and len(text) > 1_000_000  # the library itself is inlined
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Sales" in text


def test_mixed_currencies_get_one_series_per_platform_and_currency(tmp_path):
    reports = build_reports(SingerSource(singer_lines(data.streams(("111", "333")))))
    daily, currencies = _series(reports)
    assert currencies == {"meta (EUR)": "EUR", "tiktok (JPY)": "JPY"}
    day_one = daily["tiktok (JPY)"][data.DAYS[0]]
    assert day_one.spend == 1500
    text = render_html(reports, tmp_path / "mixed.html").read_text()
    assert "tiktok (JPY)" in text and "Spend (per currency)" in text


@needs_chromium
def test_charts_and_table_render_inchromium(page, tmp_path):
    path, documents = page
    result = chromium(tmp_path, path, "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    assert '"Uncaught' not in result.stderr, result.stderr[-2000:]
    dom = result.stdout
    assert dom.count('class="main-svg"') >= 2  # plotly replaced the placeholder with its SVG layers
    series, charts = 2, 4  # meta and google_ads; spend, conversions, ROAS, CPC
    assert len(re.findall(r'class="trace scatter', dom)) == series * charts
    table = dom[dom.index('id="campaigns"') :]
    assert table.count("<tr>") == 1 + sum(len(d["campaigns"]) for d in documents)


@needs_chromium
def test_screenshot_is_not_blank(page, tmp_path):
    path, _ = page
    screenshot = tmp_path / "report.png"
    result = chromium(tmp_path, path, f"--screenshot={screenshot}")
    assert screenshot.is_file(), result.stderr[-2000:]
    assert distinct_colours(screenshot) >= 50


CURRENCY_OF_SERIES = {"google_ads (USD)": "USD", "meta (EUR)": "EUR", "tiktok (JPY)": "JPY"}
_CURRENCY_CODE = re.compile(r"\b(USD|EUR|JPY)\b")


def _three_currency_records(reporting: bool = False) -> dict[str, list[dict]]:
    """Meta in EUR, Google in USD, TikTok in JPY: yen amounts about 50 to 150 times the others."""
    records = data.streams(("111", "222", "333"))
    for rows in records.values():
        for row in rows:
            if row.get("account_id") == "222" and "currency" in row:
                row["currency"] = "USD"
    if reporting:
        for stream in ("unified_campaign_performance", "unified_performance_breakdowns"):
            records[stream] = [data.with_reporting(r) for r in records[stream]]
    return records


def _probed_panels(
    tmp_path: Path, records: dict[str, list[dict]], reporting: bool = False
) -> tuple[Path, list[dict]]:
    """The report page with the probe added, and what the probe saw in Chromium."""
    per = "platform" if reporting else "account"
    page = render_html(build_reports(SingerSource(singer_lines(records)), per), tmp_path / "report.html")
    return probe(tmp_path, page)


def _money_panels(panels: list[dict]) -> list[dict]:
    return [p for p in panels if _CURRENCY_CODE.search(p["axis"])]


@needs_chromium
def test_each_currency_has_its_own_money_axes_and_fills_them(tmp_path):
    probed, panels = _probed_panels(tmp_path, _three_currency_records())
    money = _money_panels(panels)
    for panel in money:
        [currency] = _CURRENCY_CODE.findall(panel["axis"])
        assert {CURRENCY_OF_SERIES[s["name"]] for s in panel["series"]} == {currency}, panel
    for name in CURRENCY_OF_SERIES:  # spend and CPC at least
        assert sum(name in {s["name"] for s in p["series"]} for p in money) >= 2, name
    shared = [p for p in panels if p not in money]
    assert shared and all(len(p["series"]) == 3 for p in shared)  # conversions, ROAS: no money

    screenshot = tmp_path / "report.png"
    result = chromium(tmp_path, probed, f"--screenshot={screenshot}", window=TALL_WINDOW)
    assert screenshot.is_file(), result.stderr[-2000:]
    picture = decode(screenshot)
    assert (picture.width, picture.height) == TALL_WINDOW
    for panel in money:
        for series in panel["series"]:
            tall, wide = coverage(picture, panel, hex_colour(series["colour"]))
            # Alone on its axis, autorange stretches a series over the panel; on an axis shared with
            # yen, a euro or dollar series is a flat line a few pixels high (and yen a short stroke).
            assert tall >= 0.6, (panel["axis"], series["name"], tall)
            assert wide >= 0.6, (panel["axis"], series["name"], wide)


@needs_chromium
def test_a_reporting_currency_puts_every_series_on_its_money_axes(tmp_path):
    _, panels = _probed_panels(tmp_path, _three_currency_records(reporting=True), reporting=True)
    money = _money_panels(panels)
    assert len(money) >= 2  # spend and CPC
    for panel in money:
        assert _CURRENCY_CODE.findall(panel["axis"]) == ["EUR"], panel
        assert {s["name"] for s in panel["series"]} == {"google_ads", "meta", "tiktok"}
