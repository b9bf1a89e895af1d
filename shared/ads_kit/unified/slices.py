"""Report slices fetched once per run and replayed to every stream that needs them.

When a raw report stream and a unified stream are both selected, the tap's report fetcher goes
through ``SliceCache.rows``: whichever stream syncs first fetches the slice and tees it into a temp
file; the other replays the file. Rows are pickled: the file is this process's own (a private temp
directory, removed with the run), pickle keeps Decimals, dates and datetimes as they are, and it
costs a fraction of JSON with a type hook on every record of every report. Memory stays bounded
(rows stream to and from disk), and a slice only counts as cached once it was read to the end, so
an interrupted fetch is fetched again. Both streams must cut their date ranges with
``report_windows`` so their slices coincide.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import shutil
import tempfile
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path

_EPOCH = date(1970, 1, 1)


def report_windows(start: date, end: date, days: int) -> list[tuple[date, date]]:
    """[start, end] cut into windows of ``days`` aligned on fixed calendar boundaries.

    Alignment (multiples of ``days`` since 1970-01-01) makes two streams with different bookmarks
    ask for the same windows, apart from the first, clipped one.
    """
    if days < 1:
        raise ValueError(f"report window must be at least one day, got {days}")
    windows = []
    cursor = start
    while cursor <= end:
        offset = (cursor - _EPOCH).days % days
        window_end = min(cursor + timedelta(days=days - offset - 1), end)
        windows.append((cursor, window_end))
        cursor = window_end + timedelta(days=1)
    return windows


class SliceCache:
    """Run-scoped store of fetched report slices, keyed by what identifies the request."""

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="ads-slices-"))
        # the files live as long as the run: removed when the cache is closed or garbage-collected
        self._cleanup = weakref.finalize(self, shutil.rmtree, self.directory, ignore_errors=True)
        self._complete: set[str] = set()
        self.fetches = 0
        self.replays = 0

    def rows(self, key: Sequence[object], fetch: Callable[[], Iterable[dict]]) -> Iterator[dict]:
        """The slice's rows: replayed from disk when already fetched, otherwise fetched and stored."""
        name = _key_name(key)
        path = self.directory / f"{name}.rows"
        if name in self._complete:
            self.replays += 1
            yield from _replay(path)
            return
        self.fetches += 1
        partial = path.with_suffix(".part")
        with partial.open("wb") as handle:
            for row in fetch():
                pickle.dump(row, handle, protocol=pickle.HIGHEST_PROTOCOL)  # one pickle per row
                yield row
        partial.replace(path)
        self._complete.add(name)

    def __contains__(self, key: Sequence[object]) -> bool:
        """Whether the slice was fetched completely this run (a read then costs no request)."""
        return _key_name(key) in self._complete

    def close(self) -> None:
        self._complete.clear()
        self._cleanup()


def _key_name(key: Sequence[object]) -> str:
    text = json.dumps([str(part) for part in key], separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def _replay(path: Path) -> Iterator[dict]:
    with path.open("rb") as handle:
        while True:
            try:
                yield pickle.load(handle)
            except EOFError:
                return
