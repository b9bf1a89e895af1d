"""A platform's documented error codes as data: code (or code and subcode) -> what the taps do.

Meta and TikTok both answer with a numeric code (Meta with an optional subcode); each tap declares
its whole documented table with `Rule`s and looks a failure up with `CodeTable.rule`. What a rule
cannot say (a message naming the advertiser, Meta's "reduce the amount of data") stays in the tap's
classifier, which may override the looked-up rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ads_kit.resilience.errors import ErrorClass, Scope

Key = int | tuple[int, int] | range


@dataclass(frozen=True)
class Rule:
    """What one documented code means for a tap: its class, whose it is (the app, an account, one
    stream of an account) and, for FATAL_CONFIG, the setting a user changes."""

    error_class: ErrorClass
    scope: Scope = Scope.ACCOUNT
    setting: str | None = None


def as_int(value: Any) -> int | None:
    """A code as the platforms send it (a number, or its text); None when it is neither."""
    return int(value) if isinstance(value, int) or str(value).lstrip("-").isdigit() else None


def retry() -> Rule:
    return Rule(ErrorClass.RETRYABLE)


def quota(scope: Scope = Scope.APP) -> Rule:
    return Rule(ErrorClass.QUOTA, scope)


def reauth() -> Rule:
    return Rule(ErrorClass.REAUTH)


def skip(scope: Scope = Scope.ACCOUNT) -> Rule:
    return Rule(ErrorClass.SKIP_ACCOUNT, scope)


def shrink() -> Rule:
    return Rule(ErrorClass.SHRINK)


def fatal(setting: str) -> Rule:
    return Rule(ErrorClass.FATAL_CONFIG, setting=setting)


class CodeTable:
    """Rules by code, code range or (code, subcode); a (code, subcode) rule wins over its code's."""

    def __init__(self, rules: Mapping[Key, Rule]) -> None:
        self._rules: dict[int | tuple[int, int], Rule] = {}
        for key, rule in rules.items():
            for one in key if isinstance(key, range) else (key,):
                self._rules[one] = rule

    def rule(self, code: int | None, subcode: int | None = None) -> Rule | None:
        if code is None:
            return None
        if subcode is not None and (code, subcode) in self._rules:
            return self._rules[(code, subcode)]
        return self._rules.get(code)

    def codes(self) -> Iterable[int | tuple[int, int]]:
        return self._rules.keys()
