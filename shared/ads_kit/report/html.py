"""The HTML report of one document or a bundle: one self-contained file (plotly's JavaScript inlined)
that opens offline.

Charts per platform and day (spend, CPC, conversions, ROAS), the summary, the warnings and the campaign
table of every document. Daily ROAS and CPC come from that day's sums, like every derived metric here.
Money is never drawn on one axis with another currency: with one currency (an account's own or the
reporting currency) each money chart has one panel, otherwise one panel per currency, and every money
axis names its currency. Conversions and ROAS carry no currency and share one panel.
"""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from plotly import graph_objects as go
from plotly.subplots import make_subplots

from ads_kit.report.document import Report, Totals


@dataclass(frozen=True)
class _Chart:
    title: str
    value: Callable[[Totals], Decimal | int | None]
    axis: str  # the y-axis title; "{currency}" stands for the panel's currency


_MONEY_CHARTS = (
    _Chart("Spend", lambda t: t.spend, "{currency}"),
    _Chart("CPC", lambda t: t.ratios()["cpc"], "{currency} per click"),
)
_SHARED_CHARTS = (
    _Chart("Conversions", lambda t: t.conversions, "conversions"),
    _Chart("ROAS", lambda t: t.ratios()["roas"], "conversion value / spend"),
)


@dataclass(frozen=True)
class _Panel:
    title: str
    axis: str
    chart: _Chart
    labels: list[str]  # the series drawn in it


