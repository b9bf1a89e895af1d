"""``AdsTap``: the tap base every platform subclasses.

A tap declares its ``profile`` (platform key and report days), its ``secret_settings``, and builds
its account source, its unified adapter and its raw streams. The base does the rest:

* settings checks and redaction before any stream syncs (``check_settings``);
* the run-wide collaborators: rate-limit settings, limiter, retry policy, API version policy, token
  provider (``ads_kit.tap.transport`` builds a platform's transport from them);
* discovery: the platform's raw streams, the unified streams and ``unified_dead_letters``;
* schema drift (``ads_kit.tap.drift``): a field the platform rejects is dropped for the rest of the
  run, with a finding;
* the exit policy: a known failure ends a command-line run with one line and exit code 1.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from functools import cached_property
from typing import Any, ClassVar

from singer_sdk import Stream, Tap
from singer_sdk.contrib.msgspec import MsgSpecWriter
from singer_sdk.exceptions import ConfigValidationError

from ads_kit import clock
from ads_kit.auth.errors import AuthError
from ads_kit.auth.provider import TokenProvider
from ads_kit.redaction import install_redaction
from ads_kit.resilience.errors import ConfigError, ResilienceError, one_line
from ads_kit.resilience.jobs import JobSettings
from ads_kit.resilience.ratelimit import RateLimiter, RateLimitSettings
from ads_kit.resilience.retry import RetryPolicy
from ads_kit.resilience.versions import VersionPolicy
from ads_kit.tap.drift import SchemaDrift
from ads_kit.tap.profile import PlatformProfile
from ads_kit.tap.progress import Progress
from ads_kit.tap.reports.reader import ReportPlatform, ReportReader
from ads_kit.tap.run import TapRun, reporting_timezone
from ads_kit.tap.sources import AccountSource
from ads_kit.unified.adapter import UnifiedAdapter
from ads_kit.unified.findings import UnifiedDeadLettersStream
from ads_kit.unified.ranges import check_date_settings
from ads_kit.unified.streams import unified_streams

KNOWN_FAILURES = (ResilienceError, AuthError, ValueError)
"""Failures a run ends on with one line naming the setting, account or stream, never a traceback."""


class InvalidSetting(ConfigError, ConfigValidationError):
    """A setting refused at discovery, before any stream syncs: the suite's one-line ConfigError
    naming the setting, and the SDK's config error (``--discover`` prints it and exits 1)."""

    def __init__(self, error: Exception) -> None:
        setting, _, message = str(error).partition(": ")
        super().__init__(setting, message)
        self.errors = [str(self)]


class AdsTap(Tap):
    profile: ClassVar[PlatformProfile]
    secret_settings: ClassVar[tuple[str, ...]] = ()
    """Config keys whose values never reach a log line, record or error message."""
    app_setting: ClassVar[str] = "client_id"
    """The config key naming the API app: its quota is shared by every worker of that app."""
    message_writer_class = MsgSpecWriter

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.sleep: Callable[[float], None] = time.sleep  # tests and benchmarks replace it
        super().__init__(*args, **kwargs)

    # -- what a platform supplies -----------------------------------------------------------------

    def build_accounts(self) -> AccountSource:
        raise NotImplementedError

    def build_adapter(self) -> UnifiedAdapter:
        raise NotImplementedError

    def platform_streams(self) -> list[Stream]:
        """The raw streams, in the platform's vocabulary (``meta_campaigns``, ``meta_insights`` ...)."""
        return []

    def build_report_platform(self) -> ReportPlatform:
        """How the platform reads one report of one account (``ads_kit.tap.reports.reads``)."""
        raise NotImplementedError(f"{type(self).__name__} reads no reports")

    def job_settings(self) -> JobSettings:
        """Polling, timeouts and splitting of the platform's async report jobs."""
        return JobSettings()

    def check_platform_settings(self) -> None:
        """Raise ValueError or ConfigError naming the setting for what the config schema cannot check."""

    def rejected_field(self, error: ConfigError) -> str | None:
        """The field a platform error says does not exist (dropped as schema drift); None otherwise."""
        return None

    # -- settings ---------------------------------------------------------------------------------

    def check_settings(self) -> None:
        """Register secrets for redaction and refuse bad settings before any stream syncs."""
        redis_url = (self.config.get("rate_limiting") or {}).get("redis_url")
        install_redaction([*(self.config.get(key) for key in self.secret_settings), redis_url])
        try:
            check_date_settings(self.config, self.profile.restatement_days)
            self.check_platform_settings()
            reporting_timezone(self.config)
        except (ValueError, ConfigError) as exc:
            raise InvalidSetting(exc) from None

    # -- run-wide collaborators -----------------------------------------------------------------

    @cached_property
    def run(self) -> TapRun:
        return TapRun(self.profile, self.config, self.accounts, self.logger, self.progress)

    @cached_property
    def progress(self) -> Progress:
        """Where the run stands and what each stream cost (the transport counts into it before the
        run exists: the run's accounts are read through the transport)."""
        return Progress(self.logger)

    @cached_property
    def accounts(self) -> AccountSource:
        return self.build_accounts()

    @cached_property
    def unified_adapter(self) -> UnifiedAdapter:
        return self.build_adapter()

    @cached_property
    def reports(self) -> ReportReader:
        """Every report slice of the run, fetched once and shared by raw and unified streams."""
        platform = self.build_report_platform()
        return ReportReader(self.run, platform, jobs=self.job_settings(), sleep=lambda s: self.sleep(s))

    @cached_property
    def rate_settings(self) -> RateLimitSettings:
        return RateLimitSettings.from_config(self.profile.platform, self.config.get("rate_limiting"))

    @cached_property
    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy.from_settings(self.rate_settings)

    @cached_property
    def limiter(self) -> RateLimiter:
        app = self.config.get(self.app_setting) or "default"

        def held(seconds: float) -> None:
            self.progress.held(seconds)
            time.sleep(seconds)

        return RateLimiter(self.profile.platform, app, self.rate_settings, sleep=held)

    @cached_property
    def versions(self) -> VersionPolicy:
        return VersionPolicy(self.profile.platform, self.config.get("api_version"), clock.now().date())

    def transport_wiring(self, **credentials: Any) -> dict[str, Any]:
        """The collaborators every ``ads_kit.tap.transport.Transport`` takes. Tokens come from config
        or the token store; ``credentials`` adds what the platform names differently (Meta:
        ``app_id`` is the client id)."""
        return {
            "tokens": TokenProvider.from_config(self.profile.platform, {**self.config, **credentials}),
            "versions": self.versions,
            "policy": self.retry_policy,
            "limiter": self.limiter,
            "sleep": lambda seconds: self.sleep(seconds),
            "log_requests": bool(self.config.get("log_requests")),
            "progress": self.progress,
        }

    @cached_property
    def schema_drift(self) -> SchemaDrift:
        return SchemaDrift(self.profile.platform, self.versions, self.run.collector, self.rejected_field)

    # -- discovery and exit -----------------------------------------------------------------------

    def discover_streams(self) -> list[Stream]:
        self.check_settings()
        return [*self.platform_streams(), *unified_streams(self), UnifiedDeadLettersStream(self)]

    @classmethod
    def invoke(cls, *args: Any, **kwargs: Any) -> None:
        """A known failure ends the run with one line naming the setting, account or stream."""
        try:
            super().invoke(*args, **kwargs)
        except KNOWN_FAILURES as exc:
            cls.logger.error("%s", one_line(exc))
            sys.exit(1)
