"""`ads-report`: the seed JSON documents and the HTML report, from a database or a tap's output.

Python callers::

    from ads_kit.report import DuckDBSource, build_document, build_reports, encode, render_html
    source = DuckDBSource("warehouse.duckdb", schema="ads")
    document = build_document(source, platform="meta", account="123", start=date(2026, 11, 1))
    reports = build_reports(source)                  # one per platform and account: a bundle
    Path("report.json").write_bytes(encode([r.document for r in reports]))
    render_html(reports, "report.html")
"""

from ads_kit.report.document import Report, build_document, build_reports, encode, validate_document
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
    "build_reports",
    "encode",
    "render_html",
    "validate_document",
]
