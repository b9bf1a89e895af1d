"""TikTok's entity source: campaigns, ad groups, ads, custom audiences (lookalikes included) and
pixels of an advertiser, read for the raw streams and the unified adapter alike.

A full read goes through the run's slice cache, so whichever of the two asks second replays it. Only
``ad/get/`` filters by modification time on the server (``modified_after``, UTC); the other lists are
read in full and filtered by the stream (reference §2.3-§2.5, §9).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from ads_kit.unified.slices import SliceCache
from tap_tiktok_ads.client import TikTokClient
from tap_tiktok_ads.streams.base import EntityStream

# campaign/get, adgroup/get and ad/get take at most 100 ids in one filter (reference §2.3-§2.5).
IDS_PER_FILTER = 100


class EntityReader:
    def __init__(
        self,
        client: TikTokClient,
        cache: SliceCache,
        streams: Iterable[type[EntityStream]],
        *,
        include_deleted: bool,
    ) -> None:
        self._client = client
        self._cache = cache
        self._streams = {stream.name: stream for stream in streams}
        self._include_deleted = include_deleted

    def rows(
        self, stream: str, advertiser_id: str, since: datetime | None = None
    ) -> Iterator[dict[str, Any]]:
        """The list's objects; with ``since`` (ads only) those TikTok says changed since (not cached)."""
        entity = self._streams[stream]
        if since is not None and entity.modified_after:
            return self._read(entity, advertiser_id, since)
        key = ("tiktok_ads", advertiser_id, stream, "full")
        return self._cache.rows(key, lambda: self._read(entity, advertiser_id, None))

    def by_id(self, stream: str, advertiser_id: str, ids: Sequence[str]) -> Iterator[dict[str, Any]]:
        """The objects of the given ids whatever their status, deleted ones included (not cached)."""
        entity = self._streams[stream]
        if entity.ids_filter is None:
            raise TypeError(f"{stream} is not read by id")
        for start in range(0, len(ids), IDS_PER_FILTER):
            chunk = list(ids[start : start + IDS_PER_FILTER])
            yield from self._read(entity, advertiser_id, None, {entity.ids_filter: chunk})

    def _read(
        self,
        entity: type[EntityStream],
        advertiser_id: str,
        since: datetime | None,
        ids: dict[str, list[str]] | None = None,
    ) -> Iterator[dict[str, Any]]:
        params: dict[str, Any] = {"advertiser_id": advertiser_id}
        filtering: dict[str, Any] = dict(ids or {})
        if entity.status_filtered and (self._include_deleted or ids):
            filtering["primary_status"] = "STATUS_ALL"  # §6.4: deleted objects only when asked for
        if since is not None:
            filtering["modified_after"] = since.strftime("%Y-%m-%d %H:%M:%S")
        if filtering:
            params["filtering"] = filtering
        pages = self._client.pages(
            entity.path,
            params,
            key=entity.list_key,
            page_size=entity.page_size,
            account=advertiser_id,
            stream=entity.name,
        )
        for page in pages:
            for row in page:
                yield from entity.shape(row, advertiser_id)
