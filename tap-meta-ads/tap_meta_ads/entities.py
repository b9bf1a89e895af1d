"""Meta's entity source: the list edges of an ad account (campaigns, ad sets, ads, creatives,
audiences, custom conversions), read for the raw edge streams and the unified adapter alike.

A full read goes through the run's slice cache, so whichever of the two asks second replays it. The
stream classes declare each edge (path, fields, filters, money and time fields); this reader pages
it, drops a field Meta rejects (schema drift) and shapes every row.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from ads_kit.tap.drift import SchemaDrift
from ads_kit.tap.sources import AccountSource
from ads_kit.unified.slices import SliceCache
from tap_meta_ads.client import MetaClient
from tap_meta_ads.streams.edges import AccountEdgeStream


class EdgeReader:
    def __init__(
        self,
        client: MetaClient,
        accounts: AccountSource,
        cache: SliceCache,
        drift: SchemaDrift,
        edges: Iterable[type[AccountEdgeStream]],
        *,
        include_deleted: bool,
    ) -> None:
        self._client = client
        self._accounts = accounts
        self._cache = cache
        self._drift = drift
        self._edges = {edge.name: edge for edge in edges}
        # Fields requested per edge; one Meta rejects is dropped for the rest of the run.
        self._fields = {name: list(edge.schema["properties"]) for name, edge in self._edges.items()}
        self._include_deleted = include_deleted

    def rows(self, stream: str, account_id: str, since: datetime | None = None) -> Iterator[dict[str, Any]]:
        """The edge's objects; with ``since`` only those the server says changed since (not cached)."""
        edge = self._edges[stream]
        if since is not None:
            return self._read(edge, account_id, since)
        key = ("meta_ads", account_id, stream, "full")
        return self._cache.rows(key, lambda: self._read(edge, account_id, None))

    def by_id(self, stream: str, account_id: str, ids: Iterable[str]) -> Iterator[dict[str, Any]]:
        """Objects read node by node: Graph leaves deleted objects out of every edge, not their own node."""
        currency, fields = self._accounts.info(account_id).currency, ",".join(self._fields[stream])
        for row in (self._client.get(i, {"fields": fields}, account=account_id, stream=stream) for i in ids):
            yield self._edges[stream].shape(row, account_id, currency)

    def _read(
        self, edge: type[AccountEdgeStream], account_id: str, since: datetime | None
    ) -> Iterator[dict[str, Any]]:
        currency = self._accounts.info(account_id).currency if edge.money_fields else ""
        fields = self._fields[edge.name]

        def first_page() -> tuple[list[dict[str, Any]], Iterator[list[dict[str, Any]]]]:
            # Meta rejects a bad field on the first page, before any row is out.
            params = edge.edge_params(fields, since, self._include_deleted)
            pages = self._client.pages(
                f"act_{account_id}/{edge.edge}", params, account=account_id, stream=edge.name
            )
            return next(pages, []), pages

        first, rest = self._drift.without_rejected_fields(edge.name, account_id, fields, first_page)
        for page in itertools.chain([first], rest):
            for row in page:
                yield edge.shape(row, account_id, currency)
