"""Report rows from the world (reference §3.3, §3.5, §3.6, §6.4, §6.5).

A row is one cell: a time bucket (a local day, a reported hour, or the whole range), one entity of
the data level (or all of them without an ID dimension) and one combination of breakdown values.
Its numbers are sums of the world's ad days, hours or breakdown splits, so an advertiser row equals
`world.account_day`, a campaign row `world.campaign_day`, and breakdown rows add up to the day.

* Deleted entities (a deleted parent included) leave campaign, ad group and ad rows unless the
  level's status filter says STATUS_ALL or STATUS_DELETE; advertiser rows count everything (§3.5, §6.4).
  A deleted ad leaves its live campaign's and ad group's rows too: by default its delivery
  "disappears at ad/adgroup/campaign level" and remains only in the advertiser's (§6.4), so ad rows
  add up to their campaign's row at every status filter.
* Cells with nothing delivered are left out (§3.6: zero rows are filtered).
* Sync reads see only the `ad_cap` most recently created ads of a larger account and say so in the
  ``X-Tt-Ads-Throttle`` header (§3.6, §6.5); async tasks are not truncated.
* A read that would scan more than `cell_limit` ad-cells (ads x days or hours x breakdown values)
  is refused with 40067 (§3.2: "query too large" for big accounts).
* Several breakdowns split each cell of the first by the next one's shares of the same ad-day
  (the world gives one-dimensional splits), so every total stays exact.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from ads_kit.sandbox.tiktok import wire
from ads_kit.sandbox.tiktok.errors import query_too_large
from ads_kit.sandbox.tiktok.metrics import ATTRIBUTES, DASH, METRICS, Subject, Tally, sort_value
from ads_kit.sandbox.tiktok.report_query import ReportQuery
from ads_kit.sandbox.world import Account, Ad, AdGroup, Metrics, World, split_metrics

THROTTLE_HEADER = "X-Tt-Ads-Throttle"
THROTTLE_MESSAGE = (  # §3.6, verbatim
    "Number of ad ids is equal or more than 20k, only return the top 20k id's results, "
    "sorting by create time desc order."
)
DEFAULT_AD_CAP = 20_000
DEFAULT_CELL_LIMIT = 1_000_000


@dataclass(frozen=True)
class Group:
    key: str | None  # the ID dimension's value; None without an ID dimension
    subject: Subject | None
    ads: tuple[Ad, ...]


@dataclass(frozen=True)
class Row:
    dimensions: dict[str, str]
    tally: Tally
    subject: Subject | None


def _result(metrics: Metrics, kind: str) -> int:
    return {"clicks": metrics.clicks, "conversions": metrics.conversions, "reach": metrics.reach}[kind]


def _share_out(total: Metrics, shares: dict[str, Metrics]) -> Iterator[tuple[str, Metrics]]:
    """Split one cell by another dimension's shares of the same ad-day (impressions as weights)."""
    values = sorted(shares)
    parts = split_metrics(total, [shares[value].impressions or 1 for value in values])
    yield from zip(values, parts, strict=True)


