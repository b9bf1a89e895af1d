"""The synthetic advertising world every emulator serves.

Everything is a pure function of (seed, shape, origin day): accounts are generated from the seed and
their index (an account id ends with its index, so the id leads back to it), entity lists per
account on use, and every metric value is derived on demand from a stable hash of the seed, the
entity id and the day, so a world can stand for millions of metric rows without holding any. What
is generated is kept in bounded caches (least recently used first out), so a world of 10,000
accounts per platform holds about what one of 1,000 does.

Shape knobs (all optional):

* ``scale`` multiplies the number of campaigns per account (default 4 campaigns x 2 ad groups x 3 ads);
* ``shape`` overrides ``{"campaigns", "ad_groups_per_campaign", "ads_per_ad_group"}``;
* ``ads_per_account`` asks for exactly that many ads per account (e.g. 200 for benchmarks),
  keeping the ad-group and campaign fan-out of ``shape``;
* ``accounts_per_platform`` (default 3) cycles through each platform's account templates; ids stay
  of the platform's length up to 10,000 accounts;
* ``account_ids`` names a platform's accounts (``{"meta": ["123456", "789012"]}``): as many accounts
  as ids, in the same templates, so a configuration written for real accounts runs unchanged. Ids are
  unique across platforms (an account is found by its id alone).

Time: the world runs on an instant, ``now`` (the real clock, or pinned; ``advance()`` and
``move_to()`` move it). Each account's today is the local date of ``now`` in its zone. A platform
reports an hour once it has ended and its reporting delay has passed, so the current local day (and,
just after midnight, the end of the previous one) holds only the hours already reported: hourly data
for later hours is empty and the day's totals grow through the day.

Identities that hold at every instant: ad-group, campaign and account days are exact sums of their
ads; every breakdown dimension and the reported hourly slices of a local day split the day exactly.
"""

from __future__ import annotations

import hashlib
import math
import struct
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

from iso4217 import Currency

from ads_kit import clock

PLATFORMS = ("meta", "google_ads", "tiktok")

# Days after which a platform stops restating conversions (the lookback the taps re-read).
RESTATEMENT_WINDOW_DAYS = {"meta": 28, "google_ads": 30, "tiktok": 7}

# How long after an hour ends the platform reports it. Google: most stats "under 3 hours"; TikTok:
# basic non-UV metrics "~30 min" (both from the platforms' freshness docs). Meta publishes no figure;
# one hour is the sandbox's assumption. A world setting (``reporting_delay_minutes``).
REPORTING_DELAY_MINUTES = {"meta": 60, "google_ads": 180, "tiktok": 30}

# The westernmost civil offset: a date there is a date every zone has reached or passed.
_LAST_ZONE = timezone(timedelta(hours=-12))

OBJECTIVES = ("awareness", "traffic", "engagement", "leads", "app_promotion", "sales", "video_views")

DIMENSIONS: dict[str, tuple[str, ...]] = {
    "age": ("18-24", "25-34", "35-44", "45-54", "55-64", "65+"),
    "gender": ("male", "female", "unknown"),
    "device": ("mobile", "desktop", "tablet", "connected_tv"),
    "placement": ("feed", "stories", "search", "video", "audience_network"),
}
# Typical audience shares per dimension value (relative integer weights), before per-ad jitter.
_DIMENSION_PROFILE: dict[str, tuple[int, ...]] = {
    "age": (22, 31, 21, 13, 8, 5),
    "gender": (46, 50, 4),
    "device": (74, 18, 6, 2),
    "placement": (44, 26, 8, 15, 7),
}
_COUNTRY_PROFILE = (70, 15, 10, 5)
# Share of a day's delivery by local hour: quiet nights, evening peak.
_HOUR_PROFILE = (12, 8, 5, 4, 4, 6, 12, 22, 34, 42, 46, 50, 55, 52, 50, 50, 54, 60, 70, 80, 82, 72, 50, 28)
_WEEKDAY_FACTOR = (1.0, 1.04, 1.05, 1.02, 0.97, 0.86, 0.9)

DEFAULT_SHAPE = {"campaigns": 4, "ad_groups_per_campaign": 2, "ads_per_ad_group": 3}

