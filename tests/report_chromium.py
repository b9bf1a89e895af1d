"""Headless Chromium for the report tests: the DOM or a screenshot of a page, and where its charts sit.

`probe` adds a script that runs once plotly has drawn: each subplot's plot area as the browser laid
it out (page pixels), its y-axis title and the series drawn in it, put on <body> where --dump-dom
shows it and the screenshot does not. `coverage` then measures, on the screenshot, how much of a
panel a series' colour spans.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from report_png import Colour, Picture

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium not found on PATH (.ci/run installs Debian's chromium)"
)
TALL_WINDOW = (1200, 2000)  # every chart panel fits in one viewport, which is what --screenshot takes


def chromium(
    tmp_path: Path, page: Path, *mode: str, window: tuple[int, int] = (1200, 900)
) -> subprocess.CompletedProcess:
    assert CHROMIUM is not None
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
            f"--window-size={window[0]},{window[1]}",
            "--force-device-scale-factor=1",  # screenshot pixels are CSS pixels
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


_PROBE = """<script>
window.addEventListener("load", () => setTimeout(() => {
  const graph = document.querySelector(".js-plotly-plot");
  const panels = {};
  for (const area of graph.querySelectorAll(".nsewdrag[data-subplot]")) {
    const id = area.dataset.subplot, box = area.getBoundingClientRect();
    const axis = graph.layout["yaxis" + id.split("y")[1]] || {};
    panels[id] = {left: box.left + scrollX, top: box.top + scrollY, width: box.width,
                  height: box.height, axis: (axis.title && axis.title.text) || "", series: []};
  }
  for (const trace of graph.data) {
    panels[(trace.xaxis || "x") + (trace.yaxis || "y")].series.push(
      {name: trace.name, colour: trace.line.color});
  }
  document.body.dataset.probe = JSON.stringify(Object.values(panels));
}, 500));
</script>"""


def probe(tmp_path: Path, page: Path) -> tuple[Path, list[dict]]:
    """A copy of `page` with the probe added, and the panels the probe saw in Chromium."""
    probed = tmp_path / "probed.html"
    probed.write_text(page.read_text().replace("</body>", f"{_PROBE}</body>"))
    result = chromium(tmp_path, probed, "--dump-dom", window=TALL_WINDOW)
    assert result.returncode == 0, result.stderr[-2000:]
    found = re.search(r'data-probe="([^"]*)"', result.stdout)
    assert found, "the probe did not run: " + result.stderr[-2000:]
    return probed, json.loads(html.unescape(found.group(1)))


def _near(line: bytes, start: int, colour: Colour) -> bool:
    # Antialiasing blends a line's edge with the background; its core keeps the trace colour.
    return all(abs(line[start + c] - colour[c]) <= 24 for c in range(3))


def coverage(picture: Picture, panel: dict, colour: Colour) -> tuple[float, float]:
    """The fractions of the panel's plot area, in height and width, over which `colour` is drawn."""
    left, top = round(panel["left"]), round(panel["top"])
    width, height = int(panel["width"]), int(panel["height"])
    assert top + height <= picture.height and left + width <= picture.width, "panel outside the screenshot"
    columns, rows = set(), set()
    for y in range(top, top + height):
        line = picture.rows[y]
        for x in range(left, left + width):
            if _near(line, x * picture.channels, colour):
                columns.add(x)
                rows.add(y)
    if not rows:
        return 0.0, 0.0
    return (max(rows) - min(rows) + 1) / height, (max(columns) - min(columns) + 1) / width
