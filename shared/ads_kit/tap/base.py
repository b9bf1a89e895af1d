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

import copy
import io
import json
import logging
import sys
import time
from collections.abc import Callable, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar

import click
from singer_sdk import Stream, Tap
from singer_sdk.contrib.msgspec import MsgSpecWriter
from singer_sdk.exceptions import ConfigValidationError

from ads_kit import clock
from ads_kit.auth.errors import AuthError
from ads_kit.auth.provider import TokenProvider
from ads_kit.redaction import install_redaction
from ads_kit.resilience.errors import ConfigError, ResilienceError, config_error, one_line
from ads_kit.resilience.jobs import JobSettings
from ads_kit.resilience.ratelimit import RateLimiter, RateLimitSettings
from ads_kit.resilience.retry import RetryPolicy
from ads_kit.resilience.versions import VersionPolicy
from ads_kit.settings import check_shared_settings, check_token_store, schema_error, unknown_settings
from ads_kit.sharding import ShardedAccounts, sharded
from ads_kit.tap.drift import SchemaDrift
from ads_kit.tap.profile import PlatformProfile
from ads_kit.tap.progress import Progress
from ads_kit.tap.reports.reader import ReportPlatform, ReportReader
from ads_kit.tap.run import TapRun
from ads_kit.tap.sources import AccountSource
from ads_kit.unified.adapter import UnifiedAdapter
from ads_kit.unified.findings import UnifiedDeadLettersStream
from ads_kit.unified.streams import unified_streams

FILE_OPTIONS = ("state", "catalog")
"""Options naming a JSON file the run reads (``--config`` has its own callback)."""

KNOWN_FAILURES = (ResilienceError, AuthError, ValueError)
"""Failures a run ends on with one line naming the setting, account or stream, never a traceback."""


class InvalidSetting(ConfigError, ConfigValidationError):
    """A setting refused at discovery, before any stream syncs: the suite's one-line ConfigError
    naming the setting, and the SDK's config error (``--discover`` prints it and exits 1)."""

    def __init__(self, error: Exception) -> None:
        checked = config_error(error)
        super().__init__(checked.setting, str(checked).removeprefix(f"{checked.setting}: "))
        self.errors = [str(self)]