# Account templates per platform: (time zone, currency, countries served, most common first).
_ACCOUNT_TEMPLATES: dict[str, tuple[tuple[str, str, tuple[str, ...]], ...]] = {
    "meta": (
        ("America/Los_Angeles", "USD", ("US", "CA", "MX", "GB")),
        ("Europe/Berlin", "EUR", ("DE", "AT", "CH", "FR")),
        ("Asia/Tokyo", "JPY", ("JP", "KR", "TW", "US")),
    ),
    "google_ads": (
        ("America/Sao_Paulo", "BRL", ("BR", "AR", "PT", "US")),
        ("Asia/Tokyo", "JPY", ("JP", "KR", "TW", "US")),
        ("America/Los_Angeles", "USD", ("US", "CA", "MX", "GB")),
    ),
    "tiktok": (
        ("UTC", "USD", ("US", "GB", "IE", "CA")),
        ("Europe/Berlin", "EUR", ("DE", "AT", "CH", "FR")),
        ("Asia/Tokyo", "JPY", ("JP", "KR", "TW", "US")),
    ),
}
# Rough value of one US dollar per currency, so budgets and costs look plausible in each currency.
_PER_USD = {"USD": 1.0, "EUR": 0.92, "JPY": 150.0, "BRL": 5.0}

_PLATFORM_NAMES = {"meta": "Meta", "google_ads": "Google Ads", "tiktok": "TikTok"}
# Id shapes of the real platforms: (account id digits, campaign, ad group, ad, audience, conversion).
_ID_DIGITS = {
    "meta": (16, 18, 18, 18, 17, 16),
    "google_ads": (10, 11, 12, 12, 10, 10),
    "tiktok": (19, 16, 16, 16, 9, 19),
}
_ID_LEADING = {"meta": "1", "google_ads": "", "tiktok": "7"}
_SEQ_DIGITS = 4

# How much a world keeps of what it generated: accounts, their entity lists, per-ad profiles and
# breakdown weights. A sync reads account by account, so a few hundred accounts cover its working
# set; beyond that, memory stays flat however many accounts the world has.
_CACHED_ACCOUNTS = 1024
_CACHED_ENTITY_LISTS = 256
_CACHED_PER_AD = 16384

K = TypeVar("K")
V = TypeVar("V")


