"""The HTML report opens offline and really draws its charts (checked in headless Chromium)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import report_dataset as data
from report_loaders import singer_lines
from report_png import distinct_colours

from ads_kit.report import SingerSource, build_report, render_html

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium not found on PATH (.ci/run installs Debian's chromium)"
)


def _chromium(tmp_path: Path, page: Path, *mode: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1200,900",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=10000",  # lets plotly finish drawing before the DOM or pixels are taken
            *mode,
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def page(tmp_path) -> tuple[Path, dict]:
    records = data.streams()
    records["unified_campaigns"][0]["campaign_name"] = "<script>alert(1)</script> Sales"
    report = build_report(SingerSource(singer_lines(records)))
    return render_html(report, tmp_path / "report.html"), report.document


def test_html_needs_no_network(page):
    path, _ = page
    text = path.read_text()
    assert not re.search(r"""<(script|link|img)[^>]+(src|href)=["']?(https?:)?//""", text)
    assert "Plotly" in text and len(text) > 1_000_000  # the library itself is inlined
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Sales" in text


def test_mixed_currencies_get_one_series_per_platform_and_currency(tmp_path):
    report = build_report(SingerSource(singer_lines(data.streams(("111", "333")))))
    assert set(report.daily) == {"meta_ads (EUR)", "tiktok_ads (JPY)"}
    day_one = report.daily["tiktok_ads (JPY)"][data.DAYS[0]]
    assert day_one.spend == 1500
    text = render_html(report, tmp_path / "mixed.html").read_text()
    assert "tiktok_ads (JPY)" in text and "Spend (per account)" in text


@needs_chromium
def test_charts_and_table_render_in_chromium(page, tmp_path):
    path, document = page
    result = _chromium(tmp_path, path, "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    assert '"Uncaught' not in result.stderr, result.stderr[-2000:]
    dom = result.stdout
    assert dom.count('class="main-svg"') >= 2  # plotly replaced the placeholder with its SVG layers
    series, charts = 2, 4  # meta_ads and google_ads; spend, conversions, ROAS, CPC
    assert len(re.findall(r'class="trace scatter', dom)) == series * charts
    table = dom[dom.index('id="campaigns"') :]
    assert table.count("<tr>") == 1 + len(document["campaigns"])


@needs_chromium
def test_screenshot_is_not_blank(page, tmp_path):
    path, _ = page
    screenshot = tmp_path / "report.png"
    result = _chromium(tmp_path, path, f"--screenshot={screenshot}")
    assert screenshot.is_file(), result.stderr[-2000:]
    assert distinct_colours(screenshot) >= 50
