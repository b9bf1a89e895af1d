"""Fault injection: rules that make chosen calls fail the way real platforms fail.

A rule names a platform, a route (its name, or "*"), optionally an account, and a kind:

* ``error`` - the emulator renders its named error (``name``, e.g. ``rate_limit``);
* ``latency`` - wait ``seconds`` then answer normally (combines with any other fault);
* ``timeout`` - hold the connection ``seconds`` (default 120, past any client timeout), then answer;
* ``drop`` - close the connection without a response;
* ``truncate`` - send the real response cut after ``bytes`` (default half), announcing its full length;
* ``job_failure`` - the next async job the emulator checks with `take_job_failure` fails.

Each rule counts the calls it matches from when it was added. It fires on the call numbers listed
in ``calls`` (1-based), or with ``probability`` drawn from its own RNG seeded by the sandbox seed,
or on every matching call when it has neither.

HTTP routes and gRPC methods are selected the same way (`decide`); how a gRPC call fails for each
kind (status codes, trailers, a stream cut short) is told in `ads_kit.sandbox.grpc_host`.
"""

from __future__ import annotations

import json
import logging
import random
import threading
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

log = logging.getLogger(__name__)

FAULT_KINDS = ("error", "latency", "timeout", "drop", "truncate", "job_failure")
DEFAULT_TIMEOUT_S = 120.0
_FIELDS = {"platform", "route", "account", "kind", "name", "seconds", "bytes", "probability", "calls"}


class FaultRuleError(ValueError):
    """A fault rule that cannot be used; the message names the field."""


@dataclass(frozen=True, slots=True)
class FaultRule:
    platform: str
    kind: str
    route: str = "*"
    account: str | None = None
    name: str | None = None
    seconds: float | None = None
    bytes: int | None = None
    probability: float | None = None
    calls: tuple[int, ...] | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FaultRule:
        if not isinstance(data, dict):
            raise FaultRuleError(f"a fault rule must be an object, got {type(data).__name__}")
        unknown = sorted(set(data) - _FIELDS)
        if unknown:
            raise FaultRuleError(
                f"fault rule field {unknown[0]!r} is unknown; known: {', '.join(sorted(_FIELDS))}"
            )
        for required in ("platform", "kind"):
            if not isinstance(data.get(required), str):
                raise FaultRuleError(f"fault rule field {required!r} is required (a string)")
        kind = data["kind"]
        if kind not in FAULT_KINDS:
            raise FaultRuleError(
                f"fault rule field 'kind' must be one of {', '.join(FAULT_KINDS)}, got {kind!r}"
            )
        if kind == "error" and not isinstance(data.get("name"), str):
            raise FaultRuleError(
                "fault rule field 'name' is required for kind 'error' (an emulator error key)"
            )
        if kind == "latency" and not _is_number(data.get("seconds")):
            raise FaultRuleError("fault rule field 'seconds' is required for kind 'latency' (a number)")
        for key in ("seconds", "probability"):
            if data.get(key) is not None and not (_is_number(data[key]) and data[key] >= 0):
                raise FaultRuleError(f"fault rule field {key!r} must be a non-negative number")
        if data.get("probability") is not None and data["probability"] > 1:
            raise FaultRuleError("fault rule field 'probability' must be between 0 and 1")
        if data.get("bytes") is not None and not (isinstance(data["bytes"], int) and data["bytes"] >= 0):
            raise FaultRuleError("fault rule field 'bytes' must be a non-negative integer")
        calls = data.get("calls")
        if calls is not None and not (
            isinstance(calls, list) and calls and all(isinstance(n, int) and n >= 1 for n in calls)
        ):
            raise FaultRuleError("fault rule field 'calls' must be a list of call numbers starting at 1")
        if calls is not None and data.get("probability") is not None:
            raise FaultRuleError("fault rule fields 'calls' and 'probability' exclude each other")
        account = data.get("account")
        return cls(
            platform=data["platform"],
            kind=kind,
            route=data.get("route", "*"),
            account=None if account is None else str(account),
            name=data.get("name"),
            seconds=data.get("seconds"),
            bytes=data.get("bytes"),
            probability=data.get("probability"),
            calls=tuple(calls) if calls is not None else None,
        )

    def to_dict(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(self).items() if v is not None}

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.name}" if self.name else self.kind

    def matches(self, platform: str, route: str, account: str | None) -> bool:
        return (
            self.platform == platform
            and self.route in ("*", route)
            and (self.account is None or self.account == account)
        )


@dataclass(frozen=True, slots=True)
class FaultDecision:
    latency_s: float
    fault: FaultRule | None  # the first error/timeout/drop/truncate rule that fired


class _ActiveRule:
    def __init__(self, rule: FaultRule, seed: int, serial: int) -> None:
        self.rule = rule
        self.matched = 0
        # One RNG per rule, so a rule's draws depend only on its own sequence of calls.
        self.rng = random.Random(f"{seed}:{serial}:{json.dumps(rule.to_dict(), sort_keys=True)}")

    def fires(self) -> bool:
        self.matched += 1
        if self.rule.calls is not None:
            return self.matched in self.rule.calls
        if self.rule.probability is not None:
            return self.rng.random() < self.rule.probability
        return True


class FaultEngine:
    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._serial = 0
        self._lock = threading.Lock()
        self._active: list[_ActiveRule] = []
        self.applied: Counter[tuple[str, str]] = Counter()

    def add(
        self, rules: dict[str, Any] | FaultRule | list[dict[str, Any]] | list[FaultRule]
    ) -> list[FaultRule]:
        """Add one rule or a list (all validated before any is added)."""
        items = rules if isinstance(rules, list) else [rules]
        parsed = [r if isinstance(r, FaultRule) else FaultRule.from_dict(r) for r in items]
        with self._lock:
            for rule in parsed:
                self._serial += 1
                self._active.append(_ActiveRule(rule, self._seed, self._serial))
        return parsed

    def rules(self) -> list[FaultRule]:
        with self._lock:
            return [active.rule for active in self._active]

    def clear(self) -> None:
        """Remove every rule and forget the applied counts."""
        with self._lock:
            self._active.clear()
            self.applied.clear()

    def decide(self, platform: str, route: str, account: str | None) -> FaultDecision:
        """The faults for one call (an HTTP request or a gRPC call); every matching rule counts it."""
        latency, fault = 0.0, None
        with self._lock:
            for active in self._active:
                rule = active.rule
                if rule.kind == "job_failure" or not rule.matches(platform, route, account):
                    continue
                if not active.fires():
                    continue
                if rule.kind == "latency":
                    latency += rule.seconds or 0.0
                    self._count(rule, route, account)
                elif fault is None:
                    fault = rule
                    self._count(rule, route, account)
        return FaultDecision(latency, fault)

    def take_job_failure(self, platform: str, account: str | None, route: str = "*") -> bool:
        """Whether the async job an emulator is running now must fail (counts as one call)."""
        with self._lock:
            for active in self._active:
                rule = active.rule
                if rule.kind == "job_failure" and rule.matches(platform, route, account) and active.fires():
                    self._count(rule, route, account)
                    return True
        return False

    def applied_counts(self) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = {}
        for (platform, label), n in self.applied.items():
            counts.setdefault(platform, {})[label] = n
        return counts

    def _count(self, rule: FaultRule, route: str, account: str | None) -> None:
        self.applied[(rule.platform, rule.label)] += 1
        log.info("fault %s on %s %s (account %s)", rule.label, rule.platform, route, account or "-")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
