"""Validation of sandbox settings: the core's own keys plus those each loaded emulator declares.

Emulators declare their keys as a class attribute ``settings_schema = {"key": <JSON schema>}``;
anything else is refused with one line naming the key, so a typo never silently does nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

from ads_kit.sandbox.limits import parse_rules

_RATES = {"type": "array", "items": {"type": "string"}}
CORE_SETTINGS_SCHEMA: dict[str, dict[str, Any]] = {
    "limits": {
        "type": "object",
        "description": 'Quota rules: {"meta": {"app": ["200/second", "20000/hour"], "account": [...]}}',
        "propertyNames": {"enum": ["meta", "google_ads", "tiktok"]},
        "additionalProperties": {"type": "object", "additionalProperties": _RATES},
    },
    "reporting_delay_minutes": {
        "type": "object",
        "description": 'Minutes after an hour ends before the platform reports it: {"google_ads": 180}',
        "propertyNames": {"enum": ["meta", "google_ads", "tiktok"]},
        "additionalProperties": {"type": "integer", "minimum": 0},
    },
    "token_lifetime_s": {
        "type": "number",
        "exclusiveMinimum": 0,
        "description": "Lifetime of access tokens issued from now on, in seconds",
    },
    "job_seconds": {
        "type": "number",
        "minimum": 0,
        "description": "Default time an async report job takes, for emulators without their own key",
    },
}


class SettingsError(ValueError):
    """Settings that cannot be used; the message is one line naming the setting."""


def validate_settings(settings: Any, extra_schema: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    if not isinstance(settings, dict):
        raise SettingsError(f"settings must be a JSON object, got {type(settings).__name__}")
    properties = {**CORE_SETTINGS_SCHEMA, **(extra_schema or {})}
    for key in settings:
        if key not in properties:
            raise SettingsError(f"unknown setting {key!r}; known: {', '.join(sorted(properties))}")
    schema = {"type": "object", "properties": properties}
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(settings))
    if error is not None:
        where = ".".join(str(part) for part in error.absolute_path) or "settings"
        raise SettingsError(f"setting {where!r}: {error.message}")
    if "limits" in settings:
        try:
            parse_rules(settings["limits"])
        except ValueError as exc:
            raise SettingsError(f"setting {exc}") from None
    return settings


def load_settings_arg(text: str) -> dict[str, Any]:
    """`--settings` value: inline JSON or @path to a JSON file."""
    source = "--settings"
    if text.startswith("@"):
        path = Path(text[1:])
        source = str(path)
        try:
            text = path.read_text()
        except OSError as exc:
            raise SettingsError(f"--settings file {path}: {exc.strerror}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SettingsError(
            f"{source} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