class ReportRows:
    """The rows of one query at the world's current instant, in a fixed order."""

    def __init__(
        self,
        world: World,
        query: ReportQuery,
        *,
        ad_cap: int = DEFAULT_AD_CAP,
        cell_limit: int = DEFAULT_CELL_LIMIT,
    ) -> None:
        self.world = world
        self.query = query
        self.account: Account = world.account(query.account_id)
        self.campaigns = {c.id: c for c in world.campaigns(self.account.id)}
        ads = world.ads(self.account.id)
        self.truncated = not query.task and len(ads) >= ad_cap
        if self.truncated:
            ads = sorted(ads, key=lambda ad: ad.created_at, reverse=True)[:ad_cap]
        self.groups = [] if query.reserved else self._groups([ad for ad in ads if self._selected(ad)])
        self._check_size(cell_limit)
        self.rows = self._ordered(list(self._rows()))

    # -- which ads and entities ------------------------------------------------------------------
    def _selected(self, ad: Ad) -> bool:
        query = self.query
        campaign = self.campaigns[ad.campaign_id]
        by_level = {"campaign_ids": ad.campaign_id, "adgroup_ids": ad.ad_group_id, "ad_ids": ad.id}
        if any(by_level[name] not in ids for name, ids in query.id_filters):
            return False
        if (
            query.objective_types is not None
            and wire.objective_type(campaign.objective) not in query.objective_types
        ):
            return False
        return query.buying_types is None or "AUCTION" in query.buying_types  # the world buys by auction only

    def _status_passes(self, status: wire.Status) -> bool:
        wanted = self.query.status_filter
        return not status.deleted if wanted is None else wire.report_status_passes(status, wanted)

    def _counted(self, ad: Ad, groups_by_id: dict[str, AdGroup], today: date) -> bool:
        """Whether an ad's delivery counts in a campaign or ad group row: a deleted ad only when the
        level's status filter asks for deleted entities (§6.4)."""
        wanted = self.query.status_filter or frozenset()
        if wanted & {"STATUS_ALL", "STATUS_DELETE"}:
            return True
        group = groups_by_id[ad.ad_group_id]
        return not wire.ad_status(ad, group, self.campaigns[ad.campaign_id], today).deleted

    def _groups(self, ads: list[Ad]) -> list[Group]:
        query, account, world = self.query, self.account, self.world
        today = world.account_today(account)
        campaigns = self.campaigns
        groups_by_id = {g.id: g for g in world.ad_groups(account.id)}
        if query.level in ("CAMPAIGN", "ADGROUP"):
            ads = [ad for ad in ads if self._counted(ad, groups_by_id, today)]
        if query.level == "ADVERTISER":
            groups = [Group(account.id, Subject(account), tuple(ads))]
        elif query.level == "CAMPAIGN":
            groups = [
                Group(c.id, Subject(account, c), tuple(a for a in ads if a.campaign_id == c.id))
                for c in campaigns.values()
                if self._status_passes(wire.campaign_status(c))
            ]
        elif query.level == "ADGROUP":
            groups = [
                Group(
                    g.id,
                    Subject(account, campaigns[g.campaign_id], g),
                    tuple(a for a in ads if a.ad_group_id == g.id),
                )
                for g in groups_by_id.values()
                if self._status_passes(wire.ad_group_status(g, campaigns[g.campaign_id], today))
            ]
        else:
            groups = []
            for ad in ads:
                group, campaign = groups_by_id[ad.ad_group_id], campaigns[ad.campaign_id]
                if self._status_passes(wire.ad_status(ad, group, campaign, today)):
                    groups.append(Group(ad.id, Subject(account, campaign, group, ad), (ad,)))
        groups = [group for group in groups if group.ads]
        if query.id_dimension is None:
            return [Group(None, None, tuple(ad for group in groups for ad in group.ads))]
        return groups

    def _world_dimensions(self) -> list[str]:
        return list(dict.fromkeys(wire.AUDIENCE_SOURCES[name][0] for name in self.query.breakdowns))

    def _check_size(self, limit: int) -> None:
        per_ad_day = 24 if self.query.time_dimension == "stat_time_hour" else 1
        for dimension in self._world_dimensions():
            per_ad_day *= len(self.world.breakdown_values(self.account, dimension))
        ads = sum(len(group.ads) for group in self.groups)
        if ads * len(self.query.days) * per_ad_day > limit:
            raise query_too_large()

    # -- cells -----------------------------------------------------------------------------------
    def _breakdown_cells(self, ad: Ad, day: date) -> dict[tuple[str, ...], Metrics]:
        """The ad-day by every breakdown of the query, in TikTok's values (merged where several
        world values share one)."""
        dimensions = self._world_dimensions()
        first, *others = dimensions
        first_split = self.world.ad_day_breakdown(ad, day, first)
        parts: dict[tuple[str, ...], Metrics] = {(value,): metrics for value, metrics in first_split.items()}
        for dimension in others:
            shares = self.world.ad_day_breakdown(ad, day, dimension)
            parts = {
                (*key, value): piece
                for key, metrics in parts.items()
                if metrics.impressions  # an empty cell has nothing to share out
                for value, piece in _share_out(metrics, shares)
            }
        cells: dict[tuple[str, ...], Metrics] = {}
        for key, metrics in parts.items():
            values = []
            for name in self.query.breakdowns:
                dimension, vocabulary = wire.AUDIENCE_SOURCES[name]
                raw = key[dimensions.index(dimension)]
                values.append(vocabulary[raw] if vocabulary else raw)
            cell = tuple(values)
            cells[cell] = cells[cell] + metrics if cell in cells else metrics
        return cells

    def _ad_cells(self, ad: Ad) -> Iterator[tuple[tuple[str, str | None], tuple[str, ...], Metrics]]:
        """(bucket sort key and label, breakdown values, metrics) of one ad over the query's days."""
        time_dimension = self.query.time_dimension
        for day in self.query.days:
            if time_dimension == "stat_time_hour":
                for hour in self.world.ad_day_hours(ad, day):
                    label = wire.stat_time_hour(day, hour.local_hour)
                    yield (hour.utc_start.isoformat(), label), (), hour.metrics
                continue
            bucket = (day.isoformat(), wire.stat_time_day(day)) if time_dimension else ("", None)
            if self.query.breakdowns:
                for values, metrics in self._breakdown_cells(ad, day).items():
                    yield bucket, values, metrics
                continue
            whole = self.world.ad_day(ad, day)
            if whole is not None:
                yield bucket, (), whole

    def _rows(self) -> Iterator[Row]:
        cells: dict[tuple[Any, ...], Tally] = {}
        for index, group in enumerate(self.groups):
            for ad in group.ads:
                kind = wire.delivery(self.campaigns[ad.campaign_id]).result
                for bucket, values, metrics in self._ad_cells(ad):
                    key = (bucket, index, values)
                    tally = Tally(metrics, _result(metrics, kind))
                    cells[key] = cells[key] + tally if key in cells else tally
        countries = self.query.countries
        position = {name: i for i, name in enumerate(self.query.breakdowns)}
        for (bucket, index, values), tally in sorted(cells.items(), key=lambda item: item[0]):
            if tally.empty:
                continue
            if countries is not None and values[position["country_code"]] not in countries:
                continue
            group = self.groups[index]
            yield Row(self._dimensions(group, bucket[1], values), tally, group.subject)

    def _dimensions(self, group: Group, label: str | None, values: tuple[str, ...]) -> dict[str, str]:
        query = self.query
        out: dict[str, str] = {}
        for name in query.dimensions:
            if name == query.id_dimension:
                out[name] = group.key or ""
            elif name == query.time_dimension:
                out[name] = label or ""
            else:
                out[name] = values[query.breakdowns.index(name)]
        return out

    def _ordered(self, rows: list[Row]) -> list[Row]:
        field = self.query.order_field
        if field is None:
            return rows
        metric, currency = METRICS[field], self.account.currency
        return sorted(
            rows,
            key=lambda row: sort_value(metric.render(row.tally, currency)),
            reverse=self.query.order_descending,
        )

    # -- rendering -------------------------------------------------------------------------------
    def metrics_of(self, row: Row) -> dict[str, str | None]:
        currency = self.account.currency
        out: dict[str, str | None] = {}
        for name in self.query.metrics:
            attribute = ATTRIBUTES.get(name)
            if attribute is not None:
                out[name] = attribute.value(row.subject) if row.subject is not None else DASH
            else:
                out[name] = METRICS[name].render(row.tally, currency)
        return out

    def record(self, row: Row) -> dict[str, Any]:
        return {"dimensions": row.dimensions, "metrics": self.metrics_of(row)}

    def total_metrics(self) -> dict[str, str]:
        """`total_metrics` (§3.1, §3.6): the sum over every page; "-" for attributes and the
        non-additive unique-visitor metrics."""
        total = Tally()
        for row in self.rows:
            total = total + row.tally
        currency = self.account.currency
        return {
            name: DASH if name in ATTRIBUTES or METRICS[name].uv else METRICS[name].render(total, currency)
            for name in self.query.metrics
        }