class _Bounded(Generic[K, V]):
    """A least-recently-used cache of generated values: bounded memory for a world of any size."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K, make: Callable[[], V]) -> V:
        try:
            self._items.move_to_end(key)
            return self._items[key]
        except KeyError:
            value = self._items[key] = make()
            if len(self._items) > self._size:
                self._items.popitem(last=False)
            return value

    def values(self) -> Iterator[V]:
        """Cached values, most recently used first."""
        return reversed(list(self._items.values()))


@dataclass(frozen=True, slots=True)
class Metrics:
    impressions: int = 0
    clicks: int = 0
    spend_minor: int = 0
    conversions: int = 0
    conversions_value_minor: int = 0
    reach: int = 0

    def __add__(self, other: Metrics) -> Metrics:
        return Metrics(*(a + b for a, b in zip(_values(self), _values(other), strict=True)))


_METRIC_FIELDS = tuple(f.name for f in fields(Metrics))


def _values(metrics: Metrics) -> tuple[int, ...]:
    return tuple(getattr(metrics, name) for name in _METRIC_FIELDS)


def sum_metrics(items: Iterable[Metrics | None]) -> Metrics | None:
    """Sum of the metrics given, None when none of them delivered."""
    total = None
    for item in items:
        if item is not None:
            total = item if total is None else total + item
    return total


@dataclass(frozen=True, slots=True)
class HourSlice:
    utc_start: datetime
    local_hour: int
    metrics: Metrics


@dataclass(frozen=True, slots=True)
class Account:
    platform: str
    id: str
    name: str
    timezone: str
    currency: str
    status: str
    created_at: datetime
    countries: tuple[str, ...]

    @property
    def currency_exponent(self) -> int:
        return _exponent(self.currency)


@dataclass(frozen=True, slots=True)
class Campaign:
    platform: str
    account_id: str
    id: str
    name: str
    status: str
    objective: str
    budget_minor: int | None
    budget_period: str | None
    start_date: date
    end_date: date | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class AdGroup:
    platform: str
    account_id: str
    campaign_id: str
    id: str
    name: str
    status: str
    budget_minor: int | None
    budget_period: str | None
    start_date: date
    end_date: date | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Ad:
    platform: str
    account_id: str
    campaign_id: str
    ad_group_id: str
    id: str
    name: str
    status: str
    start_date: date
    end_date: date | None
    created_at: datetime
    updated_at: datetime
    # Local days the ad can deliver: its own schedule cut by its parents', the account's creation
    # and the day a non-active ancestor or the ad itself stopped (its updated_at).
    delivery_start: date
    delivery_end: date | None


@dataclass(frozen=True, slots=True)
class Audience:
    platform: str
    account_id: str
    id: str
    name: str
    kind: str  # custom | lookalike
    source: str  # website | customer_list | app | engagement | lookalike
    source_audience_id: str | None
    lookalike_ratio_pct: int | None
    approximate_size: int
    status: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ConversionEvent:
    platform: str
    account_id: str
    id: str
    name: str
    event_type: str  # purchase | lead | add_to_cart | complete_registration
    # The primary event carries the world's `conversions`/`conversions_value`; the others never fire.
    primary: bool
    status: str
    created_at: datetime
    updated_at: datetime


@dataclass(slots=True)
class _AccountEntities:
    campaigns: list[Campaign]
    ad_groups: list[AdGroup]
    ads: list[Ad]
    audiences: list[Audience]
    conversion_events: list[ConversionEvent]
    ads_by_parent: dict[str, list[Ad]] = field(default_factory=dict)
    by_id: dict[str, Campaign | AdGroup | Ad | Audience | ConversionEvent] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _AdProfile:
    base_impressions: float
    ctr: float
    cpm_minor: float
    cvr: float
    order_value_minor: float
    frequency: float


def _checked_account_ids(account_ids: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    seen: set[str] = set()
    for platform, ids in account_ids.items():
        if platform not in PLATFORMS:
            raise ValueError(f"account_ids: unknown platform {platform!r}; one of {', '.join(PLATFORMS)}")
        if isinstance(ids, str) or not ids:
            raise ValueError(f"account_ids.{platform}: must be a non-empty list of ids")
        for index, account_id in enumerate(ids):
            if not (isinstance(account_id, str) and account_id.isdigit()):
                raise ValueError(f"account_ids.{platform}[{index}]: {account_id!r} is not a string of digits")
            if account_id in seen:
                raise ValueError(f"account_ids.{platform}[{index}]: {account_id} names another account too")
            seen.add(account_id)
    return {platform: list(ids) for platform, ids in account_ids.items()}


def _exponent(currency: str) -> int:
    return Currency(currency).exponent or 0


class World:
    def __init__(
        self,
        seed: int,
        scale: float = 1,
        now: datetime | None = None,
        history_days: int = 400,
        *,
        shape: dict[str, int] | None = None,
        ads_per_account: int | None = None,
        accounts_per_platform: int = 3,
        account_ids: Mapping[str, Sequence[str]] | None = None,
        reporting_delay_minutes: Mapping[str, int] | None = None,
    ) -> None:
        if scale <= 0:
            raise ValueError(f"scale must be positive, got {scale}")
        if history_days < 1:
            raise ValueError(f"history_days must be at least 1, got {history_days}")
        unknown = set(shape or {}) - set(DEFAULT_SHAPE)
        if unknown:
            raise ValueError(f"unknown shape key {sorted(unknown)[0]!r}; known: {', '.join(DEFAULT_SHAPE)}")
        if now is not None and now.tzinfo is None:
            raise ValueError(f"now {now.isoformat()} has no UTC offset")
        self.seed = seed
        self.scale = scale
        # Pinned: time stands still but for advance()/move_to(). Otherwise it follows the clock.
        self.pinned = now is not None
        self.started_at = (now or clock.now()).astimezone(UTC)
        self._moved = timedelta()
        # Entities are generated relative to this date; every zone's today is on or after it, so
        # no entity timestamp lies in the future of any account.
        self.origin = self.started_at.astimezone(_LAST_ZONE).date()
        self.reporting_delay = dict(REPORTING_DELAY_MINUTES)
        self.set_reporting_delay(reporting_delay_minutes or {})
        self.history_days = history_days
        self.shape = {**DEFAULT_SHAPE, **(shape or {})}
        self.ads_per_account = ads_per_account or max(
            1,
            round(self.shape["campaigns"] * scale)
            * self.shape["ad_groups_per_campaign"]
            * self.shape["ads_per_ad_group"],
        )
        self.accounts_per_platform = accounts_per_platform
        self.account_ids = _checked_account_ids(account_ids or {})
        self._accounts: _Bounded[tuple[str, int], Account] = _Bounded(_CACHED_ACCOUNTS)
        self._entities: _Bounded[str, _AccountEntities] = _Bounded(_CACHED_ENTITY_LISTS)
        self._profiles: _Bounded[str, _AdProfile] = _Bounded(_CACHED_PER_AD)
        self._weights: _Bounded[tuple[str, str], tuple[int, ...]] = _Bounded(_CACHED_PER_AD)

    # ----- time -----------------------------------------------------------------------------

    @property
    def now(self) -> datetime:
        """The world's current instant, in UTC."""
        return (self.started_at if self.pinned else clock.now()) + self._moved

    def advance(self, days: int = 0, *, hours: int = 0) -> datetime:
        """Move the instant forward; days inside the restatement window gain conversions."""
        if days < 0 or hours < 0:
            raise ValueError(f"the world only moves forward, got days={days} hours={hours}")
        self._moved += timedelta(days=days, hours=hours)
        return self.now

    def move_to(self, instant: datetime) -> datetime:
        """Move the instant forward to ``instant`` (tz-aware)."""
        if instant.tzinfo is None:
            raise ValueError(f"instant {instant.isoformat()} has no UTC offset")
        step = instant - self.now
        if step < timedelta():
            raise ValueError(f"the world only moves forward: {instant.isoformat()} is before {self.now}")
        self._moved += step
        return self.now

    def rewind(self) -> None:
        """Back to the instant the world started at (a sandbox reset between tests)."""
        self._moved = timedelta()

    def set_reporting_delay(self, minutes: Mapping[str, int]) -> None:
        for platform, value in minutes.items():
            if platform not in PLATFORMS:
                raise ValueError(f"reporting delay for unknown platform {platform!r}")
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"reporting delay of {platform} must be whole minutes >= 0, got {value!r}")
            self.reporting_delay[platform] = value

    def account_today(self, account: Account) -> date:
        """The account's current local date: the last day its platform can report, partially."""
        return self.now.astimezone(ZoneInfo(account.timezone)).date()

    def reported_until(self, platform: str) -> datetime:
        """Hours that ended by this instant are reported; later ones are not yet."""
        return self.now - timedelta(minutes=self.reporting_delay[platform])

    def is_final(self, account: Account, day: date) -> bool:
        """Whether the platform will no longer restate this local day of the account."""
        return (self.account_today(account) - day).days >= RESTATEMENT_WINDOW_DAYS[account.platform]

    # ----- entities -------------------------------------------------------------------------

    def _account_at(self, platform: str, index: int) -> Account:
        return self._accounts.get((platform, index), lambda: self._make_account(platform, index))

    def _make_account(self, platform: str, index: int) -> Account:
        zone, currency, countries = _ACCOUNT_TEMPLATES[platform][index % len(_ACCOUNT_TEMPLATES[platform])]
        named = self.account_ids.get(platform)
        account_id = (
            named[index]
            if named
            else self._id(platform, _ID_DIGITS[platform][0], "account", platform, index, seq=index)
        )
        # The third account of each platform opens mid-history, so its early days have no data; the
        # others opened a month apart (in a cycle of two years, however many accounts there are).
        age_days = self.history_days // 2 if index % 3 == 2 else self.history_days + 60 + 30 * (index % 24)
        created_at = self._moment(self.origin - timedelta(days=age_days), zone, "account", account_id)
        return Account(
            platform=platform,
            id=account_id,
            name=f"{_PLATFORM_NAMES[platform]} {_city(zone)} {index + 1}",
            timezone=zone,
            currency=currency,
            status="active",
            created_at=created_at,
            countries=countries,
        )

    def accounts(self, platform: str | None = None) -> list[Account]:
        """Every account of a platform (of all, without one); past the cache's size, a listing is
        built for its caller and not kept."""
        return [
            self._account_at(p, index)
            for p in (PLATFORMS if platform is None else (platform,))
            for index in range(self._account_count(p))
        ]

    def _account_count(self, platform: str) -> int:
        named = self.account_ids.get(platform)
        return len(named) if named else self.accounts_per_platform

    def account(self, account_id: str) -> Account:
        """The account with this id: a named one, or a generated one whose last digits are its index
        and whose id of that index matches (a made-up id with a valid index does not)."""
        for platform, named in self.account_ids.items():
            if account_id in named:
                return self._account_at(platform, named.index(account_id))
        for platform in PLATFORMS:
            if platform in self.account_ids:
                continue
            stem_end = _ID_DIGITS[platform][0] - _SEQ_DIGITS
            leading, seq = account_id[: len(_ID_LEADING[platform])], account_id[stem_end:]
            if leading != _ID_LEADING[platform] or not seq.isdigit() or len(account_id) <= stem_end:
                continue
            index = int(seq)
            if index < self.accounts_per_platform and self._account_at(platform, index).id == account_id:
                return self._account_at(platform, index)
        raise KeyError(f"no account {account_id!r} in this world")

    def campaigns(self, account_id: str) -> list[Campaign]:
        return self._account_entities(account_id).campaigns

    def ad_groups(self, account_id: str) -> list[AdGroup]:
        return self._account_entities(account_id).ad_groups

    def ads(self, account_id: str) -> list[Ad]:
        return self._account_entities(account_id).ads

    def audiences(self, account_id: str) -> list[Audience]:
        return self._account_entities(account_id).audiences

    def conversion_events(self, account_id: str) -> list[ConversionEvent]:
        return self._account_entities(account_id).conversion_events

    def ads_under(self, entity: Account | Campaign | AdGroup | Ad) -> list[Ad]:
        """The ads whose metrics make up an entity's metrics."""
        if isinstance(entity, Ad):
            return [entity]
        if isinstance(entity, Account):
            return self.ads(entity.id)
        return self._account_entities(entity.account_id).ads_by_parent.get(entity.id, [])

    def find(self, entity_id: str) -> Account | Campaign | AdGroup | Ad | Audience | ConversionEvent | None:
        """Any entity of any account by id. Entity ids do not name their account, so the accounts
        read lately are searched first (a sync looks up what it has just listed), then every account."""
        try:
            return self.account(entity_id)
        except KeyError:
            pass
        for entities in self._entities.values():
            if entity_id in entities.by_id:
                return entities.by_id[entity_id]
        for platform in PLATFORMS:
            for index in range(self._account_count(platform)):
                found = self._account_entities(self._account_at(platform, index).id).by_id.get(entity_id)
                if found is not None:
                    return found
        return None

    def breakdown_values(self, account: Account, dimension: str) -> tuple[str, ...]:
        if dimension == "country":
            return account.countries
        try:
            return DIMENSIONS[dimension]
        except KeyError:
            known = ", ".join([*DIMENSIONS, "country"])
            raise ValueError(f"unknown breakdown dimension {dimension!r}; known: {known}") from None

    # ----- metrics --------------------------------------------------------------------------

    def ad_day(self, ad: Ad, day: date) -> Metrics | None:
        """The ad's metrics for a local day of its account as reported now, None when nothing is.

        A day whose hours are not all reported yet holds the sum of those that are."""
        start, end = self._day_bounds(ad, day)
        cut = self.reported_until(ad.platform)
        if end <= cut:
            return self._whole_day(ad, day)
        if start >= cut:
            return None
        return sum_metrics(part.metrics for part in self.ad_day_hours(ad, day))

    def _day_bounds(self, ad: Ad, day: date) -> tuple[datetime, datetime]:
        return _local_day_bounds(self.account(ad.account_id).timezone, day)

    def _whole_day(self, ad: Ad, day: date) -> Metrics | None:
        """The whole local day's delivery, with the conversions known as of the account's today."""
        if day < ad.delivery_start or (ad.delivery_end and day > ad.delivery_end):
            return None
        u = self._uniforms("ad_day", ad.id, day.toordinal())
        if u[0] < 0.03:  # an occasional day without delivery, as real ads have
            return None
        profile = self._profile(ad)
        impressions = 1 + int(profile.base_impressions * _WEEKDAY_FACTOR[day.weekday()] * (0.6 + 0.8 * u[1]))
        clicks = min(impressions, int(impressions * profile.ctr * (0.7 + 0.6 * u[2])))
        spend_minor = int(impressions * profile.cpm_minor * (0.8 + 0.4 * u[3]) / 1000)
        final_conversions = int(clicks * profile.cvr * (0.5 + u[4]) + u[5])
        final_value = int(final_conversions * profile.order_value_minor * (0.7 + 0.6 * u[6]))
        # Restatement: half the final conversions are known on the day, the rest arrive linearly
        # until the platform's window closes; floor of a growing fraction never shrinks.
        window = RESTATEMENT_WINDOW_DAYS[ad.platform]
        known = min((self.account_today(self.account(ad.account_id)) - day).days, window) + window
        conversions = final_conversions * known // (2 * window)
        # Value moves with the conversions counted so far, so no day has value without a conversion.
        value = final_value * conversions // final_conversions if final_conversions else 0
        reach = max(1, min(impressions, int(impressions / profile.frequency)))
        return Metrics(impressions, clicks, spend_minor, conversions, value, reach)

    def ad_day_breakdown(self, ad: Ad, day: date, dimension: str) -> dict[str, Metrics]:
        """The ad's day split by one dimension; the parts sum exactly to `ad_day` (empty when None)."""
        values = self.breakdown_values(self.account(ad.account_id), dimension)
        total = self.ad_day(ad, day)
        if total is None:
            return {}
        base = self._dimension_weights(ad, dimension, len(values))
        jitter = self._uniforms("breakdown", ad.id, day.toordinal(), dimension)
        weights = [w * (900 + int(200 * jitter[i % 8])) for i, w in enumerate(base)]
        return dict(zip(values, split_metrics(total, weights), strict=True))

    def ad_day_hours(self, ad: Ad, day: date) -> list[HourSlice]:
        """One slice per reported hour of the local day (a whole day has 23 or 25 on DST changes),
        summing to `ad_day`: the whole day's delivery split by hour, later hours not yet there."""
        start, end = self._day_bounds(ad, day)
        cut = self.reported_until(ad.platform)
        total = self._whole_day(ad, day) if start < cut else None
        if total is None:
            return []
        zone = ZoneInfo(self.account(ad.account_id).timezone)
        starts = [start + timedelta(hours=h) for h in range(int((end - start).total_seconds()) // 3600)]
        local_hours = [s.astimezone(zone).hour for s in starts]
        jitter = self._uniforms("hours", ad.id, day.toordinal())
        weights = [_HOUR_PROFILE[h] * (900 + int(200 * jitter[i % 8])) for i, h in enumerate(local_hours)]
        parts = split_metrics(total, weights)
        return [
            HourSlice(s, h, m)
            for s, h, m in zip(starts, local_hours, parts, strict=True)
            if s + timedelta(hours=1) <= cut
        ]

    def ad_group_day(self, ad_group: AdGroup, day: date) -> Metrics | None:
        return sum_metrics(self.ad_day(ad, day) for ad in self.ads_under(ad_group))

    def campaign_day(self, campaign: Campaign, day: date) -> Metrics | None:
        return sum_metrics(self.ad_day(ad, day) for ad in self.ads_under(campaign))

    def account_day(self, account: Account, day: date) -> Metrics | None:
        return sum_metrics(self.ad_day(ad, day) for ad in self.ads_under(account))

    # ----- generation -----------------------------------------------------------------------

    def _account_entities(self, account_id: str) -> _AccountEntities:
        return self._entities.get(account_id, lambda: self._generate(self.account(account_id)))

    def _generate(self, account: Account) -> _AccountEntities:
        platform, zone = account.platform, account.timezone
        digits = _ID_DIGITS[platform]
        per_group = self.shape["ads_per_ad_group"]
        n_ad_groups = math.ceil(self.ads_per_account / per_group)
        n_campaigns = math.ceil(n_ad_groups / self.shape["ad_groups_per_campaign"])
        first_day = max(
            self.origin - timedelta(days=self.history_days), _local_date(account.created_at, zone)
        )
        last_day = self.origin - timedelta(days=1)

        campaigns: list[Campaign] = []
        for c in range(n_campaigns):
            u = self._uniforms("campaign", account.id, c)
            cid = self._id(platform, digits[1], "campaign", account.id, c, seq=c)
            # The last campaign starts recently so "new campaign" paths get exercised.
            start = (
                last_day - timedelta(days=10)
                if c == n_campaigns - 1
                else _day_between(first_day, last_day, u[0] * 0.3)
            )
            end = start + timedelta(days=30 + int(u[1] * 60)) if c % 4 == 3 else None
            status = _pick_status(("active", "paused", "active", "archived", "active", "deleted"), c)
            objective = OBJECTIVES[int(u[2] * len(OBJECTIVES))]
            # Google budgets live on campaigns; elsewhere every other campaign leaves them to its ad groups.
            has_budget = platform == "google_ads" or c % 2 == 0
            period = "lifetime" if u[3] < 0.25 else "daily"
            created, updated = self._timestamps(start, end, status, zone, account.created_at, "campaign", cid)
            campaigns.append(
                Campaign(
                    platform=platform,
                    account_id=account.id,
                    id=cid,
                    name=f"{objective.replace('_', ' ').title()} {c + 1:03d}",
                    status=status,
                    objective=objective,
                    budget_minor=self._budget(account, u[4], period) if has_budget else None,
                    budget_period=period if has_budget else None,
                    start_date=start,
                    end_date=end,
                    created_at=created,
                    updated_at=updated,
                )
            )

        ad_groups: list[AdGroup] = []
        for g in range(n_ad_groups):
            campaign = campaigns[g // self.shape["ad_groups_per_campaign"]]
            u = self._uniforms("ad_group", account.id, g)
            gid = self._id(platform, digits[2], "ad_group", account.id, g, seq=g)
            start = min(campaign.start_date + timedelta(days=int(u[0] * 5)), last_day)
            end = campaign.end_date
            status = "deleted" if g % 5 == 4 else ("paused" if g % 7 == 3 else "active")
            has_budget = campaign.budget_minor is None
            created, updated = self._timestamps(
                start, end, status, zone, campaign.created_at, "ad_group", gid
            )
            ad_groups.append(
                AdGroup(
                    platform=platform,
                    account_id=account.id,
                    campaign_id=campaign.id,
                    id=gid,
                    name=f"{campaign.name} / group {g + 1:03d}",
                    status=status,
                    budget_minor=self._budget(account, u[1], "daily") if has_budget else None,
                    budget_period="daily" if has_budget else None,
                    start_date=start,
                    end_date=end,
                    created_at=created,
                    updated_at=updated,
                )
            )

        campaign_by_id = {c.id: c for c in campaigns}
        ads: list[Ad] = []
        for a in range(self.ads_per_account):
            group = ad_groups[a // per_group]
            campaign = campaign_by_id[group.campaign_id]
            u = self._uniforms("ad", account.id, a)
            aid = self._id(platform, digits[3], "ad", account.id, a, seq=a)
            start = min(group.start_date + timedelta(days=int(u[0] * 3)), last_day)
            status = (
                "deleted"
                if a % 11 == 9
                else "archived"
                if a % 13 == 7
                else "paused"
                if a % 7 == 5
                else "active"
            )
            created, updated = self._timestamps(
                start, group.end_date, status, zone, group.created_at, "ad", aid
            )
            stops = [_stopped_on(entity, zone) for entity in (campaign, group) if entity.status != "active"]
            if status != "active":
                stops.append(_local_date(updated, zone))
            ends = [d for d in (group.end_date, campaign.end_date, *stops) if d is not None]
            ads.append(
                Ad(
                    platform=platform,
                    account_id=account.id,
                    campaign_id=campaign.id,
                    ad_group_id=group.id,
                    id=aid,
                    name=f"{campaign.name} / ad {a + 1:04d}",
                    status=status,
                    start_date=start,
                    end_date=group.end_date,
                    created_at=created,
                    updated_at=updated,
                    delivery_start=max(start, first_day),
                    delivery_end=min(ends) if ends else None,
                )
            )

        by_parent: dict[str, list[Ad]] = {}
        for ad in ads:
            by_parent.setdefault(ad.campaign_id, []).append(ad)
            by_parent.setdefault(ad.ad_group_id, []).append(ad)
        audiences = self._audiences(account, digits[4])
        conversion_events = self._conversion_events(account, digits[5])
        return _AccountEntities(
            campaigns=campaigns,
            ad_groups=ad_groups,
            ads=ads,
            audiences=audiences,
            conversion_events=conversion_events,
            ads_by_parent=by_parent,
            by_id={
                e.id: e for group in (campaigns, ad_groups, ads, audiences, conversion_events) for e in group
            },
        )

    def _audiences(self, account: Account, digits: int) -> list[Audience]:
        specs = [
            ("Website visitors 30d", "website"),
            ("Customer list", "customer_list"),
            ("App users", "app"),
            ("Video viewers", "engagement"),
        ]
        audiences: list[Audience] = []
        for i, (name, source) in enumerate(specs):
            u = self._uniforms("audience", account.id, i)
            aid = self._id(account.platform, digits, "audience", account.id, i, seq=i)
            status = "deleted" if i == len(specs) - 1 else "active"
            created = account.created_at + timedelta(days=3 + int(u[0] * 40), seconds=int(u[1] * 86400))
            updated = created + timedelta(days=int(u[2] * 30))
            size = 1000 * (20 + int(u[3] * 2000))
            audiences.append(
                Audience(
                    account.platform,
                    account.id,
                    aid,
                    name,
                    "custom",
                    source,
                    None,
                    None,
                    size,
                    status,
                    created,
                    updated,
                )
            )
        for j, ratio in enumerate((1, 3)):
            seed = audiences[j]
            aid = self._id(
                account.platform, digits, "audience", account.id, len(specs) + j, seq=len(specs) + j
            )
            created = seed.created_at + timedelta(days=2 + j)
            audiences.append(
                Audience(
                    account.platform,
                    account.id,
                    aid,
                    f"Lookalike ({account.countries[0]}, {ratio}%) - {seed.name}",
                    "lookalike",
                    "lookalike",
                    seed.id,
                    ratio,
                    seed.approximate_size * 10 * ratio,
                    "active",
                    created,
                    created + timedelta(days=1),
                )
            )
        return audiences

    def _conversion_events(self, account: Account, digits: int) -> list[ConversionEvent]:
        specs = [
            ("Purchase", "purchase", True),
            ("Lead", "lead", False),
            ("Add to cart", "add_to_cart", False),
            ("Sign up", "complete_registration", False),
        ]
        events = []
        for i, (name, event_type, primary) in enumerate(specs):
            eid = self._id(account.platform, digits, "conversion", account.id, i, seq=i)
            created = account.created_at + timedelta(days=1 + i, hours=3)
            status = "archived" if i == len(specs) - 1 else "active"
            events.append(
                ConversionEvent(
                    account.platform,
                    account.id,
                    eid,
                    name,
                    event_type,
                    primary,
                    status,
                    created,
                    created + timedelta(days=7),
                )
            )
        return events

    def _timestamps(
        self, start: date, end: date | None, status: str, zone: str, parent_created: datetime, *key: object
    ) -> tuple[datetime, datetime]:
        """created_at just before the start (never before the parent); non-active entities were
        updated (stopped) on a day between their start and yesterday."""
        u = self._uniforms("timestamps", *key)
        created = max(
            self._moment(start - timedelta(days=1), zone, *key),
            parent_created + timedelta(minutes=1 + int(u[0] * 600)),
        )
        last = min(end or self.origin, self.origin) - timedelta(days=1)
        if status == "active":
            updated_day = _day_between(start, max(start, last), u[1])
        else:
            updated_day = _day_between(start, max(start, last), 0.3 + 0.6 * u[1])
        updated = max(created + timedelta(minutes=5), self._moment(updated_day, zone, "updated", *key))
        return created, updated

    def _moment(self, day: date, zone: str, *key: object) -> datetime:
        """A deterministic instant during a local day, in UTC."""
        seconds = int(self._uniforms("moment", *key)[0] * 86399)
        local = datetime.combine(day, time(), ZoneInfo(zone)) + timedelta(seconds=seconds)
        return local.astimezone(UTC)

    def _budget(self, account: Account, u: float, period: str) -> int:
        major = int((20 + 480 * u) * _PER_USD[account.currency]) * (30 if period == "lifetime" else 1)
        return major * 10**account.currency_exponent

    def _profile(self, ad: Ad) -> _AdProfile:
        return self._profiles.get(ad.id, lambda: self._make_profile(ad))

    def _make_profile(self, ad: Ad) -> _AdProfile:
        u = self._uniforms("profile", ad.id)
        account = self.account(ad.account_id)
        minor_per_usd = _PER_USD[account.currency] * 10**account.currency_exponent
        return _AdProfile(
            base_impressions=300 * 20 ** u[0],
            ctr=0.004 + 0.026 * u[1],
            cpm_minor=(2 + 12 * u[2]) * minor_per_usd,
            cvr=0.01 + 0.07 * u[3],
            order_value_minor=(15 + 135 * u[4]) * minor_per_usd,
            frequency=1.1 + 1.5 * u[5],
        )

    def _dimension_weights(self, ad: Ad, dimension: str, count: int) -> tuple[int, ...]:
        def make() -> tuple[int, ...]:
            profile = _COUNTRY_PROFILE if dimension == "country" else _DIMENSION_PROFILE[dimension]
            u = self._uniforms("weights", ad.id, dimension)
            return tuple(max(1, int(profile[i % len(profile)] * (50 + 100 * u[i % 8]))) for i in range(count))

        return self._weights.get((ad.id, dimension), make)

    def _uniforms(self, *parts: object) -> tuple[float, ...]:
        """Eight stable uniforms in [0, 1) for the seed and the given key."""
        key = "|".join(map(str, (self.seed, *parts))).encode()
        digest = hashlib.blake2b(key, digest_size=64).digest()
        return tuple(x / 2**64 for x in struct.unpack("<8Q", digest))

    def _id(self, platform: str, digits: int, *key: object, seq: int) -> str:
        """An id of the platform's shape: a seeded stem then a sequence number, unique per account."""
        leading = _ID_LEADING[platform]
        stem_digits = digits - len(leading) - _SEQ_DIGITS
        stem = int(self._uniforms("id", *key)[0] * 10**stem_digits)
        stem = max(stem, 10 ** (stem_digits - 1)) if not leading else stem
        return f"{leading}{stem:0{stem_digits}d}{seq:0{_SEQ_DIGITS}d}"


def split_metrics(total: Metrics, weights: Sequence[int]) -> list[Metrics]:
    """Split every metric exactly: impressions by weight, then each metric in proportion to the
    part it derives from, so clicks, spend and reach never exceed a part's impressions.
    Conversions follow clicks, or impressions when there are none (view-through conversions); value
    follows the conversions, so no part (an hour, a breakdown value) has value without a conversion."""
    impressions = _allocate(total.impressions, weights)
    clicks = _allocate(total.clicks, impressions)
    spend = _allocate(total.spend_minor, impressions)
    reach = _allocate(total.reach, impressions)
    converting = clicks if any(clicks) else impressions
    conversions = _allocate(total.conversions, converting)
    value = _allocate(total.conversions_value_minor, conversions if any(conversions) else converting)
    return [Metrics(*row) for row in zip(impressions, clicks, spend, conversions, value, reach, strict=True)]


def _allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Largest-remainder split of an integer in proportion to integer weights (ties: first wins).
    All-zero weights split evenly: there is nothing to be proportional to."""
    if not any(weights):
        weights = [1] * len(weights)
    weight_sum = sum(weights)
    parts = [total * w // weight_sum for w in weights]
    short = total - sum(parts)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % weight_sum), i))
    for i in by_remainder[:short]:
        parts[i] += 1
    return parts


def _pick_status(cycle: tuple[str, ...], index: int) -> str:
    return cycle[index % len(cycle)]


def _day_between(first: date, last: date, u: float) -> date:
    return first + timedelta(days=int(max(0, (last - first).days) * u))


@lru_cache(maxsize=65536)
def _local_day_bounds(zone: str, day: date) -> tuple[datetime, datetime]:
    """UTC start and end of a local day (23 or 25 hours apart on DST changes)."""
    tz = ZoneInfo(zone)
    start = datetime.combine(day, time(), tz).astimezone(UTC)
    return start, datetime.combine(day + timedelta(days=1), time(), tz).astimezone(UTC)


def _local_date(moment: datetime, zone: str) -> date:
    return moment.astimezone(ZoneInfo(zone)).date()


def _stopped_on(entity: Campaign | AdGroup, zone: str) -> date:
    return _local_date(entity.updated_at, zone)


def _city(zone: str) -> str:
    return zone.split("/")[-1].replace("_", " ")
