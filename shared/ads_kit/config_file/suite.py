"""From the file to one config per tap, checked by the taps themselves.

The file's own shape (sections, platform keys, unified names) is checked here; every tap setting is
checked by its tap (the config schema, then ``AdsTap.check_settings``), whose one-line error names
the tap's setting: ``origin`` tells which key of the file it came from.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ads_kit.config_file.document import SuiteConfigError
from ads_kit.config_file.platforms import (
    PLATFORMS,
    REPORT_TYPES,
    UNIFIED_BREAKDOWNS,
    UNIFIED_METRICS,
    Platform,
)
from ads_kit.resilience.errors import ConfigError

SECTIONS = ("platforms", "extraction", "rate_limiting")
EXTRACTION_KEYS = ("date_range", "metrics", "breakdowns", "report_type")


@dataclass
class TapConfig:
    platform: Platform
    config: dict[str, Any] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)
    """Tap setting -> the file's key (or environment variable) it came from."""

    def set(self, setting: str, value: Any, origin: str) -> None:
        self.config[setting] = value
        self.origin[setting] = origin

    def file_key(self, setting_path: str) -> str:
        """A tap's setting path (``date_range.days``, ``ad_accounts[1]``) as the file's key."""
        root = re.match(r"[^.\[]*", setting_path)
        name = root.group(0) if root else setting_path
        return self.origin.get(name, f"platforms.{self.platform.key}.{name}") + setting_path[len(name) :]

    def environment(self) -> dict[str, str]:
        """The config as Meltano's setting variables (TAP_META_ADS_AD_ACCOUNTS=["..."]); they override
        meltano.yml, environments included."""
        return {
            f"{self.platform.settings_prefix}_{setting.upper()}": value
            if isinstance(value, str)
            else json.dumps(value)
            for setting, value in self.config.items()
        }


def tap_configs(document: Mapping[str, Any], environment: Mapping[str, str]) -> list[TapConfig]:
    """One config per platform the file names (``${VAR}`` already expanded), the file's shape checked."""
    _known_keys(document, SECTIONS, "", "section")
    platforms = _mapping(document.get("platforms"), "platforms")
    if not platforms:
        raise SuiteConfigError("platforms", f"names no platform; one or more of {', '.join(PLATFORMS)}")
    _known_keys(platforms, tuple(PLATFORMS), "platforms.", "platform")
    extraction = _mapping(document.get("extraction", {}), "extraction")
    _known_keys(extraction, EXTRACTION_KEYS, "extraction.", "setting")
    rate_limiting = _mapping(document.get("rate_limiting", {}), "rate_limiting")
    _known_keys(rate_limiting, tuple(PLATFORMS), "rate_limiting.", "platform")
    metrics = _names(extraction, "metrics", UNIFIED_METRICS)
    breakdowns = _names(extraction, "breakdowns", UNIFIED_BREAKDOWNS)
    report_type = extraction.get("report_type")
    if report_type is not None and report_type not in REPORT_TYPES:
        raise SuiteConfigError(
            "extraction.report_type", f"must be one of {', '.join(REPORT_TYPES)}, got {report_type!r}"
        )

    configs = []
    for key, section in platforms.items():
        platform = PLATFORMS[key]
        tap = TapConfig(platform)
        for setting, value in _mapping(section, f"platforms.{key}").items():
            tap.set(str(setting), value, f"platforms.{key}.{setting}")
        for setting, variable in platform.from_environment.items():
            if setting in tap.config:
                continue
            if not environment.get(variable):
                raise SuiteConfigError(
                    f"platforms.{key}",
                    f"{setting} is read from {variable}, which is not set in the environment",
                )
            tap.set(setting, environment[variable], variable)
        # The file-wide sections apply to every platform whose own section does not set the key.
        shared: dict[str, tuple[Any, str]] = {}
        if "date_range" in extraction:
            shared["date_range"] = (extraction["date_range"], "extraction.date_range")
        if report_type is not None:
            shared["report_type"] = (platform.report_types[report_type], "extraction.report_type")
        if metrics and platform.metrics is not None:
            shared["metrics"] = (_unique(platform.metrics[name] for name in metrics), "extraction.metrics")
        if breakdowns and platform.breakdowns is not None:
            mapped = _unique(platform.breakdowns[name] for name in breakdowns)
            shared["breakdowns"] = (mapped, "extraction.breakdowns")
        if key in rate_limiting:
            shared["rate_limiting"] = (rate_limiting[key], f"rate_limiting.{key}")
        for setting, (value, origin) in shared.items():
            if setting not in tap.config:
                tap.set(setting, value, origin)
        configs.append(tap)
    return configs


def check_document(document: Mapping[str, Any], environment: Mapping[str, str]) -> list[TapConfig]:
    """The tap configs, each checked by its own tap before any request; SuiteConfigError names the
    file's key. Warnings (an expired api_version replaced) are logged by the taps."""
    configs = tap_configs(document, environment)
    for tap in configs:
        tap_class = tap.platform.load_tap()
        known = set(tap_class.full_config_schema().get("properties") or {})
        for setting in tap.config:
            if setting not in known:
                raise SuiteConfigError(tap.file_key(setting), f"is not a setting of {tap.platform.tap}")
        try:
            # A copy: singer-sdk fills the schema's defaults into the config it is given, and those
            # must not override meltano.yml's values (an environment's api_base_url) on a run.
            config = copy.deepcopy(tap.config)
            tap_class(
                config=config, parse_env_config=False, validate_config=True, setup_mapper=False
            ).check_settings()
        except ConfigError as exc:
            raise SuiteConfigError(
                tap.file_key(exc.setting), str(exc).removeprefix(f"{exc.setting}: ")
            ) from None
    return configs


def _mapping(value: Any, key: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SuiteConfigError(key, f"must be a mapping, got {type(value).__name__}")
    return value


def _known_keys(section: Mapping[str, Any], known: tuple[str, ...], prefix: str, kind: str) -> None:
    for key in section:
        if key not in known:
            raise SuiteConfigError(f"{prefix}{key}", f"unknown {kind}; known: {', '.join(known)}")


def _names(extraction: Mapping[str, Any], setting: str, vocabulary: tuple[str, ...]) -> list[str]:
    names = extraction.get(setting)
    if names is None:
        return []
    if not isinstance(names, list):
        raise SuiteConfigError(f"extraction.{setting}", f"must be a list, got {type(names).__name__}")
    for index, name in enumerate(names):
        if name not in vocabulary:
            raise SuiteConfigError(
                f"extraction.{setting}[{index}]",
                f"{name!r} is not a unified name; known: {', '.join(vocabulary)}",
            )
    return names


def _unique(values: Any) -> list[str]:
    return list(dict.fromkeys(values))