class AdsTap(Tap):
    profile: ClassVar[PlatformProfile]
    secret_settings: ClassVar[tuple[str, ...]] = ()
    """Config keys whose values never reach a log line, record or error message."""
    credential_setting: ClassVar[str | None] = None
    """The config key of the credential a run needs unless a ``token_store`` holds it."""
    app_setting: ClassVar[str] = "client_id"
    """The config key naming what the platform's quota belongs to: every worker of it shares one quota."""
    token_url_setting: ClassVar[str] = "token_url"
    """The config key a configured token URL comes from, named when that URL cannot be reached."""
    message_writer_class = MsgSpecWriter

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.sleep: Callable[[float], None] = time.sleep  # tests and benchmarks replace it
        config = kwargs.get("config")
        # singer-sdk's --discover passes validate_config=False: a partial config (no credentials
        # yet) may still list the streams.
        self.complete_config = bool(kwargs.get("validate_config", True))
        if self.complete_config and isinstance(config, Mapping):
            # Before singer-sdk's own validation, which logs every error on several lines.
            error = schema_error(self.full_config_schema(), config)
            if error is not None:
                raise InvalidSetting(error)
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

    def check_credentials(self) -> None:
        """Raise ValueError or ConfigError naming the setting when no credentials are configured
        (not checked by ``--discover``: ``meltano select --list`` discovers without them). By
        default: the ``credential_setting`` or a ``token_store`` is set."""
        if self.credential_setting and not (
            self.config.get(self.credential_setting) or self.config.get("token_store")
        ):
            raise ConfigError(
                self.credential_setting,
                f"required (or token_store, written by `ads-auth login {self.profile.platform}`)",
            )

    def rejected_field(self, error: ConfigError) -> str | None:
        """The field a platform error says does not exist (dropped as schema drift); None otherwise."""
        return None

    # -- settings ---------------------------------------------------------------------------------

    @classmethod
    def full_config_schema(cls) -> dict[str, Any]:
        """The config schema with the settings singer-sdk adds (stream maps, flattening)."""
        schema = copy.deepcopy(cls.config_jsonschema)
        cls.append_builtin_config(schema)
        return schema

    def check_settings(self) -> None:
        """Register secrets for redaction and refuse bad settings before any stream syncs, so a bad
        one ends the run before its first message: the schema, the shared settings, the platform's."""
        rate_limiting = self.config.get("rate_limiting")
        redis_url = rate_limiting.get("redis_url") if isinstance(rate_limiting, Mapping) else None
        install_redaction([*(self.config.get(key) for key in self.secret_settings), redis_url])
        schema = self.full_config_schema()
        try:
            error = schema_error(schema, dict(self.config))
            if error is not None:
                raise error
            check_shared_settings(self.config, self.profile, clock.now(), self.logger)
            self.versions  # noqa: B018 - an unknown or retired api_version is refused here
            self.check_platform_settings()
            if self.complete_config:
                check_token_store(self.config, self.profile.platform)
                self.check_credentials()
        except (ValueError, ConfigError) as exc:
            raise InvalidSetting(exc) from None
        for key in unknown_settings(schema, self.config):
            self.logger.warning("%s: unknown setting, ignored", key)

    # -- run-wide collaborators -----------------------------------------------------------------

    @cached_property
    def run(self) -> TapRun:
        """What the streams share; its accounts are the ones the streams read: the platform's, split
        by ``account_shard`` when it is set (here, so every tap splits them the same way)."""
        accounts = sharded(self.accounts, self.config, self.logger)
        return TapRun(self.profile, self.config, accounts, self.logger, self.progress)

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
            "tokens": TokenProvider.from_config(
                self.profile.platform,
                {**self.config, **credentials},
                self.retry_policy,
                self.token_url_setting,
            ),
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

    # -- discovery, sync and exit ----------------------------------------------------------------

    def sync_all(self) -> None:  # type: ignore[misc]  # final for typing only; still called by invoke
        """A shard that holds no account has nothing to read (``ShardedAccounts`` said so in one
        line): no records, exit 0. The SDK would sync an empty partition list as one partition
        without an account. Without a shard, no account at all is refused by the account source; a
        run whose every account was skipped ends in one line naming the account setting, exit 1."""
        if isinstance(self.run.accounts, ShardedAccounts) and not self.run.accounts.ids():
            return
        super().sync_all()
        # After the output of the run (its STATE included): exit code 1 when no account could be read.
        self.run.isolation.check_some_account_read(self.run.accounts.ids(), self.run.accounts.setting)

    def discover_streams(self) -> list[Stream]:
        self.check_settings()
        streams = [*self.platform_streams(), *unified_streams(self), UnifiedDeadLettersStream(self)]
        for stream in streams:
            stream.logger.addFilter(_said_once)
        return streams

    @classmethod
    def invoke(cls, *args: Any, **kwargs: Any) -> None:
        """A known failure ends the run with one line naming the setting, account or stream."""
        for option in FILE_OPTIONS:  # files singer-sdk would parse with a traceback
            name = kwargs.get(option)
            if name is not None:
                text, problem = _json_object_file(Path(name))
                if problem:
                    cls.logger.error("--%s: %s", option, problem)
                    sys.exit(1)
                kwargs[option] = io.StringIO(text)
        try:
            super().invoke(*args, **kwargs)
        except (*KNOWN_FAILURES, ConfigValidationError) as exc:
            cls.logger.error("%s", one_line(exc))
            sys.exit(1)

    @classmethod
    def get_singer_command(cls) -> click.Command:
        """``--state`` and ``--catalog`` take a path, read by ``invoke``: click's own file type
        answers a missing file with a usage message on three lines and exit code 2."""
        command = super().get_singer_command()
        for param in command.params:
            if param.name in FILE_OPTIONS:
                param.type = click.STRING
        return command

    @classmethod
    def cb_discover(cls, ctx: click.Context, param: click.Option, value: bool) -> None:
        """``--discover`` runs as an eager click option, outside ``invoke``: a bad setting found by
        discovery ends it the same way, with one line naming the setting."""
        try:
            super().cb_discover(ctx, param, value)
        except (*KNOWN_FAILURES, ConfigValidationError) as exc:
            cls.logger.error("%s", one_line(exc))
            ctx.exit(1)

    @classmethod
    def cb_config(cls, ctx: click.Context, param: click.Option, value: tuple[str, ...]) -> Any:
        """``--config`` files: a missing or unreadable file, or one that is not a JSON object, ends
        the run with one line naming it (singer-sdk would print a traceback)."""
        for name in value:
            if name == "ENV":
                continue
            _, problem = _json_object_file(Path(name))
            if problem:
                cls.logger.error("--config: %s", problem)
                ctx.exit(1)
        return super().cb_config(ctx, param, value)


def _said_once(record: logging.LogRecord) -> bool:
    """singer-sdk logs "An unhandled error occurred while syncing" before re-raising; a known
    failure is then said in one line by ``invoke``, so its line is not doubled."""
    failure = sys.exc_info()[1]
    return not (isinstance(failure, KNOWN_FAILURES) and str(record.msg).startswith("An unhandled error"))


def _json_object_file(path: Path) -> tuple[str, str | None]:
    """The file's text, and what keeps it from being a JSON object (naming the path), if anything."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return "", f"{path} does not exist"
    except IsADirectoryError:
        return "", f"{path} is a directory, not a JSON file"
    except OSError as exc:
        return "", f"{path} cannot be read ({exc.strerror or type(exc).__name__})"
    except UnicodeDecodeError:
        return "", f"{path} is not a JSON text file"
    problem = _json_object_problem(text)
    return text, f"{path} {problem}" if problem else None


def _json_object_problem(text: str) -> str | None:
    try:
        content = json.loads(text)
    except ValueError as exc:
        return f"is not JSON ({exc})"
    return None if isinstance(content, dict) else f"holds {type(content).__name__}, not a JSON object"