_COLUMNS_PER_ROW = 2
_ROW_HEIGHT = 300  # px per row of panels, whatever the number of currencies
_ROW_GAP = 70  # px between rows: room for the x tick labels and the next panel's title
_MARGIN = {"t": 40, "l": 70, "r": 20, "b": 40}
_PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf")

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 24px; color: #1f2933; background: #f7f9fb; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 24px 0 8px; }
.meta { color: #52606d; margin-bottom: 16px; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; }
.card { background: #fff; border: 1px solid #d9e2ec; border-radius: 6px; padding: 10px 16px; }
.card b { display: block; font-size: 20px; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; background: #fff; font-size: 13px; }
th, td { border: 1px solid #d9e2ec; padding: 4px 8px; text-align: right; }
th { background: #e4ebf3; } td.text { text-align: left; }
li.error { color: #b42318; } li.warning { color: #9a6700; } li.info { color: #52606d; }
"""


def render_html(reports: Report | Sequence[Report], path: str | Path) -> Path:
    """Write the HTML report of one built `Report` or of a bundle of them."""
    bundle = [reports] if isinstance(reports, Report) else list(reports)
    target = Path(path)
    target.write_text(_page(bundle), encoding="utf-8")
    return target


def _series(reports: list[Report]) -> tuple[dict[str, dict[date, Totals]], dict[str, str]]:
    """Daily sums per chart series: per platform, and per currency when the documents have several."""
    several = len({r.document["metadata"]["currency"] for r in reports}) > 1
    daily: dict[str, dict[date, Totals]] = defaultdict(lambda: defaultdict(Totals))
    currencies = {}
    for report in reports:
        meta = report.document["metadata"]
        label = f"{meta['platform']} ({meta['currency']})" if several else meta["platform"]
        currencies[label] = meta["currency"]
        for day, totals in report.daily.items():
            daily[label][day].merge(totals)
    return {label: dict(days) for label, days in sorted(daily.items())}, currencies


def _panels(daily: dict[str, dict[date, Totals]], currencies: dict[str, str]) -> list[_Panel]:
    """One row of money panels per currency, then the panels every series shares."""
    panels = []
    for currency in sorted({currencies[label] for label in daily}):
        labels = [label for label in daily if currencies[label] == currency]
        panels += [
            _Panel(f"{chart.title} ({currency})", chart.axis.format(currency=currency), chart, labels)
            for chart in _MONEY_CHARTS
        ]
    panels += [_Panel(chart.title, chart.axis, chart, list(daily)) for chart in _SHARED_CHARTS]
    return panels


def _figure(daily: dict[str, dict[date, Totals]], currencies: dict[str, str]) -> go.Figure:
    panels = _panels(daily, currencies)
    rows = -(-len(panels) // _COLUMNS_PER_ROW)
    plot_height = rows * _ROW_HEIGHT + (rows - 1) * _ROW_GAP
    figure = make_subplots(
        rows=rows,
        cols=_COLUMNS_PER_ROW,
        subplot_titles=[panel.title for panel in panels],
        vertical_spacing=_ROW_GAP / plot_height,  # a fraction of the plot height: keep the gap in px
        horizontal_spacing=0.1,
    )
    colours = {label: _PALETTE[index % len(_PALETTE)] for index, label in enumerate(daily)}
    in_legend: set[str] = set()
    for index, panel in enumerate(panels):
        row, col = index // _COLUMNS_PER_ROW + 1, index % _COLUMNS_PER_ROW + 1
        for label in panel.labels:
            days = daily[label]
            ordered = sorted(days)
            values = [panel.chart.value(days[d]) for d in ordered]
            figure.add_trace(
                go.Scatter(
                    x=[d.isoformat() for d in ordered],
                    y=[None if v is None else float(v) for v in values],  # plotting only: floats are fine
                    name=label,
                    legendgroup=label,
                    showlegend=label not in in_legend,
                    mode="lines+markers",
                    line={"color": colours[label]},
                ),
                row=row,
                col=col,
            )
            in_legend.add(label)
        figure.update_yaxes(title_text=panel.axis, row=row, col=col)
    figure.update_layout(
        height=plot_height + _MARGIN["t"] + _MARGIN["b"], margin=_MARGIN, template="plotly_white"
    )
    return figure


def _page(reports: list[Report]) -> str:
    documents = [r.document for r in reports]
    metas = [d["metadata"] for d in documents]
    currencies = sorted({m["currency"] for m in metas})
    one_currency = currencies[0] if len(currencies) == 1 else None
    daily, series_currencies = _series(reports)
    chart = _figure(daily, series_currencies).to_html(
        full_html=False, include_plotlyjs=True, config={"displaylogo": False, "responsive": True}
    )
    first = min(m["date_range"]["start"] for m in metas)
    last = max(m["date_range"]["end"] for m in metas)
    title = f"Campaign performance {first} to {last}"
    zones = sorted({m["timezone"] for m in metas})
    stamps = [m["extraction_timestamp"] for m in metas if m["extraction_timestamp"]]
    scope = " · ".join(
        f"{label}: {_text(value)}"
        for label, value in (
            ("platforms", ", ".join(sorted({m["platform"] for m in metas}))),
            ("documents", len(documents)),
            ("currency", one_currency or ", ".join(currencies)),
            ("time zone", zones[0] if len(zones) == 1 else "per account"),
            ("extracted", max(stamps) if stamps else "unknown"),
        )
    )
    totals = {
        name: sum(d["summary"][name] for d in documents)
        for name in (
            "total_campaigns",
            "total_spend",
            "total_impressions",
            "total_clicks",
            "total_conversions",
        )
    }
    cards = "".join(
        f'<div class="card">{label}<b>{_text(value)}</b></div>'
        for label, value in (
            ("Campaigns", totals["total_campaigns"]),
            (f"Spend ({one_currency or 'per currency'})", totals["total_spend"] if one_currency else None),
            ("Impressions", totals["total_impressions"]),
            ("Clicks", totals["total_clicks"]),
            ("Conversions", totals["total_conversions"]),
        )
    )
    per_currency = (
        ""
        if one_currency
        else '<p class="meta">Money is charted per currency: the documents are in '
        f"{_text(', '.join(currencies))}.</p>"
    )
    warnings = "".join(
        f'<li class="{_text(f["severity"])}">{_text(m["platform"])} {_text(m["account_id"])}: '
        f"{_text(f['message'])}</li>"
        for m, d in zip(metas, documents, strict=True)
        for f in d["findings"]
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_text(title)}</title><style>{_STYLE}</style></head><body>"
        f'<h1>{_text(title)}</h1><div class="meta">{scope}</div><div class="cards">{cards}</div>'
        f'<h2>By platform and day</h2>{per_currency}<div id="charts">{chart}</div>'
        f"<h2>Campaigns</h2>{_campaign_table(documents)}"
        f"<h2>Warnings</h2><ul>{warnings or '<li class=info>none</li>'}</ul>"
        "</body></html>\n"
    )


_COLUMNS = (
    "campaign_name", "status", "objective", "budget", "spend", "impressions", "clicks",
    "ctr", "cpc", "cpm", "conversions", "conversion_value", "roas",
)  # fmt: skip


def _campaign_table(documents: list[dict[str, Any]]) -> str:
    header = "".join(
        f"<th>{name}</th>" for name in ("platform", "account", "currency", "campaign_id", *_COLUMNS)
    )
    body = []
    for document in documents:
        meta = document["metadata"]
        for campaign in document["campaigns"]:
            cells = [meta["platform"], meta["account_id"], meta["currency"], campaign["campaign_id"]]
            cells += [campaign[name] for name in _COLUMNS]
            body.append(
                "<tr>"
                + "".join(
                    f"<td{'' if isinstance(v, int | Decimal) else ' class=text'}>{_text(v)}</td>"
                    for v in cells
                )
                + "</tr>"
            )
    table = f'<table id="campaigns"><thead><tr>{header}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    return f'<div class="scroll">{table}</div>'


def _text(value: object) -> str:
    return "-" if value is None else html.escape(str(value))
