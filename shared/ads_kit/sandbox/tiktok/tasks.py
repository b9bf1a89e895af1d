"""Async report tasks (reference §3.8): QUEUING -> PROCESSING -> SUCCESS or FAILED, or CANCELED.

A task's status is a function of the time since it was created and its latency (setting
`tiktok_task_seconds`): queuing for the first 30 %, processing until done. With
`tiktok_task_checks` = N the same phases advance by status checks instead of by time: check k of N
sees the state at (k-1)/N of the way, so check N+1 is the first to see SUCCESS however slow the
machine. Results are computed at download, from the query stored with the task (the world as of then).

Downloads: ``CSV_STRING`` answers the CSV itself (``text/csv``); ``CSV_DOWNLOAD`` and
``XLSX_DOWNLOAD`` answer a ``download_url`` on the emulator, signed and valid one hour. Column titles
are translated unless ``enable_report_title_translation`` is false; the reference gives the
translation of nine fields only (``Campaign ID,Campaign Name,Ad Group ID,Ad Group Name,Age,Gender,
Cost,Impression,Click``), the others keep their field names. As the real export does, a
``country_code`` column holds country names (§3.8, a known bug).
"""

from __future__ import annotations

import csv
import io
import time
import zipfile
from dataclasses import dataclass
from xml.sax.saxutils import escape

import pycountry

from ads_kit.sandbox.tiktok.report_query import ReportQuery
from ads_kit.sandbox.tiktok.report_rows import ReportRows

QUEUING, PROCESSING, SUCCESS, FAILED, CANCELED = "QUEUING", "PROCESSING", "SUCCESS", "FAILED", "CANCELED"
_QUEUED_UNTIL = 0.3
DEFAULT_TASK_SECONDS = 0.3
URL_LIFETIME_S = 3600.0  # §3.8: "URL valid 1 hour"
MAX_FILE_NAME = 255
# The sandbox's wording: the reference names the field (check's `message`) but no real reason.
FAILURE_MESSAGE = "Task failed: the report could not be generated. Please create a new task."
TITLES = {
    "campaign_id": "Campaign ID",
    "campaign_name": "Campaign Name",
    "adgroup_id": "Ad Group ID",
    "adgroup_name": "Ad Group Name",
    "age": "Age",
    "gender": "Gender",
    "spend": "Cost",
    "impressions": "Impression",
    "clicks": "Click",
}
CONTENT_TYPES = {
    "CSV_DOWNLOAD": "text/csv",
    "XLSX_DOWNLOAD": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Export:
    """What the download gives: `output_format`, the file's name, translated titles or field names."""

    output_format: str = "CSV_STRING"
    file_name: str | None = None
    translate: bool = True

    def download_name(self, task_id: str) -> str:
        extension = ".xlsx" if self.output_format == "XLSX_DOWNLOAD" else ".csv"
        name = self.file_name or f"report_{task_id}"
        return name if name.endswith(extension) else name + extension


@dataclass(frozen=True)
class Pace:
    """How the task advances: by time since `created` over `latency_s`, or by `checks` status checks."""

    created: float
    latency_s: float
    checks: int | None = None


@dataclass
class ReportTask:
    id: str
    query: ReportQuery
    export: Export
    pace: Pace
    fails: bool = False
    checked: int = 0
    canceled: bool = False

    def _progress(self, now: float) -> float:
        pace = self.pace
        if pace.checks is not None:
            return max(0, self.checked - 1) / pace.checks
        return (now - pace.created) / pace.latency_s if pace.latency_s > 0 else 1.0

    def status(self, now: float) -> str:
        if self.canceled:
            return CANCELED
        progress = self._progress(now)
        if progress >= 1.0:
            return FAILED if self.fails else SUCCESS
        return QUEUING if progress < _QUEUED_UNTIL else PROCESSING

    def check(self, now: float) -> dict[str, str]:
        """The body of a status check; counts the check."""
        self.checked += 1
        status = self.status(now)
        return {"status": status, "message": FAILURE_MESSAGE if status == FAILED else ""}


class ReportTasks(dict[str, ReportTask]):
    """The tasks of one sandbox run, in memory, by id (created on the event loop, one at a time)."""

    def create(
        self, query: ReportQuery, export: Export, latency_s: float, checks: int | None, fails: bool
    ) -> ReportTask:
        task_id = f"7{len(self) + 1:018d}"
        task = self[task_id] = ReportTask(
            task_id, query, export, Pace(time.monotonic(), latency_s, checks), fails
        )
        return task

    def of(self, task_id: str, account_id: str) -> ReportTask | None:
        """The task if it belongs to the advertiser (another's task is as unknown as a missing one)."""
        task = self.get(task_id)
        return task if task is not None and task.query.account_id == account_id else None


def table(rows: ReportRows, translate: bool) -> list[list[str]]:
    """Header and rows of an export: dimensions then metrics, values as the sync report writes them."""
    query = rows.query
    columns = [*query.dimensions, *query.metrics]
    header = [TITLES.get(name, name) if translate else name for name in columns]
    body = []
    for row in rows.rows:
        values = {**row.dimensions, **rows.metrics_of(row)}
        if "country_code" in values:
            country = pycountry.countries.get(alpha_2=values["country_code"])
            values["country_code"] = country.name if country else values["country_code"]
        body.append(["" if values[name] is None else str(values[name]) for name in columns])
    return [header, *body]


def csv_text(cells: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(cells)
    return out.getvalue()


def xlsx_bytes(cells: list[list[str]]) -> bytes:
    """A one-sheet workbook with every cell an inline string (what an export needs, nothing more)."""
    rows_xml = "".join(
        f'<row r="{r}">'
        + "".join(
            f'<c r="{_column(c)}{r}" t="inlineStr"><is><t>{escape(v)}</t></is></c>' for c, v in enumerate(row)
        )
        + "</row>"
        for r, row in enumerate(cells, start=1)
    )
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006"
    parts = {
        "[Content_Types].xml": f'<Types xmlns="{package}/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{package}/relationships"><Relationship Id="rId1" '
        f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
        '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{package}/relationships">'
        f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{main}"><sheetData>{rows_xml}</sheetData>'
        "</worksheet>",
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in parts.items():
            archive.writestr(name, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + xml)
    return buffer.getvalue()


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name
