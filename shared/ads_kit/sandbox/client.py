"""SandboxClient: the control API of a running sandbox, for tests and benchmarks."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import requests

from ads_kit import clock
from ads_kit.sandbox.world import World


class SandboxError(RuntimeError):
    """The control API refused a request; the message is its one-line reason."""


class SandboxClient:
    def __init__(self, connection_file: str | Path, timeout_s: float = 10.0) -> None:
        self.connection_file = Path(connection_file)
        self.connection: dict[str, Any] = json.loads(self.connection_file.read_text())
        self._url = self.connection["control_url"] + "/__sandbox"
        self._timeout = timeout_s
        self._http = requests.Session()

    def platform(self, name: str) -> dict[str, Any]:
        """One platform's connection entry (base_url, tokens, accounts, …)."""
        return self.connection["platforms"][name]

    def stats(self) -> dict[str, Any]:
        return self._call("GET", "/stats")

    def calls(self, platform: str, route: str | None = None, account: str | None = None) -> int:
        """How many requests a platform (route, account) received since the last reset."""
        routes = self.stats()["calls"].get(platform, {})
        selected = [routes.get(route, {})] if route else list(routes.values())
        if account is None:
            return sum(r.get("total", 0) for r in selected)
        return sum(r.get("accounts", {}).get(account, 0) for r in selected)

    def app_calls(self, platform: str) -> dict[str, Any]:
        """Calls billed to a platform's app quota since the last reset, counted as they arrived:
        ``total``, ``peak_per_second`` (most within any one second) and ``per_second``
        ({unix second: calls})."""
        empty = {"total": 0, "peak_per_second": 0, "per_second": {}}
        return self.stats()["app_calls"].get(platform, empty)

    def log(
        self, platform: str | None = None, route: str | None = None, limit: int | None = None
    ) -> list[dict]:
        params = {
            k: v for k, v in {"platform": platform, "route": route, "limit": limit}.items() if v is not None
        }
        return self._call("GET", "/log", params=params)

    def add_fault(
        self, rule: dict[str, Any] | list[dict[str, Any]] | None = None, **fields: Any
    ) -> list[dict]:
        """Add one rule (a dict, or keyword fields) or a list of rules."""
        return self._call("POST", "/faults", json=rule if rule is not None else fields)["added"]

    def faults(self) -> list[dict]:
        return self._call("GET", "/faults")

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    def advance(self, days: int = 1, *, hours: int = 0) -> datetime:
        """Move the world's instant forward; returns the new instant."""
        return clock.parse_instant(self._call("POST", "/advance", json={"days": days, "hours": hours})["now"])

    def move_to(self, instant: datetime | str) -> datetime:
        """Move the world's instant forward to ``instant``; returns it."""
        text = instant if isinstance(instant, str) else instant.isoformat()
        return clock.parse_instant(self._call("POST", "/advance", json={"to": text})["now"])

    def now(self) -> datetime:
        """The world's current instant."""
        return clock.parse_instant(self.stats()["now"])

    def tap_environment(self) -> dict[str, str]:
        """The ADS_SANDBOX_* variables, plus ``ADS_NOW`` when the world is pinned: a tap run then
        reads the same instant the sandbox serves."""
        stats = self.stats()
        return sandbox_environment(self.connection, stats["now"] if stats["pinned"] else None)

    def settings(self, **settings: Any) -> dict[str, Any]:
        """Merge settings (limits, token_lifetime_s, job_seconds, emulator keys); returns them all."""
        return self._call("POST", "/settings", json=settings)

    def reset(self) -> None:
        """Clear counters, the request log, faults and limit windows; restore the starting settings."""
        self._call("POST", "/reset", json={})

    def expire_token(self, platform: str, token: str) -> None:
        self._call("POST", "/tokens/expire", json={"platform": platform, "token": token})

    def revoke_token(self, platform: str, token: str) -> None:
        self._call("POST", "/tokens/revoke", json={"platform": platform, "token": token})

    def world(self) -> World:
        """The same world the sandbox serves, pinned at its current instant, for ground truth in-process."""
        spec, stats = self.connection["world"], self.stats()
        world = World(
            self.connection["seed"],
            spec["scale"],
            clock.parse_instant(self.connection["now"]),
            spec["history_days"],
            shape=spec["shape"],
            ads_per_account=spec["ads_per_account"],
            accounts_per_platform=spec["accounts_per_platform"],
            account_ids=spec.get("account_ids"),
            reporting_delay_minutes=stats["reporting_delay_minutes"],
        )
        world.move_to(clock.parse_instant(stats["now"]))
        return world

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._http.request(method, self._url + path, timeout=self._timeout, **kwargs)
        if response.status_code >= 400:
            try:
                message = response.json()["error"]
            except (ValueError, KeyError, TypeError):
                message = f"HTTP {response.status_code}"
            raise SandboxError(f"sandbox control {path}: {message}")
        return response.json()


def sandbox_environment(connection: dict[str, Any], now: str | None = None) -> dict[str, str]:
    """The ADS_SANDBOX_* variables meltano.yml's `sandbox` environment reads, from a connection file.

    One variable per platform and key: ADS_SANDBOX_META_BASE_URL, ADS_SANDBOX_GOOGLE_ADS_ACCESS_TOKEN, …
    Lists (accounts, scopes) are comma-joined. ``now`` (a pinned world's instant) becomes ``ADS_NOW``.
    """
    env = {}
    for platform, entry in connection["platforms"].items():
        for key, value in entry.items():
            if value is None or isinstance(value, dict):
                continue
            text = ",".join(map(str, value)) if isinstance(value, list) else str(value)
            env[f"ADS_SANDBOX_{platform.upper()}_{key.upper()}"] = text
    env["ADS_SANDBOX_TLS_CERT"] = connection.get("tls_cert", "")
    if now is not None:
        env[clock.ENV_VAR] = now
    return env
