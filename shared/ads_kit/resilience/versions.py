"""API versions: the calendar of each platform, sunset warnings, served-version checks, renamed and
rejected fields, and switching version when the platform says the one in use is gone: to the
version it names, else back to the previous live one. ``ads_kit.tap.transport`` is the one caller:
every request of every tap goes through ``VersionPolicy.call`` and ``VersionPolicy.fields``.

Dates come from the platforms' own version pages (see the reference notes): Meta's Marketing API
expiries, Google's sunset announcements and its published quarterly plan, TikTok's single live v1.3.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from ads_kit.quality import Finding, schema_drift
from ads_kit.resilience.errors import ConfigError, one_line

log = logging.getLogger(__name__)

T = TypeVar("T")

SUNSET_WARNING_DAYS = 60


@dataclass(frozen=True)
class ApiVersion:
    name: str
    released: date
    sunset: date | None  # None: not announced yet

    def live_on(self, day: date) -> bool:
        return self.released <= day and (self.sunset is None or day < self.sunset)


# Oldest first.
CALENDARS: dict[str, tuple[ApiVersion, ...]] = {
    "meta_ads": (
        ApiVersion("v22.0", date(2025, 1, 21), date(2026, 2, 19)),
        ApiVersion("v23.0", date(2025, 5, 29), date(2026, 6, 9)),
        ApiVersion("v24.0", date(2025, 10, 8), date(2026, 11, 10)),
        ApiVersion("v25.0", date(2026, 2, 18), date(2027, 2, 23)),
        ApiVersion("v26.0", date(2026, 7, 29), None),
        ApiVersion("v27.0", date(2026, 11, 4), None),
    ),
    # v22's sunset is announced; v23-v26 follow Google's published plan (release month, sunset about a
    # year later), taken as the first day of the month so warnings come early rather than late.
    "google_ads": (
        ApiVersion("v22", date(2025, 10, 1), date(2026, 10, 7)),
        ApiVersion("v23", date(2026, 1, 1), date(2027, 2, 1)),
        ApiVersion("v24", date(2026, 4, 1), date(2027, 5, 1)),
        ApiVersion("v25", date(2026, 7, 1), date(2027, 8, 1)),
        ApiVersion("v26", date(2026, 10, 1), date(2027, 11, 1)),
    ),
    "tiktok_ads": (ApiVersion("v1.3", date(2022, 1, 1), None),),
}

# The versions the taps are built and tested against (facebook-business 26.0.3 pins v26.0;
# google-ads 34 defaults to v26).
PINNED: dict[str, str] = {"meta_ads": "v26.0", "google_ads": "v26", "tiktok_ads": "v1.3"}

# Response header naming the version that actually served a call (Meta upgrades expired calls).
SERVED_VERSION_HEADERS: dict[str, str] = {"meta_ads": "facebook-api-version"}

# (first version with the new name, old name, new name), per platform.
FIELD_RENAMES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "google_ads": (
        ("v22", "metrics.video_views", "metrics.video_trueview_views"),
        ("v22", "metrics.average_cpv", "metrics.trueview_average_cpv"),
        ("v23", "campaign.start_date", "campaign.start_date_time"),
        ("v23", "campaign.end_date", "campaign.end_date_time"),
    ),
    # tiktok-marketing-api.md §2.4, §6.6: the v1.3 names of `fields` that v1.2 spelled otherwise
    # (the ambiguous `status` and `id` renames are left out: v1.3 still has both names elsewhere).
    "tiktok_ads": (
        ("v1.3", "opt_status", "operation_status"),
        ("v1.3", "optimize_goal", "optimization_goal"),
        ("v1.3", "budget_optimize_switch", "budget_optimize_on"),
        ("v1.3", "industry_types", "special_industries"),
        ("v1.3", "is_comment_disable", "comment_disabled"),
        ("v1.3", "audience", "audience_ids"),
        ("v1.3", "location", "location_ids"),
        ("v1.3", "reason", "rejection_reason"),
        ("v1.3", "phonenumber", "cellphone_number"),
        ("v1.3", "telephone", "telephone_number"),
    ),
}

_VERSION_SHAPE = re.compile(r"^v\d+(\.\d+)?$")


def _number(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version))


def _calendar(platform: str) -> tuple[ApiVersion, ...]:
    if platform not in CALENDARS:
        raise ConfigError("platform", f"unknown platform {platform!r}; one of {sorted(CALENDARS)}")
    return CALENDARS[platform]


def newest_live(platform: str, today: date) -> ApiVersion:
    live = [v for v in _calendar(platform) if v.live_on(today)]
    if not live:
        raise ConfigError("api_version", f"no {platform} API version is live on {today} in the calendar")
    return live[-1]


def nearest_live(platform: str, expired: str, today: date) -> ApiVersion:
    """The oldest live version after an expired one: the smallest step a user's setup must take."""
    later = [v for v in _calendar(platform) if v.live_on(today) and _number(v.name) > _number(expired)]
    return later[0] if later else newest_live(platform, today)


