"""`ads-report`: the seed JSON document and the HTML report, from a database or a tap's output.

Python callers::

    from ads_kit.report import DuckDBSource, build_document, render_html
    source = DuckDBSource("warehouse.duckdb", schema="ads")
    document = build_document(source, platform="meta_ads", start=date(2026, 11, 1))
    render_html(source, "report.html", platform="meta_ads")
"""

from ads_kit.report.document import Report, build_document, build_report
from ads_kit.report.errors import ReportInputError
from ads_kit.report.html import render_html
from ads_kit.report.sources import DuckDBSource, PostgresSource, RowFilter, SingerSource, UnifiedRows

__all__ = [
    "DuckDBSource",
    "PostgresSource",
    "Report",
    "ReportInputError",
    "RowFilter",
    "SingerSource",
    "UnifiedRows",
    "build_document",
    "build_report",
    "render_html",
]
