"""The one thing a tap writes for the unified streams: an adapter from its platform to unified rows.

An adapter yields rows in the unified column names with the platform's own values where the contract
normalizes them (``status_raw``, ``objective_raw``, ``audience_type_raw``, breakdown ``value_raw``),
money as ``Decimal`` major units (via ``ads_kit.money``), entity timestamps as tz-aware datetimes (via
``ads_kit.timezones``) and ``date_day`` as the account-zone day. The stream base classes add
everything else: platform, account columns, normalized vocabularies, derived metrics, rounding, FX,
time-zone columns, finality and quality checks.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar, Literal

Level = Literal["campaign", "ad"]


@dataclass(frozen=True)
class AccountInfo:
    """An account as every unified stream needs it: ids, currency and the zone its days are in."""

    account_id: str
    account_name: str | None
    currency: str
    timezone: str
    status_raw: str | None = None
    created_at: datetime | None = None


class UnifiedAdapter(abc.ABC):
    """Platform rows -> unified rows. Subclass once per tap; every method reads one account.

    An adapter is given its data sources when the tap builds it (the same entity and report sources
    the raw streams read, so both cost one request); the platform key and report days are the
    tap's ``PlatformProfile``, accounts its ``AccountSource``.
    """

    additive_levels: ClassVar[bool] = False
    """True when ad rows sum exactly to campaign rows (reach aside): campaign performance is then
    derived from the ad-level slice and costs no request of its own."""
    breakdown_dimensions: ClassVar[tuple[str, ...]] = ()
    """Breakdown dimensions the platform serves (subset of schemas.BREAKDOWN_DIMENSIONS)."""

    @abc.abstractmethod
    def campaigns(self, account: AccountInfo) -> Iterable[dict]:
        """unified_campaigns rows: campaign_id, campaign_name, status_raw, objective_raw, budget, …"""

    def campaigns_by_id(self, account: AccountInfo, campaign_ids: Sequence[str]) -> Iterable[dict]:
        """unified_campaigns rows of the given campaigns, read one by one whatever their status.

        Asked for campaigns that delivered in the run but that ``campaigns`` did not list (a deleted
        or archived campaign when ``include_deleted`` is false). A platform whose list already holds
        every campaign with delivery keeps this default."""
        return ()

    @abc.abstractmethod
    def ad_groups(self, account: AccountInfo) -> Iterable[dict]:
        """unified_ad_groups rows (Meta ad sets)."""

    @abc.abstractmethod
    def ads(self, account: AccountInfo) -> Iterable[dict]:
        """unified_ads rows."""

    @abc.abstractmethod
    def audiences(self, account: AccountInfo) -> Iterable[dict]:
        """unified_audiences rows: audience_id, audience_name, audience_type_raw, status_raw, …"""

    @abc.abstractmethod
    def performance(self, account: AccountInfo, level: Level, start: date, end: date) -> Iterable[dict]:
        """Daily rows of ``level`` for account-zone days [start, end]: ids, names, date_day,
        impressions, clicks, spend, conversions, conversions_value, reach, attribution_*_days."""

    @abc.abstractmethod
    def breakdowns(self, account: AccountInfo, dimension: str, start: date, end: date) -> Iterable[dict]:
        """Daily campaign rows split by ``dimension``: campaign ids, date_day, value_raw, metrics."""

    def hourly_performance(
        self, account: AccountInfo, level: Level, start: date, end: date
    ) -> Iterable[dict]:
        """Hourly rows for re-bucketing into ``reporting_timezone``: the daily row's fields plus
        ``utc_start`` (tz-aware) or the local ``hour`` (0-23) with the account-zone ``date_day``."""
        raise NotImplementedError(
            f"{type(self).__name__} has no hourly report, so reporting_timezone cannot be used"
        )