def resolve(
    platform: str, requested: str | None, today: date, warn_days: int = SUNSET_WARNING_DAYS
) -> tuple[str, list[str]]:
    """The version to call and the warnings to log about it.

    An expired version is replaced by the nearest live one, and so is an older major version than the
    calendar holds (long expired: ``v19.0`` of Meta, ``v14`` of Google); a version newer than the
    calendar is used as asked (with a warning); any other unknown version is a config error.
    """
    calendar = _calendar(platform)
    wanted = requested or PINNED[platform]
    if not _VERSION_SHAPE.match(wanted):
        raise ConfigError("api_version", f"{wanted!r} is not a version like {PINNED[platform]!r}")
    known = {v.name: v for v in calendar}
    if wanted not in known:
        if _number(wanted) > _number(calendar[-1].name):
            return wanted, [
                f"api_version {wanted} of {platform} is newer than the version calendar; using it as asked"
            ]
        oldest = calendar[0].name
        if re.sub(r"^v\d+", wanted.split(".")[0], oldest) == wanted and _number(wanted) < _number(oldest):
            nearest = nearest_live(platform, wanted, today).name
            expired = f"api_version {wanted} of {platform} expired (older than {oldest})"
            return nearest, [f"{expired}; using {nearest} instead"]
        names = ", ".join(v.name for v in calendar if v.live_on(today))
        raise ConfigError("api_version", f"{platform} has no version {wanted}; live versions: {names}")
    version = known[wanted]
    if version.sunset is not None and version.sunset <= today:
        replacement = nearest_live(platform, wanted, today)
        expired = f"api_version {wanted} of {platform} expired on {version.sunset}"
        return replacement.name, [f"{expired}; using {replacement.name} instead"]
    warnings = []
    if version.sunset is not None and (version.sunset - today).days <= warn_days:
        successor = newest_live(platform, today).name
        warnings.append(
            f"api_version {wanted} of {platform} sunsets on {version.sunset} "
            f"(in {(version.sunset - today).days} days); move to {successor}"
        )
    return wanted, warnings


def served_version(platform: str, headers: Mapping[str, str]) -> str | None:
    """The version that served a response, when the platform says so."""
    header = SERVED_VERSION_HEADERS.get(platform)
    if header is None:
        return None
    lowered = {name.lower(): value for name, value in headers.items()}
    return lowered.get(header)


def map_fields(platform: str, version: str, fields: list[str]) -> list[str]:
    """Field names as `version` spells them (renames applied forward, or undone for older versions)."""
    mapped = list(fields)
    for since, old, new in FIELD_RENAMES.get(platform, ()):
        before, after = (old, new) if _number(version) >= _number(since) else (new, old)
        mapped = [after if name == before else name for name in mapped]
    return mapped


class VersionPolicy:
    """The version in use for one platform during a run; checks served versions and falls back."""

    def __init__(self, platform: str, requested: str | None, today: date) -> None:
        self.platform = platform
        self.today = today
        self.version, warnings = resolve(platform, requested, today)
        for warning in warnings:
            log.warning("%s", warning)
        self._reported_served: set[str] = set()

    def check_served(self, headers: Mapping[str, str]) -> str | None:
        """Warn (once per served version) when the platform served another version than requested."""
        served = served_version(self.platform, headers)
        if served is None or served == self.version or served in self._reported_served:
            return None
        self._reported_served.add(served)
        warning = f"{self.platform} served API {served} for calls to {self.version} (auto-upgrade)"
        log.warning("%s", warning)
        return warning

    def fall_back(self, reason: str) -> str:
        """Switch to the newest live version older than the current one; ConfigError when none is."""
        older = [
            v
            for v in _calendar(self.platform)
            if v.live_on(self.today) and _number(v.name) < _number(self.version)
        ]
        if not older:
            raise ConfigError(
                "api_version", f"{self.platform} {self.version} failed and no older version is live: {reason}"
            )
        previous, self.version = self.version, older[-1].name
        log.warning(
            "%s API %s failed (%s); falling back to %s",
            self.platform,
            previous,
            one_line(reason),
            self.version,
        )
        return self.version

    def switch_to(self, version: str, reason: str) -> str:
        """Use the version the platform named (Meta's #2635 answer names the latest one)."""
        previous, self.version = self.version, version
        log.warning(
            "%s rejected API %s (%s); switching to %s", self.platform, previous, one_line(reason), version
        )
        return version

    def call(self, request: Callable[[str], T], version_error: Callable[[Exception], bool | str | None]) -> T:
        """`request(version)`; on a version error, switch once and call again: to the version the
        error names (`version_error` returns it), or back to the previous live one (it returns True)."""
        try:
            return request(self.version)
        except Exception as exc:
            verdict = version_error(exc)
            if not verdict or verdict == self.version:
                raise
            if isinstance(verdict, str):
                self.switch_to(verdict, str(exc))
            else:
                self.fall_back(str(exc))
            return request(self.version)

    def fields(self, fields: str | list[str]) -> str | list[str]:
        """Field names as this version spells them (a list, or a comma-separated string)."""
        if isinstance(fields, str):
            return ",".join(map_fields(self.platform, self.version, fields.split(",")))
        return map_fields(self.platform, self.version, list(fields))


class FieldDropper:
    """Drops fields the API rejects, so a sync goes on without them and reports the drift."""

    def __init__(self, platform: str, stream: str, api_version: str, account: str | None = None) -> None:
        self.platform = platform
        self.stream = stream
        self.api_version = api_version
        self.account = account
        self.dropped: list[str] = []

    def drop(self, fields: list[str], field: str, reason: str) -> tuple[list[str], Finding]:
        """`fields` without `field`, and the `unified_data_quality` finding about it.

        A field that was not requested, or the last one, cannot be dropped: the request itself is
        wrong, which is a config error naming the stream's fields.
        """
        setting = f"{self.stream}.fields"
        if field not in fields:
            raise ConfigError(
                setting, f"{self.platform} rejected {field!r}, which is not requested: {reason}"
            )
        remaining = [name for name in fields if name != field]
        if not remaining:
            raise ConfigError(
                setting, f"{self.platform} rejected {field!r}, the only field requested: {reason}"
            )
        self.dropped.append(field)
        finding = schema_drift(
            platform=self.platform,
            stream=self.stream,
            field=field,
            change=f"rejected ({one_line(reason)})",
            api_version=self.api_version,
            account_id=self.account,
        )
        log.warning("schema drift: %s", finding.message)
        return remaining, finding
